# Incident response: revoke every token of API client "ci-deployer" whose name starts with
# "legacy-", including tokens made by hand that no Terraform state knows. Nothing happens on a
# plain `terraform apply`; run the action on demand (Terraform 1.14 or later):
#
#   terraform apply -invoke=action.vcf_api_token_revoke.legacy
#
# Other selectors (set exactly one): `token_id = "…"` for one leaked token (its id from the
# vcf_api_tokens data source), or `all_tokens = true` for every token of the client.
action "vcf_api_token_revoke" "legacy" {
  config {
    sso_realm_id  = "flt-idb02"
    api_client_id = "ci-deployer"
    name_prefix   = "legacy-"
  }
}

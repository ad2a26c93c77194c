# Incident response: revoke every VCF Automation / Cloud Director API token of user
# "tenant-admin" whose name starts with "legacy-". The provider's director block must log in
# with username and password, as a user who may manage those tokens (its own, or with "Manage
# all users' API tokens" its organization's). Run it on demand (Terraform 1.14 or later):
#
#   terraform apply -invoke=action.vcf_director_api_token_revoke.legacy
#
# Other selectors (set exactly one): `token_id = "urn:vcloud:token:…"`, or `all_tokens = true`
# (every API token of `owner`). PROXY and EXTENSION tokens are never revoked.
action "vcf_director_api_token_revoke" "legacy" {
  config {
    owner       = "tenant-admin"
    name_prefix = "legacy-"
  }
}

# A CI job's credential that never outlives the run: created when Terraform opens it, revoked
# when the run ends (also when the apply fails), never in plan or state.
ephemeral "vcf_temporary_api_token" "ci" {
  sso_realm_id  = "flt-idb02"
  api_client_id = "ci-deployer"
  ttl_minutes   = 60
}

provider "vcf" {
  alias = "ci"
  operations {
    host               = "flt-ops01.rainpole.io"
    api_token          = ephemeral.vcf_temporary_api_token.ci.token
    token_endpoint_url = ephemeral.vcf_temporary_api_token.ci.token_endpoint_url
  }
}

# A CI job's credential that never outlives the run: created when Terraform opens it, revoked
# when the run ends (also when the apply fails), never in plan or state. The token carries the
# VCF roles of its API client, so a second provider configuration works with exactly those.
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

# Everything read through vcf.ci is read with ci-deployer's roles.
data "vcf_principal_roles" "ci" {
  provider     = vcf.ci
  sso_realm_id = "flt-idb02"
  principal_id = data.vcf_api_client.ci.principal_id
}

data "vcf_api_client" "ci" {
  provider     = vcf.ci
  sso_realm_id = "flt-idb02"
  client_id    = "ci-deployer"
}

output "ci_roles" {
  value = [for a in data.vcf_principal_roles.ci.assignments : a.role_name]
}

# A machine identity for a deployment pipeline. The client has no roles of its own: assign them
# to its principal_id with vcf_role_assignment or vcf_principal_roles.
resource "vcf_api_client" "pipeline" {
  sso_realm_id = "flt-idb02" # realm name or id; defaults to the provider's default_sso_realm
  client_id    = "ci-pipeline"
  name         = "CI pipeline"
  description  = "Deploys workload domains from the platform repository"
}

output "pipeline_principal_id" {
  value = vcf_api_client.pipeline.principal_id
}

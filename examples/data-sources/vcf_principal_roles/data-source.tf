# What an API client may do now, for example to review its access before a change.
data "vcf_api_client" "deployer" {
  sso_realm_id = "flt-idb02"
  client_id    = "ci-deployer"
}

data "vcf_principal_roles" "deployer" {
  sso_realm_id = "flt-idb02"
  principal_id = data.vcf_api_client.deployer.principal_id
}

output "deployer_roles" {
  value = [for a in data.vcf_principal_roles.deployer.assignments : "${a.role_name} at ${a.scope_type}"]
}

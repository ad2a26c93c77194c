# An API client created outside this configuration, to assign it roles here.
data "vcf_api_client" "deployer" {
  sso_realm_id = "flt-idb02"
  client_id    = "ci-deployer"
}

output "deployer_principal_id" {
  value = data.vcf_api_client.deployer.principal_id
}

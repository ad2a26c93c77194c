# Every API client of a realm whose id starts with "ci-", for example to spot clients that no
# configuration manages.
data "vcf_api_clients" "ci" {
  sso_realm_id     = "flt-idb02"
  client_id_prefix = "ci-"
}

output "ci_client_ids" {
  value = data.vcf_api_clients.ci.clients[*].client_id
}

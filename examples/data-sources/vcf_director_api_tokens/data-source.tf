# Names and ids only: token values can never be read back.
data "vcf_director_api_tokens" "capvcd" {
  name = "capvcd-cluster-api"
}

output "capvcd_token_ids" {
  value = [for t in data.vcf_director_api_tokens.capvcd.tokens : t.id]
}

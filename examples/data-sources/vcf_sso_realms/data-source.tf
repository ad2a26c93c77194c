data "vcf_sso_realms" "all" {}

output "realm_ids" {
  value = { for r in data.vcf_sso_realms.all.realms : r.name => r.id }
}

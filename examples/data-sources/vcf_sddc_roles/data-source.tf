data "vcf_sddc_roles" "all" {}

output "operator_role_id" {
  value = data.vcf_sddc_roles.all.ids["OPERATOR"]
}

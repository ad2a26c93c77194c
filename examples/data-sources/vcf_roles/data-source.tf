# The fleet's VCF roles, built-in and custom.
data "vcf_roles" "all" {}

# Only the custom ones.
data "vcf_roles" "custom" {
  type = "CUSTOM"
}

output "custom_roles" {
  value = data.vcf_roles.custom.names
}

# Which roles grant administration of VCF Operations (what fleet IAM writes need).
output "operations_admin_roles" {
  value = [
    for r in data.vcf_roles.all.roles : r.name
    if anytrue([for c in r.component_roles : c.component_type == "VCF_OPERATIONS" && contains(c.roles, "Administrator")])
  ]
}

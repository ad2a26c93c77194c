# The realm's roles, built-in and custom.
data "vcf_roles" "all" {
  sso_realm_id = "flt-idb02"
}

output "custom_roles" {
  value = [for r in data.vcf_roles.all.roles : r.name if !r.built_in]
}

# Which roles grant administration of VCF Operations (what fleet IAM writes need).
output "operations_admin_roles" {
  value = [
    for r in data.vcf_roles.all.roles : r.name
    if anytrue([for c in r.component_roles : c.component == "VCF_OPERATIONS" && c.role_name == "Administrator"])
  ]
}

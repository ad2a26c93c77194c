# Look up a realm by the name of its identity broker.
data "vcf_sso_realm" "fleet" {
  name = "flt-idb02"
}

# The VCF instances the realm covers, by name.
output "vcf_instances" {
  value = [for c in data.vcf_sso_realm.fleet.coverage : c.name if c.type == "VCF_INSTANCE"]
}

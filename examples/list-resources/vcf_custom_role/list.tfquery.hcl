# The fleet's custom VCF roles whose names start with "fleet-" (built-in roles are never listed).
list "vcf_custom_role" "fleet_roles" {
  provider         = vcf
  include_resource = true
  config {
    name_prefix = "fleet-"
  }
}

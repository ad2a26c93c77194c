# Every vcf_viewer assignment of the realm's API clients.
list "vcf_role_assignment" "viewers" {
  provider         = vcf
  include_resource = true
  config {
    role_name = "vcf_viewer"
  }
}

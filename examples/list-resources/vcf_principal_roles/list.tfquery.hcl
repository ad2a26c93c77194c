# Every API client of the realm that holds vcf_viewer, with its complete set of assignments.
list "vcf_principal_roles" "viewers" {
  provider         = vcf
  include_resource = true
  limit            = 100
  config {
    sso_realm_id = "flt-idb02"
    role_name    = "vcf_viewer"
  }
}

list "vcf_sddc_user" "service_accounts" {
  provider         = vcf
  include_resource = true
  config {
    type = "SERVICE"
  }
}

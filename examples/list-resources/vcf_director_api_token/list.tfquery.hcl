list "vcf_director_api_token" "automation" {
  provider         = vcf
  include_resource = true
  config {
    name_prefix = "automation-"
  }
}

# terraform query -generate-config-out=adopted.tf
list "vcf_api_client" "ci" {
  provider         = vcf
  include_resource = true
  config {
    client_id_prefix = "ci-"
  }
}

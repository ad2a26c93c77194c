# Taking over an SDDC Manager account from VMware's provider (vmware/vcf) without re-creating it:
# the account keeps its id and its API key (Terraform 1.8+ moves state across resource types).
#
# Before, with vmware/vcf:
#
#   resource "vcf_user" "pipeline" {
#     name      = "svc-pipeline"
#     domain    = "vsphere.local"
#     type      = "SERVICE"
#     role_name = "OPERATOR"
#   }
#
# After: the same arguments (`role_name` is `role`), and a moved block. `terraform plan` shows
# "vcf_user.pipeline has moved to vcf_sddc_user.pipeline" and nothing to add, change or destroy.
# tests/acceptance_adopt.rs applies this file to a state written in vmware/vcf's shape.
terraform {
  required_version = ">= 1.11"
  required_providers {
    vcf = {
      source = "local/vmware/vcf"
    }
  }
}

# Credentials from the environment: VCF_SDDC_MANAGER_HOST, VCF_SDDC_MANAGER_USERNAME,
# VCF_SDDC_MANAGER_PASSWORD (and VCF_CA_FILE).
provider "vcf" {}

moved {
  from = vcf_user.pipeline
  to   = vcf_sddc_user.pipeline
}

resource "vcf_sddc_user" "pipeline" {
  name   = "svc-pipeline"
  domain = "vsphere.local"
  type   = "SERVICE"
  role   = "OPERATOR"
}

# The key vmware/vcf stored moves with the account.
output "pipeline_api_key" {
  value     = vcf_sddc_user.pipeline.api_key
  sensitive = true
}

# Quickstart: look up the fleet's SSO realm and what it covers.
#
# scripts/quickstart runs this against vcf-sim; against a real fleet, set the VCF_OPERATIONS_*
# variables (or fill in the operations block) and run `terraform apply`.
terraform {
  required_version = ">= 1.11"
  required_providers {
    vcf = {
      source = "local/vmware/vcf"
    }
  }
}

variable "sso_realm_name" {
  description = "Name of the SSO realm (the identity broker), for example flt-idb02."
  type        = string
  default     = "flt-idb02"
}

# Credentials come from the environment: VCF_OPERATIONS_HOST, VCF_OPERATIONS_API_TOKEN,
# VCF_OPERATIONS_TOKEN_ENDPOINT_URL and VCF_CA_FILE.
provider "vcf" {}

data "vcf_sso_realm" "fleet" {
  name = var.sso_realm_name
}

data "vcf_sso_realms" "all" {}

output "sso_realm_id" {
  description = "Use as sso_realm_id of fleet IAM resources."
  value       = data.vcf_sso_realm.fleet.id
}

output "vcf_instance_id" {
  description = "Scope id for VCF_INSTANCE role assignments."
  value       = data.vcf_sso_realm.fleet.vcf_instance_id
}

output "covers" {
  value = { for c in data.vcf_sso_realm.fleet.coverage : c.name => c.type }
}

output "realms" {
  value = [for r in data.vcf_sso_realms.all.realms : r.name]
}

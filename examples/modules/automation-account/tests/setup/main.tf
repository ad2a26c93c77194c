# Test helper: the ids of the realm the tests run in.
terraform {
  required_providers {
    vcf = {
      source = "local/vmware/vcf"
    }
  }
}

variable "sso_realm" {
  type = string
}

data "vcf_sso_realm" "this" {
  name = var.sso_realm
}

output "vcf_instance_id" {
  value = data.vcf_sso_realm.this.vcf_instance_id
}

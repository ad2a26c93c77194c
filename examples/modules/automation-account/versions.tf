terraform {
  required_version = ">= 1.11"
  required_providers {
    vcf = {
      source = "local/vmware/vcf"
    }
  }
}

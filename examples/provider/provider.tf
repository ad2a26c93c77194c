terraform {
  required_providers {
    vcf = {
      source = "local/vmware/vcf"
    }
  }
}

provider "vcf" {
  ca_file = "/etc/ssl/certs/vcf-ca.pem"

  # Fleet IAM (VCF Operations). The API token comes from VCF_OPERATIONS_API_TOKEN.
  operations {
    host               = "flt-ops01.rainpole.io"
    token_endpoint_url = "https://flt-idb02.rainpole.io/acs/t/CUSTOMER/token"
  }

  # SDDC Manager service accounts. The password comes from VCF_SDDC_MANAGER_PASSWORD.
  sddc_manager {
    host     = "sfo-vcf01.rainpole.io"
    username = "administrator@vsphere.local"
  }
}

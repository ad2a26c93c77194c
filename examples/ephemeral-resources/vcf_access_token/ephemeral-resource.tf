# Exchange a fleet API token for an access token during the run only, and hand it to a second
# provider configuration: neither value is written to the plan or the state.
variable "ops_api_token" {
  type      = string
  sensitive = true
  ephemeral = true
}

ephemeral "vcf_access_token" "ops" {
  api_token          = var.ops_api_token
  token_endpoint_url = "https://flt-idb02.rainpole.io/acs/t/CUSTOMER/token"
}

provider "vcf" {
  alias = "bearer"
  operations {
    host         = "flt-ops01.rainpole.io"
    access_token = ephemeral.vcf_access_token.ops.access_token
  }
}

data "vcf_sso_realms" "via_bearer" {
  provider = vcf.bearer
}

# A Director API token works the same way; the access token authenticates Director calls of
# another tool for the length of the run.
variable "vcd_api_token" {
  type      = string
  sensitive = true
  ephemeral = true
}

ephemeral "vcf_access_token" "vcd" {
  api_token     = var.vcd_api_token
  director_host = "vcd.rainpole.io"
  director_org  = "rainpole"
}

output "realms" {
  value = [for r in data.vcf_sso_realms.via_bearer.realms : r.name]
}

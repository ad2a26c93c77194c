# A machine identity for a pipeline (seed 001): an API client with least-privilege roles and an
# API token that rotates itself a week before it expires.
#
# tests/acceptance_fleet_examples.rs applies this against vcf-sim; against a real fleet, set the
# VCF_OPERATIONS_* variables and run `terraform apply` on a schedule (for example daily in CI):
# the plan replaces the token once it is inside `rotate_before`.
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

variable "client_id" {
  description = "Identifier of the pipeline's API client."
  type        = string
  default     = "IamClient"
}

# Credentials come from the environment: VCF_OPERATIONS_HOST, VCF_OPERATIONS_API_TOKEN,
# VCF_OPERATIONS_TOKEN_ENDPOINT_URL and VCF_CA_FILE.
provider "vcf" {}

data "vcf_sso_realm" "fleet" {
  name = var.sso_realm_name
}

resource "vcf_api_client" "pipeline" {
  sso_realm_id = data.vcf_sso_realm.fleet.id
  client_id    = var.client_id
  name         = "Iam Client"
  description  = "API client for IAM functional testing"
}

# Non-authoritative: other assignments of the client are left alone. Never combine with
# vcf_principal_roles on the same principal.
resource "vcf_role_assignment" "viewer" {
  sso_realm_id = data.vcf_sso_realm.fleet.id
  principal_id = vcf_api_client.pipeline.principal_id
  role_name    = "vcf_viewer"
  scope_type   = "SSO_REALM"
}

resource "vcf_role_assignment" "sddc_admin" {
  sso_realm_id       = data.vcf_sso_realm.fleet.id
  principal_id       = vcf_api_client.pipeline.principal_id
  role_name          = "sddc_admin"
  scope_type         = "VCF_INSTANCE"
  scope_resource_ids = [data.vcf_sso_realm.fleet.vcf_instance_id]
}

resource "vcf_api_token" "pipeline" {
  sso_realm_id     = data.vcf_sso_realm.fleet.id
  api_client_id    = vcf_api_client.pipeline.client_id
  name             = "pipeline"
  ttl              = 43200 # 30 days
  access_token_ttl = 30
  rotate_before    = "168h"

  # Bump to rotate on demand.
  rotation_triggers = {
    generation = "1"
  }

  # The new token exists before the old one is revoked, so consumers can switch.
  lifecycle {
    create_before_destroy = true
  }

  depends_on = [vcf_role_assignment.viewer, vcf_role_assignment.sddc_admin]
}

# Monitoring: every token of the client with its expiry.
data "vcf_api_tokens" "pipeline" {
  sso_realm_id  = data.vcf_sso_realm.fleet.id
  api_client_id = vcf_api_client.pipeline.client_id
  depends_on    = [vcf_api_token.pipeline]
}

output "principal_id" {
  value = vcf_api_client.pipeline.principal_id
}

output "token" {
  description = "Hand to the pipeline's secret store."
  value       = vcf_api_token.pipeline.token
  sensitive   = true
}

output "token_endpoint_url" {
  value = vcf_api_token.pipeline.token_endpoint_url
}

output "token_expiries" {
  value = { for t in data.vcf_api_tokens.pipeline.tokens : t.id => t.expires_at }
}

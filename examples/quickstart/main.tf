# Quickstart: a machine identity for a pipeline, end to end (seed 001): look up the fleet's SSO
# realm, create an API client, give it least-privilege roles, and issue an API token that
# rotates itself a week before it expires.
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

# 1. The realm, and the VCF instance it covers.
data "vcf_sso_realm" "fleet" {
  name = var.sso_realm_name
}

# 2. The pipeline's API client.
resource "vcf_api_client" "pipeline" {
  sso_realm_id = data.vcf_sso_realm.fleet.id
  client_id    = "quickstart-pipeline"
  name         = "Quickstart pipeline"
  description  = "Created by scripts/quickstart"
}

# 3. Least privilege: read the realm, administer one VCF instance.
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

# 4. A 30-day token, replaced by `terraform plan` + `apply` once it expires within 7 days.
resource "vcf_api_token" "pipeline" {
  sso_realm_id  = data.vcf_sso_realm.fleet.id
  api_client_id = vcf_api_client.pipeline.client_id
  name          = "quickstart-pipeline"
  ttl           = 43200 # minutes
  rotate_before = "168h"

  lifecycle {
    create_before_destroy = true
  }

  depends_on = [vcf_role_assignment.viewer, vcf_role_assignment.sddc_admin]
}

output "sso_realm_id" {
  value = data.vcf_sso_realm.fleet.id
}

output "principal_id" {
  description = "The API client's principal, which holds the roles."
  value       = vcf_api_client.pipeline.principal_id
}

output "token" {
  description = "The API token: `terraform output -raw token` prints it for a secret store."
  value       = vcf_api_token.pipeline.token
  sensitive   = true
}

output "token_hint" {
  description = "The token's last characters, to recognise it without the secret."
  value       = "vidb_…${vcf_api_token.pipeline.token_last_chars}"
}

output "token_expires_at" {
  value = vcf_api_token.pipeline.expires_at
}

output "token_endpoint_url" {
  value = vcf_api_token.pipeline.token_endpoint_url
}

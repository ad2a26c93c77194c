# A 30-day API token for a pipeline that rotates itself: once it expires within 7 days (by the
# server's clock), `terraform plan` replaces it without any configuration change. Run plan and
# apply on a schedule, for example daily in CI. create_before_destroy creates the new token
# before the old one is revoked, so consumers can switch over.
resource "vcf_api_client" "pipeline" {
  sso_realm_id = "flt-idb02"
  client_id    = "deploy-pipeline"
}

resource "vcf_api_token" "pipeline" {
  sso_realm_id     = vcf_api_client.pipeline.sso_realm_id
  api_client_id    = vcf_api_client.pipeline.client_id
  name             = "deploy-pipeline"
  ttl              = 43200 # minutes: 30 days
  access_token_ttl = 30    # minutes
  rotate_before    = "168h"

  # Change any value to rotate on demand.
  rotation_triggers = {
    generation = "1"
  }

  lifecycle {
    create_before_destroy = true
  }
}

# Hand the token to the pipeline's secret store; exchange it at token_endpoint_url.
output "token" {
  value     = vcf_api_token.pipeline.token
  sensitive = true
}

output "token_endpoint_url" {
  value = vcf_api_token.pipeline.token_endpoint_url
}

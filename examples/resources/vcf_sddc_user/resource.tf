# A service account for provisioning pipelines: OPERATOR can write, but cannot manage users or
# credentials. Its API key is replaced every 90 days.
resource "time_rotating" "svc_key" {
  rotation_days = 90
}

resource "vcf_sddc_user" "pipeline" {
  name = "svc-pipeline"
  type = "SERVICE"
  role = "OPERATOR"

  rotation_triggers = {
    rotated = time_rotating.svc_key.id
  }
}

# Hand the key to the pipeline's secret store, e.g.:
# value = vcf_sddc_user.pipeline.api_key   (sensitive)

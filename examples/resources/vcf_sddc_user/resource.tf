# A service account for provisioning pipelines: OPERATOR can write, but cannot manage users or
# credentials. Changing `key_generation` replaces the account and so rotates its API key; feed it
# from a schedule such as `time_rotating.svc_key.id` (hashicorp/time) to rotate every 90 days.
variable "key_generation" {
  type    = string
  default = "2026-11"
}

resource "vcf_sddc_user" "pipeline" {
  name = "svc-pipeline"
  type = "SERVICE"
  role = "OPERATOR"

  rotation_triggers = {
    generation = var.key_generation
  }
}

# Hand the key to the pipeline's secret store.
output "pipeline_api_key" {
  value     = vcf_sddc_user.pipeline.api_key
  sensitive = true
}

# An API token for a Cluster API deployment in the tenant organization. The provider's director
# block must log in with username and password (VCF_DIRECTOR_USERNAME / VCF_DIRECTOR_PASSWORD):
# sessions opened with an API token cannot create tokens.
#
# Changing `token_generation` rotates the token; with create_before_destroy the new token exists
# before the old one is revoked. A schedule such as `time_rotating.capvcd.id` (hashicorp/time)
# can drive it.
variable "token_generation" {
  type    = string
  default = "2026-11"
}

resource "vcf_director_api_token" "capvcd" {
  name = "capvcd-cluster-api"
  org  = "rainpole"

  rotation_triggers = {
    generation = var.token_generation
  }

  lifecycle {
    create_before_destroy = true
  }
}

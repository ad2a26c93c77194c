# Rotation strategy "replace" (the default): a rotation creates a new token and revokes the old
# one. With create_before_destroy the new token exists before the old one is revoked, so
# consumers that read the secret during the same apply (a secret-store resource depending on
# `token`) switch without a gap. Consumers that fetch the secret later break when the apply
# revokes the old token: use the overlap strategy for them.
resource "vcf_api_client" "replace" {
  sso_realm_id = "flt-idb02"
  client_id    = "rotation-replace"
}

resource "vcf_api_token" "replace" {
  sso_realm_id  = vcf_api_client.replace.sso_realm_id
  api_client_id = vcf_api_client.replace.client_id
  name          = "rotation-replace"
  ttl           = 43200 # minutes: 30 days
  rotate_before = "168h"

  rotation_triggers = {
    generation = "1" # change to rotate now
  }

  lifecycle {
    create_before_destroy = true
  }
}

output "token" {
  value     = vcf_api_token.replace.token
  sensitive = true
}

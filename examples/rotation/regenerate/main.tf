# Rotation strategy "regenerate": the API's regenerate call gives the same token a new secret
# in place. The old secret stops working at once, so every consumer must receive the new one in
# the same apply (for example a secret-store resource that depends on `token`). The token keeps
# its history (one object, the same id unless the appliance gives a new one).
resource "vcf_api_client" "regenerate" {
  sso_realm_id = "flt-idb02"
  client_id    = "rotation-regenerate"
}

resource "vcf_api_token" "regenerate" {
  sso_realm_id      = vcf_api_client.regenerate.sso_realm_id
  api_client_id     = vcf_api_client.regenerate.client_id
  name              = "rotation-regenerate"
  ttl               = 43200
  rotate_before     = "168h"
  rotation_strategy = "regenerate"

  rotation_triggers = {
    generation = "1"
  }
}

output "token" {
  value     = vcf_api_token.regenerate.token
  sensitive = true
}

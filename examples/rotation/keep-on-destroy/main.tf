# Keep on destroy (revoke_on_destroy = false): destroying the resource — including the destroy
# half of a replacement — leaves the token valid on the server until it expires. With the
# default "replace" strategy every rotation then leaves the old token to expire on its own: an
# overlap as long as the token's remaining lifetime, at the price of valid tokens Terraform no
# longer tracks (list them with the vcf_api_tokens data source). Keep ttl short.
#
# To stop managing one token without revoking it, without changing this setting, use a removed
# block instead (Terraform 1.7+):
#
#   removed {
#     from = vcf_api_token.kept
#     lifecycle {
#       destroy = false
#     }
#   }
data "vcf_api_client" "deployer" {
  sso_realm_id = "flt-idb02"
  client_id    = "ci-deployer"
}

resource "vcf_api_token" "kept" {
  sso_realm_id      = data.vcf_api_client.deployer.sso_realm_id
  api_client_id     = data.vcf_api_client.deployer.client_id
  name              = "rotation-kept"
  ttl               = 20160 # 14 days: tokens left behind expire on their own
  rotate_before     = "96h"
  revoke_on_destroy = false

  rotation_triggers = {
    generation = "1"
  }
}

output "token" {
  value     = vcf_api_token.kept.token
  sensitive = true
}

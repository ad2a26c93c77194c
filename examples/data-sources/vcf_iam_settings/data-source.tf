# The appliance's token lifetimes, to keep a token's TTLs within them.
data "vcf_iam_settings" "iam" {}

resource "vcf_api_token" "ci" {
  api_client_id    = "ci-deployer"
  name             = "ci"
  ttl              = data.vcf_iam_settings.iam.api_token_ttl
  access_token_ttl = min(30, data.vcf_iam_settings.iam.access_token_ttl)
}

# Expiry monitoring: every active token of a client with the time it has left.
data "vcf_api_tokens" "deployer" {
  sso_realm_id  = "flt-idb02"
  api_client_id = "ci-deployer"
  active_only   = true
}

# Tokens that expire within 14 days, for an alert.
output "expiring_soon" {
  value = [
    for t in data.vcf_api_tokens.deployer.tokens : "${t.name} (${t.token_last_chars}) expires ${t.expires_at}"
    if t.seconds_until_expiry < 14 * 24 * 3600
  ]
}

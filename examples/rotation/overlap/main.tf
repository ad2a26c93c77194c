# Overlap rotation: consumers that pick up a new secret on their own schedule (a vault sync every
# few hours, a nightly job, a fleet of agents) keep working with the previous token for
# previous_token_grace after a rotation. The rotation is an in-place update that creates the new
# token; the first plan/apply after the grace revokes the previous one (another in-place update).
# The previous token's secret is not kept in the state; a previous token deleted by hand is
# dropped with a warning, never an error.
resource "vcf_api_client" "overlap" {
  sso_realm_id = "flt-idb02"
  client_id    = "rotation-overlap"
}

resource "vcf_api_token" "overlap" {
  sso_realm_id         = vcf_api_client.overlap.sso_realm_id
  api_client_id        = vcf_api_client.overlap.client_id
  name                 = "rotation-overlap"
  ttl                  = 43200  # 30 days
  rotate_before        = "168h" # rotate a week before expiry…
  previous_token_grace = "72h"  # …and keep the previous token for three days

  rotation_triggers = {
    generation = "1"
  }
}

# The same applies to Director / VCF Automation tokens, which never expire: rotate them on a
# schedule and keep the previous one for a day.
resource "vcf_director_api_token" "overlap" {
  name                 = "rotation-overlap"
  previous_token_grace = "24h"

  rotation_triggers = {
    generation = "2026-12"
  }
}

# Fails (as a warning) a week before the rotation is due, in any plan: see the drift-detection
# guide for a CI job that turns it into a failure.
check "token_rotation" {
  assert {
    condition     = timecmp(vcf_api_token.overlap.rotation_due_at, timeadd(plantimestamp(), "168h")) > 0
    error_message = "vcf_api_token.overlap is due for rotation at ${vcf_api_token.overlap.rotation_due_at}."
  }
}

output "token" {
  value     = vcf_api_token.overlap.token
  sensitive = true
}

output "previous_token_id" {
  value = vcf_api_token.overlap.previous_token_id
}

output "previous_token_revoke_after" {
  value = vcf_api_token.overlap.previous_token_revoke_after
}

# Active tokens of one API client that expire within 30 days.
list "vcf_api_token" "expiring" {
  provider = vcf
  limit    = 200
  config {
    api_client_id   = "vcf-sim-bootstrap"
    status          = "ACTIVE"
    expiring_within = "720h"
  }
}

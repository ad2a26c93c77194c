# Least privilege for a reporting job: read the whole realm, operate one VCF instance until
# the end of the project. Each vcf_role_assignment owns one role at one scope and leaves the
# principal's other assignments alone (never combine it with vcf_principal_roles).
data "vcf_sso_realm" "fleet" {
  name = "flt-idb02"
}

resource "vcf_api_client" "reporting" {
  sso_realm_id = data.vcf_sso_realm.fleet.id
  client_id    = "reporting"
}

resource "vcf_role_assignment" "viewer" {
  sso_realm_id = data.vcf_sso_realm.fleet.id
  principal_id = vcf_api_client.reporting.principal_id
  role_name    = "vcf_viewer"
  scope_type   = "SSO_REALM"
}

resource "vcf_role_assignment" "operator_sfo" {
  sso_realm_id       = data.vcf_sso_realm.fleet.id
  principal_id       = vcf_api_client.reporting.principal_id
  role_name          = "vcf_operator"
  scope_type         = "VCF_INSTANCE"
  scope_resource_ids = [data.vcf_sso_realm.fleet.vcf_instance_id]
  expires_at         = "2030-12-31T23:59:59Z"
}

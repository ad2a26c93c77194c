# A fleet-wide auditor: read-only in VCF Operations and vCenter. Assign it like a built-in role.
resource "vcf_custom_role" "auditor" {
  sso_realm_id = "flt-idb02"
  name         = "fleet-auditor"
  description  = "Read-only access for the audit team"

  component_roles = [
    { component = "VCF_OPERATIONS", role_name = "ReadOnly" },
    { component = "VCENTER", role_name = "Read-only" },
  ]
}

resource "vcf_api_client" "audit" {
  sso_realm_id = "flt-idb02"
  client_id    = "audit-export"
}

resource "vcf_role_assignment" "audit" {
  sso_realm_id = "flt-idb02"
  principal_id = vcf_api_client.audit.principal_id
  role_name    = vcf_custom_role.auditor.name
  scope_type   = "SSO_REALM"
}

# A fleet-wide auditor: read-only in VCF Operations, vCenter and NSX. VCF roles belong to the
# whole fleet; assign one in any SSO realm like a built-in role.
resource "vcf_custom_role" "auditor" {
  name         = "fleet-auditor"
  display_name = "Fleet auditor"
  description  = "Read-only access for the audit team"

  component_roles = [
    { component_type = "VCF_OPERATIONS", roles = ["ReadOnly"] },
    { component_type = "VCENTER", roles = ["Read-only"] },
    { component_type = "NSX_MANAGER", roles = ["Auditor"] },
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

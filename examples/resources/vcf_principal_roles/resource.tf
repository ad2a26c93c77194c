# The complete set of a principal's VCF role assignments: assignments made outside Terraform
# are removed on the next apply. Use it for identities Terraform owns end to end; never combine
# it with vcf_role_assignment on the same principal.
data "vcf_sso_realm" "fleet" {
  name = "flt-idb02"
}

resource "vcf_api_client" "backup" {
  sso_realm_id = data.vcf_sso_realm.fleet.id
  client_id    = "backup-operator"
}

resource "vcf_principal_roles" "backup" {
  sso_realm_id = data.vcf_sso_realm.fleet.id
  principal_id = vcf_api_client.backup.principal_id

  assignments = [
    {
      role_name  = "vcf_viewer"
      scope_type = "SSO_REALM"
    },
    {
      role_name          = "sddc_admin"
      scope_type         = "VCF_INSTANCE"
      scope_resource_ids = [data.vcf_sso_realm.fleet.vcf_instance_id]
    },
  ]
}

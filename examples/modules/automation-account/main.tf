# A least-privilege machine identity: an API client, exactly the roles listed in var.roles (the
# assignment set is authoritative, so roles granted by hand are removed on the next apply), and
# an API token that rotates itself before it expires.

data "vcf_sso_realm" "this" {
  name = var.sso_realm
}

# VCF roles are fleet-wide.
data "vcf_roles" "this" {}

locals {
  roles_by_name = { for r in data.vcf_roles.this.roles : r.name => r }
  # Roles that can administer fleet IAM when granted at SSO_REALM scope.
  admin_roles = [
    for r in data.vcf_roles.this.roles : r.name
    if anytrue([for c in r.component_roles : c.component_type == "VCF_OPERATIONS" && contains(c.roles, "Administrator")])
  ]
}

resource "vcf_api_client" "this" {
  sso_realm_id = data.vcf_sso_realm.this.id
  client_id    = var.client_id
  name         = coalesce(var.display_name, var.client_id)
  description  = var.description
}

resource "vcf_principal_roles" "this" {
  sso_realm_id = data.vcf_sso_realm.this.id
  principal_id = vcf_api_client.this.principal_id

  assignments = [
    for r in var.roles : {
      role_name          = r.role
      scope_type         = r.scope_type
      scope_resource_ids = r.scope_type == "VCF_INSTANCE" ? r.scope_resource_ids : null
    }
  ]

  lifecycle {
    precondition {
      condition     = alltrue([for r in var.roles : contains(keys(local.roles_by_name), r.role)])
      error_message = "Unknown role(s) ${join(", ", [for r in var.roles : r.role if !contains(keys(local.roles_by_name), r.role)])}; the realm has: ${join(", ", sort(keys(local.roles_by_name)))}."
    }
    precondition {
      condition     = var.allow_admin || !anytrue([for r in var.roles : r.scope_type == "SSO_REALM" && contains(local.admin_roles, r.role)])
      error_message = "Role(s) ${join(", ", [for r in var.roles : r.role if r.scope_type == "SSO_REALM" && contains(local.admin_roles, r.role)])} can administer fleet IAM at SSO_REALM scope; grant less, or set allow_admin = true."
    }
  }
}

resource "vcf_api_token" "this" {
  sso_realm_id      = data.vcf_sso_realm.this.id
  api_client_id     = vcf_api_client.this.client_id
  name              = var.client_id
  description       = var.description
  ttl               = var.token_ttl_minutes
  access_token_ttl  = var.access_token_ttl_minutes
  rotate_before     = var.rotate_before
  rotation_strategy = var.rotation_strategy

  rotation_triggers = {
    generation = var.rotation_generation
  }

  # With rotation_strategy = "replace", the new token exists before the old one is revoked.
  lifecycle {
    create_before_destroy = true
  }

  # The token is handed out only once its roles are in place.
  depends_on = [vcf_principal_roles.this]
}

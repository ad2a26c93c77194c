# Inputs the module refuses before anything is created.

variables {
  sso_realm = "flt-idb02"
  client_id = "tftest-validation"
  roles     = [{ role = "vcf_viewer", scope_type = "SSO_REALM" }]
}

run "client_id_with_spaces" {
  command = plan
  variables {
    client_id = "ci deployer"
  }
  expect_failures = [var.client_id]
}

run "unknown_scope_type" {
  command = plan
  variables {
    roles = [{ role = "vcf_viewer", scope_type = "CLUSTER" }]
  }
  expect_failures = [var.roles]
}

run "instance_scope_without_ids" {
  command = plan
  variables {
    roles = [{ role = "sddc_admin", scope_type = "VCF_INSTANCE" }]
  }
  expect_failures = [var.roles]
}

run "no_roles" {
  command = plan
  variables {
    roles = []
  }
  expect_failures = [var.roles]
}

run "token_ttl_out_of_range" {
  command = plan
  variables {
    token_ttl_minutes = 300000
  }
  expect_failures = [var.token_ttl_minutes]
}

run "bad_rotate_before" {
  command = plan
  variables {
    rotate_before = "a week"
  }
  expect_failures = [var.rotate_before]
}

run "admin_needs_opt_in" {
  command = plan
  variables {
    roles = [{ role = "vcf_admin", scope_type = "SSO_REALM" }]
  }
  expect_failures = [vcf_principal_roles.this]
}

run "unknown_role" {
  command = plan
  variables {
    roles = [{ role = "vcf_superuser", scope_type = "SSO_REALM" }]
  }
  expect_failures = [vcf_principal_roles.this]
}

run "admin_with_opt_in_plans" {
  command = plan
  variables {
    roles       = [{ role = "vcf_admin", scope_type = "SSO_REALM" }]
    allow_admin = true
  }
  assert {
    condition     = length(vcf_principal_roles.this.assignments) == 1
    error_message = "an explicitly allowed admin role should plan"
  }
}

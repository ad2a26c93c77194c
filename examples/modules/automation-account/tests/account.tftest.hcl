# Creates an account against the fleet the provider is configured for (VCF_OPERATIONS_* and
# VCF_CA_FILE in the environment), checks its roles and token, rotates the token on demand and
# with the regenerate strategy, and destroys everything at the end.

variables {
  sso_realm = "flt-idb02"
  client_id = "tftest-automation"
}

run "setup" {
  module {
    source = "./tests/setup"
  }
}

run "create" {
  variables {
    roles = [
      { role = "vcf_viewer", scope_type = "SSO_REALM" },
      { role = "sddc_admin", scope_type = "VCF_INSTANCE", scope_resource_ids = [run.setup.vcf_instance_id] },
    ]
  }

  assert {
    condition     = output.client_id == "tftest-automation" && output.principal_id != ""
    error_message = "the API client was not created as configured"
  }
  assert {
    condition     = join(",", output.roles) == "sddc_admin@VCF_INSTANCE,vcf_viewer@SSO_REALM"
    error_message = "the account does not hold exactly the configured roles"
  }
  assert {
    condition     = startswith(output.token, "vidb_")
    error_message = "the token output is not an API token"
  }
  assert {
    condition     = endswith(output.token_endpoint_url, "/acs/t/CUSTOMER/token")
    error_message = "the token endpoint is not the realm's token endpoint"
  }
  assert {
    condition     = timecmp(output.token_expires_at, timeadd(plantimestamp(), "696h")) > 0
    error_message = "a 30-day token should expire in more than 29 days"
  }
}

run "rotate_on_demand" {
  variables {
    roles = [
      { role = "vcf_viewer", scope_type = "SSO_REALM" },
      { role = "sddc_admin", scope_type = "VCF_INSTANCE", scope_resource_ids = [run.setup.vcf_instance_id] },
    ]
    rotation_generation = "2"
  }

  assert {
    condition     = output.token_id != run.create.token_id
    error_message = "changing rotation_generation did not rotate the token"
  }
  assert {
    condition     = output.principal_id == run.create.principal_id
    error_message = "rotating the token must not replace the API client"
  }
}

run "narrow_roles_and_regenerate" {
  variables {
    roles               = [{ role = "vcf_viewer", scope_type = "SSO_REALM" }]
    rotation_strategy   = "regenerate"
    rotation_generation = "3"
  }

  assert {
    condition     = join(",", output.roles) == "vcf_viewer@SSO_REALM"
    error_message = "removing a role from var.roles did not remove the assignment"
  }
  assert {
    condition     = output.token != run.rotate_on_demand.token && startswith(output.token, "vidb_")
    error_message = "regenerate did not give a new secret"
  }
}

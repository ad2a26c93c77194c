# By <sso_realm_id>/<principal_id>; the next plan shows the difference between the principal's
# current assignments and the configuration.
terraform import vcf_principal_roles.backup d86a0d9d-f267-45fd-b966-ed8b30e59452/5c7e2f9a-3b1d-4e8f-a6c2-9d0b1e2f3a4b

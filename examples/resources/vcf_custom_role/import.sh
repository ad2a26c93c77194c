# By <sso_realm_id>/<name>. Built-in roles (vcf_admin, vcf_viewer, …) cannot be managed.
terraform import vcf_custom_role.auditor d86a0d9d-f267-45fd-b966-ed8b30e59452/fleet-auditor

# By the role's name (VCF roles are fleet-wide). Built-in roles (vcf_admin, vcf_viewer, …)
# cannot be managed.
terraform import vcf_custom_role.auditor fleet-auditor

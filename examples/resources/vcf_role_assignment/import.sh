# SSO_REALM scope: <sso_realm_id>/<principal_id>/<role_name>/SSO_REALM
terraform import vcf_role_assignment.viewer d86a0d9d-f267-45fd-b966-ed8b30e59452/5c7e2f9a-3b1d-4e8f-a6c2-9d0b1e2f3a4b/vcf_viewer/SSO_REALM

# VCF_INSTANCE scope: the instance ids follow, comma-separated
terraform import vcf_role_assignment.operator_sfo d86a0d9d-f267-45fd-b966-ed8b30e59452/5c7e2f9a-3b1d-4e8f-a6c2-9d0b1e2f3a4b/vcf_operator/VCF_INSTANCE/a79554c3-4c83-46c1-975a-92f94bbcd56d

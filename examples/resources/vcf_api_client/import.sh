# By <sso_realm_id>/<client_id>: the realm id (data source vcf_sso_realm) and the client's id.
terraform import vcf_api_client.pipeline d86a0d9d-f267-45fd-b966-ed8b30e59452/ci-pipeline

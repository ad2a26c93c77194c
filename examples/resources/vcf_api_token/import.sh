# By <sso_realm_id>/<api_client_id>/<token_id>. The API shows a token's secret only when it is
# created or regenerated, so `token` is null after an import: rotate once to get a value.
terraform import vcf_api_token.pipeline d86a0d9d-f267-45fd-b966-ed8b30e59452/deploy-pipeline/3f2b8c1e-7a4d-4e9b-8c6f-1d2e3f4a5b6c

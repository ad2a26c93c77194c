# By the SDDC Manager user id (GET /v1/users). The API key is never shown again: api_key is
# null after an import; change rotation_triggers once to replace the account and get a key.
terraform import vcf_sddc_user.pipeline 6f1c2a3b-1d2e-4f5a-9b8c-7d6e5f4a3b2c

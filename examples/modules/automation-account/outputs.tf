output "client_id" {
  description = "The API client's identifier."
  value       = vcf_api_client.this.client_id
}

output "principal_id" {
  description = "The API client's principal id (for further role assignments or audits)."
  value       = vcf_api_client.this.principal_id
}

output "roles" {
  description = "The roles the account holds, as role@scope."
  value = sort([
    for a in vcf_principal_roles.this.assignments : "${a.role_name}@${a.scope_type}"
  ])
}

output "token" {
  description = "The API token (vidb_…). Store it in a secret store; it changes on every rotation."
  value       = vcf_api_token.this.token
  sensitive   = true
}

output "token_id" {
  description = "Id of the current token (changes when the token is replaced; a regenerate may keep it)."
  value       = vcf_api_token.this.id
}

output "token_endpoint_url" {
  description = "Where the token is exchanged for access tokens (the identity broker's api_token grant)."
  value       = vcf_api_token.this.token_endpoint_url
}

output "token_expires_at" {
  description = "When the current token expires (RFC 3339); it is rotated rotate_before earlier."
  value       = vcf_api_token.this.expires_at
}

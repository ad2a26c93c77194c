variable "sso_realm" {
  description = "SSO realm of the account, by name or id (for example flt-idb02)."
  type        = string
  nullable    = false

  validation {
    condition     = length(trimspace(var.sso_realm)) > 0
    error_message = "sso_realm must name an SSO realm, for example \"flt-idb02\"."
  }
}

variable "client_id" {
  description = "Identifier of the API client: 1 to 128 letters, digits, '.', '_' or '-'."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9._-]{1,128}$", var.client_id))
    error_message = "client_id must be 1 to 128 letters, digits, '.', '_' or '-', for example \"ci-deployer\"."
  }
}

variable "display_name" {
  description = "Display name of the API client; client_id when null."
  type        = string
  default     = null
}

variable "description" {
  description = "Why the account exists and who owns it."
  type        = string
  default     = "Managed by the automation-account module"

  validation {
    condition     = length(var.description) <= 1024
    error_message = "description must be at most 1024 characters."
  }
}

variable "roles" {
  description = <<-EOT
    The account's complete set of VCF role assignments. scope_type is SSO_REALM (the whole realm,
    no scope_resource_ids) or VCF_INSTANCE (the VCF instance ids in scope_resource_ids).
  EOT
  type = list(object({
    role               = string
    scope_type         = string
    scope_resource_ids = optional(set(string), [])
  }))

  validation {
    condition     = length(var.roles) > 0
    error_message = "roles must hold at least one role: an account without roles can do nothing."
  }
  validation {
    condition     = alltrue([for r in var.roles : contains(["SSO_REALM", "VCF_INSTANCE"], r.scope_type)])
    error_message = "Every scope_type must be SSO_REALM or VCF_INSTANCE."
  }
  validation {
    condition = alltrue([
      for r in var.roles :
      r.scope_type == "SSO_REALM" ? length(r.scope_resource_ids) == 0 : length(r.scope_resource_ids) > 0
    ])
    error_message = "VCF_INSTANCE roles need scope_resource_ids (VCF instance ids); SSO_REALM roles must not have any."
  }
  validation {
    condition     = length(distinct([for r in var.roles : "${r.role}/${r.scope_type}"])) == length(var.roles)
    error_message = "Each role may appear once per scope_type; list all VCF instances of a role in one entry."
  }
}

variable "allow_admin" {
  description = "Allow roles that can administer fleet IAM (VCF_OPERATIONS Administrator at SSO_REALM scope, such as vcf_admin). Off by default: least privilege."
  type        = bool
  default     = false
}

variable "token_ttl_minutes" {
  description = "Lifetime of the API token in minutes; VCF documents 30 to 180 days (43200 to 259200)."
  type        = number
  default     = 43200

  validation {
    condition     = var.token_ttl_minutes >= 1 && var.token_ttl_minutes <= 259200 && floor(var.token_ttl_minutes) == var.token_ttl_minutes
    error_message = "token_ttl_minutes must be a whole number of minutes between 1 and 259200 (180 days)."
  }
}

variable "access_token_ttl_minutes" {
  description = "Lifetime of the access tokens the API token is exchanged for, in minutes."
  type        = number
  default     = 30

  validation {
    condition     = var.access_token_ttl_minutes >= 1 && var.access_token_ttl_minutes <= 480 && floor(var.access_token_ttl_minutes) == var.access_token_ttl_minutes
    error_message = "access_token_ttl_minutes must be a whole number between 1 and 480."
  }
}

variable "rotate_before" {
  description = "Rotate the token when it expires within this duration (for example 168h); apply on a schedule shorter than this."
  type        = string
  default     = "168h"

  validation {
    condition     = can(regex("^([0-9]+(ms|s|m|h|d))+$", var.rotate_before))
    error_message = "rotate_before must be a duration such as \"168h\", \"14d\" or \"1h30m\"."
  }
}

variable "rotation_strategy" {
  description = "replace (new token, old one revoked after the switch) or regenerate (in place, no overlap)."
  type        = string
  default     = "replace"

  validation {
    condition     = contains(["replace", "regenerate"], var.rotation_strategy)
    error_message = "rotation_strategy must be \"replace\" or \"regenerate\"."
  }
}

variable "rotation_generation" {
  description = "Change to rotate the token now (for example a date, or time_rotating.x.id)."
  type        = string
  default     = "1"
}

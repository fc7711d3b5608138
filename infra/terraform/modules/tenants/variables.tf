variable "config_dir" {
  description = <<-EOT
    Directory holding the tenant YAML files (config/tenants in the repo). Null means
    "<this module>/../../../../config/tenants", the repo's config/tenants whichever root calls
    it (infra/terraform/envs, or this module itself in `terraform test`). Relative paths are
    resolved from the working directory.
  EOT
  type        = string
  default     = null
}

variable "shared_hub_name" {
  description = "Name of the shared ingestion hub that every tenant without a dedicated hub sends to."
  type        = string
  default     = "events"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,49}$", var.shared_hub_name))
    error_message = "shared_hub_name must be 2-50 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "dedicated_hub_prefix" {
  description = "Prefix of dedicated tenant hubs: a tenant with ingestion.dedicated_hub=true gets \"<prefix><tenant_id>\"."
  type        = string
  default     = "events-"
}

variable "consuming_services" {
  description = "Services that read the hubs; each gets one consumer group on every hub (the shared hub and each dedicated hub)."
  type        = list(string)
  default     = ["bronze", "replay"]

  validation {
    condition     = length(var.consuming_services) > 0 && alltrue([for s in var.consuming_services : can(regex("^[a-z][a-z0-9-]{0,49}$", s))])
    error_message = "consuming_services must be a non-empty list of lowercase names (letters, digits, hyphens)."
  }
}

variable "default_dedicated_partitions" {
  description = "Partition count of a dedicated hub whose tenant YAML does not set ingestion.partitions."
  type        = number
  default     = 4

  validation {
    condition     = var.default_dedicated_partitions >= 1 && var.default_dedicated_partitions <= 1024 && floor(var.default_dedicated_partitions) == var.default_dedicated_partitions
    error_message = "default_dedicated_partitions must be an integer between 1 and 1024 (the namespace tier may allow fewer)."
  }
}

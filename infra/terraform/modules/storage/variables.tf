variable "name" {
  description = "Storage account name (3-24 lowercase letters/digits)."
  type        = string
}

variable "resource_group_name" {
  description = "Resource group of the account."
  type        = string
}

variable "location" {
  description = "Azure region."
  type        = string
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}

variable "areas" {
  description = "One ADLS Gen2 filesystem per area. The pipeline's layout (DESIGN.md) maps <area>/<table> to abfss://<area>@<account>.dfs.core.windows.net/<table>."
  type        = list(string)
  default     = ["landing", "bronze", "silver", "gold", "dlq", "audit", "checkpoints"]

  validation {
    condition     = length(setsubtract(["landing", "bronze", "silver", "gold", "dlq", "audit", "checkpoints"], var.areas)) == 0
    error_message = "areas must include landing, bronze, silver, gold, dlq, audit and checkpoints."
  }
}

variable "replication_type" {
  description = "Replication: ZRS, GRS, RAGRS, GZRS or RAGZRS (LRS is refused: a zone outage must not lose the lake)."
  type        = string
  default     = "ZRS"

  validation {
    condition     = contains(["ZRS", "GRS", "RAGRS", "GZRS", "RAGZRS"], var.replication_type)
    error_message = "replication_type must be one of ZRS, GRS, RAGRS, GZRS, RAGZRS."
  }
}

variable "public_network_access_enabled" {
  description = <<-EOT
    Public endpoint switch. On by default but behind a default-deny firewall: Unity Catalog's
    control plane reaches the account through the access connector's resource-instance rule,
    which only applies to the (firewalled) public endpoint. Clusters use the private endpoints.
  EOT
  type        = bool
  default     = true
}

variable "allowed_ip_ranges" {
  description = "Public IPs/CIDRs allowed through the firewall (e.g. the Terraform runner, which creates the tenant directories)."
  type        = list(string)
  default     = []
}

variable "allowed_subnet_ids" {
  description = "Subnets allowed through the firewall by service endpoint (normally empty: clusters use the private endpoints)."
  type        = list(string)
  default     = []
}

variable "trusted_resource_ids" {
  description = "Resource instances (e.g. the Databricks access connector) allowed through the firewall by resource-instance rule."
  type        = list(string)
  default     = []
}

variable "tenant_id" {
  description = "Entra tenant of the trusted resource instances."
  type        = string
}

variable "private_endpoints" {
  description = "Private endpoints for the dfs and blob sub-resources: subnet and zone IDs by sub-resource. Null for none."
  type = object({
    subnet_id            = string
    private_dns_zone_ids = map(string) # keys: dfs, blob
  })
  default = null
}

variable "soft_delete_days" {
  description = "Retention of deleted blobs and deleted filesystems (days). This is the account's recovery net: blob versioning is not available with a hierarchical namespace (docs/decisions/0022)."
  type        = number
  default     = 14

  validation {
    condition     = var.soft_delete_days >= 7 && var.soft_delete_days <= 365
    error_message = "soft_delete_days must be between 7 and 365."
  }
}

variable "lifecycle_days" {
  description = "Tiering of landing and bronze (days since last modification). Checkpoints are never tiered or deleted; silver/gold/dlq/audit stay hot."
  type = object({
    landing_to_cool    = optional(number, 7)
    landing_to_archive = optional(number, 30)
    landing_delete     = optional(number, 365)
    bronze_to_cool     = optional(number, 30)
    bronze_to_cold     = optional(number, 90)
  })
  default = {}

  validation {
    condition = (
      var.lifecycle_days.landing_to_cool < var.lifecycle_days.landing_to_archive &&
      var.lifecycle_days.landing_to_archive < var.lifecycle_days.landing_delete &&
      var.lifecycle_days.bronze_to_cool < var.lifecycle_days.bronze_to_cold
    )
    error_message = "Tiering days must increase: landing cool < archive < delete, bronze cool < cold."
  }
}

variable "tenant_directories" {
  description = "Per-tenant directories to create in the landing filesystem (tenant_id => path), from the tenants module."
  type        = map(string)
  default     = {}
}

variable "create_tenant_directories" {
  description = "Create the per-tenant landing directories. This is a data-plane call: the Terraform runner must pass the firewall (allowed_ip_ranges or a runner inside the VNet)."
  type        = bool
  default     = true
}

variable "environment" {
  description = "Environment name used in resource names and tags."
  type        = string
  default     = "dev"
}

variable "subscription_id" {
  description = "Azure subscription of the environment."
  type        = string
}

variable "tenant_id" {
  description = "Entra tenant ID (null: the one of the signed-in credential)."
  type        = string
  default     = null
}

variable "location" {
  description = "Azure region."
  type        = string
  default     = "westeurope"
}

variable "name_suffix" {
  description = "1-5 lowercase chars that make the storage account, Key Vault and Event Hubs names globally unique."
  type        = string
  default     = ""
}

variable "extra_tags" {
  description = "Extra tags (owner, cost centre, ...)."
  type        = map(string)
  default     = {}
}

variable "config_dir" {
  description = "Tenant YAML directory; null for the repo's config/tenants."
  type        = string
  default     = null
}

variable "allowed_ip_ranges" {
  description = "Public CIDRs (operators, the Terraform runner) allowed through the storage / Key Vault / Event Hubs firewalls."
  type        = list(string)
  default     = []
}

variable "enable_vnet_injection" {
  description = "Inject the workspace into the lakestream VNet (clusters never get public IPs either way)."
  type        = bool
  default     = true
}

variable "enable_private_endpoints" {
  description = "Private endpoints for Event Hubs, ADLS and Key Vault."
  type        = bool
  default     = true
}

variable "address_space" {
  description = "VNet address space."
  type        = list(string)
  default     = ["10.40.0.0/16"]
}

variable "eventhubs" {
  description = "Event Hubs settings (dev: one Standard throughput unit, short retention)."
  type = object({
    sku                           = optional(string, "Standard")
    capacity                      = optional(number, 1)
    auto_inflate_enabled          = optional(bool, false)
    maximum_throughput_units      = optional(number, 4)
    local_authentication_enabled  = optional(bool, false)
    public_network_access_enabled = optional(bool, false)
    message_retention_days        = optional(number, 3)
    shared_hub_name               = optional(string, "events")
    shared_hub_partitions         = optional(number, 4)
    consuming_services            = optional(list(string), ["bronze", "replay"])
    capture_enabled               = optional(bool, false)
  })
  default = {}
}

variable "replay_republish_enabled" {
  description = "Let the DLQ replayer republish to Event Hubs (Data Sender on the tenant hubs)."
  type        = bool
  default     = true
}

variable "storage" {
  description = "ADLS Gen2 settings (dev: zone-redundant, short soft delete)."
  type = object({
    replication_type          = optional(string, "ZRS")
    soft_delete_days          = optional(number, 7)
    create_tenant_directories = optional(bool, true)
    lifecycle_days = optional(object({
      landing_to_cool    = optional(number, 7)
      landing_to_archive = optional(number, 30)
      landing_delete     = optional(number, 90)
      bronze_to_cool     = optional(number, 30)
      bronze_to_cold     = optional(number, 90)
    }), {})
  })
  default = {}
}

variable "job_secret_end_date" {
  description = "RFC 3339 expiry of the job identity's client secret, e.g. 2026-12-31T00:00:00Z. Move it forward to rotate."
  type        = string
}

variable "monitoring" {
  description = "Log Analytics and alerts (dev: 30 days, 2 GB/day cap)."
  type = object({
    retention_in_days            = optional(number, 30)
    daily_quota_gb               = optional(number, 2)
    alert_emails                 = optional(list(string), [])
    consumer_gap_threshold       = optional(number, 10000)
    throttled_requests_threshold = optional(number, 0)
    layer_alert_verdict          = optional(number, 2)
  })
  default = {}
}

variable "metastore_id" {
  description = "Unity Catalog metastore to assign the workspace to; null when the account auto-assigns it."
  type        = string
  default     = null
}

variable "reader_groups" {
  description = "Groups that may read the catalog and use the cluster policy."
  type        = list(string)
  default     = []
}

variable "cluster_policy" {
  description = "Limits of the streaming-jobs cluster policy (dev: small)."
  type = object({
    spark_version_regex = optional(string, "^1[5-9]\\.[0-9]+\\.x-scala2\\.1[23]$")
    node_types          = optional(list(string), ["Standard_D4ds_v5", "Standard_E4ds_v5"])
    max_workers         = optional(number, 2)
  })
  default = {}
}

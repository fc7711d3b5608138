# ---- identity of the environment ----

variable "project" {
  description = "Project name used in resource names."
  type        = string
  default     = "lakestream"
}

variable "environment" {
  description = "Environment name (dev, staging, prod, ...)."
  type        = string
}

variable "environment_code" {
  description = "2-4 char code of the environment in the Azure resource names; null: the environment name."
  type        = string
  default     = null
}

variable "location" {
  description = "Azure region."
  type        = string
}

variable "name_suffix" {
  description = "Suffix (1-5 lowercase chars) that makes the globally unique names unique; empty for none."
  type        = string
  default     = ""
}

variable "extra_tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}

variable "config_dir" {
  description = "Tenant YAML directory; null for the repo's config/tenants."
  type        = string
  default     = null
}

# ---- network ----

variable "enable_vnet_injection" {
  description = "Inject the Databricks workspace into the lakestream VNet (no public IPs either way)."
  type        = bool
  default     = true
}

variable "enable_private_endpoints" {
  description = "Private endpoints for Event Hubs, ADLS (dfs, blob) and Key Vault."
  type        = bool
  default     = true
}

variable "address_space" {
  description = "VNet address space (the first range must be /8 to /20 so that the default subnets fit)."
  type        = list(string)
  default     = ["10.40.0.0/16"]

  validation {
    condition     = length(var.address_space) > 0 && can(cidrhost(var.address_space[0], 0)) && tonumber(split("/", var.address_space[0])[1]) <= 20 && tonumber(split("/", var.address_space[0])[1]) >= 8
    error_message = "address_space[0] must be a CIDR between /8 and /20."
  }
}

variable "subnet_prefixes" {
  description = "CIDRs of the Databricks host/container subnets and of the private-endpoint subnet. Unset ones are carved from the first address space: two /22 for Databricks, then a /26 (for a /16)."
  type = object({
    databricks_host      = optional(string)
    databricks_container = optional(string)
    private_endpoints    = optional(string)
  })
  default = {}
}

variable "allowed_ip_ranges" {
  description = "Public CIDRs (operators, Terraform runner) allowed through the storage, Key Vault and (when public) Event Hubs firewalls."
  type        = list(string)
  default     = []
}

# ---- Event Hubs ----

variable "eventhubs" {
  description = "Event Hubs namespace and hub settings."
  type = object({
    sku                           = optional(string, "Standard")
    capacity                      = optional(number, 1)
    auto_inflate_enabled          = optional(bool, false)
    maximum_throughput_units      = optional(number, 10)
    local_authentication_enabled  = optional(bool, false)
    public_network_access_enabled = optional(bool, false)
    message_retention_days        = optional(number, 7)
    shared_hub_name               = optional(string, "events")
    shared_hub_partitions         = optional(number, 4)
    consuming_services            = optional(list(string), ["bronze", "replay"])
    capture_enabled               = optional(bool, false)
  })
  default = {}
}

variable "replay_republish_enabled" {
  description = "Grant the job identity Azure Event Hubs Data Sender on the tenant hubs so that `lakestream dlq replay --republish` can send."
  type        = bool
  default     = false
}

# ---- storage ----

variable "storage" {
  description = "ADLS Gen2 settings."
  type = object({
    replication_type          = optional(string, "ZRS")
    soft_delete_days          = optional(number, 14)
    create_tenant_directories = optional(bool, true)
    lifecycle_days = optional(object({
      landing_to_cool    = optional(number, 7)
      landing_to_archive = optional(number, 30)
      landing_delete     = optional(number, 365)
      bronze_to_cool     = optional(number, 30)
      bronze_to_cold     = optional(number, 90)
    }), {})
  })
  default = {}
}

# ---- identity / secrets ----

variable "job_secret_end_date" {
  description = "RFC 3339 expiry of the job identity's client secret."
  type        = string
}

# ---- monitoring ----

variable "monitoring" {
  description = "Log Analytics and alert settings."
  type = object({
    retention_in_days            = optional(number, 30)
    daily_quota_gb               = optional(number, -1)
    alert_emails                 = optional(list(string), [])
    consumer_gap_threshold       = optional(number, 10000)
    throttled_requests_threshold = optional(number, 0)
    layer_alert_verdict          = optional(number, 2)
  })
  default = {}
}

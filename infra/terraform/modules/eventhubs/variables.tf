variable "name" {
  description = "Event Hubs namespace name."
  type        = string
}

variable "resource_group_name" {
  description = "Resource group of the namespace."
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

variable "sku" {
  description = "Namespace tier: Standard (default) or Premium. Basic is refused: it has no consumer groups beyond $Default, no Capture and no network rules."
  type        = string
  default     = "Standard"

  validation {
    condition     = contains(["Standard", "Premium"], var.sku)
    error_message = "sku must be Standard or Premium."
  }
}

variable "capacity" {
  description = "Throughput units (Standard, 1-40) or processing units (Premium: 1, 2, 4, 8 or 16)."
  type        = number
  default     = 1

  validation {
    condition     = var.capacity >= 1 && var.capacity <= 40 && floor(var.capacity) == var.capacity
    error_message = "capacity must be an integer between 1 and 40."
  }
}

variable "auto_inflate_enabled" {
  description = "Standard only: let the namespace scale throughput units up to maximum_throughput_units."
  type        = bool
  default     = false
}

variable "maximum_throughput_units" {
  description = "Upper bound for auto-inflate (1-40); ignored when auto-inflate is off."
  type        = number
  default     = 10

  validation {
    condition     = var.maximum_throughput_units >= 1 && var.maximum_throughput_units <= 40
    error_message = "maximum_throughput_units must be between 1 and 40."
  }
}

variable "local_authentication_enabled" {
  description = "SAS (shared access key) authentication. Off by default: clients use Entra ID."
  type        = bool
  default     = false
}

variable "public_network_access_enabled" {
  description = "Public endpoint switch. Off by default: clients come through the private endpoint. When on, only allowed_ip_ranges (and trusted Azure services) get through."
  type        = bool
  default     = false
}

variable "allowed_ip_ranges" {
  description = "CIDRs allowed through the namespace firewall when the public endpoint is on."
  type        = list(string)
  default     = []
}

variable "private_endpoint" {
  description = "Private endpoint for the namespace: subnet and privatelink.servicebus.windows.net zone. Null for none."
  type = object({
    subnet_id           = string
    private_dns_zone_id = string
  })
  default = null
}

variable "message_retention_days" {
  description = "Retention of every hub in days (Standard: 1-7, Premium: 1-90)."
  type        = number
  default     = 7

  validation {
    condition     = var.message_retention_days >= 1 && var.message_retention_days <= 90 && floor(var.message_retention_days) == var.message_retention_days
    error_message = "message_retention_days must be an integer between 1 and 90."
  }
}

variable "hubs" {
  description = "Hubs to create by name, with their partition count (the shared hub and every dedicated tenant hub)."
  type = map(object({
    partitions = number
    tenant_id  = optional(string)
  }))

  validation {
    condition     = alltrue([for h in values(var.hubs) : h.partitions >= 1 && floor(h.partitions) == h.partitions])
    error_message = "Every hub needs a positive integer partition count."
  }
}

variable "consumer_groups" {
  description = "Consumer groups keyed \"<hub>/<service>\" (from the tenants module)."
  type = map(object({
    hub       = string
    name      = string
    service   = string
    tenant_id = optional(string)
  }))
}

variable "capture" {
  description = "Optional Event Hubs Capture of every hub to ADLS (Avro files): destination storage account and filesystem. Null for none."
  type = object({
    storage_account_id  = string
    container_name      = string
    interval_in_seconds = optional(number, 300)
    size_limit_in_bytes = optional(number, 314572800)
  })
  default = null
}

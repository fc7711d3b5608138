variable "names" {
  description = "Names from the naming module (log_analytics, action_group, action_group_short)."
  type        = map(string)
}

variable "resource_group_name" {
  description = "Resource group of the monitoring resources."
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

variable "retention_in_days" {
  description = "Log Analytics retention (30-730 days)."
  type        = number
  default     = 30

  validation {
    condition     = var.retention_in_days >= 30 && var.retention_in_days <= 730
    error_message = "retention_in_days must be between 30 and 730."
  }
}

variable "daily_quota_gb" {
  description = "Daily ingestion cap in GB (-1 for none); keeps a noisy dev from running up the bill."
  type        = number
  default     = -1
}

variable "alert_emails" {
  description = "Email receivers of the lakestream alerts."
  type        = list(string)
  default     = []
}

variable "eventhub_namespace_id" {
  description = "Event Hubs namespace to monitor."
  type        = string
}

variable "storage_account_id" {
  description = "Storage account to monitor."
  type        = string
}

variable "blob_service_id" {
  description = "Blob service of the storage account (its logs live there)."
  type        = string
}

variable "key_vault_id" {
  description = "Key Vault to monitor."
  type        = string
}

variable "databricks_workspace_id" {
  description = "Databricks workspace (Azure resource ID) to monitor."
  type        = string
}

variable "databricks_log_categories" {
  description = "Databricks diagnostic log categories to collect."
  type        = list(string)
  default     = ["accounts", "clusters", "jobs", "secrets", "unityCatalog", "workspace"]
}

variable "consumer_gap_threshold" {
  description = "Alert when incoming minus outgoing messages over 15 minutes exceeds this (consumers falling behind)."
  type        = number
  default     = 10000
}

variable "throttled_requests_threshold" {
  description = "Alert when throttled requests in 15 minutes exceed this."
  type        = number
  default     = 0
}

variable "layer_alert_verdict" {
  description = "Alert when `lakestream status` reports a layer at this verdict or worse: 1 lagging, 2 stuck, 3 losing."
  type        = number
  default     = 2

  validation {
    condition     = contains([1, 2, 3], var.layer_alert_verdict)
    error_message = "layer_alert_verdict must be 1 (lagging), 2 (stuck) or 3 (losing)."
  }
}

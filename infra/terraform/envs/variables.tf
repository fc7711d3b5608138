# The one variable declaration of every environment. Values come from two files per environment:
# <env>/env.tfvars (committed: name, sizing, switches) and <env>/terraform.tfvars (git-ignored:
# subscription, suffix, IP allowlist, contacts; copy terraform.tfvars.example). Each variable is
# set in at most one of the two, because a later -var-file replaces an object, it does not merge.
# The object variables are passed through unchanged: their attributes, types and defaults are
# declared once, on the module that consumes them.

# ---- identity of the environment (<env>/env.tfvars) ----

variable "environment" {
  description = "Environment name, as the bundles' targets use it (dev, staging, prod): catalog, secret scope, cluster policy, job identity, tags."
  type        = string
}

variable "environment_code" {
  description = "2-4 char code used in the Azure resource names instead of environment (null: environment itself, which must then be 2-4 chars)."
  type        = string
  default     = null
}

variable "address_space" {
  description = "VNet address space; environments that may be peered must not overlap."
  type        = list(string)
}

# ---- sizing and switches (<env>/env.tfvars) ----

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

variable "eventhubs" {
  description = "Event Hubs settings: attributes and defaults of variable eventhubs in modules/platform."
  type        = any
  default     = {}
}

variable "replay_republish_enabled" {
  description = "Let the DLQ replayer (and the deployment self-test) send to Event Hubs (Data Sender on the tenant hubs)."
  type        = bool
  default     = false
}

variable "storage" {
  description = "ADLS Gen2 settings: attributes and defaults of variable storage in modules/platform."
  type        = any
  default     = {}
}

variable "monitoring" {
  description = "Log Analytics and alert settings except the recipients (alert_emails): attributes and defaults of variable monitoring in modules/platform."
  type        = any
  default     = {}
}

variable "cluster_policy" {
  description = "Limits of the streaming-jobs cluster policy: attributes and defaults of variable cluster_policy in modules/unity_catalog."
  type        = any
  default     = {}
}

# ---- where and for whom (<env>/terraform.tfvars) ----

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

variable "job_secret_end_date" {
  description = "RFC 3339 expiry of the job identity's client secret, e.g. 2026-12-31T00:00:00Z. Move it forward to rotate."
  type        = string
}

variable "alert_emails" {
  description = "Recipients of the environment's alerts (the action group)."
  type        = list(string)
  default     = []
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

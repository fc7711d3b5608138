variable "names" {
  description = "Names from the naming module (job_application)."
  type        = map(string)
}

variable "filesystem_scopes" {
  description = "RBAC scope of each lakestream filesystem by area (storage module). The access connector gets Storage Blob Data Contributor on exactly these."
  type        = map(string)
}

variable "access_connector_principal_id" {
  description = "Principal ID of the Databricks access connector's managed identity."
  type        = string
}

variable "read_hub_ids" {
  description = "Hubs the job identity reads (hub name => resource ID): Azure Event Hubs Data Receiver on each."
  type        = map(string)
}

variable "republish_hub_ids" {
  description = "Hubs the DLQ replayer republishes to (hub name => resource ID): Azure Event Hubs Data Sender on each, and nowhere else."
  type        = map(string)
  default     = {}
}

variable "key_vault_id" {
  description = "Key Vault that backs the Databricks secret scope."
  type        = string
}

variable "manage_job_secret" {
  description = "Create a client secret for the job identity and store it (with client and tenant IDs) in the vault. The runner gets Key Vault Secrets Officer on that vault only."
  type        = bool
  default     = true
}

variable "job_secret_end_date" {
  description = "RFC 3339 expiry of the job identity's client secret (and of the vault secrets). Rotate by moving it forward."
  type        = string
  default     = null

  validation {
    condition     = var.job_secret_end_date == null || can(formatdate("YYYY", var.job_secret_end_date))
    error_message = "job_secret_end_date must be an RFC 3339 timestamp such as 2026-12-31T00:00:00Z."
  }
}

variable "capture" {
  description = "When Event Hubs Capture is on: the namespace identity and the filesystem area it writes to (Storage Blob Data Contributor there only). Null otherwise."
  type = object({
    namespace_principal_id = string
    area                   = string
  })
  default = null
}

variable "databricks_first_party_app_id" {
  description = "Application ID of the AzureDatabricks first-party app, which reads Key Vault-backed secret scopes."
  type        = string
  default     = "2ff814a6-3304-4ab8-85cb-cd0e6f879c1d"
}

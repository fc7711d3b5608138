variable "names" {
  description = "Names from the naming module (uc_catalog, uc_storage_credential, uc_external_location_stem, secret_scope, cluster_policy)."
  type        = map(string)
}

variable "workspace_id" {
  description = "Numeric Databricks workspace ID (for the metastore assignment)."
  type        = string
}

variable "metastore_id" {
  description = "Unity Catalog metastore to assign the workspace to. Null when the account auto-assigns new workspaces to the region's metastore."
  type        = string
  default     = null
}

variable "access_connector_id" {
  description = "Resource ID of the Databricks access connector (managed identity of the storage credential)."
  type        = string
}

variable "storage_urls" {
  description = "abfss:// root URL of each lakestream filesystem by area (storage module)."
  type        = map(string)
}

variable "catalog_managed_area" {
  description = "Area whose filesystem holds the catalog's managed storage (under _managed/)."
  type        = string
  default     = "gold"
}

variable "schemas" {
  description = "Schemas of the catalog; table <area>/<name> of DESIGN.md becomes <catalog>.<area>.<name>."
  type        = list(string)
  default     = ["bronze", "silver", "gold", "dlq", "audit"]
}

variable "job_principal" {
  description = "Job identity (Entra service principal) to register in the workspace: application (client) ID and display name."
  type = object({
    application_id = string
    display_name   = string
  })
}

variable "reader_groups" {
  description = "Workspace/account groups that may read the catalog (USE_CATALOG, USE_SCHEMA, SELECT)."
  type        = list(string)
  default     = []
}

variable "key_vault" {
  description = "Key Vault backing the secret scope: resource ID and URI."
  type = object({
    id  = string
    uri = string
  })
}

variable "cluster_policy" {
  description = "Limits of the streaming-jobs cluster policy."
  type = object({
    spark_version_regex = optional(string, "^1[5-9]\\.[0-9]+\\.x-scala2\\.1[23]$")
    node_types          = optional(list(string), ["Standard_D4ds_v5", "Standard_D8ds_v5", "Standard_E4ds_v5", "Standard_E8ds_v5"])
    max_workers         = optional(number, 8)
  })
  default = {}
}

output "catalog" {
  description = "Unity Catalog catalog of this environment."
  value       = databricks_catalog.this.name
}

output "schemas" {
  description = "Schemas by name (fully qualified)."
  value       = { for s, r in databricks_schema.this : s => "${databricks_catalog.this.name}.${r.name}" }
}

output "storage_credential" {
  description = "Unity Catalog storage credential name."
  value       = databricks_storage_credential.adls.name
}

output "external_locations" {
  description = "External location per area: name and URL."
  value       = { for a, l in databricks_external_location.area : a => { name = l.name, url = l.url } }
}

output "cluster_policy_id" {
  description = "ID of the streaming-jobs cluster policy (bundles' job clusters use it)."
  value       = databricks_cluster_policy.streaming.id
}

output "secret_scope" {
  description = "Key Vault-backed secret scope name."
  value       = databricks_secret_scope.this.name
}

output "job_service_principal_application_id" {
  description = "Application ID to use as run_as.service_principal_name in the bundles."
  value       = databricks_service_principal.jobs.application_id
}

output "account_id" {
  description = "Storage account resource ID."
  value       = azurerm_storage_account.this.id
}

output "account_name" {
  description = "Storage account name."
  value       = azurerm_storage_account.this.name
}

output "dfs_endpoint" {
  description = "Primary DFS endpoint (https://<account>.dfs.core.windows.net/)."
  value       = azurerm_storage_account.this.primary_dfs_endpoint
}

output "filesystems" {
  description = "Filesystem (container) name by area."
  value       = { for a, c in azurerm_storage_container.area : a => c.name }
}

output "filesystem_scopes" {
  description = "Azure RBAC scope of each filesystem by area (for container-level role assignments)."
  value       = { for a, c in azurerm_storage_container.area : a => "${azurerm_storage_account.this.id}/blobServices/default/containers/${c.name}" }
}

output "urls" {
  description = "abfss:// root URL of each filesystem by area."
  value       = { for a, c in azurerm_storage_container.area : a => "abfss://${c.name}@${azurerm_storage_account.this.name}.dfs.core.windows.net/" }
}

output "blob_service_id" {
  description = "Resource ID of the blob service (target of the blob diagnostic setting)."
  value       = "${azurerm_storage_account.this.id}/blobServices/default"
}

output "tenant_landing_directories" {
  description = "Per-tenant landing directories (tenant_id => abfss URL)."
  value       = { for t, p in var.tenant_directories : t => "abfss://${azurerm_storage_container.area["landing"].name}@${azurerm_storage_account.this.name}.dfs.core.windows.net/${p}/" }
}

output "workspace_resource_id" {
  description = "Azure resource ID of the workspace."
  value       = azurerm_databricks_workspace.this.id
}

output "workspace_id" {
  description = "Numeric Databricks workspace ID."
  value       = azurerm_databricks_workspace.this.workspace_id
}

output "workspace_url" {
  description = "Workspace host (https://adb-<id>.<n>.azuredatabricks.net)."
  value       = "https://${azurerm_databricks_workspace.this.workspace_url}"
}

output "access_connector_id" {
  description = "Resource ID of the access connector (Unity Catalog storage credential)."
  value       = azurerm_databricks_access_connector.this.id
}

output "access_connector_principal_id" {
  description = "Principal ID of the access connector's system-assigned identity."
  value       = azurerm_databricks_access_connector.this.identity[0].principal_id
}

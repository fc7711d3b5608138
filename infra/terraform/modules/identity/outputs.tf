output "job_client_id" {
  description = "Application (client) ID of the job identity: the Databricks run_as service principal."
  value       = azuread_application.jobs.client_id
}

output "job_object_id" {
  description = "Object ID of the job identity's service principal."
  value       = azuread_service_principal.jobs.object_id
}

output "job_display_name" {
  description = "Display name of the job identity."
  value       = azuread_application.jobs.display_name
}

output "tenant_id" {
  description = "Entra tenant ID."
  value       = data.azurerm_client_config.current.tenant_id
}

output "secret_names" {
  description = "Names of the secrets written to the vault (and so visible in the secret scope)."
  value       = sort(local.job_secret_names)
}

output "role_assignments" {
  description = "Every role assignment made here, for review: role and scope by assignment."
  value = merge(
    { for k, r in azurerm_role_assignment.access_connector_filesystems : "access_connector/${k}" => { role = r.role_definition_name, scope = r.scope } },
    { for k, r in azurerm_role_assignment.capture_landing : "capture/${k}" => { role = r.role_definition_name, scope = r.scope } },
    { for k, r in azurerm_role_assignment.jobs_receiver : "jobs_receiver/${k}" => { role = r.role_definition_name, scope = r.scope } },
    { for k, r in azurerm_role_assignment.jobs_sender : "jobs_sender/${k}" => { role = r.role_definition_name, scope = r.scope } },
    { "jobs_secrets_user" = { role = azurerm_role_assignment.jobs_secrets_user.role_definition_name, scope = azurerm_role_assignment.jobs_secrets_user.scope } },
    { "databricks_secrets_user" = { role = azurerm_role_assignment.databricks_secrets_user.role_definition_name, scope = azurerm_role_assignment.databricks_secrets_user.scope } },
    { for k, r in azurerm_role_assignment.runner_secrets_officer : "runner_secrets_officer/${k}" => { role = r.role_definition_name, scope = r.scope } },
  )
}

# Least privilege: every role assignment here is scoped to one filesystem, one hub or the
# lakestream Key Vault. Nothing is granted at resource-group or subscription scope.

data "azurerm_client_config" "current" {}

# ---------------------------------------------------------------------------
# Job identity: the Entra service principal the streaming jobs run as (Databricks
# run_as) and authenticate to Event Hubs with.
# ---------------------------------------------------------------------------

resource "azuread_application" "jobs" {
  display_name     = var.names.job_application
  sign_in_audience = "AzureADMyOrg"
  owners           = [data.azurerm_client_config.current.object_id]
  notes            = "lakestream streaming jobs (bronze/silver/gold, DLQ replayer). Managed by Terraform."
}

resource "azuread_service_principal" "jobs" {
  client_id = azuread_application.jobs.client_id
  owners    = [data.azurerm_client_config.current.object_id]
}

resource "azuread_application_password" "jobs" {
  count = var.manage_job_secret ? 1 : 0

  application_id = azuread_application.jobs.id
  display_name   = "lakestream-jobs"
  end_date       = var.job_secret_end_date
}

# ---------------------------------------------------------------------------
# Storage: Unity Catalog's access connector on the lakestream filesystems only.
# ---------------------------------------------------------------------------

resource "azurerm_role_assignment" "access_connector_filesystems" {
  for_each = var.filesystem_scopes

  scope                            = each.value
  role_definition_name             = "Storage Blob Data Contributor"
  principal_id                     = var.access_connector_principal_id
  principal_type                   = "ServicePrincipal"
  skip_service_principal_aad_check = true
  description                      = "Unity Catalog access connector -> ${each.key} filesystem"
}

resource "azurerm_role_assignment" "capture_landing" {
  count = var.capture == null ? 0 : 1

  scope                            = var.filesystem_scopes[var.capture.area]
  role_definition_name             = "Storage Blob Data Contributor"
  principal_id                     = var.capture.namespace_principal_id
  principal_type                   = "ServicePrincipal"
  skip_service_principal_aad_check = true
  description                      = "Event Hubs Capture -> ${var.capture.area} filesystem"
}

# ---------------------------------------------------------------------------
# Event Hubs: receive on the hubs the jobs read, send only where the replayer republishes.
# ---------------------------------------------------------------------------

resource "azurerm_role_assignment" "jobs_receiver" {
  for_each = var.read_hub_ids

  scope                = each.value
  role_definition_name = "Azure Event Hubs Data Receiver"
  principal_id         = azuread_service_principal.jobs.object_id
  principal_type       = "ServicePrincipal"
  description          = "lakestream jobs read hub ${each.key}"
}

resource "azurerm_role_assignment" "jobs_sender" {
  for_each = var.republish_hub_ids

  scope                = each.value
  role_definition_name = "Azure Event Hubs Data Sender"
  principal_id         = azuread_service_principal.jobs.object_id
  principal_type       = "ServicePrincipal"
  description          = "DLQ replayer republishes to hub ${each.key}"
}

# ---------------------------------------------------------------------------
# Key Vault (the secret scope): read for the jobs and for Databricks, which resolves
# Key Vault-backed scopes as its first-party app; write for the runner, only to store
# the job secret.
# ---------------------------------------------------------------------------

data "azuread_service_principal" "azure_databricks" {
  client_id = var.databricks_first_party_app_id
}

resource "azurerm_role_assignment" "jobs_secrets_user" {
  scope                = var.key_vault_id
  role_definition_name = "Key Vault Secrets User"
  principal_id         = azuread_service_principal.jobs.object_id
  principal_type       = "ServicePrincipal"
  description          = "lakestream jobs read the secret scope"
}

resource "azurerm_role_assignment" "databricks_secrets_user" {
  scope                = var.key_vault_id
  role_definition_name = "Key Vault Secrets User"
  principal_id         = data.azuread_service_principal.azure_databricks.object_id
  principal_type       = "ServicePrincipal"
  description          = "AzureDatabricks resolves the Key Vault-backed secret scope"
}

resource "azurerm_role_assignment" "runner_secrets_officer" {
  count = var.manage_job_secret ? 1 : 0

  scope                = var.key_vault_id
  role_definition_name = "Key Vault Secrets Officer"
  principal_id         = data.azurerm_client_config.current.object_id
  description          = "Terraform runner writes the job identity secret"
}

locals {
  # Names follow azure-identity's EnvironmentCredential (AZURE_CLIENT_ID / _SECRET / AZURE_TENANT_ID).
  # The set of names is static so that for_each never depends on the (sensitive) secret value.
  job_secret_names = var.manage_job_secret ? toset(["azure-client-id", "azure-client-secret", "azure-tenant-id"]) : toset([])
}

resource "azurerm_key_vault_secret" "job" {
  for_each = local.job_secret_names

  name = each.key
  value = (
    each.key == "azure-client-secret" ? azuread_application_password.jobs[0].value :
    each.key == "azure-client-id" ? azuread_application.jobs.client_id :
    data.azurerm_client_config.current.tenant_id
  )
  content_type    = "text/plain"
  key_vault_id    = var.key_vault_id
  expiration_date = coalesce(var.job_secret_end_date, azuread_application_password.jobs[0].end_date)

  depends_on = [azurerm_role_assignment.runner_secrets_officer]
}

provider "azurerm" {
  subscription_id = var.subscription_id

  # Shared keys are disabled on the lakestream storage account: data-plane calls use Entra ID.
  storage_use_azuread = true

  features {
    key_vault {
      purge_soft_delete_on_destroy    = false
      recover_soft_deleted_key_vaults = true
    }

    resource_group {
      prevent_deletion_if_contains_resources = true
    }

    # Manage the storage account through Azure Resource Manager only (its firewall denies by
    # default); lakestream sets no queue or static-website properties.
    storage {
      data_plane_available = false
    }
  }
}

provider "azuread" {
  tenant_id = var.tenant_id
}

# Workspace-level provider for the Unity Catalog objects, pointed at the workspace this
# configuration creates. Authenticates like azurerm (Azure CLI, or ARM_* / OIDC in CI).
provider "databricks" {
  host                        = module.platform.databricks.host
  azure_workspace_resource_id = module.platform.databricks.workspace_resource_id
}

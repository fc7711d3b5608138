terraform {
  required_version = ">= 1.9.0"

  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 4.50"
    }
    azuread = {
      source  = "hashicorp/azuread"
      version = "~> 3.0"
    }
    databricks = {
      source  = "databricks/databricks"
      version = "~> 1.70"
    }
  }

  # Remote state in the bootstrap storage account (docs/infra.md, "Bootstrap the remote state"),
  # one state file per environment: `terraform init -backend-config=<env>/backend.hcl` sets the
  # key. Without it init stops (the key is required), so no environment shares another's state.
  backend "azurerm" {
    resource_group_name  = "rg-lakestream-tfstate"
    storage_account_name = "stlakestreamtfstate"
    container_name       = "tfstate"
    use_azuread_auth     = true
  }
}

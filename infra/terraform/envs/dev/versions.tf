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

  # Remote state in the bootstrap storage account (docs/infra.md, "Bootstrap the remote state").
  # Override any value with `terraform init -backend-config=...` if your names differ.
  backend "azurerm" {
    resource_group_name  = "rg-lakestream-tfstate"
    storage_account_name = "stlakestreamtfstate"
    container_name       = "tfstate"
    key                  = "lakestream/dev.tfstate"
    use_azuread_auth     = true
  }
}

resource "azurerm_storage_account" "this" {
  name                     = var.name
  resource_group_name      = var.resource_group_name
  location                 = var.location
  account_kind             = "StorageV2"
  account_tier             = "Standard"
  account_replication_type = var.replication_type
  access_tier              = "Hot"

  # ADLS Gen2 with Entra ID only.
  is_hns_enabled                    = true
  shared_access_key_enabled         = false
  default_to_oauth_authentication   = true
  local_user_enabled                = false
  sftp_enabled                      = false
  nfsv3_enabled                     = false
  min_tls_version                   = "TLS1_2"
  https_traffic_only_enabled        = true
  allow_nested_items_to_be_public   = false
  cross_tenant_replication_enabled  = false
  infrastructure_encryption_enabled = true
  public_network_access_enabled     = var.public_network_access_enabled

  network_rules {
    default_action             = "Deny"
    bypass                     = ["AzureServices", "Logging", "Metrics"]
    ip_rules                   = var.allowed_ip_ranges
    virtual_network_subnet_ids = var.allowed_subnet_ids

    dynamic "private_link_access" {
      for_each = toset(var.trusted_resource_ids)
      content {
        endpoint_resource_id = private_link_access.value
        endpoint_tenant_id   = var.tenant_id
      }
    }
  }

  blob_properties {
    # Blob versioning cannot be combined with a hierarchical namespace (the provider refuses
    # it at apply). Recovery comes from soft delete here and from Delta time travel in every
    # table (docs/decisions/0022-no-blob-versioning-on-adls-gen2.md).
    versioning_enabled = false

    delete_retention_policy {
      days = var.soft_delete_days
    }

    container_delete_retention_policy {
      days = var.soft_delete_days
    }
  }

  # Shared keys are off, so only user-delegation SAS can exist; keep those short-lived.
  sas_policy {
    expiration_period = "00.01:00:00"
    expiration_action = "Log"
  }

  identity {
    type = "SystemAssigned"
  }

  tags = var.tags
}

# One filesystem per area. Created through Azure Resource Manager (storage_account_id), so it
# needs no data-plane access and works behind the default-deny firewall.
resource "azurerm_storage_container" "area" {
  for_each = toset(var.areas)

  name                  = each.key
  storage_account_id    = azurerm_storage_account.this.id
  container_access_type = "private"
  metadata = {
    area = each.key
  }
}

resource "azurerm_storage_management_policy" "this" {
  storage_account_id = azurerm_storage_account.this.id

  rule {
    name    = "landing-tiering"
    enabled = true
    filters {
      prefix_match = ["landing/"]
      blob_types   = ["blockBlob"]
    }
    actions {
      base_blob {
        tier_to_cool_after_days_since_modification_greater_than    = var.lifecycle_days.landing_to_cool
        tier_to_archive_after_days_since_modification_greater_than = var.lifecycle_days.landing_to_archive
        delete_after_days_since_modification_greater_than          = var.lifecycle_days.landing_delete
      }
    }
  }

  # Bronze is a Delta table that stays readable: cool then cold, never archive.
  rule {
    name    = "bronze-tiering"
    enabled = true
    filters {
      prefix_match = ["bronze/"]
      blob_types   = ["blockBlob"]
    }
    actions {
      base_blob {
        tier_to_cool_after_days_since_modification_greater_than = var.lifecycle_days.bronze_to_cool
        tier_to_cold_after_days_since_modification_greater_than = var.lifecycle_days.bronze_to_cold
      }
    }
  }
}

# Per-tenant storage prefix in landing (tenants module). Data-plane call (Entra ID auth).
resource "azurerm_storage_data_lake_gen2_path" "tenant_landing" {
  for_each = var.create_tenant_directories ? var.tenant_directories : {}

  path               = each.value
  filesystem_name    = azurerm_storage_container.area["landing"].name
  storage_account_id = azurerm_storage_account.this.id
  resource           = "directory"
}

resource "azurerm_private_endpoint" "this" {
  for_each = var.private_endpoints == null ? toset([]) : toset(["dfs", "blob"])

  name                = "pe-${var.name}-${each.key}"
  location            = var.location
  resource_group_name = var.resource_group_name
  subnet_id           = var.private_endpoints.subnet_id
  tags                = var.tags

  private_service_connection {
    name                           = "psc-${var.name}-${each.key}"
    private_connection_resource_id = azurerm_storage_account.this.id
    subresource_names              = [each.key]
    is_manual_connection           = false
  }

  private_dns_zone_group {
    name                 = "default"
    private_dns_zone_ids = [var.private_endpoints.private_dns_zone_ids[each.key]]
  }
}

resource "azurerm_eventhub_namespace" "this" {
  name                = var.name
  location            = var.location
  resource_group_name = var.resource_group_name
  sku                 = var.sku
  capacity            = var.capacity

  auto_inflate_enabled     = var.sku == "Standard" ? var.auto_inflate_enabled : false
  maximum_throughput_units = var.sku == "Standard" && var.auto_inflate_enabled ? var.maximum_throughput_units : null

  local_authentication_enabled  = var.local_authentication_enabled
  minimum_tls_version           = "1.2"
  public_network_access_enabled = var.public_network_access_enabled

  network_rulesets {
    default_action                 = "Deny"
    public_network_access_enabled  = var.public_network_access_enabled
    trusted_service_access_enabled = true

    dynamic "ip_rule" {
      for_each = var.public_network_access_enabled ? var.allowed_ip_ranges : []
      content {
        ip_mask = ip_rule.value
        action  = "Allow"
      }
    }
  }

  # Capture writes to ADLS as the namespace's managed identity (see the identity module).
  identity {
    type = "SystemAssigned"
  }

  tags = var.tags

  lifecycle {
    precondition {
      condition     = !(var.sku == "Premium" && var.auto_inflate_enabled)
      error_message = "Auto-inflate is a Standard-tier feature; Premium scales by processing units (capacity)."
    }
    precondition {
      condition     = var.sku == "Premium" ? contains([1, 2, 4, 8, 16], var.capacity) : var.capacity <= 40
      error_message = "Premium capacity must be 1, 2, 4, 8 or 16 processing units."
    }
    precondition {
      condition     = !var.auto_inflate_enabled || var.maximum_throughput_units >= var.capacity
      error_message = "maximum_throughput_units must be at least capacity when auto-inflate is on."
    }
    precondition {
      condition     = var.sku == "Premium" || var.message_retention_days <= 7
      error_message = "Standard namespaces retain events for at most 7 days; choose Premium for longer retention."
    }
    precondition {
      condition     = var.public_network_access_enabled || var.private_endpoint != null
      error_message = "With the public endpoint off, a private endpoint is required or nothing can reach the namespace."
    }
  }
}

resource "azurerm_eventhub" "this" {
  for_each = var.hubs

  name              = each.key
  namespace_id      = azurerm_eventhub_namespace.this.id
  partition_count   = each.value.partitions
  message_retention = var.message_retention_days

  lifecycle {
    # Tenant YAML may ask for up to 1024 partitions (dedicated clusters); the tier decides.
    precondition {
      condition     = each.value.partitions <= (var.sku == "Premium" ? 100 : 32)
      error_message = "Hub ${each.key} asks for ${each.value.partitions} partitions; a ${var.sku} namespace allows at most ${var.sku == "Premium" ? 100 : 32}."
    }
  }

  dynamic "capture_description" {
    for_each = var.capture == null ? [] : [var.capture]
    content {
      enabled             = true
      encoding            = "Avro"
      interval_in_seconds = capture_description.value.interval_in_seconds
      size_limit_in_bytes = capture_description.value.size_limit_in_bytes
      skip_empty_archives = true

      destination {
        name                = "EventHubArchive.AzureBlockBlob"
        storage_account_id  = capture_description.value.storage_account_id
        blob_container_name = capture_description.value.container_name
        archive_name_format = "_capture/{Namespace}/{EventHub}/{PartitionId}/{Year}/{Month}/{Day}/{Hour}/{Minute}/{Second}"
      }
    }
  }
}

resource "azurerm_eventhub_consumer_group" "this" {
  for_each = var.consumer_groups

  name                = each.value.name
  namespace_name      = azurerm_eventhub_namespace.this.name
  eventhub_name       = azurerm_eventhub.this[each.value.hub].name
  resource_group_name = var.resource_group_name
  user_metadata = jsonencode({
    service   = each.value.service
    tenant_id = each.value.tenant_id
  })
}

resource "azurerm_private_endpoint" "namespace" {
  count = var.private_endpoint == null ? 0 : 1

  name                = "pe-${var.name}"
  location            = var.location
  resource_group_name = var.resource_group_name
  subnet_id           = var.private_endpoint.subnet_id
  tags                = var.tags

  private_service_connection {
    name                           = "psc-${var.name}"
    private_connection_resource_id = azurerm_eventhub_namespace.this.id
    subresource_names              = ["namespace"]
    is_manual_connection           = false
  }

  private_dns_zone_group {
    name                 = "default"
    private_dns_zone_ids = [var.private_endpoint.private_dns_zone_id]
  }
}

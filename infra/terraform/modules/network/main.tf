locals {
  private_dns_zones = var.enable_private_endpoints ? {
    eventhubs = "privatelink.servicebus.windows.net"
    dfs       = "privatelink.dfs.core.windows.net"
    blob      = "privatelink.blob.core.windows.net"
    keyvault  = "privatelink.vaultcore.azure.net"
  } : {}

  databricks_subnets = var.enable_vnet_injection ? {
    host      = var.databricks_host_subnet_prefix
    container = var.databricks_container_subnet_prefix
  } : {}
}

resource "azurerm_virtual_network" "this" {
  name                = var.names.virtual_network
  location            = var.location
  resource_group_name = var.resource_group_name
  address_space       = var.address_space
  tags                = var.tags
}

# ---------------------------------------------------------------------------
# Databricks VNet injection: two delegated subnets sharing one NSG whose rules
# Databricks manages (network intent policy), egress through a NAT gateway.
# ---------------------------------------------------------------------------

resource "azurerm_network_security_group" "databricks" {
  count = var.enable_vnet_injection ? 1 : 0

  name                = var.names.network_security_group
  location            = var.location
  resource_group_name = var.resource_group_name
  tags                = var.tags
}

resource "azurerm_subnet" "databricks" {
  for_each = local.databricks_subnets

  name                 = "snet-dbw-${each.key}"
  resource_group_name  = var.resource_group_name
  virtual_network_name = azurerm_virtual_network.this.name
  address_prefixes     = [each.value]

  delegation {
    name = "databricks"

    service_delegation {
      name = "Microsoft.Databricks/workspaces"
      actions = [
        "Microsoft.Network/virtualNetworks/subnets/join/action",
        "Microsoft.Network/virtualNetworks/subnets/prepareNetworkPolicies/action",
        "Microsoft.Network/virtualNetworks/subnets/unprepareNetworkPolicies/action",
      ]
    }
  }
}

resource "azurerm_subnet_network_security_group_association" "databricks" {
  for_each = local.databricks_subnets

  subnet_id                 = azurerm_subnet.databricks[each.key].id
  network_security_group_id = azurerm_network_security_group.databricks[0].id
}

resource "azurerm_public_ip" "nat" {
  count = var.enable_vnet_injection ? 1 : 0

  name                = var.names.nat_public_ip
  location            = var.location
  resource_group_name = var.resource_group_name
  allocation_method   = "Static"
  sku                 = "Standard"
  tags                = var.tags
}

resource "azurerm_nat_gateway" "this" {
  count = var.enable_vnet_injection ? 1 : 0

  name                    = var.names.nat_gateway
  location                = var.location
  resource_group_name     = var.resource_group_name
  sku_name                = "Standard"
  idle_timeout_in_minutes = 10
  tags                    = var.tags
}

resource "azurerm_nat_gateway_public_ip_association" "this" {
  count = var.enable_vnet_injection ? 1 : 0

  nat_gateway_id       = azurerm_nat_gateway.this[0].id
  public_ip_address_id = azurerm_public_ip.nat[0].id
}

resource "azurerm_subnet_nat_gateway_association" "databricks" {
  for_each = local.databricks_subnets

  subnet_id      = azurerm_subnet.databricks[each.key].id
  nat_gateway_id = azurerm_nat_gateway.this[0].id
}

# ---------------------------------------------------------------------------
# Private endpoints: one subnet (with its own deny-by-default NSG) and the
# privatelink DNS zones, linked to the VNet so the workspace resolves them.
# ---------------------------------------------------------------------------

resource "azurerm_subnet" "private_endpoints" {
  count = var.enable_private_endpoints ? 1 : 0

  name                              = "snet-private-endpoints"
  resource_group_name               = var.resource_group_name
  virtual_network_name              = azurerm_virtual_network.this.name
  address_prefixes                  = [var.private_endpoint_subnet_prefix]
  private_endpoint_network_policies = "Enabled"
}

resource "azurerm_network_security_group" "private_endpoints" {
  count = var.enable_private_endpoints ? 1 : 0

  name                = "${var.names.network_security_group}-pe"
  location            = var.location
  resource_group_name = var.resource_group_name
  tags                = var.tags

  # Only the VNet (Databricks clusters) may reach the private endpoints.
  security_rule {
    name                       = "allow-vnet-https-amqp-kafka"
    priority                   = 100
    direction                  = "Inbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    source_address_prefix      = "VirtualNetwork"
    source_port_range          = "*"
    destination_address_prefix = "VirtualNetwork"
    destination_port_ranges    = ["443", "5671", "5672", "9093"]
  }

  security_rule {
    name                       = "deny-all-inbound"
    priority                   = 4096
    direction                  = "Inbound"
    access                     = "Deny"
    protocol                   = "*"
    source_address_prefix      = "*"
    source_port_range          = "*"
    destination_address_prefix = "*"
    destination_port_range     = "*"
  }
}

resource "azurerm_subnet_network_security_group_association" "private_endpoints" {
  count = var.enable_private_endpoints ? 1 : 0

  subnet_id                 = azurerm_subnet.private_endpoints[0].id
  network_security_group_id = azurerm_network_security_group.private_endpoints[0].id
}

resource "azurerm_private_dns_zone" "this" {
  for_each = local.private_dns_zones

  name                = each.value
  resource_group_name = var.resource_group_name
  tags                = var.tags
}

resource "azurerm_private_dns_zone_virtual_network_link" "this" {
  for_each = local.private_dns_zones

  name                  = "link-${var.names.virtual_network}"
  resource_group_name   = var.resource_group_name
  private_dns_zone_name = azurerm_private_dns_zone.this[each.key].name
  virtual_network_id    = azurerm_virtual_network.this.id
  registration_enabled  = false
  tags                  = var.tags
}

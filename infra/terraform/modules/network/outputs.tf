output "virtual_network_id" {
  description = "ID of the lakestream VNet."
  value       = azurerm_virtual_network.this.id
}

output "databricks_subnets" {
  description = "Databricks VNet-injection settings (null when VNet injection is off)."
  value = var.enable_vnet_injection ? {
    virtual_network_id                   = azurerm_virtual_network.this.id
    host_subnet_name                     = azurerm_subnet.databricks["host"].name
    container_subnet_name                = azurerm_subnet.databricks["container"].name
    host_subnet_id                       = azurerm_subnet.databricks["host"].id
    container_subnet_id                  = azurerm_subnet.databricks["container"].id
    host_nsg_association_id              = azurerm_subnet_network_security_group_association.databricks["host"].id
    container_nsg_association_id         = azurerm_subnet_network_security_group_association.databricks["container"].id
    nat_gateway_public_ip                = azurerm_public_ip.nat[0].ip_address
    host_nat_gateway_association_id      = azurerm_subnet_nat_gateway_association.databricks["host"].id
    container_nat_gateway_association_id = azurerm_subnet_nat_gateway_association.databricks["container"].id
  } : null
}

output "private_endpoint_subnet_id" {
  description = "Subnet for private endpoints (null when private endpoints are off)."
  value       = var.enable_private_endpoints ? azurerm_subnet.private_endpoints[0].id : null
}

output "private_dns_zone_ids" {
  description = "privatelink DNS zone IDs by service (eventhubs, dfs, blob, keyvault); empty when private endpoints are off."
  value       = { for k, z in azurerm_private_dns_zone.this : k => z.id }
}

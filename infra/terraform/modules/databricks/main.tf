# Premium is required for Unity Catalog, cluster policies and Key Vault-backed secret scopes.
resource "azurerm_databricks_workspace" "this" {
  name                              = var.names.databricks_workspace
  resource_group_name               = var.resource_group_name
  location                          = var.location
  sku                               = "premium"
  managed_resource_group_name       = var.names.databricks_managed_rg
  public_network_access_enabled     = var.public_network_access_enabled
  infrastructure_encryption_enabled = true

  # With a public front end Databricks needs all its NSG rules; without VNet injection the
  # managed VNet has no NSG to configure.
  network_security_group_rules_required = var.vnet_injection == null ? null : "AllRules"

  custom_parameters {
    # Secure cluster connectivity: cluster nodes never get public IPs.
    no_public_ip = true

    virtual_network_id                                   = try(var.vnet_injection.virtual_network_id, null)
    public_subnet_name                                   = try(var.vnet_injection.host_subnet_name, null)
    private_subnet_name                                  = try(var.vnet_injection.container_subnet_name, null)
    public_subnet_network_security_group_association_id  = try(var.vnet_injection.host_nsg_association_id, null)
    private_subnet_network_security_group_association_id = try(var.vnet_injection.container_nsg_association_id, null)
  }

  tags = var.tags
}

# Unity Catalog reaches ADLS as this connector's system-assigned managed identity.
resource "azurerm_databricks_access_connector" "this" {
  name                = var.names.access_connector
  resource_group_name = var.resource_group_name
  location            = var.location

  identity {
    type = "SystemAssigned"
  }

  tags = var.tags
}

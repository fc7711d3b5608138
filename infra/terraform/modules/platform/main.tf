# Composition of the Azure side of one lakestream environment. The root module (envs/,
# one per environment through <env>/env.tfvars) calls this module and then unity_catalog.

data "azurerm_client_config" "current" {}

module "naming" {
  source = "../naming"

  project          = var.project
  environment      = var.environment
  environment_code = var.environment_code
  location         = var.location
  suffix           = var.name_suffix
  extra_tags       = var.extra_tags
}

module "tenants" {
  source = "../tenants"

  config_dir         = var.config_dir
  shared_hub_name    = var.eventhubs.shared_hub_name
  consuming_services = var.eventhubs.consuming_services
}

locals {
  names    = module.naming.names
  tags     = module.naming.tags
  location = module.naming.region

  network_enabled = var.enable_vnet_injection || var.enable_private_endpoints

  # For a /16: 10.x.0.0/22 (host), 10.x.4.0/22 (container), 10.x.8.0/26 (private endpoints).
  space_bits = tonumber(split("/", var.address_space[0])[1])
  subnets = {
    databricks_host      = coalesce(var.subnet_prefixes.databricks_host, cidrsubnet(var.address_space[0], 22 - local.space_bits, 0))
    databricks_container = coalesce(var.subnet_prefixes.databricks_container, cidrsubnet(var.address_space[0], 22 - local.space_bits, 1))
    private_endpoints    = coalesce(var.subnet_prefixes.private_endpoints, cidrsubnet(var.address_space[0], 26 - local.space_bits, 32))
  }

  # Shared hub + one hub per tenant whose YAML asks for a dedicated hub.
  hubs = merge(
    { (module.tenants.shared_hub) = { partitions = var.eventhubs.shared_hub_partitions, tenant_id = null } },
    { for name, h in module.tenants.dedicated_hubs : name => { partitions = h.partitions, tenant_id = h.tenant_id } },
  )
}

resource "azurerm_resource_group" "this" {
  name     = local.names.resource_group
  location = local.location
  tags     = local.tags
}

module "network" {
  source = "../network"
  count  = local.network_enabled ? 1 : 0

  names                              = local.names
  resource_group_name                = azurerm_resource_group.this.name
  location                           = local.location
  tags                               = local.tags
  address_space                      = var.address_space
  enable_vnet_injection              = var.enable_vnet_injection
  enable_private_endpoints           = var.enable_private_endpoints
  databricks_host_subnet_prefix      = local.subnets.databricks_host
  databricks_container_subnet_prefix = local.subnets.databricks_container
  private_endpoint_subnet_prefix     = local.subnets.private_endpoints
}

locals {
  pe_subnet_id = var.enable_private_endpoints ? module.network[0].private_endpoint_subnet_id : null
  dns_zone_ids = var.enable_private_endpoints ? module.network[0].private_dns_zone_ids : {}
}

module "databricks" {
  source = "../databricks"

  names               = local.names
  resource_group_name = azurerm_resource_group.this.name
  location            = local.location
  tags                = local.tags
  vnet_injection = var.enable_vnet_injection ? {
    virtual_network_id           = module.network[0].databricks_subnets.virtual_network_id
    host_subnet_name             = module.network[0].databricks_subnets.host_subnet_name
    container_subnet_name        = module.network[0].databricks_subnets.container_subnet_name
    host_nsg_association_id      = module.network[0].databricks_subnets.host_nsg_association_id
    container_nsg_association_id = module.network[0].databricks_subnets.container_nsg_association_id
  } : null
}

module "storage" {
  source = "../storage"

  name                = local.names.storage_account
  resource_group_name = azurerm_resource_group.this.name
  location            = local.location
  tags                = local.tags
  tenant_id           = data.azurerm_client_config.current.tenant_id

  replication_type          = var.storage.replication_type
  soft_delete_days          = var.storage.soft_delete_days
  lifecycle_days            = var.storage.lifecycle_days
  allowed_ip_ranges         = var.allowed_ip_ranges
  trusted_resource_ids      = [module.databricks.access_connector_id]
  tenant_directories        = module.tenants.landing_directories
  create_tenant_directories = var.storage.create_tenant_directories

  private_endpoints = var.enable_private_endpoints ? {
    subnet_id            = local.pe_subnet_id
    private_dns_zone_ids = { dfs = local.dns_zone_ids["dfs"], blob = local.dns_zone_ids["blob"] }
  } : null
}

module "eventhubs" {
  source = "../eventhubs"

  name                = local.names.eventhub_namespace
  resource_group_name = azurerm_resource_group.this.name
  location            = local.location
  tags                = local.tags

  sku                           = var.eventhubs.sku
  capacity                      = var.eventhubs.capacity
  auto_inflate_enabled          = var.eventhubs.auto_inflate_enabled
  maximum_throughput_units      = var.eventhubs.maximum_throughput_units
  local_authentication_enabled  = var.eventhubs.local_authentication_enabled
  public_network_access_enabled = var.eventhubs.public_network_access_enabled
  allowed_ip_ranges             = var.allowed_ip_ranges
  message_retention_days        = var.eventhubs.message_retention_days
  hubs                          = local.hubs
  consumer_groups               = module.tenants.consumer_groups

  private_endpoint = var.enable_private_endpoints ? {
    subnet_id           = local.pe_subnet_id
    private_dns_zone_id = local.dns_zone_ids["eventhubs"]
  } : null

  capture = var.eventhubs.capture_enabled ? {
    storage_account_id = module.storage.account_id
    container_name     = module.storage.filesystems["landing"]
  } : null
}

module "keyvault" {
  source = "../keyvault"

  name                = local.names.key_vault
  resource_group_name = azurerm_resource_group.this.name
  location            = local.location
  tags                = local.tags
  tenant_id           = data.azurerm_client_config.current.tenant_id
  allowed_ip_ranges   = var.allowed_ip_ranges

  private_endpoint = var.enable_private_endpoints ? {
    subnet_id           = local.pe_subnet_id
    private_dns_zone_id = local.dns_zone_ids["keyvault"]
  } : null
}

module "identity" {
  source = "../identity"

  names                         = local.names
  filesystem_scopes             = module.storage.filesystem_scopes
  access_connector_principal_id = module.databricks.access_connector_principal_id
  read_hub_ids                  = module.eventhubs.hub_ids
  republish_hub_ids             = var.replay_republish_enabled ? module.eventhubs.hub_ids : {}
  key_vault_id                  = module.keyvault.id
  job_secret_end_date           = var.job_secret_end_date

  capture = var.eventhubs.capture_enabled ? {
    namespace_principal_id = module.eventhubs.namespace_principal_id
    area                   = "landing"
  } : null
}

module "monitoring" {
  source = "../monitoring"

  names               = local.names
  resource_group_name = azurerm_resource_group.this.name
  location            = local.location
  tags                = local.tags

  retention_in_days            = var.monitoring.retention_in_days
  daily_quota_gb               = var.monitoring.daily_quota_gb
  alert_emails                 = var.monitoring.alert_emails
  consumer_gap_threshold       = var.monitoring.consumer_gap_threshold
  throttled_requests_threshold = var.monitoring.throttled_requests_threshold
  layer_alert_verdict          = var.monitoring.layer_alert_verdict

  eventhub_namespace_id   = module.eventhubs.namespace_id
  storage_account_id      = module.storage.account_id
  blob_service_id         = module.storage.blob_service_id
  key_vault_id            = module.keyvault.id
  databricks_workspace_id = module.databricks.workspace_resource_id
}

# Without VNet injection the clusters live in a Databricks-managed VNet that cannot use the
# private endpoints, so Event Hubs would be unreachable with its public endpoint off.
check "clusters_can_reach_eventhubs" {
  assert {
    condition     = var.enable_vnet_injection || var.eventhubs.public_network_access_enabled
    error_message = "enable_vnet_injection is false and the Event Hubs public endpoint is off: Databricks clusters cannot reach the namespace. Enable one of the two."
  }
}

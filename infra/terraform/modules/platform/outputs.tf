output "names" {
  description = "Every resource name of the environment."
  value       = local.names
}

output "resource_group_name" {
  description = "Resource group of the environment."
  value       = azurerm_resource_group.this.name
}

output "tenants" {
  description = "Tenants derived from config/tenants (hub, dedicated or not, partitions)."
  value       = module.tenants.tenants
}

output "tenant_routing" {
  description = "Per tenant: the hub it is read from and its consumer group per consuming service."
  value       = module.tenants.tenant_consumer_groups
}

output "tenant_storage_prefixes" {
  description = "Per tenant: landing directory and tenant_id partition prefixes."
  value       = module.tenants.storage_prefixes
}

output "eventhubs" {
  description = "Event Hubs coordinates for the bronze job and the producer."
  value = {
    namespace               = module.eventhubs.namespace_name
    fully_qualified         = module.eventhubs.namespace_fqdn
    kafka_bootstrap_servers = module.eventhubs.kafka_bootstrap_servers
    shared_hub              = module.tenants.shared_hub
    hubs                    = module.eventhubs.hub_names
    consumer_groups         = module.eventhubs.consumer_groups
  }
}

output "storage" {
  description = "ADLS Gen2 account, filesystems and their abfss:// URLs."
  value = {
    account_name               = module.storage.account_name
    dfs_endpoint               = module.storage.dfs_endpoint
    filesystems                = module.storage.filesystems
    urls                       = module.storage.urls
    tenant_landing_directories = module.storage.tenant_landing_directories
  }
}

output "databricks" {
  description = "Workspace and access connector (inputs of the unity_catalog module and of the bundles)."
  value = {
    workspace_resource_id = module.databricks.workspace_resource_id
    workspace_id          = module.databricks.workspace_id
    host                  = module.databricks.workspace_url
    access_connector_id   = module.databricks.access_connector_id
  }
}

output "key_vault" {
  description = "Key Vault behind the secret scope."
  value = {
    id   = module.keyvault.id
    name = module.keyvault.name
    uri  = module.keyvault.uri
  }
}

output "job_identity" {
  description = "The Entra service principal the jobs run as."
  value = {
    application_id = module.identity.job_client_id
    object_id      = module.identity.job_object_id
    display_name   = module.identity.job_display_name
    tenant_id      = module.identity.tenant_id
    secret_names   = module.identity.secret_names
  }
}

output "role_assignments" {
  description = "Every role assignment made for the environment (role and scope)."
  value       = module.identity.role_assignments
}

output "monitoring" {
  description = "Log Analytics workspace, action group and alert IDs."
  value = {
    log_analytics_workspace_id = module.monitoring.log_analytics_workspace_id
    action_group_id            = module.monitoring.action_group_id
    alerts                     = module.monitoring.alert_ids
  }
}

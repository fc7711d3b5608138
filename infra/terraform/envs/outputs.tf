output "resource_group_name" {
  description = "Resource group of the environment."
  value       = module.platform.resource_group_name
}

output "eventhubs" {
  description = "Namespace FQDN, Kafka endpoint, hubs and consumer groups."
  value       = module.platform.eventhubs
}

output "tenant_routing" {
  description = "Per tenant: hub and consumer group per consuming service (from config/tenants)."
  value       = module.platform.tenant_routing
}

output "tenant_storage_prefixes" {
  description = "Per tenant: landing directory and tenant_id partition prefixes."
  value       = module.platform.tenant_storage_prefixes
}

output "storage" {
  description = "Storage account, filesystems and abfss:// URLs by area."
  value       = module.platform.storage
}

output "databricks_host" {
  description = "Workspace URL (bundle target workspace.host)."
  value       = module.platform.databricks.host
}

output "unity_catalog" {
  description = "Catalog, schemas, storage credential and external locations."
  value = {
    catalog            = module.unity_catalog.catalog
    schemas            = module.unity_catalog.schemas
    storage_credential = module.unity_catalog.storage_credential
    external_locations = module.unity_catalog.external_locations
  }
}

output "secret_scope" {
  description = "Key Vault-backed secret scope and the secrets it holds."
  value = {
    name    = module.unity_catalog.secret_scope
    secrets = module.platform.job_identity.secret_names
    vault   = module.platform.key_vault.uri
  }
}

output "job_identity" {
  description = "Service principal the jobs run as (run_as.service_principal_name)."
  value       = module.platform.job_identity
}

output "cluster_policy_id" {
  description = "Streaming-jobs cluster policy."
  value       = module.unity_catalog.cluster_policy_id
}

output "role_assignments" {
  description = "Every role assignment (role and scope), for review."
  value       = module.platform.role_assignments
}

output "monitoring" {
  description = "Log Analytics workspace and alerts."
  value       = module.platform.monitoring
}

# Variables of the Databricks Asset Bundle target for this environment.
output "bundle_variables" {
  description = "Values for the bundles' target variables (databricks.yml)."
  value = {
    workspace_host           = module.platform.databricks.host
    catalog                  = module.unity_catalog.catalog
    storage_urls             = module.platform.storage.urls
    eventhubs_namespace      = module.platform.eventhubs.fully_qualified
    eventhubs_hub            = module.platform.eventhubs.shared_hub
    kafka_bootstrap_servers  = module.platform.eventhubs.kafka_bootstrap_servers
    secret_scope             = module.unity_catalog.secret_scope
    cluster_policy_id        = module.unity_catalog.cluster_policy_id
    run_as_service_principal = module.unity_catalog.job_service_principal_application_id
  }
}

locals {
  # Example LAKESTREAM_* settings for a job of this environment. The AZURE_* credentials are
  # not here: the cluster policy injects them from the secret scope.
  lakestream_env = merge(
    {
      LAKESTREAM_ENV                         = var.environment
      LAKESTREAM_TABLE_BACKEND               = "delta-spark"
      LAKESTREAM_CATALOG                     = module.unity_catalog.catalog
      LAKESTREAM_SOURCE                      = "eventhubs"
      LAKESTREAM_EVENTHUBS_NAMESPACE         = module.platform.eventhubs.fully_qualified
      LAKESTREAM_EVENTHUBS_HUB               = module.platform.eventhubs.shared_hub
      LAKESTREAM_EVENTHUBS_CONSUMER_GROUP    = "bronze"
      LAKESTREAM_EVENTHUBS_AUTH              = "entra"
      LAKESTREAM_KAFKA_BOOTSTRAP_SERVERS     = module.platform.eventhubs.kafka_bootstrap_servers
      LAKESTREAM_SECRET_SCOPE                = module.unity_catalog.secret_scope
      LAKESTREAM_REPLAY_CONSUMER_GROUP       = "replay"
      LAKESTREAM_CHECKPOINT_ROOT             = module.platform.storage.urls["checkpoints"]
      LAKESTREAM_LANDING_ROOT                = module.platform.storage.urls["landing"]
      LAKESTREAM_OTEL_LOG_ANALYTICS_RESOURCE = module.platform.monitoring.log_analytics_workspace_id
    },
    { for area, url in module.platform.storage.urls : "LAKESTREAM_STORAGE_URL_${upper(area)}" => url },
  )
}

output "lakestream_env" {
  description = "Example LAKESTREAM_* environment variables for this environment."
  value       = local.lakestream_env
}

output "lakestream_env_file" {
  description = "The same as KEY=value lines: terraform output -raw lakestream_env_file > .env.<env>"
  value       = join("\n", [for k in sort(keys(local.lakestream_env)) : "${k}=${local.lakestream_env[k]}"])
}

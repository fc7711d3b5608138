module "platform" {
  source = "../modules/platform"

  environment      = var.environment
  environment_code = var.environment_code
  location         = var.location
  name_suffix      = var.name_suffix
  extra_tags       = var.extra_tags
  config_dir       = var.config_dir

  enable_vnet_injection    = var.enable_vnet_injection
  enable_private_endpoints = var.enable_private_endpoints
  address_space            = var.address_space
  allowed_ip_ranges        = var.allowed_ip_ranges

  eventhubs                = var.eventhubs
  replay_republish_enabled = var.replay_republish_enabled
  storage                  = var.storage
  job_secret_end_date      = var.job_secret_end_date
  monitoring               = merge(var.monitoring, { alert_emails = var.alert_emails })
}

module "unity_catalog" {
  source = "../modules/unity_catalog"

  names               = module.platform.names
  workspace_id        = module.platform.databricks.workspace_id
  metastore_id        = var.metastore_id
  access_connector_id = module.platform.databricks.access_connector_id
  storage_urls        = module.platform.storage.urls
  reader_groups       = var.reader_groups
  cluster_policy      = var.cluster_policy

  job_principal = {
    application_id = module.platform.job_identity.application_id
    display_name   = module.platform.job_identity.display_name
  }

  key_vault = {
    id  = module.platform.key_vault.id
    uri = module.platform.key_vault.uri
  }
}

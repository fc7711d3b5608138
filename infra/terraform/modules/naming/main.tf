locals {
  # Programmatic region name: "West Europe" -> "westeurope".
  region = lower(replace(var.location, " ", ""))

  # Short codes keep names readable; unknown regions fall back to the full name.
  region_codes = {
    australiaeast      = "aue"
    brazilsouth        = "brs"
    canadacentral      = "cac"
    centralus          = "cus"
    eastus             = "eus"
    eastus2            = "eus2"
    francecentral      = "frc"
    germanywestcentral = "gwc"
    japaneast          = "jpe"
    northeurope        = "neu"
    norwayeast         = "nwe"
    southcentralus     = "scus"
    southeastasia      = "sea"
    swedencentral      = "sdc"
    switzerlandnorth   = "szn"
    uksouth            = "uks"
    westeurope         = "weu"
    westus2            = "wus2"
    westus3            = "wus3"
  }
  region_code = lookup(local.region_codes, local.region, local.region)

  # Azure resource names carry the environment's code (at most 4 chars), the names inside
  # Databricks and Entra ID its full name, which the bundles' targets look up.
  code = coalesce(var.environment_code, var.environment)

  # "<project>-<code>-<region>" is the stem of every regional, hyphen-friendly name.
  stem       = "${var.project}-${local.code}-${local.region_code}"
  dash_sfx   = var.suffix == "" ? "" : "-${var.suffix}"
  compact_id = "${var.project}${local.code}${var.suffix}"

  names = {
    resource_group            = "rg-${local.stem}"
    databricks_managed_rg     = "rg-${local.stem}-dbw-managed"
    eventhub_namespace        = "evhns-${local.stem}${local.dash_sfx}"
    storage_account           = "st${local.compact_id}"
    key_vault                 = "kv-${var.project}-${local.code}${local.dash_sfx}"
    databricks_workspace      = "dbw-${local.stem}"
    access_connector          = "dbac-${local.stem}"
    log_analytics             = "log-${local.stem}"
    action_group              = "ag-${local.stem}"
    action_group_short        = "${substr(var.project, 0, 7)}-${local.code}"
    virtual_network           = "vnet-${local.stem}"
    network_security_group    = "nsg-${local.stem}-dbw"
    nat_gateway               = "ng-${local.stem}"
    nat_public_ip             = "pip-${local.stem}-ng"
    private_endpoint_prefix   = "pe-${local.stem}"
    job_application           = "${var.project}-${var.environment}-jobs"
    uc_catalog                = "${var.project}_${var.environment}"
    uc_storage_credential     = "${var.project}-${var.environment}-adls"
    uc_external_location_stem = "${var.project}-${var.environment}"
    secret_scope              = "${var.project}-${var.environment}"
    cluster_policy            = "${var.project}-${var.environment}-streaming"
  }

  tags = merge(
    {
      project     = var.project
      environment = var.environment
      managed_by  = "terraform"
    },
    var.extra_tags,
  )
}

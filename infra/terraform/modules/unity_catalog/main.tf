# Workspace-level Unity Catalog objects. Runs with the databricks provider configured against
# the workspace created by the platform module (see docs/infra.md, "Apply order").

resource "databricks_metastore_assignment" "this" {
  count = var.metastore_id == null ? 0 : 1

  metastore_id = var.metastore_id
  workspace_id = var.workspace_id
}

# ---------------------------------------------------------------------------
# Storage: one credential (the access connector) and one external location per filesystem.
# ---------------------------------------------------------------------------

resource "databricks_storage_credential" "adls" {
  name    = var.names.uc_storage_credential
  comment = "lakestream ADLS Gen2 filesystems, via the access connector's managed identity. Managed by Terraform."

  azure_managed_identity {
    access_connector_id = var.access_connector_id
  }

  depends_on = [databricks_metastore_assignment.this]
}

resource "databricks_external_location" "area" {
  for_each = var.storage_urls

  name            = "${var.names.uc_external_location_stem}-${each.key}"
  url             = each.value
  credential_name = databricks_storage_credential.adls.name
  comment         = "lakestream ${each.key} filesystem. Managed by Terraform."
}

# ---------------------------------------------------------------------------
# Catalog and schemas.
# ---------------------------------------------------------------------------

resource "databricks_catalog" "this" {
  name         = var.names.uc_catalog
  storage_root = "${var.storage_urls[var.catalog_managed_area]}_managed"
  comment      = "lakestream tables (bronze, silver, gold, dlq, audit). Managed by Terraform."

  properties = {
    project = "lakestream"
  }

  depends_on = [databricks_external_location.area]
}

resource "databricks_schema" "this" {
  for_each = toset(var.schemas)

  catalog_name = databricks_catalog.this.name
  name         = each.key
  comment      = "lakestream ${each.key} tables. Managed by Terraform."
}

# ---------------------------------------------------------------------------
# The job identity: registered in the workspace, allowed to use the catalog and the
# external locations (read-only on landing).
# ---------------------------------------------------------------------------

resource "databricks_service_principal" "jobs" {
  application_id        = var.job_principal.application_id
  display_name          = var.job_principal.display_name
  allow_cluster_create  = false
  workspace_access      = true
  databricks_sql_access = false
}

resource "databricks_grants" "catalog" {
  catalog = databricks_catalog.this.name

  grant {
    principal  = databricks_service_principal.jobs.application_id
    privileges = ["USE_CATALOG", "USE_SCHEMA", "SELECT", "MODIFY", "CREATE_TABLE"]
  }

  dynamic "grant" {
    for_each = toset(var.reader_groups)
    content {
      principal  = grant.value
      privileges = ["USE_CATALOG", "USE_SCHEMA", "SELECT"]
    }
  }
}

resource "databricks_grants" "external_location" {
  for_each = databricks_external_location.area

  external_location = each.value.name

  grant {
    principal  = databricks_service_principal.jobs.application_id
    privileges = each.key == "landing" ? ["READ_FILES"] : ["READ_FILES", "WRITE_FILES", "CREATE_EXTERNAL_TABLE"]
  }
}

# ---------------------------------------------------------------------------
# Streaming-jobs cluster policy: job clusters only, dedicated (single-user) access mode
# for Unity Catalog, on-demand nodes, bounded size, credentials from the secret scope.
# ---------------------------------------------------------------------------

resource "databricks_cluster_policy" "streaming" {
  name        = var.names.cluster_policy
  description = "lakestream streaming jobs (bronze, silver, gold, DLQ replay). Managed by Terraform."

  definition = jsonencode({
    "cluster_type" = {
      type  = "fixed"
      value = "job"
    }
    "spark_version" = {
      type    = "regex"
      pattern = var.cluster_policy.spark_version_regex
    }
    "data_security_mode" = {
      type  = "fixed"
      value = "SINGLE_USER"
    }
    "node_type_id" = {
      type         = "allowlist"
      values       = var.cluster_policy.node_types
      defaultValue = var.cluster_policy.node_types[0]
    }
    "driver_node_type_id" = {
      type   = "allowlist"
      values = var.cluster_policy.node_types
    }
    "autoscale.max_workers" = {
      type         = "range"
      maxValue     = var.cluster_policy.max_workers
      defaultValue = 2
    }
    "num_workers" = {
      type     = "range"
      maxValue = var.cluster_policy.max_workers
    }
    "azure_attributes.availability" = {
      type  = "fixed"
      value = "ON_DEMAND_AZURE"
    }
    "enable_elastic_disk" = {
      type  = "fixed"
      value = true
    }
    "custom_tags.project" = {
      type  = "fixed"
      value = "lakestream"
    }
    "spark_env_vars.AZURE_CLIENT_ID" = {
      type  = "fixed"
      value = "{{secrets/${var.names.secret_scope}/azure-client-id}}"
    }
    "spark_env_vars.AZURE_CLIENT_SECRET" = {
      type  = "fixed"
      value = "{{secrets/${var.names.secret_scope}/azure-client-secret}}"
    }
    "spark_env_vars.AZURE_TENANT_ID" = {
      type  = "fixed"
      value = "{{secrets/${var.names.secret_scope}/azure-tenant-id}}"
    }
  })
}

resource "databricks_permissions" "cluster_policy" {
  cluster_policy_id = databricks_cluster_policy.streaming.id

  access_control {
    service_principal_name = databricks_service_principal.jobs.application_id
    permission_level       = "CAN_USE"
  }

  dynamic "access_control" {
    for_each = toset(var.reader_groups)
    content {
      group_name       = access_control.value
      permission_level = "CAN_USE"
    }
  }
}

# ---------------------------------------------------------------------------
# Key Vault-backed secret scope (holds the job identity's credentials).
# ---------------------------------------------------------------------------

resource "databricks_secret_scope" "this" {
  name = var.names.secret_scope

  keyvault_metadata {
    resource_id = var.key_vault.id
    dns_name    = var.key_vault.uri
  }
}

resource "databricks_secret_acl" "jobs" {
  scope      = databricks_secret_scope.this.name
  principal  = databricks_service_principal.jobs.application_id
  permission = "READ"
}

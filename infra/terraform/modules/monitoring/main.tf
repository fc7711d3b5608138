resource "azurerm_log_analytics_workspace" "this" {
  name                = var.names.log_analytics
  location            = var.location
  resource_group_name = var.resource_group_name
  sku                 = "PerGB2018"
  retention_in_days   = var.retention_in_days
  daily_quota_gb      = var.daily_quota_gb
  tags                = var.tags
}

resource "azurerm_monitor_action_group" "this" {
  name                = var.names.action_group
  resource_group_name = var.resource_group_name
  short_name          = var.names.action_group_short
  tags                = var.tags

  dynamic "email_receiver" {
    for_each = toset(var.alert_emails)
    content {
      name                    = "email-${replace(email_receiver.value, "/[^A-Za-z0-9]/", "-")}"
      email_address           = email_receiver.value
      use_common_alert_schema = true
    }
  }
}

# ---------------------------------------------------------------------------
# Diagnostic settings: Event Hubs, storage (account metrics + blob logs), Key Vault and
# the Databricks workspace all send to the Log Analytics workspace.
# ---------------------------------------------------------------------------

locals {
  diagnostics = {
    eventhubs = {
      target         = var.eventhub_namespace_id
      log_groups     = ["allLogs"]
      log_categories = []
      metrics        = ["AllMetrics"]
    }
    storage = {
      target         = var.storage_account_id
      log_groups     = []
      log_categories = []
      metrics        = ["Transaction"]
    }
    storage_blob = {
      target         = var.blob_service_id
      log_groups     = ["allLogs"]
      log_categories = []
      metrics        = ["Transaction"]
    }
    keyvault = {
      target         = var.key_vault_id
      log_groups     = ["audit"]
      log_categories = []
      metrics        = ["AllMetrics"]
    }
    databricks = {
      target         = var.databricks_workspace_id
      log_groups     = []
      log_categories = var.databricks_log_categories
      metrics        = []
    }
  }
}

resource "azurerm_monitor_diagnostic_setting" "this" {
  for_each = local.diagnostics

  name                       = "to-${var.names.log_analytics}"
  target_resource_id         = each.value.target
  log_analytics_workspace_id = azurerm_log_analytics_workspace.this.id

  dynamic "enabled_log" {
    for_each = toset(each.value.log_groups)
    content {
      category_group = enabled_log.value
    }
  }

  dynamic "enabled_log" {
    for_each = toset(each.value.log_categories)
    content {
      category = enabled_log.value
    }
  }

  dynamic "enabled_metric" {
    for_each = toset(each.value.metrics)
    content {
      category = enabled_metric.value
    }
  }
}

# ---------------------------------------------------------------------------
# Alerts
# ---------------------------------------------------------------------------

# Throttling: the namespace is out of throughput units (or processing units).
resource "azurerm_monitor_metric_alert" "throttled_requests" {
  name                = "${var.names.log_analytics}-eventhubs-throttled"
  resource_group_name = var.resource_group_name
  scopes              = [var.eventhub_namespace_id]
  description         = "Event Hubs is throttling requests: raise capacity or enable auto-inflate."
  severity            = 2
  frequency           = "PT5M"
  window_size         = "PT15M"
  auto_mitigate       = true
  tags                = var.tags

  criteria {
    metric_namespace = "Microsoft.EventHub/namespaces"
    metric_name      = "ThrottledRequests"
    aggregation      = "Total"
    operator         = "GreaterThan"
    threshold        = var.throttled_requests_threshold
  }

  action {
    action_group_id = azurerm_monitor_action_group.this.id
  }
}

# Stalled consumers, per hub: events keep arriving but nothing reads them.
resource "azurerm_monitor_metric_alert" "consumers_stalled" {
  name                = "${var.names.log_analytics}-eventhubs-consumers-stalled"
  resource_group_name = var.resource_group_name
  scopes              = [var.eventhub_namespace_id]
  description         = "A hub receives messages but none are read: the bronze stream is down or stuck."
  severity            = 1
  frequency           = "PT5M"
  window_size         = "PT15M"
  auto_mitigate       = true
  tags                = var.tags

  criteria {
    metric_namespace = "Microsoft.EventHub/namespaces"
    metric_name      = "IncomingMessages"
    aggregation      = "Total"
    operator         = "GreaterThan"
    threshold        = 0

    dimension {
      name     = "EntityName"
      operator = "Include"
      values   = ["*"]
    }
  }

  criteria {
    metric_namespace = "Microsoft.EventHub/namespaces"
    metric_name      = "OutgoingMessages"
    aggregation      = "Total"
    operator         = "LessThan"
    threshold        = 1

    dimension {
      name     = "EntityName"
      operator = "Include"
      values   = ["*"]
    }
  }

  action {
    action_group_id = azurerm_monitor_action_group.this.id
  }
}

# Consumer lag: incoming minus outgoing messages, from the metrics the diagnostic setting exports.
resource "azurerm_monitor_scheduled_query_rules_alert_v2" "consumer_gap" {
  name                    = "${var.names.log_analytics}-eventhubs-consumer-gap"
  resource_group_name     = var.resource_group_name
  location                = var.location
  description             = "Incoming minus outgoing Event Hubs messages stays above the threshold: consumers are falling behind."
  severity                = 2
  evaluation_frequency    = "PT5M"
  window_duration         = "PT15M"
  scopes                  = [azurerm_log_analytics_workspace.this.id]
  auto_mitigation_enabled = true
  tags                    = var.tags

  criteria {
    query                   = <<-KQL
      AzureMetrics
      | where ResourceId =~ "${var.eventhub_namespace_id}"
      | where MetricName in ("IncomingMessages", "OutgoingMessages")
      | summarize incoming = sumif(Total, MetricName == "IncomingMessages"),
                  outgoing = sumif(Total, MetricName == "OutgoingMessages")
                  by bin(TimeGenerated, 5m)
      | extend gap = incoming - outgoing
    KQL
    time_aggregation_method = "Total"
    metric_measure_column   = "gap"
    operator                = "GreaterThan"
    threshold               = var.consumer_gap_threshold

    failing_periods {
      minimum_failing_periods_to_trigger_alert = 2
      number_of_evaluation_periods             = 3
    }
  }

  action {
    action_groups = [azurerm_monitor_action_group.this.id]
  }

  depends_on = [azurerm_monitor_diagnostic_setting.this]
}

# A lakestream layer is stuck or losing rows: `lakestream status --telemetry otlp` exports the gauge
# lakestream.layer.verdict (0 ok, 1 lagging, 2 stuck, 3 losing) per layer, which the OpenTelemetry
# collector sends to this workspace's AppMetrics table.
resource "azurerm_monitor_scheduled_query_rules_alert_v2" "layer_unhealthy" {
  name                    = "${var.names.log_analytics}-lakestream-layer-unhealthy"
  resource_group_name     = var.resource_group_name
  location                = var.location
  description             = "lakestream status reports a layer at or above the alert verdict (2 stuck, 3 losing): run `lakestream status` and see docs/operations.md, lost, slow or stuck."
  severity                = 1
  evaluation_frequency    = "PT5M"
  window_duration         = "PT15M"
  scopes                  = [azurerm_log_analytics_workspace.this.id]
  auto_mitigation_enabled = true
  tags                    = var.tags

  criteria {
    query                   = <<-KQL
      AppMetrics
      | where Name == "lakestream.layer.verdict"
      | extend layer = tostring(Properties["layer"])
      | summarize verdict = max(Max) by layer, bin(TimeGenerated, 5m)
    KQL
    time_aggregation_method = "Maximum"
    metric_measure_column   = "verdict"
    operator                = "GreaterThanOrEqual"
    threshold               = var.layer_alert_verdict

    dimension {
      name     = "layer"
      operator = "Include"
      values   = ["*"]
    }

    failing_periods {
      minimum_failing_periods_to_trigger_alert = 2
      number_of_evaluation_periods             = 3
    }
  }

  action {
    action_groups = [azurerm_monitor_action_group.this.id]
  }
}

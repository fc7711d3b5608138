output "log_analytics_workspace_id" {
  description = "Log Analytics workspace resource ID."
  value       = azurerm_log_analytics_workspace.this.id
}

output "log_analytics_workspace_guid" {
  description = "Log Analytics workspace (customer) ID, for agents and OpenTelemetry exporters."
  value       = azurerm_log_analytics_workspace.this.workspace_id
}

output "action_group_id" {
  description = "Action group that receives the lakestream alerts."
  value       = azurerm_monitor_action_group.this.id
}

output "alert_ids" {
  description = "Alert rule IDs."
  value = {
    throttled_requests = azurerm_monitor_metric_alert.throttled_requests.id
    consumers_stalled  = azurerm_monitor_metric_alert.consumers_stalled.id
    consumer_gap       = azurerm_monitor_scheduled_query_rules_alert_v2.consumer_gap.id
    layer_unhealthy    = azurerm_monitor_scheduled_query_rules_alert_v2.layer_unhealthy.id
  }
}

output "namespace_id" {
  description = "Event Hubs namespace resource ID."
  value       = azurerm_eventhub_namespace.this.id
}

output "namespace_name" {
  description = "Event Hubs namespace name."
  value       = azurerm_eventhub_namespace.this.name
}

output "namespace_fqdn" {
  description = "Fully qualified namespace (what azure-eventhub's fully_qualified_namespace takes)."
  value       = "${azurerm_eventhub_namespace.this.name}.servicebus.windows.net"
}

output "kafka_bootstrap_servers" {
  description = "Kafka endpoint of the namespace (for Spark's Kafka source on Databricks)."
  value       = "${azurerm_eventhub_namespace.this.name}.servicebus.windows.net:9093"
}

output "namespace_principal_id" {
  description = "Principal ID of the namespace's system-assigned identity (used by Capture)."
  value       = azurerm_eventhub_namespace.this.identity[0].principal_id
}

output "hub_ids" {
  description = "Hub resource IDs by hub name."
  value       = { for name, h in azurerm_eventhub.this : name => h.id }
}

output "hub_names" {
  description = "Hub names."
  value       = sort(keys(azurerm_eventhub.this))
}

output "consumer_groups" {
  description = "Consumer groups by \"<hub>/<service>\": hub and consumer group name."
  value = {
    for k, cg in azurerm_eventhub_consumer_group.this : k => {
      hub  = cg.eventhub_name
      name = cg.name
    }
  }
}

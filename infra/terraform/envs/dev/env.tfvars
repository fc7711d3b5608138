# dev: small and cheap, short retention; the DLQ replayer may republish.
environment   = "dev"
address_space = ["10.40.0.0/16"]

eventhubs = {
  capacity                 = 1
  maximum_throughput_units = 4
  message_retention_days   = 3
  shared_hub_partitions    = 4
}

replay_republish_enabled = true

storage = {
  replication_type = "ZRS"
  soft_delete_days = 7
  lifecycle_days = {
    landing_delete = 90
  }
}

monitoring = {
  retention_in_days = 30
  daily_quota_gb    = 2
}

cluster_policy = {
  node_types  = ["Standard_D4ds_v5", "Standard_E4ds_v5"]
  max_workers = 2
}

# prod: auto-inflate, 7-day retention, 16 partitions on the shared hub, geo-zone-redundant
# storage, 90 days of logs; no republishing to the front door until a team needs it.
environment   = "prod"
address_space = ["10.41.0.0/16"]

eventhubs = {
  sku                      = "Standard" # "Premium" for isolation, >7-day retention, larger messages
  capacity                 = 2
  auto_inflate_enabled     = true
  maximum_throughput_units = 10
  message_retention_days   = 7
  shared_hub_partitions    = 16
  capture_enabled          = false
}

replay_republish_enabled = false

storage = {
  replication_type = "GZRS"
  soft_delete_days = 30
  lifecycle_days = {
    landing_delete = 365
  }
}

monitoring = {
  retention_in_days      = 90
  daily_quota_gb         = -1
  consumer_gap_threshold = 50000
}

cluster_policy = {
  node_types  = ["Standard_D4ds_v5", "Standard_D8ds_v5", "Standard_E4ds_v5", "Standard_E8ds_v5"]
  max_workers = 8
}

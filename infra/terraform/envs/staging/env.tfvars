# staging: prod's topology (partitions, auto-inflate, retention) at a smaller size, so that a
# release is proven against the shape it will meet in prod. Data Sender on the hubs for the
# deployment self-test (docs/deploy.md).
environment      = "staging"
environment_code = "stg" # Azure names: rg-lakestream-stg-weu, stlakestreamstg<sfx>, kv-lakestream-stg-<sfx>
address_space    = ["10.42.0.0/16"]

eventhubs = {
  capacity                 = 1
  auto_inflate_enabled     = true
  maximum_throughput_units = 4
  message_retention_days   = 7
  shared_hub_partitions    = 16
}

replay_republish_enabled = true

storage = {
  replication_type = "ZRS"
  soft_delete_days = 14
  lifecycle_days = {
    landing_delete = 90
  }
}

monitoring = {
  retention_in_days = 30
  daily_quota_gb    = 5
}

cluster_policy = {
  max_workers = 4
}

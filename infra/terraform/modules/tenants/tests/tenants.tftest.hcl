# Offline tests of the tenant derivation (the module has no providers).
# Paths are relative to the module directory, where `terraform test` runs.

run "basic_shared_and_dedicated" {
  command = plan

  variables {
    config_dir = "tests/fixtures/basic"
  }

  assert {
    condition     = jsonencode(output.tenant_ids) == jsonencode(["acme", "globex", "initech"])
    error_message = "Expected acme, globex, initech (and _template.yml ignored), got ${jsonencode(output.tenant_ids)}."
  }
  assert {
    condition     = jsonencode(output.hubs) == jsonencode(["events", "events-globex"])
    error_message = "Expected the shared hub plus one dedicated hub for globex, got ${jsonencode(output.hubs)}."
  }
  assert {
    condition     = output.dedicated_hubs["events-globex"].partitions == 8 && output.dedicated_hubs["events-globex"].tenant_id == "globex"
    error_message = "globex's dedicated hub must have the 8 partitions its YAML asks for."
  }
  assert {
    condition     = output.tenants["initech"].dedicated_hub == false && output.tenants["initech"].hub == "events" && output.tenants["initech"].partitions == null
    error_message = "initech asks for no dedicated hub: it must use the shared hub, and its partitions are ignored."
  }
  assert {
    condition = toset(keys(output.consumer_groups)) == toset([
      "events/bronze", "events/replay", "events-globex/bronze", "events-globex/replay",
    ])
    error_message = "One consumer group per consuming service on every hub, got ${jsonencode(keys(output.consumer_groups))}."
  }
  assert {
    condition     = output.consumer_groups["events-globex/bronze"].tenant_id == "globex" && output.consumer_groups["events/bronze"].tenant_id == null
    error_message = "Consumer groups of a dedicated hub belong to its tenant; the shared hub's belong to no tenant."
  }
  assert {
    condition = alltrue(flatten([
      for id, t in output.tenant_consumer_groups : [for k in t.keys : contains(keys(output.consumer_groups), k)]
    ]))
    error_message = "Every tenant's consumer groups must exist."
  }
  assert {
    condition     = output.tenant_consumer_groups["globex"].hub == "events-globex" && output.tenant_consumer_groups["acme"].hub == "events"
    error_message = "Tenants must be read from their own hub."
  }
  assert {
    condition     = output.storage_prefixes["acme"].landing == "acme/" && output.storage_prefixes["acme"].bronze == "events/tenant_id=acme/"
    error_message = "Unexpected storage prefixes for acme: ${jsonencode(output.storage_prefixes["acme"])}."
  }
  assert {
    condition     = jsonencode(output.storage_prefixes["initech"].silver) == jsonencode(["temp_humidity/tenant_id=initech/"])
    error_message = "Silver prefixes follow the tenant's allowed event types."
  }
  assert {
    condition     = jsonencode(output.landing_directories) == jsonencode({ acme = "acme", globex = "globex", initech = "initech" })
    error_message = "Every tenant gets a landing directory."
  }
  assert {
    condition     = jsonencode(output.tenants["acme"].devices) == jsonencode(["th-acme-001", "th-acme-002"]) && length(output.tenants["globex"].devices) == 0
    error_message = "devices is optional and defaults to an empty list."
  }
}

run "adding_a_tenant_file_adds_its_hub_and_groups" {
  command = plan

  variables {
    config_dir = "tests/fixtures/extra"
  }

  assert {
    condition     = contains(output.tenant_ids, "umbrella") && contains(output.hubs, "events-umbrella")
    error_message = "A new tenant file asking for a dedicated hub must add that hub."
  }
  assert {
    condition     = output.dedicated_hubs["events-umbrella"].partitions == 4
    error_message = "A dedicated hub without ingestion.partitions gets default_dedicated_partitions (4)."
  }
  assert {
    condition     = contains(keys(output.consumer_groups), "events-umbrella/bronze") && contains(keys(output.consumer_groups), "events-umbrella/replay")
    error_message = "The new dedicated hub must get a consumer group per consuming service."
  }
  assert {
    condition     = length(output.consumer_groups) == 6
    error_message = "3 hubs x 2 services = 6 consumer groups."
  }
}

run "custom_services_and_names" {
  command = plan

  variables {
    config_dir           = "tests/fixtures/basic"
    shared_hub_name      = "ingest"
    dedicated_hub_prefix = "t-"
    consuming_services   = ["bronze"]
  }

  assert {
    condition     = jsonencode(output.hubs) == jsonencode(["ingest", "t-globex"]) && toset(keys(output.consumer_groups)) == toset(["ingest/bronze", "t-globex/bronze"])
    error_message = "Hub names and consuming services must follow the variables."
  }
}

run "rejects_empty_directory" {
  command = plan

  variables {
    config_dir = "tests/fixtures/empty"
  }

  expect_failures = [output.tenants]
}

run "rejects_invalid_tenant_id" {
  command = plan

  variables {
    config_dir = "tests/fixtures/bad_id"
  }

  expect_failures = [output.tenants]
}

run "rejects_out_of_range_partitions" {
  command = plan

  variables {
    config_dir = "tests/fixtures/bad_partitions"
  }

  expect_failures = [output.tenants]
}

run "rejects_file_name_not_matching_tenant_id" {
  command = plan

  variables {
    config_dir = "tests/fixtures/mismatch"
  }

  expect_failures = [output.tenants]
}

run "rejects_tenant_without_event_types" {
  command = plan

  variables {
    config_dir = "tests/fixtures/no_event_types"
  }

  expect_failures = [output.tenants]
}

run "rejects_bad_consuming_service_name" {
  command = plan

  variables {
    config_dir         = "tests/fixtures/basic"
    consuming_services = ["Bronze Service"]
  }

  expect_failures = [var.consuming_services]
}

run "rejects_out_of_range_default_partitions" {
  command = plan

  variables {
    config_dir                   = "tests/fixtures/basic"
    default_dedicated_partitions = 0
  }

  expect_failures = [var.default_dedicated_partitions]
}

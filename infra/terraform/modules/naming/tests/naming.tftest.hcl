# Offline: the naming module has no providers, so `terraform test` needs no downloads.

variables {
  environment = "dev"
  location    = "West Europe"
}

run "dev_west_europe_names" {
  command = plan

  assert {
    condition     = output.region == "westeurope" && output.region_code == "weu"
    error_message = "Display-name regions must normalise to westeurope/weu."
  }
  assert {
    condition     = output.names.resource_group == "rg-lakestream-dev-weu"
    error_message = "Unexpected resource group name: ${output.names.resource_group}."
  }
  assert {
    condition     = output.names.storage_account == "stlakestreamdev"
    error_message = "Unexpected storage account name: ${output.names.storage_account}."
  }
  assert {
    condition     = output.names.eventhub_namespace == "evhns-lakestream-dev-weu"
    error_message = "Unexpected Event Hubs namespace name: ${output.names.eventhub_namespace}."
  }
  assert {
    condition     = output.names.uc_catalog == "lakestream_dev" && output.names.secret_scope == replace(output.names.uc_catalog, "_", "-")
    error_message = "Unity Catalog catalog / secret scope names are wrong."
  }
  assert {
    condition     = output.tags.environment == "dev" && output.tags.managed_by == "terraform"
    error_message = "Standard tags are missing."
  }
}

run "longest_allowed_names_fit_azure_limits" {
  command = plan

  variables {
    project     = "abcdefghij"
    environment = "prod"
    location    = "germanywestcentral"
    suffix      = "x9y8z"
  }

  assert {
    condition     = length(output.names.storage_account) <= 24 && length(output.names.key_vault) <= 24
    error_message = "Globally unique names exceed 24 characters."
  }
  assert {
    condition     = output.names.storage_account == "stabcdefghijprodx9y8z"
    error_message = "Suffix must be appended to the storage account name: ${output.names.storage_account}."
  }
  assert {
    condition     = output.names.key_vault == "kv-abcdefghij-prod-x9y8z"
    error_message = "Unexpected Key Vault name: ${output.names.key_vault}."
  }
  assert {
    condition     = output.names.eventhub_namespace == "evhns-abcdefghij-prod-gwc-x9y8z"
    error_message = "Unexpected namespace name: ${output.names.eventhub_namespace}."
  }
  assert {
    condition     = length(output.names.action_group_short) <= 12
    error_message = "Action group short name too long."
  }
}

run "unknown_region_falls_back_to_full_name" {
  command = plan

  variables {
    location = "polandcentral"
  }

  assert {
    condition     = output.region_code == "polandcentral" && output.names.databricks_workspace == "dbw-lakestream-dev-polandcentral"
    error_message = "Unknown regions must fall back to their programmatic name."
  }
}

run "rejects_uppercase_environment" {
  command = plan

  variables {
    environment = "Prod"
  }

  expect_failures = [var.environment]
}

run "staging_uses_its_code_in_azure_names_and_its_name_in_databricks" {
  command = plan

  variables {
    environment      = "staging"
    environment_code = "stg"
    suffix           = "x9y8z"
  }

  assert {
    condition     = output.names.resource_group == "rg-lakestream-stg-weu" && output.names.storage_account == "stlakestreamstgx9y8z" && output.names.key_vault == "kv-lakestream-stg-x9y8z"
    error_message = "Azure names must carry the environment code: ${output.names.resource_group}, ${output.names.storage_account}, ${output.names.key_vault}."
  }
  assert {
    condition     = output.names.uc_catalog == "lakestream_staging" && output.names.secret_scope == replace(output.names.uc_catalog, "_", "-") && output.names.cluster_policy == "lakestream-staging-streaming" && output.names.job_application == "lakestream-staging-jobs"
    error_message = "Databricks and Entra names must carry the environment name the bundles look up."
  }
  assert {
    condition     = output.tags.environment == "staging"
    error_message = "The environment tag is the environment name."
  }
}

run "rejects_long_environment_without_a_code" {
  command = plan

  variables {
    environment = "staging"
  }

  expect_failures = [var.environment_code]
}

run "rejects_long_environment_code" {
  command = plan

  variables {
    environment      = "staging"
    environment_code = "stage"
  }

  expect_failures = [var.environment_code]
}

run "rejects_environment_over_ten_chars" {
  command = plan

  variables {
    environment      = "preproduction"
    environment_code = "pre"
  }

  expect_failures = [var.environment]
}

run "rejects_bad_suffix" {
  command = plan

  variables {
    suffix = "ABC-1"
  }

  expect_failures = [var.suffix]
}

run "rejects_long_project" {
  command = plan

  variables {
    project = "lakestreamplatform"
  }

  expect_failures = [var.project]
}

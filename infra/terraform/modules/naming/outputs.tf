output "region" {
  description = "Programmatic Azure region name (westeurope)."
  value       = local.region
}

output "region_code" {
  description = "Short region code used in names (weu)."
  value       = local.region_code
}

output "names" {
  description = "Name of every lakestream resource for this environment."
  value       = local.names

  precondition {
    condition     = can(regex("^[a-z0-9]{3,24}$", local.names.storage_account))
    error_message = "Storage account name \"${local.names.storage_account}\" must be 3-24 lowercase letters/digits."
  }
  precondition {
    condition     = can(regex("^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$", local.names.key_vault)) && !strcontains(local.names.key_vault, "--")
    error_message = "Key Vault name \"${local.names.key_vault}\" must be 3-24 chars: letters, digits, single hyphens."
  }
  precondition {
    condition     = can(regex("^[a-zA-Z][a-zA-Z0-9-]{4,48}[a-zA-Z0-9]$", local.names.eventhub_namespace))
    error_message = "Event Hubs namespace name \"${local.names.eventhub_namespace}\" must be 6-50 chars, start with a letter, end with a letter or digit."
  }
  precondition {
    condition     = length(local.names.action_group_short) <= 12
    error_message = "Action group short name \"${local.names.action_group_short}\" must be at most 12 chars."
  }
}

output "tags" {
  description = "Standard tags for every resource."
  value       = local.tags
}

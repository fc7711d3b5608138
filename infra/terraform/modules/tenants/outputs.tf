output "config_dir" {
  description = "Directory the tenant files were read from."
  value       = local.config_dir
}

output "tenant_files" {
  description = "Tenant YAML files that were read."
  value       = local.tenant_files
}

output "tenants" {
  description = "Every onboarded tenant by tenant_id: display name, allowed event types, devices, whether it has a dedicated hub, the hub it sends to and (dedicated only) its partition count."
  value       = local.tenants

  precondition {
    condition     = length(local.tenant_files) > 0
    error_message = "No tenant YAML found in ${local.config_dir}: set config_dir to the repo's config/tenants."
  }
  precondition {
    condition     = length(local.bad_ids) == 0
    error_message = "tenant_id missing or invalid (want ^[a-z][a-z0-9_-]{1,63}$) in: ${join(", ", local.bad_ids)}."
  }
  precondition {
    condition     = length(local.duplicate_ids) == 0
    error_message = "tenant_id declared by more than one file: ${join(", ", local.duplicate_ids)}."
  }
  precondition {
    condition     = length(local.stem_mismatches) == 0
    error_message = "File name must be <tenant_id>.yml; mismatched: ${join(", ", local.stem_mismatches)}."
  }
  precondition {
    condition     = length(local.no_event_types) == 0
    error_message = "allowed_event_types must list at least one event type in: ${join(", ", local.no_event_types)}."
  }
  precondition {
    condition     = length(local.bad_partitions) == 0
    error_message = "ingestion.partitions must be an integer between 1 and 1024 in: ${join(", ", local.bad_partitions)}."
  }
  precondition {
    condition     = length(local.hub_name_clashes) == 0
    error_message = "A dedicated hub name would equal the shared hub name for: ${join(", ", local.hub_name_clashes)}."
  }
}

output "tenant_ids" {
  description = "Sorted tenant ids."
  value       = sort(keys(local.tenants))
}

output "hubs" {
  description = "Every hub to create: the shared hub first, then the dedicated hubs (sorted)."
  value       = local.hubs
}

output "shared_hub" {
  description = "Name of the shared ingestion hub."
  value       = var.shared_hub_name
}

output "dedicated_hubs" {
  description = "Dedicated hubs by hub name: owning tenant_id and partition count."
  value       = local.dedicated_hubs
}

output "consumer_groups" {
  description = "Consumer groups keyed \"<hub>/<service>\": one per consuming service on every hub."
  value       = local.consumer_groups
}

output "tenant_consumer_groups" {
  description = "Per tenant: the hub it is read from and its consumer group for each consuming service."
  value       = local.tenant_consumer_groups
}

output "storage_prefixes" {
  description = "Per tenant: its landing directory and its tenant_id partition prefixes inside each data area."
  value       = local.storage_prefixes
}

output "landing_directories" {
  description = "Per tenant: the directory to create in the landing filesystem."
  value       = local.landing_directories
}

# Tenant derivation: config/tenants/*.yml -> hubs, consumer groups and storage prefixes.
# Adding a tenant YAML changes these outputs (and so the plan) with no Terraform edit.

locals {
  config_dir = var.config_dir != null ? var.config_dir : "${path.module}/../../../../config/tenants"

  # config/README.md: one <tenant_id>.yml per tenant. Files whose name starts with "_" or "."
  # are not tenants (templates, editor files).
  tenant_files = sort([
    for f in fileset(local.config_dir, "*.yml") : f
    if !startswith(f, "_") && !startswith(f, ".")
  ])

  raw = {
    for f in local.tenant_files : f => yamldecode(file("${local.config_dir}/${f}"))
  }

  # Normalised view of every file; missing optional keys get their defaults.
  parsed = [
    for f, doc in local.raw : {
      file                = f
      file_stem           = trimsuffix(f, ".yml")
      tenant_id           = try(tostring(doc.tenant_id), "")
      display_name        = try(tostring(doc.display_name), try(tostring(doc.tenant_id), ""))
      allowed_event_types = try([for t in doc.allowed_event_types : tostring(t)], [])
      devices             = try([for d in doc.devices : tostring(d)], [])
      dedicated_hub       = try(tobool(doc.ingestion.dedicated_hub), false)
      partitions          = try(tonumber(doc.ingestion.partitions), var.default_dedicated_partitions)
    }
  ]

  # Grouping ("...") keeps duplicates visible to the checks instead of failing with an opaque error.
  by_id = { for t in local.parsed : t.tenant_id => t... }

  tenants = {
    for id, group in local.by_id : id => {
      tenant_id           = id
      display_name        = group[0].display_name
      allowed_event_types = group[0].allowed_event_types
      devices             = group[0].devices
      dedicated_hub       = group[0].dedicated_hub
      hub                 = group[0].dedicated_hub ? "${var.dedicated_hub_prefix}${id}" : var.shared_hub_name
      partitions          = group[0].dedicated_hub ? group[0].partitions : null
      source_file         = group[0].file
    }
  }

  dedicated_hubs = {
    for id, t in local.tenants : t.hub => {
      tenant_id  = id
      partitions = t.partitions
    } if t.dedicated_hub
  }

  # Hubs that exist: the shared one always (for every tenant without a dedicated hub, and so that a
  # new tenant can start sending before its YAML asks for isolation), plus one per dedicated tenant.
  hubs = concat([var.shared_hub_name], sort(keys(local.dedicated_hubs)))

  consumer_groups = {
    for pair in setproduct(local.hubs, var.consuming_services) : "${pair[0]}/${pair[1]}" => {
      hub       = pair[0]
      name      = pair[1]
      service   = pair[1]
      tenant_id = pair[0] == var.shared_hub_name ? null : local.dedicated_hubs[pair[0]].tenant_id
    }
  }

  # Where each tenant is read from: its hub and the consumer group of every consuming service.
  tenant_consumer_groups = {
    for id, t in local.tenants : id => {
      hub             = t.hub
      consumer_groups = { for s in var.consuming_services : s => s }
      keys            = [for s in var.consuming_services : "${t.hub}/${s}"]
    }
  }

  # Storage prefixes per tenant. Landing gets a directory per tenant (the files source and any
  # Capture land there); the Delta tables are partitioned by tenant_id, so their prefixes are the
  # partition directories inside each table.
  storage_prefixes = {
    for id, t in local.tenants : id => {
      landing = "${id}/"
      bronze  = "events/tenant_id=${id}/"
      silver  = [for et in t.allowed_event_types : "${et}/tenant_id=${id}/"]
      gold    = "device_minute/tenant_id=${id}/"
      dlq     = "events/tenant_id=${id}/"
    }
  }

  landing_directories = { for id, p in local.storage_prefixes : id => trimsuffix(p.landing, "/") }

  # ---- checks (evaluated by the output preconditions) ----
  # Same rules as `lakestream config validate` (config/README.md).
  bad_ids          = [for t in local.parsed : t.file if !can(regex("^[a-z][a-z0-9_-]{1,63}$", t.tenant_id))]
  duplicate_ids    = [for id, group in local.by_id : id if length(group) > 1]
  stem_mismatches  = [for t in local.parsed : t.file if t.tenant_id != "" && t.file_stem != t.tenant_id]
  no_event_types   = [for t in local.parsed : t.file if length(t.allowed_event_types) == 0]
  bad_partitions   = [for t in local.parsed : t.file if t.dedicated_hub && !(t.partitions >= 1 && t.partitions <= 1024 && floor(t.partitions) == t.partitions)]
  hub_name_clashes = [for t in local.parsed : t.file if t.dedicated_hub && "${var.dedicated_hub_prefix}${t.tenant_id}" == var.shared_hub_name]
}

"""Security properties of the Terraform code, asserted on the parsed HCL (python-hcl2).

These run without the terraform binary and without providers.
"""

from __future__ import annotations

import ipaddress
import itertools
import re
from typing import Any

import pytest
import yaml

from tests.infra._tf import (
    AREAS,
    ENV_NAMES,
    ENVS,
    MODULES,
    REPO_ROOT,
    TF_ROOT,
    Block,
    all_tf_files,
    block,
    blocks,
    env_files,
    env_values,
    load_hcl,
    load_hcl_text,
    module_calls,
    nested_blocks,
    resource,
    resources,
    variables,
)

pytestmark = pytest.mark.infra

PLATFORM = MODULES / "platform"


def _default(module: str, name: str) -> Any:
    return variables(MODULES / module)[name].get("default")


def _optional_default(module: str, variable: str, attribute: str) -> Any:
    """The optional(type, default) default of one attribute of a module's object variable."""
    text = (MODULES / module / "variables.tf").read_text(encoding="utf-8")
    start = text.index(f'variable "{variable}"')
    end = text.index("\nvariable ", start + 1) if "\nvariable " in text[start + 1 :] else len(text)
    match = re.search(rf"^\s*{attribute}\s*=\s*optional\(\w+, (.+)\)\s*$", text[start:end], re.M)
    assert match is not None, f"modules/{module}: {variable}.{attribute} has no optional() default"
    return load_hcl_text(f"value = {match.group(1)}\n")["value"]


def _effective(env: str, variable: str, attribute: str) -> Any:
    """What an environment gets for one attribute of a platform object variable.

    The root passes the object through unchanged: the env's value where its files set the
    attribute, otherwise the platform module's default.
    """
    assert variables(ENVS)[variable]["default"] == {}, f"envs: {variable} must pass through"
    values = env_values(env).get(variable, {})
    if attribute in values:
        return values[attribute]
    return _optional_default("platform", variable, attribute)


# ---------------------------------------------------------------------------
# ADLS Gen2
# ---------------------------------------------------------------------------


def test_storage_account_is_hns_entra_only_tls12_and_private() -> None:
    sa = resource("storage", "azurerm_storage_account", "this")
    assert sa["is_hns_enabled"] is True
    assert sa["shared_access_key_enabled"] is False
    assert sa["default_to_oauth_authentication"] is True
    assert sa["min_tls_version"] == "TLS1_2"
    assert sa["https_traffic_only_enabled"] is True
    assert sa["allow_nested_items_to_be_public"] is False
    assert sa["local_user_enabled"] is False
    assert sa["sftp_enabled"] is False
    assert sa["cross_tenant_replication_enabled"] is False
    assert sa["infrastructure_encryption_enabled"] is True
    rules = block(sa, "network_rules")
    assert rules["default_action"] == "Deny"
    assert "AzureServices" in rules["bypass"]


def test_storage_soft_delete_on_and_versioning_off_as_decided() -> None:
    """Blob versioning cannot be combined with HNS (azurerm refuses it at apply): ADR 0022."""
    props = block(resource("storage", "azurerm_storage_account", "this"), "blob_properties")
    assert props["versioning_enabled"] is False
    assert any((REPO_ROOT / "docs" / "decisions").glob("0022-*.md")), "ADR 0022 missing"
    assert block(props, "delete_retention_policy")["days"] == "${var.soft_delete_days}"
    assert block(props, "container_delete_retention_policy")["days"] == "${var.soft_delete_days}"
    assert _default("storage", "soft_delete_days") >= 7


def test_storage_replication_refuses_lrs() -> None:
    validation = variables(MODULES / "storage")["replication_type"]["validation"][0]
    assert "LRS" not in re.findall(r'"([A-Z]+)"', validation["condition"])
    for env in ENV_NAMES:
        assert _effective(env, "storage", "replication_type") in ("ZRS", "GZRS"), env


def test_every_area_has_its_filesystem() -> None:
    assert tuple(_default("storage", "areas")) == AREAS
    container = resource("storage", "azurerm_storage_container", "area")
    assert container["for_each"] == "${toset(var.areas)}"
    assert container["container_access_type"] == "private"
    assert container["storage_account_id"] == "${azurerm_storage_account.this.id}"
    # The platform does not narrow the list of areas.
    assert "areas" not in module_calls(PLATFORM)["storage"]


def test_lifecycle_tiers_landing_and_bronze_and_keeps_checkpoints() -> None:
    policy = resource("storage", "azurerm_storage_management_policy", "this")
    rules = {r["name"]: r for r in nested_blocks(policy, "rule")}
    landing = block(block(rules["landing-tiering"], "actions"), "base_blob")
    assert block(rules["landing-tiering"], "filters")["prefix_match"] == ["landing/"]
    assert "tier_to_cool_after_days_since_modification_greater_than" in landing
    assert "tier_to_archive_after_days_since_modification_greater_than" in landing

    bronze_rule = rules["bronze-tiering"]
    assert block(bronze_rule, "filters")["prefix_match"] == ["bronze/"]
    bronze = block(block(bronze_rule, "actions"), "base_blob")
    assert "tier_to_cool_after_days_since_modification_greater_than" in bronze
    # Bronze is a live Delta table: never archived, never deleted.
    assert not any("archive" in k or "delete" in k for k in bronze)

    for rule in rules.values():
        actions = block(rule, "actions")
        if "base_blob" in actions:
            prefixes = block(rule, "filters")["prefix_match"]
            assert all(not str(p).startswith("checkpoints") for p in prefixes), rule["name"]
            assert prefixes in (["landing/"], ["bronze/"]), rule["name"]


def test_tenant_landing_directories_follow_the_tenant_config() -> None:
    path = resource("storage", "azurerm_storage_data_lake_gen2_path", "tenant_landing")
    assert path["filesystem_name"] == '${azurerm_storage_container.area["landing"].name}'
    assert module_calls(PLATFORM)["storage"]["tenant_directories"] == (
        "${module.tenants.landing_directories}"
    )


# ---------------------------------------------------------------------------
# Event Hubs
# ---------------------------------------------------------------------------


def test_eventhubs_namespace_secure_defaults() -> None:
    ns = resource("eventhubs", "azurerm_eventhub_namespace", "this")
    assert ns["minimum_tls_version"] == "1.2"
    assert ns["local_authentication_enabled"] == "${var.local_authentication_enabled}"
    assert _default("eventhubs", "local_authentication_enabled") is False
    assert ns["public_network_access_enabled"] == "${var.public_network_access_enabled}"
    assert _default("eventhubs", "public_network_access_enabled") is False
    assert block(ns, "network_rulesets")["default_action"] == "Deny"
    assert _default("eventhubs", "sku") == "Standard"
    assert "Premium" in variables(MODULES / "eventhubs")["sku"]["validation"][0]["condition"]
    assert "var.auto_inflate_enabled" in ns["auto_inflate_enabled"]
    for env in ENV_NAMES:
        assert _effective(env, "eventhubs", "local_authentication_enabled") is False, env
        assert _effective(env, "eventhubs", "public_network_access_enabled") is False, env
        assert _effective(env, "eventhubs", "sku") == "Standard", env


def test_hubs_and_consumer_groups_come_from_the_tenant_derivation() -> None:
    hub = resource("eventhubs", "azurerm_eventhub", "this")
    assert hub["namespace_id"] == "${azurerm_eventhub_namespace.this.id}"
    assert hub["partition_count"] == "${each.value.partitions}"
    assert hub["message_retention"] == "${var.message_retention_days}"
    cg = resource("eventhubs", "azurerm_eventhub_consumer_group", "this")
    assert cg["for_each"] == "${var.consumer_groups}"
    call = module_calls(PLATFORM)["eventhubs"]
    assert call["consumer_groups"] == "${module.tenants.consumer_groups}"
    assert call["hubs"] == "${local.hubs}"
    platform_main = (PLATFORM / "main.tf").read_text(encoding="utf-8")
    assert "module.tenants.dedicated_hubs" in platform_main


def test_capture_and_private_endpoint_are_options() -> None:
    hub = resource("eventhubs", "azurerm_eventhub", "this")
    capture = [d for d in hub["dynamic"] if "capture_description" in d]
    assert capture and capture[0]["capture_description"]["for_each"].startswith("${var.capture")
    pe = resource("eventhubs", "azurerm_private_endpoint", "namespace")
    assert block(pe, "private_service_connection")["subresource_names"] == ["namespace"]


# ---------------------------------------------------------------------------
# Identity: least privilege
# ---------------------------------------------------------------------------

FORBIDDEN_ROLES = {"Owner", "Contributor", "User Access Administrator"}


def _role_assignments() -> list[Block]:
    return [
        b for b in blocks("resource", all_tf_files()) if b.labels[0] == "azurerm_role_assignment"
    ]


def test_role_assignments_live_in_the_identity_module_only() -> None:
    found = _role_assignments()
    assert found, "no role assignments found"
    for ra in found:
        assert ra.path.parent == MODULES / "identity", f"{ra.address} in {ra.path}"


@pytest.mark.parametrize("address", [b.address for b in _role_assignments()])
def test_role_assignment_is_scoped_below_the_subscription(address: str) -> None:
    ra = next(b for b in _role_assignments() if b.address == address).body
    scope = ra["scope"]
    assert "subscription" not in scope.lower(), f"{address} is scoped to a subscription: {scope}"
    assert "resource_group" not in scope.lower(), f"{address} is scoped to a resource group"
    assert scope.startswith("${"), f"{address} has a literal scope {scope}"
    assert ra["role_definition_name"] not in FORBIDDEN_ROLES, address
    assert "role_definition_id" not in ra, f"{address}: use a named, reviewable role"


def test_access_connector_gets_blob_contributor_on_the_filesystems_only() -> None:
    ra = resource("identity", "azurerm_role_assignment", "access_connector_filesystems")
    assert ra["role_definition_name"] == "Storage Blob Data Contributor"
    assert ra["for_each"] == "${var.filesystem_scopes}"
    assert ra["scope"] == "${each.value}"
    scopes = load_hcl(MODULES / "storage" / "outputs.tf")["output"]
    value = next(o["filesystem_scopes"]["value"] for o in scopes if "filesystem_scopes" in o)
    assert "/blobServices/default/containers/" in value
    assert module_calls(PLATFORM)["identity"]["filesystem_scopes"] == (
        "${module.storage.filesystem_scopes}"
    )


def test_job_identity_receives_on_read_hubs_and_sends_only_where_replay_republishes() -> None:
    receiver = resource("identity", "azurerm_role_assignment", "jobs_receiver")
    assert receiver["role_definition_name"] == "Azure Event Hubs Data Receiver"
    assert receiver["for_each"] == "${var.read_hub_ids}"
    sender = resource("identity", "azurerm_role_assignment", "jobs_sender")
    assert sender["role_definition_name"] == "Azure Event Hubs Data Sender"
    assert sender["for_each"] == "${var.republish_hub_ids}"
    assert variables(MODULES / "identity")["republish_hub_ids"]["default"] == {}
    senders = [
        b for b in _role_assignments() if b.body["role_definition_name"].endswith("Data Sender")
    ]
    assert [b.address for b in senders] == ["azurerm_role_assignment.jobs_sender"]
    call = module_calls(PLATFORM)["identity"]
    assert call["republish_hub_ids"] == (
        "${var.replay_republish_enabled ? module.eventhubs.hub_ids : {}}"
    )


def test_key_vault_secrets_user_for_the_secret_scope() -> None:
    for name in ("jobs_secrets_user", "databricks_secrets_user"):
        ra = resource("identity", "azurerm_role_assignment", name)
        assert ra["role_definition_name"] == "Key Vault Secrets User"
        assert ra["scope"] == "${var.key_vault_id}"


def test_key_vault_is_rbac_purge_protected_and_firewalled() -> None:
    kv = resource("keyvault", "azurerm_key_vault", "this")
    assert kv["rbac_authorization_enabled"] is True
    assert kv["purge_protection_enabled"] is True
    assert block(kv, "network_acls")["default_action"] == "Deny"
    for secret in resources("identity", "azurerm_key_vault_secret"):
        assert "expiration_date" in secret.body and "content_type" in secret.body


# ---------------------------------------------------------------------------
# Databricks and Unity Catalog
# ---------------------------------------------------------------------------


def test_databricks_workspace_premium_without_public_ips() -> None:
    ws = resource("databricks", "azurerm_databricks_workspace", "this")
    assert ws["sku"] == "premium"
    assert block(ws, "custom_parameters")["no_public_ip"] is True
    connector = resource("databricks", "azurerm_databricks_access_connector", "this")
    assert block(connector, "identity")["type"] == "SystemAssigned"


def test_unity_catalog_has_an_external_location_per_filesystem() -> None:
    cred = resource("unity_catalog", "databricks_storage_credential", "adls")
    assert block(cred, "azure_managed_identity")["access_connector_id"] == (
        "${var.access_connector_id}"
    )
    loc = resource("unity_catalog", "databricks_external_location", "area")
    assert loc["for_each"] == "${var.storage_urls}"
    # One root for dev, staging and prod.
    call = module_calls(ENVS)["unity_catalog"]
    assert call["storage_urls"] == "${module.platform.storage.urls}"


def test_unity_catalog_policy_and_secret_scope() -> None:
    scope = resource("unity_catalog", "databricks_secret_scope", "this")
    assert block(scope, "keyvault_metadata")["resource_id"] == "${var.key_vault.id}"
    policy = resource("unity_catalog", "databricks_cluster_policy", "streaming")
    definition = policy["definition"]
    assert "SINGLE_USER" in definition and "ON_DEMAND_AZURE" in definition
    assert "{{secrets/" in definition, "credentials must come from the secret scope"


# ---------------------------------------------------------------------------
# Monitoring
# ---------------------------------------------------------------------------


def test_diagnostic_settings_cover_eventhubs_storage_and_workspace() -> None:
    text = (MODULES / "monitoring" / "main.tf").read_text(encoding="utf-8")
    diag = resource("monitoring", "azurerm_monitor_diagnostic_setting", "this")
    assert diag["for_each"] == "${local.diagnostics}"
    for key in ("eventhubs", "storage", "storage_blob", "keyvault", "databricks"):
        assert re.search(rf"^\s*{key}\s*=\s*{{", text, re.M), f"no diagnostic setting for {key}"


def test_alerts_for_consumer_gap_and_throttling() -> None:
    throttled = resource("monitoring", "azurerm_monitor_metric_alert", "throttled_requests")
    assert block(throttled, "criteria")["metric_name"] == "ThrottledRequests"
    stalled = resource("monitoring", "azurerm_monitor_metric_alert", "consumers_stalled")
    assert {c["metric_name"] for c in stalled["criteria"]} == {
        "IncomingMessages",
        "OutgoingMessages",
    }
    gap = resource("monitoring", "azurerm_monitor_scheduled_query_rules_alert_v2", "consumer_gap")
    query = block(gap, "criteria")["query"]
    assert "IncomingMessages" in query and "OutgoingMessages" in query and "gap" in query


def test_alert_on_the_layer_verdict_that_lakestream_status_exports() -> None:
    from lakestream.common.audit.status import Verdict
    from lakestream.common.telemetry import LAYER_VERDICT

    rule = resource(
        "monitoring", "azurerm_monitor_scheduled_query_rules_alert_v2", "layer_unhealthy"
    )
    criteria = block(rule, "criteria")
    assert f'Name == "{LAYER_VERDICT}"' in criteria["query"]
    assert criteria["metric_measure_column"] == "verdict"
    assert criteria["threshold"] == "${var.layer_alert_verdict}"
    assert block(criteria, "dimension")["name"] == "layer"
    default = load_hcl(MODULES / "monitoring" / "variables.tf")
    verdict = next(
        v["layer_alert_verdict"] for v in default["variable"] if "layer_alert_verdict" in v
    )
    assert verdict["default"] == Verdict.STUCK.severity


# ---------------------------------------------------------------------------
# Environments
# ---------------------------------------------------------------------------


def test_envs_are_one_root_and_a_folder_of_values_per_environment() -> None:
    assert sorted(p.name for p in ENVS.iterdir() if p.is_dir()) == sorted(ENV_NAMES)
    for env in ENV_NAMES:
        assert not list((ENVS / env).glob("*.tf")), f"envs/{env} must hold values only"
        assert not any(p.is_symlink() for p in (ENVS / env).iterdir()), f"envs/{env} links"
        for path in env_files(env).values():
            assert path.is_file(), f"{path} missing"


def test_env_root_has_remote_state_and_pinned_providers() -> None:
    doc = load_hcl(ENVS / "versions.tf")
    terraform_block = doc["terraform"][0]
    backend = block(terraform_block, "backend")["azurerm"]
    assert backend["use_azuread_auth"] is True
    # The key comes from <env>/backend.hcl only: init without it fails instead of sharing a state.
    assert "key" not in backend
    providers = block(terraform_block, "required_providers")
    assert providers["azurerm"]["source"] == "hashicorp/azurerm"
    assert providers["azurerm"]["version"].startswith("~> 4.")
    assert providers["azuread"]["version"].startswith("~> 3.")
    assert providers["databricks"]["source"] == "databricks/databricks"
    assert providers["databricks"]["version"].startswith("~> 1.")
    azurerm = next(
        p["azurerm"] for p in load_hcl(ENVS / "providers.tf")["provider"] if "azurerm" in p
    )
    assert azurerm["storage_use_azuread"] is True
    features = block(azurerm, "features")
    assert block(features, "storage")["data_plane_available"] is False


@pytest.mark.parametrize("env", ENV_NAMES)
def test_env_has_its_own_remote_state(env: str) -> None:
    backend = load_hcl(env_files(env)["backend"])
    assert backend == {"key": f"lakestream/{env}.tfstate"}, (
        "an env's backend file sets its key only"
    )


@pytest.mark.parametrize("env", ENV_NAMES)
def test_env_tfvars_example_parses_and_sets_the_required_values(env: str) -> None:
    files = env_files(env)
    committed, example = load_hcl(files["env"]), load_hcl(files["example"])
    # A later -var-file replaces a whole variable: each one is set in one of the two files.
    assert not set(committed) & set(example), f"envs/{env}: set in both files"
    declared = variables(ENVS)
    assert set(committed) | set(example) <= set(declared), f"envs/{env}: undeclared variables"
    required = {name for name, body in declared.items() if "default" not in body}
    values = env_values(env)
    assert required <= set(values), f"envs/{env} misses {sorted(required - set(values))}"
    assert committed["environment"] == env
    assert not (ENVS / env / "terraform.tfvars").exists(), "real tfvars must not be committed"


@pytest.mark.parametrize("env", ENV_NAMES)
def test_env_names_are_the_ones_the_bundles_look_up(env: str) -> None:
    """modules/naming: catalog, scope, policy and job identity carry the environment name."""
    values = env_values(env)
    code = values.get("environment_code") or env
    assert re.fullmatch(r"[a-z][a-z0-9]{1,3}", code), f"envs/{env}: Azure names need a short code"
    naming = load_hcl(MODULES / "naming" / "main.tf")["locals"][0]["names"]
    assert naming["uc_catalog"] == "${var.project}_${var.environment}"
    assert naming["secret_scope"] == "${var.project}-${var.environment}"
    assert naming["cluster_policy"] == "${var.project}-${var.environment}-streaming"
    assert naming["job_application"] == "${var.project}-${var.environment}-jobs"
    for bundle in [
        REPO_ROOT / "databricks.yml",
        *sorted(REPO_ROOT.glob("services/*/databricks.yml")),
    ]:
        target = yaml.safe_load(bundle.read_text(encoding="utf-8"))["targets"][env]["variables"]
        assert target["env"] == env, bundle
        assert target["catalog"] == f"lakestream_{env}", bundle
        assert target["secret_scope"] == f"lakestream-{env}", bundle
        assert target["cluster_policy_id"]["lookup"]["cluster_policy"] == (
            f"lakestream-{env}-streaming"
        ), bundle
        assert target["run_as_service_principal"]["lookup"]["service_principal"] == (
            f"lakestream-{env}-jobs"
        ), bundle


def test_env_address_spaces_do_not_overlap() -> None:
    networks = {
        env: ipaddress.ip_network(cidr)
        for env in ENV_NAMES
        for cidr in env_values(env)["address_space"]
    }
    for a, b in itertools.combinations(networks, 2):
        assert not networks[a].overlaps(networks[b]), f"{a} and {b} overlap"


def test_env_root_outputs_what_the_bundles_need() -> None:
    outputs = {b.labels[0]: b.body for b in blocks("output", [ENVS / "outputs.tf"])}
    for name in (
        "eventhubs",
        "storage",
        "unity_catalog",
        "secret_scope",
        "databricks_host",
        "bundle_variables",
        "lakestream_env",
    ):
        assert name in outputs, f"envs lacks output {name}"
    text = (ENVS / "outputs.tf").read_text(encoding="utf-8")
    for var in ("LAKESTREAM_EVENTHUBS_NAMESPACE", "LAKESTREAM_CATALOG", "LAKESTREAM_SECRET_SCOPE"):
        assert var in text
    assert "LAKESTREAM_ENV                         = var.environment" in text


def test_every_variable_and_output_is_documented() -> None:
    for path in all_tf_files():
        for kind in ("variable", "output"):
            for b in blocks(kind, [path]):
                assert b.body.get("description"), f"{path.relative_to(TF_ROOT)}: {kind} {b.address}"
                if kind == "variable":
                    assert "type" in b.body, f"{path.relative_to(TF_ROOT)}: variable {b.address}"


def test_no_shared_key_or_sas_authentication_anywhere() -> None:
    for path in all_tf_files():
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"local_authentication_enabled\s*=\s*true", text), path
        assert not re.search(r"shared_access_key_enabled\s*=\s*true", text), path
        assert "primary_connection_string" not in text, path
        assert "primary_access_key" not in text, path

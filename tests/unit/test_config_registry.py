"""Config registry: the shipped config loads clean, and every error class is reported precisely."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lakestream.common.config import (
    SELFTEST_TENANT,
    ContractVersion,
    FieldSpec,
    FieldType,
    Registry,
    load_registry,
    validate_config,
)
from lakestream.common.errors import ConfigError, Problem

SHIPPED = Path(__file__).resolve().parents[2] / "config"


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """A private copy of the shipped config, to break one thing in."""
    target = tmp_path / "config"
    shutil.copytree(SHIPPED, target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def single_problem(config_dir: Path, file: str, field: str, *words: str) -> Problem:
    """Assert validation finds one problem, at ``file`` / ``field``, mentioning ``words``."""
    problems = validate_config(config_dir)
    assert len(problems) == 1, [p.render() for p in problems]
    problem = problems[0]
    assert problem.file == str(config_dir / file)
    assert problem.field == field
    for word in words:
        assert word in problem.message, problem.render()
    assert problem.hint
    return problem


TH_V1 = "contracts/temp_humidity/v1.yml"
TH_V2 = "contracts/temp_humidity/v2.yml"
RFID = "contracts/rfid_scan/v1.yml"
ACME = "tenants/acme.yml"
PRODUCT = "products/device_minute.yml"


# ---- the shipped configuration ----------------------------------------------------------------


@pytest.mark.unit
def test_shipped_config_is_valid() -> None:
    assert validate_config(SHIPPED) == []


@pytest.mark.unit
def test_a_tenant_file_cannot_take_the_reserved_self_test_id(tmp_path: Path) -> None:
    config = tmp_path / "config"
    shutil.copytree(SHIPPED, config)
    text = (config / "tenants" / "acme.yml").read_text().replace("acme", SELFTEST_TENANT)
    (config / "tenants" / f"{SELFTEST_TENANT}.yml").write_text(text)
    problems = validate_config(config)
    assert [(p.file, p.field) for p in problems] == [
        (str(config / "tenants" / f"{SELFTEST_TENANT}.yml"), "tenant_id")
    ]
    assert "reserved for `lakestream selftest`" in problems[0].message


@pytest.mark.unit
def test_shipped_registry_contents() -> None:
    registry = load_registry(SHIPPED)
    assert sorted(registry.tenants) == ["acme", "globex", "initech", SELFTEST_TENANT]
    assert registry.tenants["globex"].display_name == "Globex Corporation"
    assert registry.event_types() == ["rfid_scan", "temp_humidity"]
    assert sorted(registry.products) == ["device_minute"]
    selftest = registry.tenants[SELFTEST_TENANT]
    assert selftest.allowed_event_types == ["rfid_scan", "temp_humidity"]
    assert selftest.devices is None and not selftest.ingestion.dedicated_hub
    onboarded = [t for t in registry.tenants.values() if t.tenant_id != SELFTEST_TENANT]
    for tenant in onboarded:
        assert tenant.allowed_event_types == ["temp_humidity", "rfid_scan"]
        assert tenant.devices is None
        assert tenant.source_file == SHIPPED / "tenants" / f"{tenant.tenant_id}.yml"
    product = registry.products["device_minute"]
    assert (product.time_column, product.window, product.keys) == (
        "event_time",
        "1 minute",
        ["tenant_id", "device_id"],
    )


@pytest.mark.unit
def test_registry_lookups() -> None:
    registry = load_registry(SHIPPED)
    assert registry.tenant("acme") is registry.tenants["acme"]
    assert registry.tenant("umbrella") is None
    assert registry.versions("temp_humidity") == [1, 2]
    assert registry.versions("door_sensor") == []
    latest = registry.latest("temp_humidity")
    assert latest.version == 2
    assert latest.field_names == [
        "device_id",
        "temperature_c",
        "humidity_pct",
        "battery_pct",
        "firmware_version",
    ]
    assert registry.contract("temp_humidity", 3) is None
    assert registry.contract("door_sensor", 1) is None
    with pytest.raises(KeyError):
        registry.latest("door_sensor")


@pytest.mark.unit
def test_upcast_chain_runs_source_first() -> None:
    registry = load_registry(SHIPPED)
    chain = registry.upcast_chain("temp_humidity", 1)
    assert [c.version for c in chain] == [1, 2]
    assert chain[0].upcast is not None
    assert chain[0].upcast.to_version == 2
    assert chain[0].upcast.set == {"temperature_c": "(temperature_f - 32) * 5 / 9"}
    assert [c.version for c in registry.upcast_chain("temp_humidity", 2)] == [2]
    assert [c.version for c in registry.upcast_chain("rfid_scan", 1)] == [1]
    with pytest.raises(KeyError):
        registry.upcast_chain("temp_humidity", 7)


@pytest.mark.unit
def test_shipped_field_rules() -> None:
    registry = load_registry(SHIPPED)
    v1 = registry.contract("temp_humidity", 1)
    assert v1 is not None
    assert v1.field_names == ["device_id", "temperature_f", "humidity_pct"]
    v2 = registry.latest("temp_humidity")
    temperature = v2.field("temperature_c")
    assert temperature is not None
    assert (temperature.type, temperature.required) == (FieldType.DOUBLE, True)
    assert (temperature.min, temperature.max) == (-60, 80)
    battery = v2.field("battery_pct")
    assert battery is not None
    assert not battery.required
    firmware = v2.field("firmware_version")
    assert firmware is not None
    assert firmware.regex == r"^\d+\.\d+\.\d+$"
    assert v2.field("temperature_f") is None
    rfid = registry.latest("rfid_scan")
    zone, signal, tag = rfid.field("reader_zone"), rfid.field("signal_dbm"), rfid.field("tag_id")
    assert zone is not None
    assert zone.enum == ["dock", "aisle", "exit"]
    assert signal is not None
    assert (signal.type, signal.min, signal.max) == (FieldType.INTEGER, -100, 0)
    assert tag is not None
    assert tag.regex == "^[0-9A-Fa-f]{24}$"


@pytest.mark.unit
def test_models_are_frozen() -> None:
    registry = load_registry(SHIPPED)
    with pytest.raises(ValueError, match="frozen"):
        registry.tenants["acme"].display_name = "x"


@pytest.mark.unit
def test_models_can_be_built_in_python() -> None:
    contract = ContractVersion(
        event_type="door_sensor",
        version=1,
        fields=[FieldSpec(name="open", type=FieldType.BOOLEAN, required=True)],
        source_file=Path("door_sensor/v1.yml"),
    )
    registry = Registry(
        config_dir=Path("x"), tenants={}, contracts={"door_sensor": {1: contract}}, products={}
    )
    assert registry.latest("door_sensor") is contract


@pytest.mark.unit
def test_load_registry_raises_with_every_problem(config: Path) -> None:
    edit(config / ACME, "display_name: ACME Corporation", "display_name: ACME\ncolour: red")
    edit(config / TH_V2, "max: 80", "max: -61")
    with pytest.raises(ConfigError) as caught:
        load_registry(config)
    rendered = [p.render() for p in caught.value.problems]
    assert len(rendered) == 2, rendered
    assert "tenants/acme.yml: colour: unknown key" in str(caught.value)
    assert "v2.yml: fields.temperature_c.max:" in str(caught.value)


# ---- files and YAML ---------------------------------------------------------------------------


@pytest.mark.unit
def test_yaml_syntax_error_reports_line(config: Path) -> None:
    (config / ACME).write_text("tenant_id: acme\ndisplay_name: [ACME\nallowed_event_types: []\n")
    single_problem(config, ACME, "(file)", "YAML syntax error", "line 3")


@pytest.mark.unit
def test_duplicate_yaml_key(config: Path) -> None:
    edit(config / TH_V2, "    min: -60\n", "    min: -60\n    min: -50\n")
    single_problem(config, TH_V2, "(file)", "duplicate key 'min'", "line 14")


@pytest.mark.unit
@pytest.mark.parametrize(
    ("text", "what"), [("- acme\n- globex\n", "a list"), ("", "empty"), ("acme\n", "a str")]
)
def test_file_that_is_not_a_mapping(config: Path, text: str, what: str) -> None:
    (config / ACME).write_text(text)
    single_problem(config, ACME, "(file)", what, "not a mapping")


@pytest.mark.unit
def test_yaml_extension_is_reported(config: Path) -> None:
    (config / ACME).rename(config / "tenants/acme.yaml")
    single_problem(config, "tenants/acme.yaml", "(file)", ".yml")


@pytest.mark.unit
def test_unknown_key(config: Path) -> None:
    edit(config / ACME, "display_name:", "colour: red\ndisplay_name:")
    problem = single_problem(config, ACME, "colour", "unknown key")
    assert "allowed keys: tenant_id, display_name" in problem.hint


@pytest.mark.unit
def test_unknown_key_in_a_field_suggests_the_right_one(config: Path) -> None:
    edit(config / TH_V2, "    required: true\n    min: -60", "    requird: true\n    min: -60")
    problem = single_problem(config, TH_V2, "fields.temperature_c.requird", "unknown key")
    assert "did you mean 'required'" in problem.hint
    assert "name," not in problem.hint


@pytest.mark.unit
def test_missing_required_key(config: Path) -> None:
    edit(config / ACME, "display_name: ACME Corporation\n", "")
    problem = single_problem(config, ACME, "display_name", "missing")
    assert "add 'display_name'" in problem.hint


@pytest.mark.unit
@pytest.mark.parametrize(
    ("file", "old", "new", "field"),
    [
        (ACME, "partitions: 4", "partitions: many", "ingestion.partitions"),
        (ACME, "partitions: 4", "partitions: 0", "ingestion.partitions"),
        (ACME, "dedicated_hub: false", "dedicated_hub: maybe", "ingestion.dedicated_hub"),
        (ACME, "tenant_id: acme", "tenant_id: 42", "tenant_id"),
        (TH_V2, "min: -60", "min: cold", "fields.temperature_c.min"),
        (
            TH_V2,
            "type: double\n    required: true\n    min: -60",
            "type: float",
            "fields.temperature_c.type",
        ),
        (TH_V2, "version: 2", "version: two", "version"),
        (TH_V2, "version: 2", "version: true", "version"),
        (TH_V2, "min: -60", "min: .nan", "fields.temperature_c.min"),
        (
            TH_V2,
            "required: true\n    min: -60",
            "required: 1\n    min: -60",
            "fields.temperature_c.required",
        ),
        (TH_V1, "to_version: 2", "to_version: [2]", "upcast.to_version"),
        (TH_V1, "c: (temperature_f - 32) * 5 / 9", "c: [1, 2]", "upcast.set.temperature_c"),
        (PRODUCT, "keys: [tenant_id, device_id]", "keys: tenant_id", "keys"),
    ],
)
def test_bad_types(config: Path, file: str, old: str, new: str, field: str) -> None:
    edit(config / file, old, new)
    single_problem(config, file, field)


@pytest.mark.unit
def test_field_name_that_yaml_does_not_read_as_a_string(config: Path) -> None:
    edit(config / RFID, "  signal_dbm:", "  yes:")
    problem = single_problem(config, RFID, "fields.True", "not a string")
    assert "quote it" in problem.hint


@pytest.mark.unit
def test_fields_must_be_a_mapping(config: Path) -> None:
    edit(config / RFID, "fields:\n  device_id:", "fields:\n- device_id:")
    edit(config / RFID, "  tag_id:", "- tag_id:")
    edit(config / RFID, "  reader_zone:", "- reader_zone:")
    edit(config / RFID, "  signal_dbm:", "- signal_dbm:")
    single_problem(config, RFID, "fields", "mapping")


@pytest.mark.unit
def test_empty_field_list(config: Path) -> None:
    (config / RFID).write_text("event_type: rfid_scan\nversion: 1\nfields: {}\n")
    single_problem(config, RFID, "fields")


# ---- field rules ------------------------------------------------------------------------------


@pytest.mark.unit
def test_min_above_max(config: Path) -> None:
    edit(config / TH_V2, "min: -60\n    max: 80", "min: 90\n    max: 80")
    problem = single_problem(config, TH_V2, "fields.temperature_c.max", "below min")
    assert "min" in problem.hint


@pytest.mark.unit
def test_min_length_above_max_length(config: Path) -> None:
    edit(config / RFID, "    regex: '^[0-9A-Fa-f]{24}$'", "    min_length: 30\n    max_length: 24")
    single_problem(config, RFID, "fields.tag_id.max_length", "below min_length")


@pytest.mark.unit
def test_regex_that_does_not_compile(config: Path) -> None:
    edit(config / RFID, "'^[0-9A-Fa-f]{24}$'", "'^[0-9A-Fa-f{24}$'")
    single_problem(config, RFID, "fields.tag_id.regex", "'[' without ']' at position 2")


@pytest.mark.unit
def test_regex_with_nested_quantifiers(config: Path) -> None:
    edit(config / RFID, "'^[0-9A-Fa-f]{24}$'", "'^([0-9A-Fa-f]+)+$'")
    problem = single_problem(
        config, RFID, "fields.tag_id.regex", "([0-9A-Fa-f]+)+", "in several ways"
    )
    assert "do not nest repeats" in problem.hint


@pytest.mark.unit
@pytest.mark.parametrize(
    ("new", "bad"),
    [("[dock, 1, exit]", "1"), ("[dock, yes]", "True"), ("[]", "empty")],
)
def test_enum_with_wrong_typed_values(config: Path, new: str, bad: str) -> None:
    edit(config / RFID, "[dock, aisle, exit]", new)
    single_problem(config, RFID, "fields.reader_zone.enum", bad)


@pytest.mark.unit
def test_integer_enum_rejects_decimals(config: Path) -> None:
    edit(config / RFID, "    min: -100\n    max: 0", "    enum: [-50, -60.5]")
    single_problem(config, RFID, "fields.signal_dbm.enum", "-60.5", "not of type integer")


@pytest.mark.unit
def test_format_on_a_non_timestamp_field(config: Path) -> None:
    edit(
        config / TH_V2,
        "    min: 0\n    max: 100\n    description: Relative",
        "    format: yyyy\n    description: Relative",
    )
    problem = single_problem(config, TH_V2, "fields.humidity_pct.format", "does not apply")
    assert "timestamp" in problem.hint


@pytest.mark.unit
@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("    regex: '^\\d+", "    min: 1\n    regex: '^\\d+", "fields.firmware_version.min"),
        (
            "    min: 0\n    max: 100\n    description: Remaining",
            "    regex: '^1$'\n    description: Remaining",
            "fields.battery_pct.regex",
        ),
        (
            "    min: 0\n    max: 100\n    description: Remaining",
            "    max_length: 3\n    description: Remaining",
            "fields.battery_pct.max_length",
        ),
    ],
)
def test_rule_that_does_not_fit_the_type(config: Path, old: str, new: str, field: str) -> None:
    edit(config / TH_V2, old, new)
    single_problem(config, TH_V2, field, "does not apply")


@pytest.mark.unit
@pytest.mark.parametrize(
    ("name", "message"),
    [("event_time", "reserved"), ("Device_ID", "collides"), ("2nd_reading", "not a valid")],
)
def test_bad_field_names(config: Path, name: str, message: str) -> None:
    edit(config / TH_V2, "  battery_pct:", f"  {name}:")
    problems = validate_config(config)
    assert [p.render() for p in problems if message in p.message], [p.render() for p in problems]
    assert all(p.file == str(config / TH_V2) for p in problems)


# ---- tenants ----------------------------------------------------------------------------------


@pytest.mark.unit
def test_duplicate_tenant_ids(config: Path) -> None:
    shutil.copy(config / ACME, config / "tenants/acme-eu.yml")
    problems = validate_config(config)
    assert len(problems) == 2, [p.render() for p in problems]
    assert all(p.file == str(config / "tenants/acme-eu.yml") for p in problems)
    assert all(p.field == "tenant_id" for p in problems)
    duplicate, mismatch = sorted(problems, key=lambda p: "duplicate" not in p.message)
    assert "duplicate tenant_id 'acme'" in duplicate.message
    assert str(config / ACME) in duplicate.message
    assert "does not match the file name" in mismatch.message


@pytest.mark.unit
def test_tenant_file_name_must_match_tenant_id(config: Path) -> None:
    (config / "tenants/globex.yml").rename(config / "tenants/globex-corp.yml")
    problem = single_problem(config, "tenants/globex-corp.yml", "tenant_id", "file name")
    assert "globex.yml" in problem.hint


@pytest.mark.unit
def test_invalid_tenant_id(config: Path) -> None:
    edit(config / ACME, "tenant_id: acme", "tenant_id: ACME Corp")
    single_problem(config, ACME, "tenant_id", "not a valid name")


@pytest.mark.unit
def test_tenant_allows_event_type_without_contract(config: Path) -> None:
    edit(config / ACME, "[temp_humidity, rfid_scan]", "[temp_humidity, rfid_scan, door_sensor]")
    problem = single_problem(config, ACME, "allowed_event_types[2]", "door_sensor", "no contract")
    assert "contracts/door_sensor/v1.yml" in problem.hint


@pytest.mark.unit
def test_tenant_lists_an_event_type_twice(config: Path) -> None:
    edit(config / ACME, "[temp_humidity, rfid_scan]", "[temp_humidity, temp_humidity]")
    single_problem(config, ACME, "allowed_event_types", "twice")


@pytest.mark.unit
def test_device_registry_is_supported(config: Path) -> None:
    edit(config / ACME, "ingestion:", "devices: [th-acme-001, th-acme-002]\ningestion:")
    registry = load_registry(config)
    assert registry.tenants["acme"].devices == ["th-acme-001", "th-acme-002"]
    assert registry.tenants["globex"].devices is None


@pytest.mark.unit
def test_empty_device_registry(config: Path) -> None:
    edit(config / ACME, "ingestion:", "devices: []\ningestion:")
    single_problem(config, ACME, "devices")


# ---- contracts --------------------------------------------------------------------------------


@pytest.mark.unit
def test_contract_version_must_match_file_name(config: Path) -> None:
    edit(config / RFID, "version: 1", "version: 2")
    problem = single_problem(config, RFID, "version", "does not match the file name")
    assert "v2.yml" in problem.hint


@pytest.mark.unit
def test_contract_event_type_must_match_directory(config: Path) -> None:
    (config / "contracts/rfid_scan").rename(config / "contracts/rfid")
    single_problem(config, "contracts/rfid/v1.yml", "event_type", "directory 'rfid'")


@pytest.mark.unit
def test_contract_file_name_must_be_v_n(config: Path) -> None:
    (config / RFID).rename(config / "contracts/rfid_scan/version1.yml")
    single_problem(config, "contracts/rfid_scan/version1.yml", "(file)", "v<N>.yml")


@pytest.mark.unit
def test_gap_in_version_chain(config: Path) -> None:
    edit(config / TH_V2, "version: 2", "version: 3")
    (config / TH_V2).rename(config / "contracts/temp_humidity/v3.yml")
    problem = single_problem(config, "contracts/temp_humidity/v3.yml", "version", "v2 is missing")
    assert "v2.yml" in problem.hint


@pytest.mark.unit
def test_chain_must_start_at_v1(config: Path) -> None:
    (config / RFID).rename(config / "contracts/rfid_scan/v2.yml")
    edit(config / "contracts/rfid_scan/v2.yml", "version: 1", "version: 2")
    single_problem(config, "contracts/rfid_scan/v2.yml", "version", "v1 is missing")


@pytest.mark.unit
def test_older_version_without_upcast(config: Path) -> None:
    text = (config / TH_V1).read_text()
    (config / TH_V1).write_text(text[: text.index("upcast:")])
    problem = single_problem(config, TH_V1, "upcast", "no upcast")
    assert "to_version: 2" in problem.hint


@pytest.mark.unit
def test_upcast_on_latest_version(config: Path) -> None:
    with (config / RFID).open("a") as file:
        file.write("upcast:\n  to_version: 2\n")
    single_problem(config, RFID, "upcast", "latest")


@pytest.mark.unit
def test_upcast_to_wrong_version(config: Path) -> None:
    edit(config / TH_V1, "to_version: 2", "to_version: 3")
    problem = single_problem(config, TH_V1, "upcast.to_version", "v3", "v2")
    assert "to_version: 2" in problem.hint


@pytest.mark.unit
def test_upcast_sets_a_field_the_target_lacks(config: Path) -> None:
    edit(config / TH_V1, "  set:\n", "  set:\n    temperature_k: temperature_f + 459.67\n")
    problem = single_problem(config, TH_V1, "upcast.set.temperature_k", "not a field of")
    assert "temperature_c" in problem.hint


@pytest.mark.unit
def test_upcast_expression_reads_unknown_field(config: Path) -> None:
    edit(config / TH_V1, "(temperature_f - 32)", "(temp_f - 32)")
    problem = single_problem(config, TH_V1, "upcast.set.temperature_c", "'temp_f'")
    assert "temperature_f" in problem.hint


@pytest.mark.unit
def test_upcast_expression_cannot_be_tokenized(config: Path) -> None:
    edit(config / TH_V1, "temperature_c: (temperature_f - 32) * 5 / 9", 'temperature_c: "\'F"')
    single_problem(config, TH_V1, "upcast.set.temperature_c", "unterminated")


@pytest.mark.unit
def test_upcast_leaves_required_target_field_empty(config: Path) -> None:
    edit(config / TH_V1, "  set:\n    temperature_c: (temperature_f - 32) * 5 / 9\n", "  set: {}\n")
    problem = single_problem(config, TH_V1, "upcast.set", "'temperature_c'", "neither set")
    assert "upcast.set.temperature_c" in problem.hint


@pytest.mark.unit
def test_invalid_event_type_name(config: Path) -> None:
    edit(config / RFID, "event_type: rfid_scan", "event_type: RFID")
    single_problem(config, RFID, "event_type", "not a valid name")


@pytest.mark.unit
def test_broken_contract_does_not_cascade(config: Path) -> None:
    edit(config / TH_V2, "type: double\n    required: true\n    min: -60", "type: float")
    problems = validate_config(config)
    assert [p.field for p in problems] == ["fields.temperature_c.type"]


# ---- products ---------------------------------------------------------------------------------


@pytest.mark.unit
def test_product_source_without_contract(config: Path) -> None:
    edit(config / PRODUCT, "source_event_type: temp_humidity", "source_event_type: door_sensor")
    single_problem(config, PRODUCT, "source_event_type", "no contract")


@pytest.mark.unit
def test_product_key_is_not_a_column(config: Path) -> None:
    edit(config / PRODUCT, "[tenant_id, device_id]", "[tenant_id, sensor_id]")
    problem = single_problem(config, PRODUCT, "keys[1]", "'sensor_id'")
    assert "device_id" in problem.hint


@pytest.mark.unit
def test_product_time_column_is_not_a_column(config: Path) -> None:
    edit(config / PRODUCT, "time_column: event_time", "time_column: received_at")
    single_problem(config, PRODUCT, "time_column", "'received_at'")


@pytest.mark.unit
def test_product_time_column_must_be_a_timestamp(config: Path) -> None:
    edit(config / PRODUCT, "time_column: event_time", "time_column: humidity_pct")
    single_problem(config, PRODUCT, "time_column", "not a timestamp")


@pytest.mark.unit
@pytest.mark.parametrize("window", ["1 fortnight", "0 minutes", "minute", "1minute", "-1 hour"])
def test_invalid_window(config: Path, window: str) -> None:
    edit(config / PRODUCT, "window: 1 minute", f"window: {window}")
    single_problem(config, PRODUCT, "window", "is not")


@pytest.mark.unit
@pytest.mark.parametrize("window", ["30 seconds", "1 second", "5 minutes", "2 hours"])
def test_valid_windows(config: Path, window: str) -> None:
    edit(config / PRODUCT, "window: 1 minute", f"window: {window}")
    assert validate_config(config) == []


@pytest.mark.unit
def test_products_directory_is_optional(config: Path) -> None:
    shutil.rmtree(config / "products")
    assert load_registry(config).products == {}


# ---- directories ------------------------------------------------------------------------------


@pytest.mark.unit
def test_missing_config_dir(tmp_path: Path) -> None:
    single_problem(tmp_path / "nowhere", "", "(directory)", "does not exist")


@pytest.mark.unit
def test_empty_config_dir(tmp_path: Path) -> None:
    problems = validate_config(tmp_path)
    assert [(p.file, p.field) for p in problems] == [
        (str(tmp_path / "tenants"), "(directory)"),
        (str(tmp_path / "contracts"), "(directory)"),
    ]
    assert all("missing" in p.message for p in problems)


@pytest.mark.unit
@pytest.mark.parametrize("directory", ["tenants", "contracts"])
def test_missing_tenants_or_contracts_dir(config: Path, directory: str) -> None:
    shutil.rmtree(config / directory)
    single_problem(config, directory, "(directory)", "missing")


@pytest.mark.unit
def test_empty_tenants_dir(config: Path) -> None:
    for path in (config / "tenants").iterdir():
        path.unlink()
    single_problem(config, "tenants", "(directory)", "holds no")


@pytest.mark.unit
def test_event_type_directory_without_versions(config: Path) -> None:
    (config / "contracts/door_sensor").mkdir()
    single_problem(config, "contracts/door_sensor", "(directory)", "no contract version")

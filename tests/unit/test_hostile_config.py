"""Hostile configuration: every case is refused by ``config validate`` and by every job entry point.

Each case breaks one thing in a copy of the shipped config. Validation must name the file and
the field, give a fix, and not raise; ``lakestream config validate``, ``lakestream run``,
``lakestream-<service>`` and ``lakestream dlq replay`` must exit 1 without a traceback and
without starting Spark.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from lakestream.common.config import validate_config
from lakestream.common.config.loader import MAX_FILE_BYTES
from lakestream.common.jobs.entry import run_service
from lakestream.common.runtime import streaming
from lakestream.dlq_replayer import job as dlq_job
from lakestream.tooling.cli.config_cmd import config_app
from lakestream.tooling.cli.main import app
from lakestream.tooling.cli.process import run_app

SHIPPED = Path(__file__).resolve().parents[2] / "config"
ACME = "tenants/acme.yml"
TH_V1 = "contracts/temp_humidity/v1.yml"
TH_V2 = "contracts/temp_humidity/v2.yml"
RFID = "contracts/rfid_scan/v1.yml"
PRODUCT = "products/device_minute.yml"
TAG = "'^[0-9A-Fa-f]{24}$'"
UPCAST = "(temperature_f - 32) * 5 / 9"

Breaker = Callable[[Path], object]


def write(relative: str, content: str | bytes) -> Breaker:
    def apply(config: Path) -> None:
        path = config / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")

    return apply


def edit(relative: str, old: str, new: str) -> Breaker:
    def apply(config: Path) -> None:
        path = config / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {path}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return apply


def symlink(relative: str, target: str) -> Breaker:
    return lambda config: (config / relative).symlink_to(config / target)


@dataclass(frozen=True)
class Case:
    """One hostile change and the problem it must produce."""

    name: str
    breaker: Breaker
    file: str
    field: str
    words: str

    def __str__(self) -> str:
        return self.name


SHIPPED_ACME = (SHIPPED / ACME).read_text(encoding="utf-8")
CASES = [
    # ---- files and YAML
    Case("syntax", write(ACME, "tenant_id: [acme\n"), ACME, "(file)", "YAML syntax error"),
    Case("tab", write(ACME, "tenant_id: acme\n\tdisplay_name: A\n"), ACME, "(file)", "line 2"),
    Case(
        "dup-key",
        edit(ACME, "tenant_id: acme\n", "tenant_id: acme\ntenant_id: x\n"),
        ACME,
        "(file)",
        "duplicate key 'tenant_id'",
    ),
    Case("empty", write(ACME, ""), ACME, "(file)", "empty, not a mapping"),
    Case("comments-only", write(ACME, "# nothing\n"), ACME, "(file)", "empty, not a mapping"),
    Case("list", write(ACME, "- acme\n"), ACME, "(file)", "a list, not a mapping"),
    Case("scalar", write(ACME, "acme\n"), ACME, "(file)", "a str, not a mapping"),
    Case(
        "two-documents",
        write(ACME, SHIPPED_ACME + "---\nx: 1\n"),
        ACME,
        "(file)",
        "another document",
    ),
    Case(
        "latin-1",
        write(ACME, SHIPPED_ACME.replace("ACME", "ACMÉ").encode("latin-1")),
        ACME,
        "(file)",
        "not UTF-8",
    ),
    Case("utf-16", write(ACME, SHIPPED_ACME.encode("utf-16")), ACME, "(file)", "not UTF-8"),
    Case(
        "nul-byte", write(ACME, b"tenant_id: ac\x00me\n"), ACME, "(file)", "unacceptable character"
    ),
    Case(
        "huge",
        write(ACME, SHIPPED_ACME + "#" * MAX_FILE_BYTES),
        ACME,
        "(file)",
        "more than the 1,048,576 allowed",
    ),
    Case(
        "deep",
        write(ACME, "a: " + "[" * 5000 + "]" * 5000 + "\n"),
        ACME,
        "(file)",
        "nested too deeply",
    ),
    Case(
        "python-tag",
        write(ACME, "tenant_id: !!python/object/apply:os.system [id]\n"),
        ACME,
        "(file)",
        "could not determine a constructor",
    ),
    Case(
        "yaml-extension",
        lambda c: (c / ACME).rename(c / "tenants/acme.yaml"),
        "tenants/acme.yaml",
        "(file)",
        "must end in .yml",
    ),
    Case(
        "symlink-loop",
        symlink("tenants/loop.yml", "tenants/loop.yml"),
        "tenants/loop.yml",
        "(file)",
        "link loop",
    ),
    Case(
        "dangling-symlink",
        symlink("tenants/gone.yml", "tenants/nowhere.yml"),
        "tenants/gone.yml",
        "(file)",
        "symbolic link to nothing",
    ),
    Case(
        "contracts-symlink-loop",
        symlink("contracts/loop", "contracts/loop"),
        "contracts/loop",
        "(file)",
        "link loop",
    ),
    Case(
        "directory-named-yml",
        lambda c: (c / "tenants/dir.yml").mkdir(),
        "tenants/dir.yml",
        "(file)",
        "not a regular file",
    ),
    Case(
        "misnamed-contract",
        lambda c: (c / RFID).rename(c / "contracts/rfid_scan/one.yml"),
        "contracts/rfid_scan/one.yml",
        "(file)",
        "not v<N>.yml",
    ),
    Case(
        "no-versions",
        lambda c: (c / "contracts/empty_type").mkdir(),
        "contracts/empty_type",
        "(directory)",
        "no contract version",
    ),
    # ---- keys and types
    Case(
        "unknown-key",
        edit(ACME, "display_name:", "colour: red\ndisplay_name:"),
        ACME,
        "colour",
        "unknown key",
    ),
    Case(
        "missing-key",
        edit(ACME, "display_name: ACME Corporation\n", ""),
        ACME,
        "display_name",
        "missing",
    ),
    Case(
        "str-for-int",
        edit(ACME, "partitions: 4", "partitions: four"),
        ACME,
        "ingestion.partitions",
        "valid integer",
    ),
    Case(
        "zero-partitions",
        edit(ACME, "partitions: 4", "partitions: 0"),
        ACME,
        "ingestion.partitions",
        "greater than or equal to 1",
    ),
    Case(
        "huge-partitions",
        edit(ACME, "partitions: 4", "partitions: 99999999999999999999"),
        ACME,
        "ingestion.partitions",
        "less than or equal to 1024",
    ),
    Case(
        "yes-for-bool",
        edit(ACME, "dedicated_hub: false", "dedicated_hub: maybe"),
        ACME,
        "ingestion.dedicated_hub",
        "valid boolean",
    ),
    Case(
        "date-for-str",
        edit(ACME, "display_name: ACME Corporation", "display_name: 2024-01-01"),
        ACME,
        "display_name",
        "valid string",
    ),
    Case(
        "list-for-str",
        edit(ACME, "display_name: ACME Corporation", "display_name: [a]"),
        ACME,
        "display_name",
        "valid string",
    ),
    Case(
        "scalar-for-list",
        edit(ACME, "[temp_humidity, rfid_scan]", "temp_humidity"),
        ACME,
        "allowed_event_types",
        "valid list",
    ),
    Case(
        "float-version",
        edit(TH_V2, "version: 2", "version: 2.0"),
        TH_V2,
        "version",
        "valid integer",
    ),
    Case(
        "huge-version",
        edit(TH_V2, "version: 2", "version: 99999999999999999999"),
        TH_V2,
        "version",
        "does not match the file name",
    ),
    Case(
        "nan-min",
        edit(TH_V2, "min: -60", "min: .nan"),
        TH_V2,
        "fields.temperature_c.min",
        "finite number",
    ),
    Case(
        "inf-max",
        edit(TH_V2, "max: 80", "max: .inf"),
        TH_V2,
        "fields.temperature_c.max",
        "finite number",
    ),
    Case(
        "min-above-max",
        edit(TH_V2, "max: 80", "max: -61"),
        TH_V2,
        "fields.temperature_c.max",
        "below min",
    ),
    Case(
        "fields-list",
        edit(RFID, "fields:\n", "fields: []\nx:\n"),
        RFID,
        "fields",
        "must be a mapping",
    ),
    Case(
        "field-name-bool",
        edit(RFID, "  device_id:\n", "  yes:\n"),
        RFID,
        "fields.True",
        "not a string",
    ),
    Case(
        "typo-rule",
        edit(TH_V2, "required: true\n    min: -60", "requird: true\n    min: -60"),
        TH_V2,
        "fields.temperature_c.requird",
        "unknown key",
    ),
    Case(
        "enum-type",
        edit(RFID, "[dock, aisle, exit]", "[dock, 1]"),
        RFID,
        "fields.reader_zone.enum",
        "not of type string",
    ),
    Case(
        "reserved-field",
        edit(RFID, "  tag_id:\n", "  tenant_id:\n"),
        RFID,
        "fields.tenant_id.name",
        "reserved column name",
    ),
    # ---- version chains and upcasts
    Case(
        "gap",
        lambda c: (c / TH_V2).rename(c / "contracts/temp_humidity/v3.yml"),
        "contracts/temp_humidity/v3.yml",
        "version",
        "does not match the file name",
    ),
    Case("no-v1", lambda c: (c / TH_V1).unlink(), TH_V2, "version", "v1 is missing"),
    Case(
        "upcast-backwards",
        edit(TH_V1, "to_version: 2", "to_version: 1"),
        TH_V1,
        "upcast.to_version",
        "greater than or equal to 2",
    ),
    Case(
        "upcast-skips",
        edit(TH_V1, "to_version: 2", "to_version: 3"),
        TH_V1,
        "upcast.to_version",
        "the next version is v2",
    ),
    Case(
        "upcast-missing", edit(TH_V1, "upcast:", "old_upcast:"), TH_V1, "old_upcast", "unknown key"
    ),
    Case(
        "upcast-on-latest",
        edit(TH_V2, "fields:", "upcast: {to_version: 3}\nfields:"),
        TH_V2,
        "upcast",
        "latest version",
    ),
    Case(
        "upcast-reflect",
        edit(TH_V1, UPCAST, "reflect('java.lang.Runtime', 'getRuntime')"),
        TH_V1,
        "upcast.set.temperature_c",
        "calls Java code",
    ),
    Case(
        "upcast-java-method",
        edit(TH_V1, UPCAST, "java_method('java.lang.System', 'exit', 0)"),
        TH_V1,
        "upcast.set.temperature_c",
        "calls Java code",
    ),
    Case(
        "upcast-quoted-reflect",
        edit(TH_V1, UPCAST, '"`reflect`(1, 2)"'),
        TH_V1,
        "upcast.set.temperature_c",
        "calls Java code",
    ),
    Case(
        "upcast-subquery",
        edit(TH_V1, UPCAST, "(SELECT 1 FROM text.`/etc/passwd`)"),
        TH_V1,
        "upcast.set.temperature_c",
        "subqueries",
    ),
    Case(
        "upcast-comment",
        edit(TH_V1, UPCAST, "temperature_f /* ' */"),
        TH_V1,
        "upcast.set.temperature_c",
        "comment",
    ),
    Case(
        "upcast-random",
        edit(TH_V1, UPCAST, "temperature_f * rand()"),
        TH_V1,
        "upcast.set.temperature_c",
        "rand() at position 17 is not allowed",
    ),
    Case(
        "upcast-file",
        edit(TH_V1, UPCAST, "length(input_file_name())"),
        TH_V1,
        "upcast.set.temperature_c",
        "input_file_name() at position 8 is not allowed",
    ),
    Case(
        "upcast-unknown-field",
        edit(TH_V1, UPCAST, "temp_f"),
        TH_V1,
        "upcast.set.temperature_c",
        "reads 'temp_f'",
    ),
    Case(
        "upcast-not-a-string",
        edit(TH_V1, f"c: {UPCAST}", "c: [1]"),
        TH_V1,
        "upcast.set.temperature_c",
        "valid string",
    ),
    # ---- regexes
    Case(
        "regex-nested",
        edit(RFID, TAG, "'^([0-9A-F]+)+$'"),
        RFID,
        "fields.tag_id.regex",
        "in several ways",
    ),
    Case(
        "regex-alternation",
        edit(RFID, TAG, "'^(a|ab)*$'"),
        RFID,
        "fields.tag_id.regex",
        "in several ways",
    ),
    Case(
        "regex-adjacent",
        edit(RFID, TAG, "'^\\d+\\d*$'"),
        RFID,
        "fields.tag_id.regex",
        "can take the same characters",
    ),
    Case(
        "regex-unanchored",
        edit(RFID, TAG, "'[0-9A-F]+x'"),
        RFID,
        "fields.tag_id.regex",
        "unanchored",
    ),
    Case(
        "regex-java-stack",
        edit(RFID, TAG, "'^([0-9A-F]{1,2}:)*$'"),
        RFID,
        "fields.tag_id.regex",
        "overflows its stack",
    ),
    Case(
        "regex-python-only",
        edit(RFID, TAG, "'^(?P<tag>[0-9A-F]{24})$'"),
        RFID,
        "fields.tag_id.regex",
        "group syntax",
    ),
    Case(
        "regex-java-only",
        edit(RFID, TAG, "'^\\p{XDigit}{24}$'"),
        RFID,
        "fields.tag_id.regex",
        "\\p is not supported",
    ),
    Case(
        "regex-brace",
        edit(RFID, TAG, "'^{[0-9A-F]}$'"),
        RFID,
        "fields.tag_id.regex",
        "'{' that is not a repeat count",
    ),
    Case(
        "regex-count",
        edit(RFID, TAG, "'^x{99999999999}$'"),
        RFID,
        "fields.tag_id.regex",
        "above 1000",
    ),
    Case(
        "regex-broken",
        edit(RFID, TAG, "'^[0-9A-F{24}$'"),
        RFID,
        "fields.tag_id.regex",
        "without ']'",
    ),
    Case(
        "regex-on-int",
        edit(RFID, "    max: 0\n", "    max: 0\n    regex: '^1$'\n"),
        RFID,
        "fields.signal_dbm.regex",
        "does not apply",
    ),
    Case(
        "format-week-based",
        edit(
            TH_V2,
            "    type: string\n    regex: '^\\d+\\.\\d+\\.\\d+$'\n",
            "    type: timestamp\n    format: YYYY-ww\n",
        ),
        TH_V2,
        "fields.firmware_version.format",
        "'Y' at position 1 cannot be used for parsing",
    ),
    # ---- references between files
    Case(
        "tenant-unknown-type",
        edit(ACME, "rfid_scan]", "rfid_scans]"),
        ACME,
        "allowed_event_types[1]",
        "has no contract",
    ),
    Case(
        "tenant-file-name",
        edit(ACME, "tenant_id: acme", "tenant_id: acme2"),
        ACME,
        "tenant_id",
        "does not match the file name",
    ),
    Case(
        "tenant-twice",
        write("tenants/acme2.yml", SHIPPED_ACME),
        "tenants/acme2.yml",
        "tenant_id",
        "does not match the file name",
    ),
    Case(
        "product-window",
        edit(PRODUCT, "window: 1 minute", "window: 1 fortnight"),
        PRODUCT,
        "window",
        "is not '<n>",
    ),
    Case(
        "product-window-huge",
        edit(PRODUCT, "window: 1 minute", "window: 99999999999999 hours"),
        PRODUCT,
        "window",
        "is not '<n>",
    ),
    Case(
        "product-window-days",
        edit(PRODUCT, "window: 1 minute", "window: 25 hours"),
        PRODUCT,
        "window",
        "longer than 24 hours",
    ),
    Case(
        "product-key", edit(PRODUCT, "device_id]", "devise_id]"), PRODUCT, "keys[1]", "not a column"
    ),
    Case(
        "product-source",
        edit(PRODUCT, "source_event_type: temp_humidity", "source_event_type: nothing"),
        PRODUCT,
        "source_event_type",
        "has no contract",
    ),
]


@pytest.fixture
def broken(tmp_path: Path, request: pytest.FixtureRequest) -> tuple[Path, Case]:
    case: Case = request.param
    config = tmp_path / "config"
    shutil.copytree(SHIPPED, config)
    case.breaker(config)
    return config, case


@pytest.mark.unit
@pytest.mark.parametrize("broken", CASES, ids=str, indirect=True)
def test_validation_names_file_field_and_fix(broken: tuple[Path, Case]) -> None:
    config, case = broken
    problems = validate_config(config)
    found = [p for p in problems if p.file == str(config / case.file) and p.field == case.field]
    assert found, [p.render() for p in problems]
    assert any(case.words in p.message for p in found), [p.render() for p in found]
    assert all(p.hint for p in problems)


@pytest.fixture
def no_spark(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record any attempt to start Spark instead of starting it."""
    started: list[str] = []

    def refuse(*args: object, **kwargs: object) -> None:
        started.append("spark")
        raise AssertionError("Spark was started")

    monkeypatch.setattr(streaming, "get_spark", refuse)
    monkeypatch.setattr(dlq_job, "get_spark", refuse)
    return started


ENTRY_POINTS: dict[str, Callable[[Path, Path], Callable[[], int]]] = {
    "lakestream run": lambda c, r: (
        lambda: run_app(
            app, ["run", "--layer", "bronze", "--once", "--root", str(r), "--config-dir", str(c)]
        )
    ),
    "lakestream-silver": lambda c, r: (
        lambda: run_service("silver", ["--once", "--root", str(r), "--config-dir", str(c)])
    ),
    "lakestream demo": lambda c, r: (
        lambda: run_app(app, ["demo", "--events", "10", "--root", str(r), "--config-dir", str(c)])
    ),
    "lakestream dlq replay": lambda c, r: (
        lambda: run_app(
            app, ["dlq", "replay", "--dry-run", "--root", str(r), "--config-dir", str(c)]
        )
    ),
    "lakestream-dlq-replay": lambda c, r: (
        lambda: dlq_job.replay_job(
            ["replay", "--dry-run", "--root", str(r), "--config-dir", str(c)]
        )
    ),
}


@pytest.mark.unit
@pytest.mark.parametrize("broken", CASES, ids=str, indirect=True)
@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_entry_points_refuse_before_spark(
    broken: tuple[Path, Case],
    entry: str,
    tmp_path: Path,
    no_spark: list[str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    config, case = broken
    code = ENTRY_POINTS[entry](config, tmp_path / "lake")()
    out, err = capsys.readouterr()
    assert code == 1, out + err
    assert not no_spark
    assert not (tmp_path / "lake").exists()
    assert f"{config / case.file}: {case.field}: " in err, err
    assert "nothing was started" in err
    assert "Traceback" not in out + err


@pytest.mark.unit
@pytest.mark.parametrize("broken", CASES, ids=str, indirect=True)
def test_config_validate_command(broken: tuple[Path, Case]) -> None:
    config, case = broken
    cli = typer.Typer()
    cli.add_typer(config_app, name="config")
    result = CliRunner().invoke(cli, ["config", "validate", "--config-dir", str(config)])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert f"{config / case.file}: {case.field}: " in result.output
    assert "(fix: " in result.output


@pytest.mark.unit
def test_unreadable_directory_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config"
    shutil.copytree(SHIPPED, config)
    locked = config / "contracts/rfid_scan"
    iterdir = Path.iterdir

    def refuse(path: Path) -> Iterator[Path]:
        if path == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return iterdir(path)

    monkeypatch.setattr(Path, "iterdir", refuse)
    problems = validate_config(config)
    assert [(p.file, p.field) for p in problems][:1] == [(str(locked), "(directory)")]
    assert "Permission denied" in problems[0].message

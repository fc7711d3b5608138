"""The self-test workload: valid payloads generated from the contracts, and its ground truth."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from lakestream.common.config import (
    SELFTEST_TENANT,
    ContractVersion,
    FieldSpec,
    FieldType,
    load_registry,
)
from lakestream.common.selftest.workload import UNKNOWN_VERSION, build, sample_payload, sample_value

pytestmark = pytest.mark.unit
SHIPPED = Path(__file__).resolve().parents[2] / "config"
NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "pattern",
    [r"^[0-9A-Fa-f]{24}$", r"^\d+\.\d+\.\d+$", r"^(ab|cd)x?$", r"^[A-Z]{2}-\w{3,5}$", r"z\s\d"],
)
def test_text_samples_match_their_regex(pattern: str) -> None:
    value = sample_value(FieldSpec(name="f", type=FieldType.STRING, regex=pattern), "nope!", NOW)
    assert isinstance(value, str) and re.search(pattern, value), value


def test_samples_respect_enums_bounds_and_lengths() -> None:
    def sample(**rules: object) -> object:
        return sample_value(FieldSpec.model_validate({"name": "f", **rules}), "hint", NOW)

    assert sample(type="string", enum=["dock", "exit"]) == "dock"
    assert sample(type="integer", min=-100, max=0) == -50
    assert sample(type="integer", min=0.2, max=0.8) is None
    assert sample(type="double", min=0) == 1
    assert sample(type="string", min_length=6) == "aaaaaa"
    assert sample(type="string", max_length=3) == "a"
    assert sample(type="boolean") is True
    assert sample(type="timestamp") == "2026-12-07T12:00:00Z"


def test_a_required_field_without_a_sample_skips_that_version() -> None:
    contract = ContractVersion(
        event_type="odd",
        version=1,
        fields=[FieldSpec(name="code", type=FieldType.STRING, required=True, regex="^[^a-z]{3}$")],
        source_file=Path("odd/v1.yml"),
    )
    assert sample_payload(contract, "hint", NOW) == (None, "code")


def test_the_shipped_contracts_give_every_version_and_its_ground_truth() -> None:
    registry = load_registry(SHIPPED)
    workload = build(registry, "r1", NOW, per_version=4)
    bodies = [json.loads(b) for b in workload.bodies]
    assert {b["tenant_id"] for b in bodies} == {SELFTEST_TENANT}
    assert all(b["event_id"].startswith(workload.event_id_prefix) for b in bodies)
    assert {(b["event_type"], b["event_version"]) for b in bodies} == {
        ("temp_humidity", 1),
        ("temp_humidity", 2),
        ("rfid_scan", 1),
        ("rfid_scan", UNKNOWN_VERSION),
    }
    expected = workload.expected
    assert expected.silver == {"temp_humidity": 8, "rfid_scan": 4}
    assert expected.bronze == len(bodies) - 1 == 3 * (4 + 1 + 1)
    assert expected.dlq == {
        ("silver", "CONTRACT_VIOLATION"): 3,
        ("bronze", "UNSUPPORTED_VERSION"): 1,
    }
    assert expected.gold_events == {"device_minute": 8}
    assert workload.gold_keys == {"device_minute": {"device_id": "str1"}}
    assert workload.skipped == {}
    ids = [b["event_id"] for b in bodies]
    assert len(ids) - len(set(ids)) == 3, "one duplicate per event type and version"

"""Silver: dedup on (tenant_id, event_id) within a batch and across batches; violations to DLQ."""

from __future__ import annotations

import pytest

from tests.lake import Lake, event

pytestmark = pytest.mark.spark


def _payload(temp: float) -> dict[str, object]:
    return {"device_id": "th-1", "temperature_c": temp, "humidity_pct": 40}


def test_same_event_id_two_tenants_kept_one_tenant_deduplicated(lake: Lake) -> None:
    lake.land(
        event("e1", payload=_payload(10)),
        event("e1", tenant="globex", payload=_payload(11)),
        event("e1", payload=_payload(25)),
    )
    lake.run("bronze")
    lake.land(event("e1", payload=_payload(77)), event("e2", payload=_payload(12)))
    lake.run("bronze", "silver")

    silver = {(r["tenant_id"], r["event_id"]): r for r in lake.rows("silver/temp_humidity")}
    assert set(silver) == {("acme", "e1"), ("globex", "e1"), ("acme", "e2")}
    assert silver[("acme", "e1")]["temperature_c"] == 10
    assert silver[("globex", "e1")]["temperature_c"] == 11
    [audit] = lake.audit("silver")
    assert (audit["input_rows"], audit["output_rows"], audit["duplicate_rows"]) == (5, 3, 2)


def test_duplicates_across_silver_batches(lake: Lake) -> None:
    lake.land(event("e1", payload=_payload(10)))
    lake.run("bronze", "silver")
    lake.land(event("e1", payload=_payload(20)), event("e3"))
    lake.run("bronze", "silver")
    assert sorted(r["event_id"] for r in lake.rows("silver/temp_humidity")) == ["e1", "e3"]
    second = lake.audit("silver")[-1]
    assert (second["input_rows"], second["output_rows"], second["duplicate_rows"]) == (2, 1, 1)


def test_contract_violation_lists_every_failed_rule(lake: Lake) -> None:
    bad = event("v1", payload={"device_id": "th-1", "temperature_c": "21.5", "humidity_pct": 150})
    lake.land(bad, event("ok"))
    lake.run("bronze", "silver")
    [row] = lake.rows("dlq/events")
    assert row["stage"] == "silver"
    assert row["reason_code"] == "CONTRACT_VIOLATION"
    assert "temperature_c" in row["reason_detail"] and "humidity_pct" in row["reason_detail"]
    bronze = {r["event_id"]: r for r in lake.rows("bronze/events")}
    assert row["raw_body"] == bronze["v1"]["raw_body"]
    assert row["source"] == bronze["v1"]["source"]
    assert [r["event_id"] for r in lake.rows("silver/temp_humidity")] == ["ok"]

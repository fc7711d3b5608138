"""The whole chain on small fixtures: exact rows in bronze, silver, gold, DLQ and audit."""

from __future__ import annotations

import pytest

from tests.lake import Lake, event

pytestmark = pytest.mark.spark


def test_chain_exact_rows(lake: Lake) -> None:
    v1_payload = {"device_id": "th-1", "temperature_f": 32, "humidity_pct": 50}
    v1 = event("e1", version=1, payload=v1_payload)
    v2 = event("e2", event_time="2026-11-25T10:00:50Z")
    scan = event(
        "e3",
        event_type="rfid_scan",
        version=1,
        payload={"device_id": "rf-1", "tag_id": "a" * 24, "reader_zone": "dock", "signal_dbm": -40},
    )
    lake.land(v1, v2, scan, v2)
    lake.run()
    assert lake.count("bronze/events") == 4
    silver = sorted(lake.rows("silver/temp_humidity"), key=lambda r: r["event_id"])
    assert [r["event_id"] for r in silver] == ["e1", "e2"]
    assert silver[0]["temperature_c"] == pytest.approx(0.0)
    assert silver[0]["event_version"] == 1
    assert lake.count("silver/rfid_scan") == 1
    gold = lake.rows("gold/device_minute")
    assert len(gold) == 1
    assert gold[0]["event_count"] == 2
    assert gold[0]["temperature_c_max"] == pytest.approx(21.5)
    [audit] = lake.audit("silver")
    counts = (audit["input_rows"], audit["output_rows"], audit["dlq_rows"], audit["duplicate_rows"])
    assert counts == (4, 3, 0, 1)

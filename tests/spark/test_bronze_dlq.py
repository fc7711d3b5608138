"""Bronze on its own: valid bodies to bronze/events, every bad kind to the DLQ with exact bytes."""

from __future__ import annotations

import pytest

from tests.lake import Lake, encode, event

pytestmark = pytest.mark.spark

BAD = {
    b'\xff\xfe{"event_id":"x"}': "INVALID_JSON",
    b'{"event_id":': "INVALID_JSON",
    b"[1,2,3]": "INVALID_JSON",
    b"": "INVALID_JSON",
    b'{"a":1,"a":2}': "INVALID_JSON",
    encode({k: v for k, v in event("m1").items() if k != "event_id"}): "INVALID_ENVELOPE",
    encode(event("m2", version="2")): "INVALID_ENVELOPE",
    encode(event("m3", event_time="25/11/2026 10:00")): "INVALID_ENVELOPE",
    encode(event("m4", payload=[1])): "INVALID_ENVELOPE",  # type: ignore[arg-type]
    encode(event("m5", tenant="hooli")): "UNKNOWN_TENANT",
    encode(event("m6", event_type="door_open")): "UNKNOWN_EVENT_TYPE",
    encode(event("m7", version=9)): "UNSUPPORTED_VERSION",
}


def test_every_bad_kind_lands_in_the_dlq_with_its_reason_and_exact_bytes(lake: Lake) -> None:
    good = encode(event("ok-1"))
    bodies = [good, *BAD]
    path = lake.land(*bodies)
    lake.run("bronze")

    bronze = lake.rows("bronze/events")
    assert [r["raw_body"] for r in bronze] == [good]
    assert bronze[0]["source"]["line"] == 1
    assert bronze[0]["source"]["file"].endswith(path.name)

    dlq = {r["raw_body"]: r for r in lake.rows("dlq/events")}
    assert set(dlq) == set(BAD)
    for body, reason in BAD.items():
        row = dlq[body]
        assert row["reason_code"] == reason, (body, row["reason_detail"])
        assert row["stage"] == "bronze"
        assert row["reason_detail"]
        assert row["replay_status"] == "pending"
        assert row["replay_attempts"] == 0
        assert row["source"]["line"] == bodies.index(body) + 1
        assert row["failed_at"] is not None
    assert dlq[encode(event("m5", tenant="hooli"))]["tenant_id"] == "hooli"
    assert dlq[b"[1,2,3]"]["tenant_id"] is None


def test_oversized_body_is_payload_too_large_with_bytes_kept(lake: Lake) -> None:
    big = encode(event("big", source_id="x" * (1_048_576 + 10)))
    lake.land(big)
    lake.run("bronze")
    [row] = lake.rows("dlq/events")
    assert row["reason_code"] == "PAYLOAD_TOO_LARGE"
    assert row["raw_body"] == big


def test_bronze_audit_attributes_rows_to_tenants(lake: Lake) -> None:
    lake.land(event("a1"), event("g1", tenant="globex"), event("h1", tenant="hooli"), b"nope")
    lake.run("bronze")
    rows = [r for r in lake.rows("audit/batches") if r["service"] == "bronze"]
    by_tenant = {r["tenant_id"]: r for r in rows}
    assert set(by_tenant) == {None, "acme", "globex", "_unattributed"}
    assert (by_tenant[None]["input_rows"], by_tenant[None]["output_rows"]) == (4, 2)
    assert by_tenant[None]["dlq_rows"] == 2
    assert by_tenant["_unattributed"]["dlq_rows"] == 2
    assert by_tenant["acme"]["output_rows"] == 1
    for row in rows:
        assert row["status"] == "SUCCEEDED"
        assert row["input_rows"] == row["output_rows"] + row["dlq_rows"] + row["duplicate_rows"]
        assert row["event_lag_ms_max"] is not None and row["event_lag_ms_max"] >= 0

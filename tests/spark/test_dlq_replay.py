"""DLQ replay end to end: fix config, replay, see the events in silver and gold, exactly once."""

from __future__ import annotations

import shutil
import threading
from collections import Counter
from pathlib import Path

import pytest
from deltalake import DeltaTable

from lakestream.common.audit import reconcile
from lakestream.common.config import load_registry
from lakestream.dlq_replayer.replay import ReplayReport, replay
from lakestream.dlq_replayer.selection import DlqFilter, read_dlq
from tests.lake import Lake, encode, event

pytestmark = pytest.mark.spark

UMBRELLA = "tenant_id: umbrella\ndisplay_name: Umbrella\nallowed_event_types: [temp_humidity]\n"


def _config_copy(lake: Lake, repo: Path) -> Path:
    config = lake.tmp_path / "config"
    shutil.copytree(repo / "config", config)
    return config


def fixed_config(lake: Lake, repo: Path) -> Path:
    """A config copy that onboards tenant umbrella and raises temperature_c's max from 80 to 90."""
    config = _config_copy(lake, repo)
    (config / "tenants/umbrella.yml").write_text(UMBRELLA)
    contract = config / "contracts/temp_humidity/v2.yml"
    contract.write_text(contract.read_text().replace("max: 80", "max: 90", 1))
    return config


def _reload(lake: Lake, config: Path) -> None:
    lake.registry = load_registry(config)


def _dlq(lake: Lake) -> dict[bytes, dict[str, object]]:
    return {r["raw_body"]: r for r in lake.rows("dlq/events")}


def _versions(lake: Lake, *names: str) -> dict[str, int]:
    return {n: DeltaTable(lake.layout.table(n)).version() for n in names}


def _counts(report: ReplayReport) -> tuple[int, int, int, int]:
    return (
        report.selected,
        report.count("recovered"),
        report.count("failed_again"),
        report.count("duplicate"),
    )


def test_unknown_tenant_onboarded_then_replayed_reaches_gold_once(lake: Lake, repo: Path) -> None:
    umbrella = [
        event("u1", tenant="umbrella", event_time="2026-11-25T10:00:10Z"),
        event("u2", tenant="umbrella", event_time="2026-11-25T10:00:20Z"),
        event("u2", tenant="umbrella", event_time="2026-11-25T10:00:20Z"),
    ]
    garbage = b'{"event_id": "broken'
    lake.land(event("a1"), *umbrella, garbage)
    lake.run("bronze")
    assert Counter(r["reason_code"] for r in lake.rows("dlq/events")) == Counter(
        {"UNKNOWN_TENANT": 3, "INVALID_JSON": 1}
    )

    config = _config_copy(lake, repo)
    (config / "tenants/umbrella.yml").write_text(UMBRELLA)
    _reload(lake, config)

    report = replay(lake.runtime(), DlqFilter())
    assert _counts(report) == (4, 2, 1, 1)
    assert report.failed_by_reason() == Counter({"INVALID_JSON": 1})
    lake.run("silver", "gold")

    bronze_keys = Counter((r["tenant_id"], r["event_id"]) for r in lake.rows("bronze/events"))
    assert bronze_keys == Counter({("acme", "a1"): 1, ("umbrella", "u1"): 1, ("umbrella", "u2"): 1})
    silver = sorted((r["tenant_id"], r["event_id"]) for r in lake.rows("silver/temp_humidity"))
    assert silver == [("acme", "a1"), ("umbrella", "u1"), ("umbrella", "u2")]
    gold = {r["tenant_id"]: r["event_count"] for r in lake.rows("gold/device_minute")}
    assert gold == {"acme": 1, "umbrella": 2}

    dlq = _dlq(lake)
    for body in (encode(b) for b in umbrella):
        row = dlq[body]
        assert (row["replay_status"], row["replay_attempts"]) == ("replayed", 1)
        assert row["reason_code"] == "UNKNOWN_TENANT"
        assert row["last_replay_id"] == report.replay_id
    kept = dlq[garbage]
    assert (kept["replay_status"], kept["replay_attempts"]) == ("failed_again", 1)
    assert kept["reason_code"] == "INVALID_JSON"

    audit = [r for r in lake.rows("audit/batches") if r["service"] == "dlq_replayer"]
    [total] = [r for r in audit if r["tenant_id"] is None]
    assert (total["layer"], total["input_rows"], total["output_rows"]) == ("bronze", 4, 2)
    assert (total["dlq_rows"], total["duplicate_rows"], total["status"]) == (1, 1, "SUCCEEDED")
    per_tenant = {r["tenant_id"]: r for r in audit if r["tenant_id"] is not None}
    assert per_tenant["umbrella"]["output_rows"] == 2
    assert per_tenant["_unattributed"]["dlq_rows"] == 1

    # Replaying again (replayed rows included on purpose) inserts nothing: the event key decides.
    again = replay(lake.runtime(), DlqFilter(statuses=("replayed", "failed_again")))
    assert _counts(again) == (4, 0, 1, 3)
    assert lake.count("bronze/events") == 3
    assert lake.count("silver/temp_humidity") == 3
    assert _dlq(lake)[encode(umbrella[0])]["replay_attempts"] == 2
    assert _dlq(lake)[garbage]["raw_body"] == garbage
    assert reconcile(lake.layout) == []


def test_relaxed_contract_recovers_exactly_the_affected_rows(lake: Lake, repo: Path) -> None:
    hot = {"device_id": "th-1", "temperature_c": 85.0, "humidity_pct": 40}
    wrong_type = {"device_id": "th-1", "temperature_c": "21.5", "humidity_pct": 40}
    bad_bytes = b'\xff\xfe{"event_id":"x"}'
    lake.land(
        event("h1", payload=hot, event_time="2026-11-25T10:01:00Z"),
        event("h2", payload=hot, event_time="2026-11-25T10:01:30Z"),
        event("w1", payload=wrong_type),
        event("ok"),
        bad_bytes,
    )
    lake.run()
    reasons = Counter((r["stage"], r["reason_code"]) for r in lake.rows("dlq/events"))
    assert reasons == Counter({("silver", "CONTRACT_VIOLATION"): 3, ("bronze", "INVALID_JSON"): 1})

    config = _config_copy(lake, repo)
    contract = config / "contracts/temp_humidity/v2.yml"
    contract.write_text(contract.read_text().replace("max: 80", "max: 90", 1))
    _reload(lake, config)

    report = replay(lake.runtime(), DlqFilter())
    assert _counts(report) == (4, 2, 2, 0)
    assert report.failed_by_reason() == Counter({"CONTRACT_VIOLATION": 1, "INVALID_JSON": 1})
    lake.run("silver", "gold")

    silver = {r["event_id"]: r for r in lake.rows("silver/temp_humidity")}
    assert sorted(silver) == ["h1", "h2", "ok"]
    assert silver["h1"]["temperature_c"] == pytest.approx(85.0)
    gold = {r["minute_start"].minute: r for r in lake.rows("gold/device_minute")}
    assert gold[1]["event_count"] == 2
    assert gold[1]["temperature_c_max"] == pytest.approx(85.0)

    dlq = {r["event_id"] or "bytes": r for r in lake.rows("dlq/events")}
    assert dlq["w1"]["replay_status"] == "failed_again"
    assert "temperature_c" in str(dlq["w1"]["reason_detail"])
    assert {dlq["h1"]["replay_status"], dlq["h2"]["replay_status"]} == {"replayed"}
    assert dlq["bytes"]["raw_body"] == bad_bytes
    assert dlq["bytes"]["replay_status"] == "failed_again"
    [silver_audit] = [
        r
        for r in lake.rows("audit/batches")
        if r["service"] == "dlq_replayer" and r["layer"] == "silver" and r["tenant_id"] is None
    ]
    assert (silver_audit["input_rows"], silver_audit["output_rows"]) == (3, 2)
    assert silver_audit["dlq_rows"] == 1
    assert reconcile(lake.layout) == []


def test_dry_run_writes_nothing_and_concurrent_replays_insert_each_event_once(
    lake: Lake, repo: Path
) -> None:
    lake.land(*[event(f"c{i}", tenant="umbrella") for i in range(6)])
    lake.run("bronze")
    config = _config_copy(lake, repo)
    (config / "tenants/umbrella.yml").write_text(UMBRELLA)
    _reload(lake, config)

    tables = ("bronze/events", "dlq/events", "audit/batches")
    before = _versions(lake, *tables)
    dry = replay(lake.runtime(), DlqFilter(), dry_run=True)
    assert _counts(dry) == (6, 6, 0, 0)
    assert _versions(lake, *tables) == before
    assert {r["replay_status"] for r in lake.rows("dlq/events")} == {"pending"}

    reports: list[ReplayReport] = []
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def run() -> None:
        runtime = lake.runtime()
        start.wait()
        try:
            reports.append(replay(runtime, DlqFilter()))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(r.count("recovered") for r in reports) == 6
    assert sum(r.count("duplicate") for r in reports) == sum(r.selected for r in reports) - 6
    bronze = Counter(r["event_id"] for r in lake.rows("bronze/events"))
    assert bronze == Counter({f"c{i}": 1 for i in range(6)})
    selections = Counter(o.dlq_id for r in reports for o in r.outcomes)
    for row in lake.rows("dlq/events"):
        assert row["replay_status"] == "replayed"
        assert row["replay_attempts"] == selections[row["dlq_id"]]


def test_filters_select_exactly_the_matching_rows(lake: Lake) -> None:
    lake.land(
        event("t1", tenant="hooli"),
        event("t2", tenant="hooli", event_type="rfid_scan", version=1),
        event("t3", tenant="acme", version=7),
        event("t4", tenant="acme", payload={"device_id": "th-1"}),
        b"not json",
    )
    lake.run("bronze", "silver")
    layout = lake.layout

    def ids(where: DlqFilter) -> set[str]:
        return {str(r) for r in read_dlq(layout, where).column("event_id").to_pylist()}

    assert ids(DlqFilter(tenant_id="hooli")) == {"t1", "t2"}
    assert ids(DlqFilter(tenant_id="hooli", event_type="rfid_scan")) == {"t2"}
    assert ids(DlqFilter(event_version=7)) == {"t3"}
    assert ids(DlqFilter(stage="silver")) == {"t4"}
    assert ids(DlqFilter(reason_code="UNKNOWN_TENANT")) == {"t1", "t2"}
    assert ids(DlqFilter(reason_code="INVALID_JSON")) == {"None"}
    failed_at = read_dlq(layout).column("failed_at").to_pylist()
    first, last = min(failed_at), max(failed_at)
    assert len(read_dlq(layout, DlqFilter(since=first))) == 5
    assert len(read_dlq(layout, DlqFilter(until=first))) == 0
    assert ids(DlqFilter(since=last, stage="silver")) == {"t4"}
    assert len(read_dlq(layout, DlqFilter(statuses=("replayed",)))) == 0

    report = replay(lake.runtime(), DlqFilter(tenant_id="hooli"), limit=1)
    assert report.selected == 1
    statuses = Counter(r["replay_status"] for r in lake.rows("dlq/events"))
    assert statuses == Counter({"pending": 4, "failed_again": 1})

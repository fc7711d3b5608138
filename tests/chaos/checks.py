"""What must hold in a lake after any number of crashes: the final assertions of the chaos suites.

Tables are read with ``deltalake``, independently of the code under test.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

from lakestream.common.layout import TableLayout
from lakestream.tooling.demo.summary import read_columns
from tests.chaos.workload import Expected

SERVICES = {"bronze": "events", "silver": "events", "gold": "device_minute"}


def rows(layout: TableLayout, name: str, columns: list[str] | None = None) -> list[dict[str, Any]]:
    """A table's rows (empty when the table does not exist)."""
    return read_columns(layout.table(name), columns) or []


def by_tenant_and_type(table: list[dict[str, Any]]) -> Counter[tuple[str, str]]:
    """Row counts per (tenant_id, event_type)."""
    return Counter((r["tenant_id"], r["event_type"]) for r in table)


def conservation(layout: TableLayout, expected: Expected) -> None:
    """Every landed body is in bronze, silver or the DLQ exactly as its fate says."""
    key = ["tenant_id", "event_type"]
    assert by_tenant_and_type(rows(layout, "bronze/events", key)) == expected.bronze
    silver: Counter[tuple[str, str]] = Counter()
    for event_type in ("temp_humidity", "rfid_scan"):
        for r in rows(layout, f"silver/{event_type}", ["tenant_id"]):
            silver[(r["tenant_id"], event_type)] += 1
    assert silver == expected.silver
    dlq = rows(layout, "dlq/events", ["stage", "tenant_id", "event_type"])
    assert sum(1 for r in dlq if r["stage"] == "bronze") == expected.bronze_dlq
    assert by_tenant_and_type([r for r in dlq if r["stage"] == "silver"]) == expected.silver_dlq


def no_duplicate_keys(layout: TableLayout) -> None:
    """No (tenant_id, event_id) twice in any silver table."""
    for event_type in ("temp_humidity", "rfid_scan"):
        keys = Counter(
            (r["tenant_id"], r["event_id"])
            for r in rows(layout, f"silver/{event_type}", ["tenant_id", "event_id"])
        )
        assert [k for k, n in keys.items() if n > 1] == [], f"silver/{event_type}"


def _minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def recompute_gold(silver: list[dict[str, Any]]) -> dict[tuple[Any, ...], dict[str, Any]]:
    """``gold/device_minute`` recomputed from silver rows in plain Python."""
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
    for r in silver:
        groups[(r["tenant_id"], r["device_id"], _minute(r["event_time"]))].append(r)
    gold = {}
    for group_key, members in groups.items():
        temps = [m["temperature_c"] for m in members]
        charged = [m for m in members if m["battery_pct"] is not None]
        last = max(charged, key=lambda m: (m["event_time"], m["event_id"])) if charged else None
        gold[group_key] = {
            "event_count": len(members),
            "temperature_c_min": min(temps),
            "temperature_c_max": max(temps),
            "temperature_c_avg": sum(temps) / len(temps),
            "humidity_pct_avg": sum(m["humidity_pct"] for m in members) / len(members),
            "battery_pct_last": None if last is None else last["battery_pct"],
            "first_event_time": min(m["event_time"] for m in members),
            "last_event_time": max(m["event_time"] for m in members),
        }
    return gold


def gold_matches_silver(layout: TableLayout) -> None:
    """Gold equals a batch recomputation from silver, row for row."""
    expected = recompute_gold(rows(layout, "silver/temp_humidity"))
    found = {
        (r["tenant_id"], r["device_id"], r["minute_start"]): r
        for r in rows(layout, "gold/device_minute")
    }
    assert found.keys() == expected.keys()
    for group_key, want in expected.items():
        got = found[group_key]
        for column, value in want.items():
            if isinstance(value, float):
                assert abs(got[column] - value) <= 1e-9 * max(1.0, abs(value)), (group_key, column)
            else:
                assert got[column] == value, (group_key, column)


def committed_batches(checkpoint: Path) -> set[int]:
    """Batch ids Spark committed in a streaming checkpoint."""
    commits = checkpoint / "commits"
    return (
        {int(p.name) for p in commits.iterdir() if p.name.isdigit()} if commits.exists() else set()
    )


def one_audit_row_per_committed_batch(layout: TableLayout) -> dict[str, int]:
    """Each committed batch has exactly one SUCCEEDED batch-total audit row; returns batches."""
    audit = [
        r
        for r in rows(layout, "audit/batches")
        if r["tenant_id"] is None and r["status"] == "SUCCEEDED"
    ]
    batches = {}
    for service, flow in SERVICES.items():
        ids = Counter(r["batch_id"] for r in audit if r["service"] == service)
        assert [b for b, n in ids.items() if n > 1] == [], f"{service}: audited twice"
        committed = committed_batches(Path(layout.checkpoint(service, flow)))
        assert set(ids) == committed, (
            f"{service}: audited {sorted(ids)} != committed {sorted(committed)}"
        )
        batches[service] = len(committed)
    return batches


def audit_balances(layout: TableLayout, expected: Expected) -> None:
    """Each audit row balances (input = output + dlq + duplicates); bronze saw every body."""
    audit = [r for r in rows(layout, "audit/batches") if r["status"] == "SUCCEEDED"]
    for r in audit:
        assert r["input_rows"] == r["output_rows"] + r["dlq_rows"] + r["duplicate_rows"], r
    bronze_total = sum(
        r["input_rows"] for r in audit if r["service"] == "bronze" and r["tenant_id"] is None
    )
    assert bronze_total == expected.bodies
    silver_duplicates = sum(
        r["duplicate_rows"] for r in audit if r["service"] == "silver" and r["tenant_id"] is None
    )
    assert silver_duplicates == sum(expected.duplicates.values())

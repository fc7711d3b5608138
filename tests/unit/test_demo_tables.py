"""Demo summary, reconciliation and HTML report against small Delta tables written here."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from deltalake import DeltaTable, write_deltalake
from rich.console import Console

from lakestream.common.layout import TableLayout
from lakestream.tooling.demo.report import (
    DLQ_TITLE,
    EVENTS_TITLE,
    LATENCY_TITLE,
    events_per_minute,
    write_report,
)
from lakestream.tooling.demo.summary import (
    TableCounts,
    print_summary,
    read_table_counts,
    reconcile,
    write_summary,
)
from lakestream.tooling.demo.workload import GroundTruth

pytestmark = pytest.mark.unit

EVENT_TYPES = ["rfid_scan", "temp_humidity"]
T0 = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)
TRUTH = GroundTruth(
    total=10,
    valid=6,
    valid_by_event_type={"temp_humidity": 4, "rfid_scan": 2},
    duplicates=1,
    by_reason={"INVALID_JSON": 1, "UNKNOWN_TENANT": 1, "CONTRACT_VIOLATION": 1},
)
TIMESTAMP = pa.timestamp("us", tz="UTC")
AUDIT_SCHEMA = pa.schema(
    [
        ("service", pa.string()),
        ("layer", pa.string()),
        ("run_id", pa.string()),
        ("batch_id", pa.int64()),
        ("tenant_id", pa.string()),
        ("input_rows", pa.int64()),
        ("output_rows", pa.int64()),
        ("dlq_rows", pa.int64()),
        ("duplicate_rows", pa.int64()),
        ("status", pa.string()),
        ("error", pa.string()),
        ("started_at", TIMESTAMP),
        ("finished_at", TIMESTAMP),
        ("latency_ms", pa.int64()),
    ]
)


def _write(path: str, rows: list[dict[str, Any]], schema: pa.Schema) -> None:
    write_deltalake(path, pa.Table.from_pylist(rows, schema=schema), mode="append")


def _audit(
    service: str, batch: int, counts: tuple[int, int, int, int], **extra: Any
) -> dict[str, Any]:
    started = T0 + timedelta(seconds=10 * batch)
    latency = extra.pop("latency_ms", 100)
    row = {
        "service": service,
        "layer": service,
        "run_id": "run-1",
        "batch_id": batch,
        "tenant_id": None,
        "input_rows": counts[0],
        "output_rows": counts[1],
        "dlq_rows": counts[2],
        "duplicate_rows": counts[3],
        "status": "SUCCEEDED",
        "error": None,
        "started_at": started,
        "finished_at": started + timedelta(milliseconds=latency),
        "latency_ms": latency,
    }
    return row | extra


AUDIT_ROWS = [
    _audit("bronze", 0, (6, 5, 1, 0), latency_ms=120),
    _audit("bronze", 0, (4, 4, 0, 0), tenant_id="acme"),
    _audit("bronze", 1, (4, 3, 1, 0), latency_ms=80),
    _audit("silver", 0, (8, 6, 1, 1), latency_ms=300),
    _audit("silver", 0, (8, 6, 1, 1), tenant_id="globex"),
    _audit("silver", 1, (8, 0, 0, 5), status="FAILED", error="boom", latency_ms=10),
    _audit("gold", 0, (4, 3, 0, 0), latency_ms=50),
]


def _strings(*names: str) -> pa.Schema:
    return pa.schema([(name, pa.string()) for name in names])


def _populate(layout: TableLayout, audit_rows: list[dict[str, Any]] = AUDIT_ROWS) -> None:
    bronze = [{"tenant_id": "acme", "event_id": f"b{n}"} for n in range(8)]
    _write(layout.bronze_events, bronze, _strings("tenant_id", "event_id"))
    for event_type, count in TRUTH.valid_by_event_type.items():
        rows = [{"tenant_id": "acme", "event_id": f"{event_type[0]}{n}"} for n in range(count)]
        _write(layout.silver(event_type), rows, _strings("tenant_id", "event_id"))
    gold_schema = pa.schema(
        [
            ("tenant_id", pa.string()),
            ("device_id", pa.string()),
            ("minute_start", TIMESTAMP),
            ("event_count", pa.int64()),
        ]
    )
    gold: list[dict[str, Any]] = [
        {"tenant_id": "acme", "device_id": "th-1", "minute_start": T0, "event_count": 2},
        {"tenant_id": "acme", "device_id": "th-2", "minute_start": T0, "event_count": 1},
        {
            "tenant_id": "globex",
            "device_id": "th-3",
            "minute_start": T0 + timedelta(minutes=1),
            "event_count": 1,
        },
    ]
    _write(layout.gold_device_minute, gold, gold_schema)
    dlq: list[dict[str, Any]] = [
        {"reason_code": "INVALID_JSON", "stage": "bronze", "tenant_id": None},
        {"reason_code": "UNKNOWN_TENANT", "stage": "bronze", "tenant_id": "umbrella"},
        {"reason_code": "CONTRACT_VIOLATION", "stage": "silver", "tenant_id": "acme"},
    ]
    _write(layout.dlq_events, dlq, _strings("reason_code", "stage", "tenant_id"))
    _write(layout.audit_batches, audit_rows, AUDIT_SCHEMA)


@pytest.fixture
def layout(tmp_path: Path) -> TableLayout:
    populated = TableLayout.local(tmp_path / "root")
    _populate(populated)
    return populated


def test_counts_read_from_tables(layout: TableLayout) -> None:
    counts = read_table_counts(layout, EVENT_TYPES)
    assert counts.bronze_rows == 8
    assert counts.silver_rows == {"rfid_scan": 2, "temp_humidity": 4}
    assert counts.gold_rows == 3
    assert counts.dlq_rows == 3
    assert counts.dlq_by_reason == TRUTH.by_reason
    assert counts.duplicates_dropped == 1
    assert counts.audit["bronze"] == {
        "batches": 2,
        "failed_batches": 0,
        "latency_ms_p50": 100.0,
        "latency_ms_max": 120.0,
        "input_rows": 10,
        "output_rows": 8,
        "dlq_rows": 2,
        "duplicate_rows": 0,
    }
    assert counts.audit["silver"]["batches"] == 1
    assert counts.audit["silver"]["failed_batches"] == 1
    assert set(counts.to_dict()) == {
        "bronze_rows",
        "silver_rows",
        "gold_rows",
        "dlq_rows",
        "dlq_by_reason",
        "duplicates_dropped",
        "audit",
    }


def test_matching_tables_reconcile(layout: TableLayout) -> None:
    assert reconcile(TRUTH, read_table_counts(layout, EVENT_TYPES)) == []


def test_deleted_silver_row_is_named(layout: TableLayout) -> None:
    DeltaTable(layout.silver("rfid_scan")).delete("event_id = 'r1'")
    mismatches = reconcile(TRUTH, read_table_counts(layout, EVENT_TYPES))
    assert mismatches == [
        "silver rows (all event types): expected 6, found 5",
        "silver/rfid_scan rows: expected 2, found 1",
    ]


def test_deleted_dlq_row_is_named(layout: TableLayout) -> None:
    DeltaTable(layout.dlq_events).delete("reason_code = 'UNKNOWN_TENANT'")
    mismatches = reconcile(TRUTH, read_table_counts(layout, EVENT_TYPES))
    assert mismatches == [
        "DLQ UNKNOWN_TENANT rows: expected 1, found 0",
        "DLQ rows: expected 3, found 2",
    ]


def test_wrong_duplicate_count_is_named(layout: TableLayout) -> None:
    truth = dataclasses.replace(TRUTH, duplicates=2, valid=5)
    mismatches = reconcile(truth, read_table_counts(layout, EVENT_TYPES))
    assert "duplicates dropped: expected 2, found 1" in mismatches


def test_broken_conservation_is_named(tmp_path: Path) -> None:
    layout = TableLayout.local(tmp_path)
    audit = [row for row in AUDIT_ROWS if row["service"] != "silver"]
    _populate(layout, [*audit, _audit("silver", 0, (8, 5, 1, 1))])
    mismatches = reconcile(TRUTH, read_table_counts(layout, EVENT_TYPES))
    assert mismatches == [
        "audit silver conservation (output + dlq + duplicates vs input): expected 8, found 7",
    ]


def test_missing_tables_count_zero(tmp_path: Path) -> None:
    counts = read_table_counts(TableLayout.local(tmp_path), EVENT_TYPES)
    assert counts == TableCounts(
        bronze_rows=0,
        silver_rows={"rfid_scan": 0, "temp_humidity": 0},
        gold_rows=0,
        dlq_rows=0,
        dlq_by_reason={},
        duplicates_dropped=0,
        audit={},
    )
    mismatches = reconcile(TRUTH, counts)
    assert "bronze rows (lines written - bronze DLQ): expected 8, found 0" in mismatches
    assert "audit bronze: no succeeded batch-total rows" in mismatches
    assert "audit silver: no succeeded batch-total rows" in mismatches


def test_write_summary(layout: TableLayout, tmp_path: Path) -> None:
    counts = read_table_counts(layout, EVENT_TYPES)
    path = tmp_path / "out" / "demo-summary.json"
    written = write_summary(path, TRUTH, counts, ["x: expected 1, found 2"])
    assert json.loads(path.read_text()) == written
    assert written["generated"] == TRUTH.to_dict()
    assert written["tables"]["silver_rows"] == {"rfid_scan": 2, "temp_humidity": 4}
    assert written["reconciled"] is False
    assert written["mismatches"] == ["x: expected 1, found 2"]


def test_print_summary(layout: TableLayout) -> None:
    counts = read_table_counts(layout, EVENT_TYPES)
    console = Console(record=True, width=160, color_system=None)
    print_summary(console, TRUTH, counts, [])
    text = console.export_text()
    for expected in ("Rows per table", "DLQ by reason", "UNKNOWN_TENANT", "silver/rfid_scan"):
        assert expected in text
    assert "Reconciled" in text
    print_summary(console, TRUTH, counts, ["DLQ [x] rows: expected 1, found 0"])
    assert "NOT reconciled: 1 mismatch(es)" in console.export_text()


def test_events_per_minute_sums_gold_by_tenant_and_minute(layout: TableLayout) -> None:
    figure = events_per_minute(layout)
    series = {trace.name: (list(trace.x), list(trace.y)) for trace in figure.data}
    assert series == {
        "acme": ([T0], [3]),
        "globex": ([T0 + timedelta(minutes=1)], [1]),
    }


def _check_html(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    assert "Plotly.newPlot" in text
    assert "<script src=" not in text
    for title in (EVENTS_TITLE, DLQ_TITLE, LATENCY_TITLE):
        assert title in text
    return text


def test_report(layout: TableLayout, tmp_path: Path) -> None:
    path = write_report(layout, tmp_path / "report.html")
    text = _check_html(path)
    assert "no data" not in text
    assert "<td>silver/temp_humidity</td><td>4</td>" in text
    assert len(text) > 1_000_000


def test_report_on_missing_tables(tmp_path: Path) -> None:
    path = write_report(TableLayout.local(tmp_path / "empty"), tmp_path / "r" / "report.html")
    text = _check_html(path)
    assert text.count("no data") == 3
    assert "<td>bronze/events</td><td>0</td>" in text

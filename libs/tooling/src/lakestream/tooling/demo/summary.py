"""Demo summary: what the Delta tables hold, reconciled against the generator's ground truth."""

from __future__ import annotations

import json
import statistics
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deltalake import DeltaTable
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from lakestream.common.layout import TableLayout
from lakestream.common.reasons import ReasonCode, Stage
from lakestream.tooling.demo.workload import GroundTruth

SUCCEEDED = "SUCCEEDED"
SERVICES = ("bronze", "silver", "gold")
CONSERVED_SERVICES = ("bronze", "silver")
AUDIT_COLUMNS = [
    "service",
    "tenant_id",
    "status",
    "input_rows",
    "output_rows",
    "dlq_rows",
    "duplicate_rows",
    "latency_ms",
]
_ROW_METRICS = ("input_rows", "output_rows", "dlq_rows", "duplicate_rows")


@dataclass(frozen=True)
class TableCounts:
    """Row counts and audit totals read from the demo's Delta tables."""

    bronze_rows: int
    silver_rows: dict[str, int]
    gold_rows: int
    dlq_rows: int
    dlq_by_reason: dict[str, int]
    duplicates_dropped: int
    audit: dict[str, dict[str, float]]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the ``tables`` section of ``demo-summary.json``)."""
        return {
            "bronze_rows": self.bronze_rows,
            "silver_rows": dict(sorted(self.silver_rows.items())),
            "gold_rows": self.gold_rows,
            "dlq_rows": self.dlq_rows,
            "dlq_by_reason": dict(sorted(self.dlq_by_reason.items())),
            "duplicates_dropped": self.duplicates_dropped,
            "audit": self.audit,
        }


def read_columns(path: str, columns: list[str] | None) -> list[dict[str, Any]] | None:
    """Rows of ``columns`` (all when None) of the Delta table at ``path``; None without a table."""
    if not DeltaTable.is_deltatable(path):
        return None
    rows: list[dict[str, Any]] = DeltaTable(path).to_pyarrow_table(columns=columns).to_pylist()
    return rows


def count_rows(path: str) -> int:
    """Number of rows of the Delta table at ``path``; 0 when there is no table."""
    if not DeltaTable.is_deltatable(path):
        return 0
    return int(DeltaTable(path).to_pyarrow_table(columns=["tenant_id"]).num_rows)


def batch_totals(layout: TableLayout) -> list[dict[str, Any]]:
    """The batch-total audit rows (``tenant_id`` null) of every service."""
    rows = read_columns(layout.audit_batches, AUDIT_COLUMNS) or []
    return [row for row in rows if row["tenant_id"] is None]


def _service_audit(rows: list[dict[str, Any]]) -> dict[str, float]:
    succeeded = [row for row in rows if row["status"] == SUCCEEDED]
    latencies = [float(row["latency_ms"]) for row in succeeded if row["latency_ms"] is not None]
    audit: dict[str, float] = {
        "batches": len(succeeded),
        "failed_batches": len(rows) - len(succeeded),
        "latency_ms_p50": statistics.median(latencies) if latencies else 0.0,
        "latency_ms_max": max(latencies, default=0.0),
    }
    for metric in _ROW_METRICS:
        audit[metric] = sum(int(row[metric] or 0) for row in succeeded)
    return audit


def _audit_by_service(totals: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    services = sorted({str(row["service"]) for row in totals})
    return {
        service: _service_audit([row for row in totals if row["service"] == service])
        for service in services
    }


def read_table_counts(layout: TableLayout, event_types: list[str]) -> TableCounts:
    """Read row counts, DLQ reasons and audit totals from the tables (missing table = 0)."""
    dlq = read_columns(layout.dlq_events, ["reason_code"]) or []
    audit = _audit_by_service(batch_totals(layout))
    return TableCounts(
        bronze_rows=count_rows(layout.bronze_events),
        silver_rows={
            event_type: count_rows(layout.silver(event_type)) for event_type in event_types
        },
        gold_rows=count_rows(layout.gold_device_minute),
        dlq_rows=len(dlq),
        dlq_by_reason=dict(Counter(str(row["reason_code"]) for row in dlq)),
        duplicates_dropped=int(audit.get("silver", {}).get("duplicate_rows", 0)),
        audit=audit,
    )


def _bronze_dlq_expected(truth: GroundTruth) -> int:
    return sum(
        count
        for reason, count in truth.by_reason.items()
        if ReasonCode(reason).stage is Stage.BRONZE
    )


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"


def _expect(label: str, expected: float, found: float) -> list[str]:
    if expected == found:
        return []
    return [f"{label}: expected {_number(expected)}, found {_number(found)}"]


def _conservation(counts: TableCounts, truth: GroundTruth) -> list[str]:
    problems: list[str] = []
    for service in CONSERVED_SERVICES:
        audit = counts.audit.get(service)
        if not audit or not audit["batches"]:
            problems.append(f"audit {service}: no succeeded batch-total rows")
            continue
        accounted = audit["output_rows"] + audit["dlq_rows"] + audit["duplicate_rows"]
        problems += _expect(
            f"audit {service} conservation (output + dlq + duplicates vs input)",
            audit["input_rows"],
            accounted,
        )
    bronze, silver = counts.audit.get("bronze"), counts.audit.get("silver")
    if bronze and bronze["batches"]:
        problems += _expect(
            "audit bronze input_rows vs lines written", truth.total, bronze["input_rows"]
        )
    if bronze and silver and bronze["batches"] and silver["batches"]:
        problems += _expect(
            "audit silver input_rows vs bronze output_rows",
            bronze["output_rows"],
            silver["input_rows"],
        )
    return problems


def reconcile(truth: GroundTruth, counts: TableCounts) -> list[str]:
    """Human-readable mismatches between ground truth and tables; empty means reconciled."""
    problems = _expect(
        "silver rows (all event types)", truth.valid, sum(counts.silver_rows.values())
    )
    for event_type in sorted(truth.valid_by_event_type.keys() | counts.silver_rows.keys()):
        problems += _expect(
            f"silver/{event_type} rows",
            truth.valid_by_event_type.get(event_type, 0),
            counts.silver_rows.get(event_type, 0),
        )
    for reason in sorted(truth.by_reason.keys() | counts.dlq_by_reason.keys()):
        problems += _expect(
            f"DLQ {reason} rows",
            truth.by_reason.get(reason, 0),
            counts.dlq_by_reason.get(reason, 0),
        )
    problems += _expect("DLQ rows", sum(truth.by_reason.values()), counts.dlq_rows)
    problems += _expect("duplicates dropped", truth.duplicates, counts.duplicates_dropped)
    problems += _expect(
        "bronze rows (lines written - bronze DLQ)",
        truth.total - _bronze_dlq_expected(truth),
        counts.bronze_rows,
    )
    return problems + _conservation(counts, truth)


def write_summary(
    path: Path, truth: GroundTruth, counts: TableCounts, mismatches: list[str]
) -> dict[str, Any]:
    """Write ``demo-summary.json`` and return what was written."""
    summary = {
        "generated": truth.to_dict(),
        "tables": counts.to_dict(),
        "reconciled": not mismatches,
        "mismatches": list(mismatches),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return summary


def _mark(ok: bool) -> str:
    return "[green]OK[/green]" if ok else "[red]MISMATCH[/red]"


def _rows_table(truth: GroundTruth, counts: TableCounts) -> Table:
    table = Table(title="Rows per table")
    for column in ("table", "expected", "found", ""):
        table.add_column(column, justify="left" if column == "table" else "right")
    expected_rows: list[tuple[str, int | None, int]] = [
        ("bronze/events", truth.total - _bronze_dlq_expected(truth), counts.bronze_rows)
    ]
    for event_type in sorted(truth.valid_by_event_type.keys() | counts.silver_rows.keys()):
        expected_rows.append(
            (
                f"silver/{event_type}",
                truth.valid_by_event_type.get(event_type, 0),
                counts.silver_rows.get(event_type, 0),
            )
        )
    expected_rows.append(("gold/device_minute", None, counts.gold_rows))
    expected_rows.append(("dlq/events", sum(truth.by_reason.values()), counts.dlq_rows))
    expected_rows.append(("duplicates dropped", truth.duplicates, counts.duplicates_dropped))
    for name, expected, found in expected_rows:
        shown = "-" if expected is None else f"{expected:,}"
        mark = "" if expected is None else _mark(expected == found)
        table.add_row(name, shown, f"{found:,}", mark)
    return table


def _dlq_table(truth: GroundTruth, counts: TableCounts) -> Table:
    table = Table(title="DLQ by reason")
    for column in ("reason", "stage", "generated", "found", ""):
        table.add_column(column, justify="left" if column in ("reason", "stage") else "right")
    known = {str(reason): str(reason.stage) for reason in ReasonCode}
    for reason in [*known, *sorted(counts.dlq_by_reason.keys() - known.keys())]:
        generated = truth.by_reason.get(reason, 0)
        found = counts.dlq_by_reason.get(reason, 0)
        row = (escape(reason), known.get(reason, "?"), f"{generated:,}", f"{found:,}")
        table.add_row(*row, _mark(generated == found))
    return table


def _audit_table(counts: TableCounts) -> Table:
    table = Table(title="Audit per layer (batch totals)")
    columns = ("service", "batches", "input", "output", "dlq", "duplicates", "p50 ms", "max ms")
    for column in columns:
        table.add_column(column, justify="left" if column == "service" else "right")
    for service in sorted(counts.audit.keys() | set(SERVICES)):
        audit = counts.audit.get(service, {})
        keys = ("batches", *_ROW_METRICS, "latency_ms_p50", "latency_ms_max")
        table.add_row(service, *(f"{audit.get(key, 0):,.0f}" for key in keys))
    return table


def print_summary(
    console: Console, truth: GroundTruth, counts: TableCounts, mismatches: list[str]
) -> None:
    """Print rows per table, DLQ by reason, audit per layer and the reconciliation verdict."""
    console.print(_rows_table(truth, counts))
    console.print(_dlq_table(truth, counts))
    console.print(_audit_table(counts))
    if not mismatches:
        console.print(
            "[bold green]Reconciled:[/bold green] tables match the ground truth and every layer "
            "conserves rows (input = output + dlq + duplicates)."
        )
        return
    console.print(f"[bold red]NOT reconciled: {len(mismatches)} mismatch(es)[/bold red]")
    for mismatch in mismatches:
        console.print(f"[red]  - {escape(mismatch)}[/red]", highlight=False)

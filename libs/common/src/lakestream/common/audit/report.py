"""Operator report from the audit trail: throughput, DLQ rate, batch latency and freshness
(its HTML rendering with plots is tooling: ``lakestream.tooling.audit_html``)."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from lakestream.common.audit import tables
from lakestream.common.layout import TableLayout


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (``q`` in 0..100) of ``values``; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class Throughput:
    """Rows a layer handled for one tenant in the window."""

    layer: str
    tenant_id: str
    input_rows: int
    output_rows: int
    dlq_rows: int
    duplicate_rows: int
    batches: int


@dataclass(frozen=True)
class Latency:
    """Batch latency (ms) of one layer: batch-total audit rows."""

    layer: str
    batches: int
    p50: float | None
    p95: float | None
    max: float | None


@dataclass
class AuditReport:
    """Everything ``lakestream audit report`` prints."""

    generated_at: datetime
    since: datetime | None
    throughput: list[Throughput] = field(default_factory=list)
    dlq_by_reason: dict[tuple[str, str], int] = field(default_factory=dict)
    bronze_input: int = 0
    latency: list[Latency] = field(default_factory=list)
    freshness_s: dict[str, float | None] = field(default_factory=dict)

    def dlq_rate(self, stage: str, reason: str) -> float | None:
        """DLQ rows of (stage, reason) per body bronze read in the window."""
        if not self.bronze_input:
            return None
        return self.dlq_by_reason[(stage, reason)] / self.bronze_input


def build_report(layout: TableLayout, since: datetime | None = None) -> AuditReport:
    """Aggregate the audit trail and the DLQ over the window ``[since, now]``."""
    tables.require_paths(layout)
    now = datetime.now(UTC)
    audit = tables.audit(layout, since)
    report = AuditReport(now, since)
    grouped: defaultdict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in audit:
        if row["tenant_id"] is not None:
            grouped[(row["layer"], row["tenant_id"])].append(row)
    for (layer, tenant), rows in sorted(grouped.items()):
        report.throughput.append(
            Throughput(
                layer,
                tenant,
                sum(r["input_rows"] for r in rows),
                sum(r["output_rows"] for r in rows),
                sum(r["dlq_rows"] for r in rows),
                sum(r["duplicate_rows"] for r in rows),
                len(rows),
            )
        )
    totals = [r for r in audit if r["tenant_id"] is None]
    report.bronze_input = sum(
        r["input_rows"] for r in totals if r["service"] == "bronze" and r["layer"] == "bronze"
    )
    report.dlq_by_reason = tables.dlq_by_reason(layout, since)
    by_layer: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in totals:
        by_layer[row["layer"]].append(row)
    for layer, rows in sorted(by_layer.items()):
        latencies = [float(r["latency_ms"]) for r in rows if r["latency_ms"] is not None]
        report.latency.append(
            Latency(
                layer,
                len(rows),
                percentile(latencies, 50),
                percentile(latencies, 95),
                max(latencies) if latencies else None,
            )
        )
    for layer in ("bronze", "silver", "gold"):
        finished = [r["finished_at"] for r in tables.audit(layout, None) if r["layer"] == layer]
        report.freshness_s[layer] = (now - max(finished)).total_seconds() if finished else None
    return report

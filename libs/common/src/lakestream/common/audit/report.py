"""Operator report from the audit trail: throughput, DLQ rate, batch latency and freshness."""

from __future__ import annotations

import html
import math
from collections import Counter, defaultdict
from dataclasses import astuple, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import plotly.graph_objects as go

from lakestream.common.audit import tables
from lakestream.tooling.demo.report import batch_latency
from lakestream.common.tables.layout import TableLayout


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
    dlq = tables.rows(layout.dlq_events, ["stage", "reason_code"], "failed_at", since)
    report.dlq_by_reason = dict(
        sorted(Counter((r["stage"], r["reason_code"]) for r in dlq).items())
    )
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


def _bar(title: str, x: list[str], series: dict[str, list[float]], y_title: str) -> go.Figure:
    figure = go.Figure(data=[go.Bar(x=x, y=y, name=name) for name, y in series.items()])
    figure.update_layout(title=title, barmode="group", yaxis_title=y_title, template="plotly_white")
    return figure


def figures(layout: TableLayout, report: AuditReport) -> list[go.Figure]:
    """Throughput per layer and tenant, DLQ rows by reason, batch latency per service."""
    labels = [f"{t.layer}/{t.tenant_id}" for t in report.throughput]
    throughput = _bar(
        "Rows per layer and tenant",
        labels,
        {
            "output": [t.output_rows for t in report.throughput],
            "dlq": [t.dlq_rows for t in report.throughput],
            "duplicates": [t.duplicate_rows for t in report.throughput],
        },
        "rows",
    )
    reasons = [f"{stage}/{code}" for stage, code in report.dlq_by_reason]
    dlq = _bar("DLQ rows by reason", reasons, {"rows": list(report.dlq_by_reason.values())}, "rows")
    return [throughput, dlq, batch_latency(layout)]


def _table(header: list[str], body: list[list[object]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    rows = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_fmt(v))}</td>" for v in row) + "</tr>" for row in body
    )
    return f"<table><tr>{head}</tr>{rows}</table>"


def _fmt(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.1f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def write_html(layout: TableLayout, report: AuditReport, path: Path) -> Path:
    """Write the report as one self-contained HTML file (plotly.js inlined); return ``path``."""
    window = f"since {report.since:%Y-%m-%d %H:%M:%S} UTC" if report.since else "all time"
    sections = [
        "<h1>lakestream audit report</h1>",
        f"<p>Generated {report.generated_at:%Y-%m-%d %H:%M:%S} UTC, {window}, "
        f"<code>{html.escape(layout.base)}</code></p>",
        "<h2>Freshness (seconds since the last successful batch)</h2>",
        _table(["layer", "seconds"], [[k, v] for k, v in report.freshness_s.items()]),
        "<h2>Batch latency (ms)</h2>",
        _table(
            ["layer", "batches", "p50", "p95", "max"],
            [[x.layer, x.batches, x.p50, x.p95, x.max] for x in report.latency],
        ),
        "<h2>Throughput</h2>",
        _table(
            ["layer", "tenant", "input", "output", "dlq", "duplicates", "batches"],
            [list(astuple(t)) for t in report.throughput],
        ),
        "<h2>DLQ by reason</h2>",
        _table(
            ["stage", "reason", "rows", "rate"],
            [
                [stage, code, n, report.dlq_rate(stage, code)]
                for (stage, code), n in report.dlq_by_reason.items()
            ],
        ),
    ]
    for index, figure in enumerate(figures(layout, report)):
        sections.append(figure.to_html(full_html=False, include_plotlyjs=index == 0))
    style = (
        "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:4px 10px}"
    )
    document = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>lakestream audit report</title>"
        f"<style>{style}</style></head><body>{''.join(sections)}</body></html>"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(document, encoding="utf-8")
    return path

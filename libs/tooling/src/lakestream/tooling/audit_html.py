"""The operator report (:func:`lakestream.common.audit.report.build_report`) as one HTML file
with plotly figures: ``lakestream audit report --html``."""

from __future__ import annotations

import html
from dataclasses import astuple
from pathlib import Path

import plotly.graph_objects as go

from lakestream.common.audit.report import AuditReport
from lakestream.common.layout import TableLayout
from lakestream.tooling.demo.report import batch_latency


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

"""Demo report: one self-contained HTML file with plots of gold, DLQ and audit tables."""

from __future__ import annotations

import html
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import plotly.graph_objects as go

from lakestream.common.layout import TableLayout
from lakestream.tooling.demo.summary import count_rows, read_columns

EVENTS_TITLE = "Events per minute per tenant"
DLQ_TITLE = "DLQ rows by reason"
LATENCY_TITLE = "Batch latency per service"
NO_DATA = "no data"


def _figure(title: str, traces: list[Any], x_title: str, y_title: str) -> go.Figure:
    """A figure with ``traces``, or a "no data" placeholder when there are none."""
    figure = go.Figure(data=traces)
    figure.update_layout(
        title=title, xaxis_title=x_title, yaxis_title=y_title, template="plotly_white"
    )
    if not traces:
        figure.add_annotation(text=NO_DATA, showarrow=False, font={"size": 20})
        figure.update_xaxes(visible=False)
        figure.update_yaxes(visible=False)
    return figure


def events_per_minute(layout: TableLayout) -> go.Figure:
    """Sum of gold ``event_count`` by tenant and ``minute_start``, one line per tenant."""
    rows = read_columns(layout.gold_device_minute, ["tenant_id", "minute_start", "event_count"])
    per_tenant: defaultdict[str, Counter[datetime]] = defaultdict(Counter)
    for row in rows or []:
        per_tenant[row["tenant_id"]][row["minute_start"]] += int(row["event_count"] or 0)
    traces = [
        go.Scatter(
            x=sorted(minutes),
            y=[minutes[m] for m in sorted(minutes)],
            name=tenant,
            mode="lines+markers",
        )
        for tenant, minutes in sorted(per_tenant.items())
    ]
    return _figure(EVENTS_TITLE, traces, "minute (UTC)", "events")


def dlq_by_reason(layout: TableLayout) -> go.Figure:
    """DLQ row count per ``reason_code``."""
    rows = read_columns(layout.dlq_events, ["reason_code"])
    counts = Counter(str(row["reason_code"]) for row in rows or [])
    reasons = sorted(counts)
    traces = [go.Bar(x=reasons, y=[counts[r] for r in reasons], name="rows")] if counts else []
    return _figure(DLQ_TITLE, traces, "reason code", "rows")


def batch_latency(layout: TableLayout) -> go.Figure:
    """``latency_ms`` of every batch-total audit row over ``started_at``, one line per service."""
    columns = ["service", "tenant_id", "started_at", "latency_ms"]
    rows = [
        row for row in read_columns(layout.audit_batches, columns) or [] if row["tenant_id"] is None
    ]
    per_service: defaultdict[str, list[tuple[datetime, float]]] = defaultdict(list)
    for row in rows:
        if row["started_at"] is not None and row["latency_ms"] is not None:
            per_service[row["service"]].append((row["started_at"], float(row["latency_ms"])))
    traces = []
    for service, points in sorted(per_service.items()):
        points.sort()
        traces.append(
            go.Scatter(
                x=[p[0] for p in points],
                y=[p[1] for p in points],
                name=service,
                mode="lines+markers",
            )
        )
    return _figure(LATENCY_TITLE, traces, "batch start (UTC)", "latency (ms)")


def _silver_tables(layout: TableLayout, event_types: list[str] | None) -> list[str]:
    if event_types is not None:
        return sorted(event_types)
    silver_dir = Path(layout.table("silver"))
    return sorted(p.name for p in silver_dir.iterdir() if p.is_dir()) if silver_dir.is_dir() else []


def table_row_counts(layout: TableLayout, event_types: list[str] | None = None) -> dict[str, int]:
    """Row count per table name (silver tables found on disk unless ``event_types`` is given)."""
    counts = {"bronze/events": count_rows(layout.bronze_events)}
    for event_type in _silver_tables(layout, event_types):
        counts[f"silver/{event_type}"] = count_rows(layout.silver(event_type))
    counts["gold/device_minute"] = count_rows(layout.gold_device_minute)
    counts["dlq/events"] = count_rows(layout.dlq_events)
    counts["audit/batches"] = count_rows(layout.audit_batches)
    return counts


def _header(layout: TableLayout, counts: dict[str, int]) -> str:
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    rows = "".join(
        f"<tr><td>{html.escape(name)}</td><td>{count:,}</td></tr>" for name, count in counts.items()
    )
    return (
        "<h1>lakestream demo report</h1>"
        f"<p>Generated {generated} from <code>{html.escape(layout.base)}</code></p>"
        f"<table><tr><th>table</th><th>rows</th></tr>{rows}</table>"
    )


_STYLE = (
    "body{font-family:sans-serif;margin:2em}"
    "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 10px}"
    "td:last-child{text-align:right}"
)


def write_report(layout: TableLayout, path: Path, event_types: list[str] | None = None) -> Path:
    """Write a self-contained HTML report (plotly.js inlined, works offline); return ``path``.

    Missing or empty tables show "no data" instead of failing.
    """
    figures = [events_per_minute(layout), dlq_by_reason(layout), batch_latency(layout)]
    sections = [
        f"<h2>{html.escape(figure.layout.title.text)}</h2>"
        + figure.to_html(full_html=False, include_plotlyjs=index == 0)
        for index, figure in enumerate(figures)
    ]
    document = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>lakestream demo report</title>"
        f"<style>{_STYLE}</style></head><body>"
        + _header(layout, table_row_counts(layout, event_types))
        + "".join(sections)
        + "</body></html>"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(document, encoding="utf-8")
    return path

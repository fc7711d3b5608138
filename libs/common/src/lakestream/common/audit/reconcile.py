"""Cross-layer reconciliation: prove the conservation law from the tables and the audit trail.

Checks, for SUCCEEDED batches (and table rows) in the window:

1. every audit row balances: input = output + dlq + duplicates;
2. ``bronze/events`` holds, per tenant, exactly the rows bronze-layer audit rows say were written
   (the bronze service plus replays of bronze-stage DLQ rows);
3. ``dlq/events`` holds, per stage, exactly the rows the layer services dead-lettered;
4. ``silver/*`` holds, per tenant, exactly the rows silver-layer audit rows say were written;
5. silver consumed every bronze row (per tenant: silver input = bronze rows);
6. per tenant and event type: bronze rows = silver rows + open silver DLQ rows + duplicates,
   where the duplicates derived per event type add up to the silver audit's duplicate count
   (skipped for tenants silver has not caught up with: check 5 already names them);
7. ``gold/device_minute`` event counts equal the events gold's audit says it folded in.

Rows of the reserved self-test tenant are not counted: ``lakestream selftest`` removes them
after each run, while its audit rows stay. Without ``--since`` every check is exact. With a
window, rows are taken by their own time (ingest_time, failed_at, started_at), so a batch
straddling the window's start can show a gap.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lakestream.common.audit import tables
from lakestream.common.config import SELFTEST_TENANT
from lakestream.common.layout import TableLayout

REPLAYER = "dlq_replayer"
REPLAYED = "replayed"


@dataclass(frozen=True)
class Gap:
    """One broken equation: where, and by how much."""

    check: str
    where: str
    expected: int
    actual: int

    def describe(self) -> str:
        """One line naming the gap."""
        diff = self.actual - self.expected
        return (
            f"{self.check}: {self.where}: expected {self.expected}, found {self.actual} ({diff:+d})"
        )


def _sum(rows: list[dict[str, object]], column: str, key: str = "tenant_id") -> Counter[str]:
    total: Counter[str] = Counter()
    for row in rows:
        total[str(row[key])] += int(row[column] or 0)  # type: ignore[call-overload]
    return total


def _compare(check: str, label: str, expected: Counter[str], actual: Counter[str]) -> list[Gap]:
    return [
        Gap(check, f"{label} {key}", expected[key], actual[key])
        for key in sorted(set(expected) | set(actual))
        if expected[key] != actual[key]
    ]


def _counted(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Table rows reconciliation counts: all but the self-test tenant's."""
    return [r for r in rows if r["tenant_id"] != SELFTEST_TENANT]


def reconcile(
    layout: TableLayout,
    since: datetime | None = None,
    audit: list[dict[str, Any]] | None = None,
) -> list[Gap]:
    """Every gap found (empty: the law holds across layers for the window).

    ``audit``: the SUCCEEDED audit rows of the window, when the caller has read them already.
    """
    tables.require_paths(layout)
    audit = tables.audit(layout, since) if audit is None else audit
    gaps = [
        Gap(
            "audit law",
            f"{r['service']} batch {r['batch_id']} tenant {r['tenant_id'] or 'total'}",
            int(r["input_rows"]),
            int(r["output_rows"]) + int(r["dlq_rows"]) + int(r["duplicate_rows"]),
        )
        for r in audit
        if r["input_rows"] != r["output_rows"] + r["dlq_rows"] + r["duplicate_rows"]
    ]
    per_tenant = [r for r in audit if r["tenant_id"] not in (None, SELFTEST_TENANT)]

    def layer(name: str, service: str | None = None) -> list[dict[str, object]]:
        return [
            r
            for r in per_tenant
            if r["layer"] == name and (service is None or r["service"] == service)
        ]

    bronze = _counted(
        tables.rows(layout.bronze_events, ["tenant_id", "event_type"], "ingest_time", since)
    )
    bronze_by_tenant = Counter(str(r["tenant_id"]) for r in bronze)
    gaps += _compare(
        "bronze rows vs audit",
        "bronze/events tenant",
        _sum(layer("bronze"), "output_rows"),
        bronze_by_tenant,
    )

    dlq = _counted(
        tables.rows(
            layout.dlq_events,
            ["stage", "tenant_id", "event_type", "replay_status"],
            "failed_at",
            since,
        )
    )
    dlq_by_stage = Counter(str(r["stage"]) for r in dlq)
    dead_lettered: Counter[str] = Counter()
    for r in per_tenant:
        if r["service"] != REPLAYER and r["layer"] in ("bronze", "silver"):
            dead_lettered[str(r["layer"])] += int(r["dlq_rows"])
    gaps += _compare("dlq rows vs audit", "dlq/events stage", dead_lettered, dlq_by_stage)

    silver: list[dict[str, object]] = []
    for event_type in tables.silver_types(layout):
        silver += _counted(
            tables.rows(
                layout.silver(event_type), ["tenant_id", "event_type"], "ingest_time", since
            )
        )
    gaps += _compare(
        "silver rows vs audit",
        "silver tenant",
        _sum(layer("silver"), "output_rows"),
        Counter(str(r["tenant_id"]) for r in silver),
    )
    unconsumed = _compare(
        "silver consumed bronze",
        "tenant",
        bronze_by_tenant,
        _sum(layer("silver", "silver"), "input_rows"),
    )
    gaps += unconsumed
    behind = {gap.where.removeprefix("tenant ") for gap in unconsumed}

    pair = ("tenant_id", "event_type")
    bronze_pairs = Counter(tuple(str(r[k]) for k in pair) for r in bronze)
    silver_pairs = Counter(tuple(str(r[k]) for k in pair) for r in silver)
    open_pairs = Counter(
        tuple(str(r[k]) for k in pair)
        for r in dlq
        if r["stage"] == "silver" and r["replay_status"] != REPLAYED
    )
    derived: Counter[str] = Counter()
    for key in sorted(set(bronze_pairs) | set(silver_pairs) | set(open_pairs)):
        duplicates = bronze_pairs[key] - silver_pairs[key] - open_pairs[key]
        if duplicates < 0:
            gaps.append(
                Gap(
                    "bronze = silver + silver DLQ + duplicates",
                    f"tenant {key[0]} event_type {key[1]} (bronze rows)",
                    silver_pairs[key] + open_pairs[key],
                    bronze_pairs[key],
                )
            )
        else:
            derived[key[0]] += duplicates
    expected_duplicates = _sum(layer("silver"), "duplicate_rows")
    gaps += [
        gap
        for gap in _compare(
            "bronze = silver + silver DLQ + duplicates",
            "duplicates of tenant",
            expected_duplicates,
            +derived,
        )
        if gap.where.removeprefix("duplicates of tenant ") not in behind
    ]

    if since is None:
        gold = _counted(
            tables.rows(layout.gold_device_minute, ["tenant_id", "event_count"], "tenant_id", None)
        )
        if gold:
            gaps += _compare(
                "gold events vs audit",
                "gold/device_minute tenant",
                _sum(layer("gold"), "output_rows"),
                _sum(gold, "event_count"),
            )
    return gaps

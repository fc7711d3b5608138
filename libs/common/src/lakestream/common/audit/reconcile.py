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

Every read is a grouped count (or sum), so memory holds groups, never table rows: through
``deltalake`` by path (:class:`~lakestream.common.audit.tables.PathReads`, no Spark) or through
the configured table backend and catalog on Spark (:class:`~lakestream.common.audit.spark_reads.
BackendReads`, the ``lakestream-reconcile`` job on a workspace).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from lakestream.common.audit.tables import PathReads
from lakestream.common.config import SELFTEST_TENANT
from lakestream.common.layout import TableLayout

REPLAYER = "dlq_replayer"
REPLAYED = "replayed"
AUDIT_KEYS = ("layer", "service", "tenant_id")
AUDIT_MEASURES = ("input_rows", "output_rows", "dlq_rows", "duplicate_rows")


class Reads(Protocol):
    """What reconciliation reads: grouped counts of the tables and of the audit trail."""

    def sums(
        self,
        table: str,
        keys: Sequence[str],
        time_column: str,
        since: datetime | None,
        measures: Sequence[str] = (),
    ) -> dict[tuple[Any, ...], tuple[int, ...]]:
        """Per distinct ``keys`` of the table at layout location ``table`` with
        ``time_column >= since``: the row count, then each measure's sum."""
        ...

    def audit_sums(
        self, keys: Sequence[str], since: datetime | None, measures: Sequence[str]
    ) -> dict[tuple[Any, ...], tuple[int, ...]]:
        """The same of the SUCCEEDED audit rows whose batch started at or after ``since``."""
        ...

    def unbalanced(self, since: datetime | None) -> list[dict[str, Any]]:
        """SUCCEEDED audit rows whose input is not output + dlq + duplicates."""
        ...

    def silver_tables(self) -> list[str]:
        """Layout locations of the silver tables that exist."""
        ...


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


def _compare(check: str, label: str, expected: Counter[str], actual: Counter[str]) -> list[Gap]:
    return [
        Gap(check, f"{label} {key}", expected[key], actual[key])
        for key in sorted(set(expected) | set(actual))
        if expected[key] != actual[key]
    ]


def _counted(
    groups: dict[tuple[Any, ...], tuple[int, ...]], measure: int = 0
) -> Counter[tuple[str, ...]]:
    """One measure of grouped table counts (tenant first), keys as text, without the
    self-test tenant's rows."""
    found: Counter[tuple[str, ...]] = Counter()
    for key, values in groups.items():
        if key[0] != SELFTEST_TENANT:
            found[tuple(str(k) for k in key)] += values[measure]
    return found


def _first(groups: Counter[tuple[str, ...]]) -> Counter[str]:
    """Grouped counts summed up to their first key (the tenant)."""
    total: Counter[str] = Counter()
    for key, n in groups.items():
        total[key[0]] += n
    return total


class _Audit:
    """The window's SUCCEEDED per-tenant audit sums, per layer, service and tenant."""

    def __init__(self, reads: Reads, since: datetime | None) -> None:
        self.groups = {
            (layer, service, tenant): values
            for (layer, service, tenant), values in reads.audit_sums(
                AUDIT_KEYS, since, AUDIT_MEASURES
            ).items()
            if tenant not in (None, SELFTEST_TENANT)
        }

    def by_tenant(self, measure: str, layer: str, service: str | None = None) -> Counter[str]:
        """``measure`` summed per tenant over a layer's (and optionally one service's) rows."""
        index = 1 + AUDIT_MEASURES.index(measure)
        total: Counter[str] = Counter()
        for (row_layer, row_service, tenant), values in self.groups.items():
            if row_layer == layer and service in (None, row_service):
                total[str(tenant)] += values[index]
        return total

    def dead_lettered(self) -> Counter[str]:
        """DLQ rows the bronze and silver services (not the replayer) wrote, per stage."""
        index = 1 + AUDIT_MEASURES.index("dlq_rows")
        total: Counter[str] = Counter()
        for (layer, service, _), values in self.groups.items():
            if service != REPLAYER and layer in ("bronze", "silver"):
                total[str(layer)] += values[index]
        return total


def reconcile(
    layout: TableLayout, since: datetime | None = None, reads: Reads | None = None
) -> list[Gap]:
    """Every gap found (empty: the law holds across layers for the window).

    ``reads``: where the counts come from (default: ``deltalake`` on the layout's paths).
    """
    reads = PathReads(layout) if reads is None else reads
    gaps = [
        Gap(
            "audit law",
            f"{r['service']} batch {r['batch_id']} tenant {r['tenant_id'] or 'total'}",
            int(r["input_rows"]),
            int(r["output_rows"]) + int(r["dlq_rows"]) + int(r["duplicate_rows"]),
        )
        for r in reads.unbalanced(since)
    ]
    audit = _Audit(reads, since)

    bronze_pairs = _counted(
        reads.sums(layout.bronze_events, ["tenant_id", "event_type"], "ingest_time", since)
    )
    bronze_by_tenant = _first(bronze_pairs)
    gaps += _compare(
        "bronze rows vs audit",
        "bronze/events tenant",
        audit.by_tenant("output_rows", "bronze"),
        bronze_by_tenant,
    )

    dlq = _counted(
        reads.sums(
            layout.dlq_events,
            ["tenant_id", "event_type", "stage", "replay_status"],
            "failed_at",
            since,
        )
    )
    dlq_by_stage: Counter[str] = Counter()
    open_pairs: Counter[tuple[str, ...]] = Counter()
    for (tenant, event_type, stage, replay_status), n in dlq.items():
        dlq_by_stage[stage] += n
        if stage == "silver" and replay_status != REPLAYED:
            open_pairs[tenant, event_type] += n
    gaps += _compare("dlq rows vs audit", "dlq/events stage", audit.dead_lettered(), dlq_by_stage)

    silver_pairs: Counter[tuple[str, ...]] = Counter()
    for table in reads.silver_tables():
        silver_pairs += _counted(
            reads.sums(table, ["tenant_id", "event_type"], "ingest_time", since)
        )
    gaps += _compare(
        "silver rows vs audit",
        "silver tenant",
        audit.by_tenant("output_rows", "silver"),
        _first(silver_pairs),
    )
    unconsumed = _compare(
        "silver consumed bronze",
        "tenant",
        bronze_by_tenant,
        audit.by_tenant("input_rows", "silver", "silver"),
    )
    gaps += unconsumed
    behind = {gap.where.removeprefix("tenant ") for gap in unconsumed}

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
    expected_duplicates = audit.by_tenant("duplicate_rows", "silver")
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
            reads.sums(
                layout.gold_device_minute, ["tenant_id"], "tenant_id", None, ["event_count"]
            ),
            measure=1,
        )
        if gold:
            gaps += _compare(
                "gold events vs audit",
                "gold/device_minute tenant",
                audit.by_tenant("output_rows", "gold"),
                _first(gold),
            )
    return gaps

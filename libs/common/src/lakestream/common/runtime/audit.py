"""Per-batch audit rows: one batch total (tenant_id NULL) plus one row per tenant."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from lakestream.common.runtime.batch import BatchContext
from lakestream.common.tables.schemas import AUDIT_BATCHES

SUCCEEDED = "SUCCEEDED"
FAILED = "FAILED"


@dataclass
class BatchCounts:
    """Counts of one batch, per tenant bucket."""

    input: Counter[str] = field(default_factory=Counter)
    output: Counter[str] = field(default_factory=Counter)
    dlq: Counter[str] = field(default_factory=Counter)
    duplicates: Counter[str] = field(default_factory=Counter)
    lag_p50: dict[str | None, int | None] = field(default_factory=dict)
    lag_max: dict[str | None, int | None] = field(default_factory=dict)
    typed: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    """(kind, tenant bucket, event type bucket) -> rows; kinds: input, output, dlq, duplicate."""

    def tenants(self) -> list[str]:
        """Every tenant bucket seen, sorted."""
        return sorted(set(self.input) | set(self.output) | set(self.dlq) | set(self.duplicates))

    def imbalance(self) -> dict[str, int]:
        """Tenants where input != output + dlq + duplicates (the conservation law), with the gap."""
        gaps = {
            t: self.input[t] - self.output[t] - self.dlq[t] - self.duplicates[t]
            for t in self.tenants()
        }
        return {t: gap for t, gap in gaps.items() if gap}


def audit_rows(
    ctx: BatchContext,
    counts: BatchCounts,
    status: str,
    error: str | None,
    finished_at: datetime,
) -> list[tuple[object, ...]]:
    """Rows for ``audit/batches`` in schema order: the total first, then each tenant."""
    latency = int((finished_at - ctx.started_at).total_seconds() * 1000)
    keys: list[str | None] = [None, *counts.tenants()]
    rows = []
    for tenant in keys:

        def pick(counter: Counter[str], t: str | None = tenant) -> int:
            return sum(counter.values()) if t is None else counter[t]

        row = {
            "service": ctx.service.name,
            "service_version": ctx.service.version,
            "layer": ctx.service.layer,
            "run_id": ctx.runtime.run_id,
            "batch_id": ctx.batch_id,
            "tenant_id": tenant,
            "input_rows": pick(counts.input),
            "output_rows": pick(counts.output),
            "dlq_rows": pick(counts.dlq),
            "duplicate_rows": pick(counts.duplicates),
            "status": status,
            "error": error,
            "started_at": ctx.started_at,
            "finished_at": finished_at,
            "latency_ms": latency,
            "event_lag_ms_p50": counts.lag_p50.get(tenant),
            "event_lag_ms_max": counts.lag_max.get(tenant),
        }
        rows.append(tuple(row[name] for name in AUDIT_BATCHES.fieldNames()))
    return rows

"""Cross-layer reconciliation on Spark (the ``lakestream-reconcile`` job): the conservation law
checked through the configured backend and catalog, so it runs where the tables are Unity
Catalog names; ``lakestream audit reconcile`` reads a local root without Spark."""

from __future__ import annotations

from datetime import datetime

from lakestream.common.audit import reconcile
from lakestream.common.audit.spark_reads import BackendReads
from lakestream.common.logs import configure_logging
from lakestream.common.runtime.streaming import build_runtime
from lakestream.common.settings import Settings


def run_reconcile(settings: Settings, since: datetime | None) -> int:
    """Reconcile and print every gap: exit 0 when none, 1 naming each."""
    runtime = build_runtime(settings)
    configure_logging("reconcile", runtime.run_id)
    gaps = reconcile(runtime.layout, since, BackendReads(runtime))
    for gap in gaps:
        print(f"gap {gap.describe()}", flush=True)
    window = "" if since is None else f" since {since.isoformat()}"
    if gaps:
        print(f"reconcile failed{window}: {len(gaps)} gap(s)", flush=True)
        return 1
    print(f"reconciled{window}: nothing lost, nothing duplicated", flush=True)
    return 0

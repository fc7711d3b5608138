"""``lakestream selftest``: prove a deployment end to end with the reserved self-test tenant.

Leftover rows of an earlier self-test are removed first; the workload is written to the
deployment's real source (the landing directory or Event Hubs); the layers are run once here
(``run_layers``) or the deployed jobs are waited for; the tables, read through the configured
backend and catalog, are compared with the workload's ground truth; the tenant's rows are
removed again (and, with ``run_layers``, the layers read past those deletes). Its audit rows
stay; reconciliation does not count the tenant's table rows.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from lakestream.common.config import SELFTEST_TENANT
from lakestream.common.errors import LakestreamError
from lakestream.common.runtime.service import Runtime, Service
from lakestream.common.runtime.streaming import run_once
from lakestream.common.selftest.workload import Expected, Workload, build
from lakestream.common.sources.base import source_for
from lakestream.common.tables.backend import Filter
from lakestream.common.tables.schemas import (
    TableSpec,
    bronze_events,
    dlq_events,
    gold_device_minute,
    silver_events,
    tenant_tables,
)

POLL_SECONDS = 10.0
"""How often ``--wait`` reads the tables again."""


@dataclass
class SelfTestResult:
    """What the self-test sent, found and removed."""

    run_id: str
    sent: int
    expected: Expected
    found: Expected
    removed_before: dict[str, int] = field(default_factory=dict)
    removed_after: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)

    def tables(self, gold: str) -> list[tuple[str, int, int]]:
        """Per table of the tenant: its name, the rows expected and the rows found; ``gold``
        names what is counted of a gold product."""
        want, got = self.expected, self.found
        rows = [("bronze/events", want.bronze, got.bronze)]
        rows += [
            (f"silver/{t}", want.silver[t], got.silver[t]) for t in sorted(want.silver | got.silver)
        ]
        rows += [
            (f"dlq/events {stage} {reason}", want.dlq[(stage, reason)], got.dlq[(stage, reason)])
            for stage, reason in sorted(want.dlq | got.dlq)
        ]
        rows += [
            (f"gold/{p} {gold}", want.gold_events[p], got.gold_events[p])
            for p in sorted(want.gold_events | got.gold_events)
        ]
        return rows

    @property
    def mismatches(self) -> list[str]:
        """One line per table whose rows of the tenant differ from the ground truth."""
        pairs = self.tables("event_count")
        return [f"{where}: expected {e}, found {f}" for where, e, f in pairs if e != f]


def remove_rows(runtime: Runtime) -> dict[str, int]:
    """Delete the self-test tenant's rows from every table; rows deleted per table."""
    removed = {}
    for spec in tenant_tables(runtime.layout, runtime.registry):
        removed[spec.name] = runtime.backend.delete_rows(spec, "tenant_id", SELFTEST_TENANT)
    return {name: n for name, n in removed.items() if n}


def found_rows(runtime: Runtime, workload: Workload) -> Expected:
    """This run's rows in the tables (by event id; gold by the run's key values)."""
    found = Expected()
    spark, backend, registry, layout = (
        runtime.spark,
        runtime.backend,
        runtime.registry,
        runtime.layout,
    )
    mine = [("tenant_id", "=", SELFTEST_TENANT)]
    of_run = F.col("event_id").startswith(workload.event_id_prefix)

    def rows(spec: TableSpec, filters: list[Filter] = mine) -> DataFrame | None:
        return backend.read(spark, spec, filters=filters) if backend.exists(spec) else None

    bronze = rows(bronze_events(layout))
    found.bronze = bronze.where(of_run).count() if bronze is not None else 0
    for event_type in registry.event_types():
        silver = rows(silver_events(layout, registry.latest(event_type)))
        found.silver[event_type] = silver.where(of_run).count() if silver is not None else 0
    dlq = rows(dlq_events(layout))
    if dlq is not None:
        for row in dlq.where(of_run).groupBy("stage", "reason_code").count().collect():
            found.dlq[(str(row["stage"]), str(row["reason_code"]))] = int(row["count"])
    for product, keys in workload.gold_keys.items():
        filters = [*mine, *((k, "=", v) for k, v in keys.items())]
        gold = rows(gold_device_minute(layout), filters)
        total = gold.agg(F.sum("event_count")).first() if gold is not None else None
        found.gold_events[product] = int(total[0] or 0) if total is not None else 0
    return found


def send(runtime: Runtime, workload: Workload) -> str:
    """Write the bodies to the deployment's source; where they went."""
    source = source_for(runtime.settings)
    return source.deliver(workload.bodies, workload.run_id, SELFTEST_TENANT)


def selftest(
    runtime: Runtime,
    services: list[Service],
    run_layers: bool,
    wait_seconds: float,
    keep: bool = False,
    sleep: Callable[[float], None] = time.sleep,
) -> SelfTestResult:
    """Run the self-test; the result names every table that did not get the expected rows."""
    run_id = uuid.uuid4().hex[:10]
    workload = build(runtime.registry, run_id, datetime.now(UTC))
    if not workload.bodies:
        raise LakestreamError(
            "no self-test body could be generated from the contracts: "
            + "; ".join(f"{k}: {v}" for k, v in workload.skipped.items())
        )
    removed_before = remove_rows(runtime)
    send(runtime, workload)
    if run_layers:
        run_once(runtime, services)
    deadline = time.monotonic() + (0 if run_layers else wait_seconds)
    result = SelfTestResult(
        run_id,
        len(workload.bodies),
        workload.expected,
        found_rows(runtime, workload),
        removed_before,
        skipped=workload.skipped,
    )
    while result.mismatches and time.monotonic() < deadline:
        sleep(POLL_SECONDS)
        result.found = found_rows(runtime, workload)
    if not keep:
        result.removed_after = remove_rows(runtime)
        if run_layers:
            run_once(runtime, services)
    return result

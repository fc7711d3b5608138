"""``foreachBatch`` harness: run a flow's transform, write every sink idempotently, audit it."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import UTC, datetime

from opentelemetry.trace import Span
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from lakestream.common import telemetry
from lakestream.common.redact import redact
from lakestream.common.runtime.audit import FAILED, SUCCEEDED, BatchCounts, audit_rows
from lakestream.common.runtime.batch import (
    UNATTRIBUTED,
    UNKNOWN_EVENT_TYPE,
    BatchContext,
    BatchResult,
    TableWrite,
)
from lakestream.common.runtime.memory import release_free_memory
from lakestream.common.runtime.service import Flow, Runtime, Service
from lakestream.common.tables.backend import Txn, WriteResult
from lakestream.common.tables.schemas import TableSpec, audit_batches, dlq_events

log = logging.getLogger(__name__)
_ROLLUP_TOTAL = 3
"""``grouping_id()`` of the grand-total row of ``rollup(tenant, event_type)``."""
MAX_ERROR_CHARS = 2000


class ConservationError(RuntimeError):
    """A batch's counts break input = output + dlq + duplicates."""


class ShutdownRequestedError(RuntimeError):
    """A batch was due while the service was stopping; it runs after the restart instead."""


class BatchFailedError(RuntimeError):
    """A batch failed; the message is the redacted ``error_text`` of the cause.

    Raised instead of the cause so that Spark's logs, listeners and the query's exception never
    carry the cause's raw message or traceback.
    """


def error_text(exc: BaseException) -> str:
    """One redacted, bounded description of an error: its message lines without stack frames."""
    lines = [
        line.strip()
        for line in str(exc).splitlines()
        if line.strip() and not line.lstrip().startswith(("at ", "File ", "..."))
    ]
    return redact(f"{type(exc).__name__}: {' | '.join(lines)}")[:MAX_ERROR_CHARS]


def utcnow() -> datetime:
    """Current time, timezone-aware UTC."""
    return datetime.now(UTC)


def audit_tenant(runtime: Runtime, tenant: str | None) -> str:
    """A tenant id's audit bucket: itself when onboarded, else the unattributed bucket."""
    return tenant if tenant in runtime.registry.tenants else UNATTRIBUTED


class BatchRunner:
    """Callable given to ``foreachBatch`` for one flow of one service."""

    def __init__(self, runtime: Runtime, service: Service, flow: Flow) -> None:
        self.runtime = runtime
        self.service = service
        self.flow = flow
        self.app_id = f"lakestream.{service.name}.{flow.name}"

    def __call__(self, df: DataFrame, batch_id: int) -> None:
        if self.runtime.stopping.is_set():
            raise ShutdownRequestedError(f"{self.app_id}: batch {batch_id} not started, stopping")
        ctx = BatchContext(self.runtime, self.service, self.flow.name, batch_id, utcnow())
        counts = BatchCounts()
        span = telemetry.start_batch(ctx)
        status, error = SUCCEEDED, None
        try:
            if self.flow.upstream is not None:
                upstream = self.flow.upstream(self.runtime)
                df = self.runtime.backend.changes(self.runtime.spark, upstream, df)
            result = self.flow.transform(df, ctx)
            counts = self._write(ctx, result)
            self.runtime.fault_point("before_audit", ctx)
            gaps = counts.imbalance()
            if gaps:
                raise ConservationError(f"batch {batch_id}: input != output+dlq+dup for {gaps}")
            self._audit(ctx, counts, SUCCEEDED, None, Txn(self.app_id, batch_id))
            self.runtime.fault_point("after_audit", ctx)
        except Exception as exc:
            message = error_text(exc)
            status, error = FAILED, message
            log.error("%s batch %s failed: %s", self.app_id, batch_id, message)
            self.runtime.failures[f"{self.service.name}.{self.flow.name}"] = (
                f"batch {batch_id}: {message}"
            )
            failed = Txn(f"{self.app_id}.failed.{self.runtime.run_id}", batch_id)
            try:
                self._audit(ctx, counts, FAILED, message, failed)
            except Exception as audit_exc:
                log.error("could not write the FAILED audit row: %s", redact(str(audit_exc)))
            raise BatchFailedError(message) from None
        finally:
            self._finish(ctx, span, counts, status, error)

    def _finish(
        self, ctx: BatchContext, span: Span, counts: BatchCounts, status: str, error: str | None
    ) -> None:
        """End the batch's span and free its caches; a failure here never replaces its outcome.

        Freeing a cache while the query is being stopped fails with a JVM error whose text
        carries a Java stack: it is logged (redacted, one line), not raised past the batch.
        """
        try:
            telemetry.end_batch(ctx, span, counts, status, error)
            ctx.release()
        except Exception as exc:
            log.warning(
                "%s batch %s: clean-up failed: %s", self.app_id, ctx.batch_id, error_text(exc)
            )
        release_free_memory()

    def _txn(self, ctx: BatchContext) -> Txn:
        return Txn(self.app_id, ctx.batch_id)

    def _write(self, ctx: BatchContext, result: BatchResult) -> BatchCounts:
        counts = BatchCounts()
        files = self._input_stats(ctx, result.input, counts)
        if self.flow.verify_input is not None:
            self.flow.verify_input(ctx, files)
        for write in result.writes:
            self.runtime.fault_point(f"before_write:{write.spec.name}", ctx)
            written = self._apply(ctx, write, counts.input.total())
            if write.output and not result.output_is_input:
                typed = self._committed_rows("output", write.spec, written)
                counts.typed.update(typed)
                counts.output.update(_per_tenant(typed))
            self.runtime.fault_point(f"after_write:{write.spec.name}", ctx)
        if result.output_is_input:
            counts.output.update(counts.input)
            counts.typed.update(
                {
                    ("output", t, et): n
                    for (kind, t, et), n in counts.typed.items()
                    if kind == "input"
                }
            )
        if result.dlq is not None:
            spec = dlq_events(self.runtime.layout)
            self.runtime.fault_point(f"before_write:{spec.name}", ctx)
            written = self.runtime.backend.append(
                spec, result.dlq, self._txn(ctx), counts.input.total()
            )
            typed = self._committed_rows("dlq", spec, written)
            counts.typed.update(typed)
            counts.dlq.update(_per_tenant(typed))
            self.runtime.fault_point("after_write:dlq/events", ctx)
        if result.offered is not None:
            rows = result.offered.groupBy("tenant", "event_type").count().collect()
            offered: Counter[tuple[str, str]] = Counter()
            for row in rows:
                offered[(row["tenant"], row["event_type"])] += int(row["count"])
            for (tenant, event_type), n in offered.items():
                gap = n - counts.typed[("output", tenant, event_type)]
                if gap > 0:
                    counts.duplicates[tenant] += gap
                    counts.typed[("duplicate", tenant, event_type)] += gap
        return counts

    def _committed_rows(
        self, kind: str, spec: TableSpec, written: WriteResult
    ) -> Counter[tuple[str, str, str]]:
        """Rows the batch's commit to ``spec`` inserted, per bucketed tenant and event type.

        Read back from the commit's change feed (no Spark job on the embedded backend), so an
        append and a MERGE count alike, and a batch re-run after a crash counts what its first
        attempt committed. A table without an ``event_type`` column counts under
        ``spec.event_type`` (``_unknown`` for a table of mixed types).
        """
        if written.version is None:
            return Counter()
        known = self.runtime.registry.event_types()
        typed = "event_type" in spec.schema.fieldNames()
        columns = ("tenant_id", "event_type") if typed else ("tenant_id",)
        counts: Counter[tuple[str, str, str]] = Counter()
        for key, n in self.runtime.backend.inserted_keys(spec, written.version, columns).items():
            event_type = key[1] if typed else spec.event_type
            known_type = event_type if event_type in known else UNKNOWN_EVENT_TYPE
            counts[(kind, audit_tenant(self.runtime, key[0]), known_type)] += n
        return counts

    def _apply(self, ctx: BatchContext, write: TableWrite, rows: int) -> WriteResult:
        backend = self.runtime.backend
        txn = self._txn(ctx)
        if write.mode == "append":
            return backend.append(write.spec, write.df, txn, rows)
        if write.mode == "insert_new":
            return backend.insert_new(write.spec, write.df, txn, rows)
        return backend.upsert(write.spec, write.df, txn)

    def _input_stats(self, ctx: BatchContext, frame: DataFrame, counts: BatchCounts) -> set[str]:
        """Count the input per tenant and event type, with its lag, in one job.

        Returns the distinct ``file`` values of the input (empty when it has no such column).
        """
        started = F.lit(ctx.started_at).cast("timestamp")
        lag = (F.unix_micros(started) - F.unix_micros(F.col("lag_from"))) / 1000
        file = F.col("file") if "file" in frame.columns else F.lit(None).cast("string")
        rows = (
            frame.select("tenant", "event_type", lag.alias("lag_ms"), file.alias("file"))
            .rollup("tenant", "event_type")
            .agg(
                F.count(F.lit(1)).alias("n"),
                F.percentile_approx("lag_ms", 0.5).alias("p50"),
                F.max("lag_ms").alias("max"),
                F.collect_set("file").alias("files"),
                F.grouping_id().alias("level"),
            )
            .collect()
        )
        files: set[str] = set()
        for row in rows:
            if row["level"] == _ROLLUP_TOTAL:
                files.update(row["files"])
            if row["level"] == 0:
                counts.typed[("input", row["tenant"], row["event_type"])] += int(row["n"])
                continue
            key = None if row["level"] == _ROLLUP_TOTAL else row["tenant"]
            if key is not None:
                counts.input[key] += int(row["n"])
            counts.lag_p50[key] = None if row["p50"] is None else int(row["p50"])
            counts.lag_max[key] = None if row["max"] is None else int(row["max"])
        return files

    def _audit(
        self, ctx: BatchContext, counts: BatchCounts, status: str, error: str | None, txn: Txn
    ) -> None:
        rows = audit_rows(ctx, counts, status, error, utcnow())
        self.runtime.backend.append_rows(audit_batches(self.runtime.layout), rows, txn)


def _per_tenant(typed: Counter[tuple[str, str, str]]) -> Counter[str]:
    """Per-tenant totals of (kind, tenant, event type) counts."""
    totals: Counter[str] = Counter()
    for (_, tenant, _), n in typed.items():
        totals[tenant] += n
    return totals

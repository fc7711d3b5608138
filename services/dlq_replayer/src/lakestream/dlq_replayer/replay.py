"""Replay DLQ rows through the stage that rejected them, with the *current* configuration.

Bronze-stage rows are parsed again (``parse_envelope``); admitted ones are inserted into
``bronze/events`` with an insert-if-absent MERGE on (tenant_id, event_id), so silver and gold pick
them up through the change feed. Silver-stage rows are parsed and validated again
(``validate_payloads``); valid ones go into ``silver/<event_type>`` with the same MERGE silver
uses. The event's dedup key decides: a replay never inserts an event that a table already holds.
Afterwards every selected DLQ row gets its replay status through a MERGE on ``dlq_id``.
"""

from __future__ import annotations

import logging
import random
import time
import uuid
from collections import Counter
from collections.abc import Callable, Container, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, TypeVar

import pyarrow as pa
from pyspark.sql import DataFrame, Row
from pyspark.sql import functions as F

from lakestream.common import telemetry
from lakestream.common.envelope import parse_envelope
from lakestream.common.reasons import ReasonCode, Stage
from lakestream.common.runtime.audit import FAILED, SUCCEEDED, BatchCounts, audit_rows
from lakestream.common.runtime.batch import UNATTRIBUTED, BatchContext
from lakestream.common.runtime.runner import error_text
from lakestream.common.runtime.service import Runtime, Service
from lakestream.common.tables.backend import Txn, WriteConflictError
from lakestream.common.tables.schemas import (
    AUDIT_BATCHES,
    BRONZE_EVENTS,
    TableSpec,
    audit_batches,
    bronze_events,
    dlq_events,
    silver_events,
)
from lakestream.common.validation import VIOLATIONS, validate_payloads
from lakestream.dlq_replayer import __version__
from lakestream.dlq_replayer.selection import (
    FAILED_AGAIN,
    REPLAYABLE,
    REPLAYED,
    DlqFilter,
    select_rows,
)

log = logging.getLogger(__name__)

SERVICE_NAME = "dlq_replayer"
RECOVERED = "recovered"
DUPLICATE = "duplicate"
FAILED_OUTCOME = "failed_again"
REPUBLISHED = "republished"
MAX_ATTEMPTS = 8
SOURCE_ORDER = ("file", "line", "partition", "sequence_number")
EVENT_KEY = ("tenant_id", "event_id")
UNBOUND_DETAIL = (
    "never replayed: the DLQ does not keep the tenants the source bound this event to, "
    "so its tenant_id claim cannot be verified"
)
_OUTCOME_COLUMNS = (
    "dlq_id",
    "source",
    "tenant_id",
    "event_type",
    "event_id",
    "reason_code",
    "reason_detail",
)


RowLike = TypeVar("RowLike", Row, dict[str, Any])


class ReplayConflictError(RuntimeError):
    """A write kept conflicting with concurrent writers after every retry."""


@dataclass(frozen=True)
class Outcome:
    """What replay did (or would do) with one DLQ row."""

    dlq_id: str
    stage: str
    tenant: str
    outcome: str
    reason_code: str | None = None
    reason_detail: str | None = None

    @property
    def status(self) -> str:
        """The DLQ ``replay_status`` this outcome sets."""
        return FAILED_AGAIN if self.outcome == FAILED_OUTCOME else REPLAYED


@dataclass
class ReplayReport:
    """Summary of one replay (or dry run)."""

    replay_id: str
    dry_run: bool
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def selected(self) -> int:
        """DLQ rows selected."""
        return len(self.outcomes)

    def count(self, outcome: str) -> int:
        """Rows with ``outcome`` (recovered, duplicate, failed_again)."""
        return sum(1 for o in self.outcomes if o.outcome == outcome)

    def failed_by_reason(self) -> Counter[str]:
        """Still-failing rows by their new reason code."""
        return Counter(o.reason_code or "" for o in self.outcomes if o.outcome == FAILED_OUTCOME)


def replay(
    runtime: Runtime,
    where: DlqFilter,
    limit: int | None = None,
    dry_run: bool = False,
    replay_id: str | None = None,
) -> ReplayReport:
    """Replay the selected DLQ rows (pending and failed_again unless ``where`` says otherwise)."""
    if where.statuses is None:
        where = replace(where, statuses=REPLAYABLE)
    report = ReplayReport(replay_id or uuid.uuid4().hex[:12], dry_run)
    selected = select_rows(runtime, where)
    if limit is not None:
        selected = selected.slice(0, limit)
    if selected.num_rows == 0:
        return report
    started = datetime.now(UTC)
    rows = runtime.spark.createDataFrame(selected)
    present = set(selected.column("stage").to_pylist())
    for stage, run in ((Stage.BRONZE, _replay_bronze), (Stage.SILVER, _replay_silver)):
        if stage.value not in present:
            continue
        ctx = _context(runtime, stage, report.replay_id, started)
        stage_rows = rows.where(F.col("stage") == stage.value)
        report.outcomes.extend(_run_stage(ctx, run, stage_rows, dry_run))
    return report


def _run_stage(
    ctx: BatchContext,
    run: Callable[[BatchContext, DataFrame, bool], list[Outcome]],
    rows: DataFrame,
    dry_run: bool,
) -> list[Outcome]:
    """One stage of a replay: outcomes, then (unless dry) status MERGE, audit and telemetry."""
    span = None if dry_run else telemetry.start_batch(ctx)
    outcomes: list[Outcome] = []
    status, error = SUCCEEDED, None
    try:
        outcomes = run(ctx, rows, dry_run)
        if not dry_run and outcomes:
            ctx.runtime.fault_point("before_status", ctx)
            mark(ctx.runtime, outcomes, ctx.runtime.run_id, ctx.started_at)
            ctx.runtime.fault_point("before_audit", ctx)
            audit(ctx, outcomes, SUCCEEDED, None)
        return outcomes
    except Exception as exc:
        status, error = FAILED, error_text(exc)
        if not dry_run:
            audit(ctx, [], FAILED, error)
        raise
    finally:
        if span is not None:
            telemetry.end_batch(ctx, span, counts_of(outcomes), status, error)
        ctx.release()


def _context(runtime: Runtime, stage: Stage, replay_id: str, started: datetime) -> BatchContext:
    """Audit identity of one stage of a replay: service dlq_replayer, layer = the stage."""
    service = Service(SERVICE_NAME, stage.value, __version__, 100, lambda _: [])
    replay_runtime = replace(runtime, run_id=replay_id, failures={})
    batch_id = 0 if stage is Stage.BRONZE else 1
    return BatchContext(replay_runtime, service, stage.value, batch_id, started)


def bucket(runtime: Runtime, tenant: str | None) -> str:
    """The audit tenant bucket of a DLQ row's claimed tenant."""
    return tenant if tenant in runtime.registry.tenants else UNATTRIBUTED


def ordered(rows: Iterable[RowLike]) -> list[RowLike]:
    """Rows in source order (file and line, or partition and sequence number), then dlq_id."""

    def key(row: RowLike) -> tuple[object, ...]:
        source: Any = row["source"] or {}
        parts: list[Any] = [source[name] if source else None for name in SOURCE_ORDER]
        return (*[(p is None, p if p is not None else 0) for p in parts], row["dlq_id"])

    return sorted(rows, key=key)


def _split(ctx: BatchContext, rows: list[Row], stage: Stage) -> tuple[list[Outcome], list[Row]]:
    """Failed rows become outcomes; valid rows are reduced to first occurrences per event key.

    Returns (outcomes for failed rows and in-selection duplicates, candidate rows).
    """
    outcomes, candidates, seen = [], [], set()
    for row in ordered(rows):
        tenant = bucket(ctx.runtime, row["tenant_id"])
        if row["reason_code"] is not None:
            outcomes.append(
                Outcome(
                    row["dlq_id"],
                    stage.value,
                    tenant,
                    FAILED_OUTCOME,
                    row["reason_code"],
                    row["reason_detail"],
                )
            )
        elif (row["tenant_id"], row["event_id"]) in seen:
            outcomes.append(Outcome(row["dlq_id"], stage.value, tenant, DUPLICATE))
        else:
            seen.add((row["tenant_id"], row["event_id"]))
            candidates.append(row)
    return outcomes, candidates


def _insert(
    ctx: BatchContext, spec: TableSpec, rows: DataFrame, candidates: list[Row], dry_run: bool
) -> list[Outcome]:
    """Insert-if-absent the candidates; classify each as recovered or duplicate."""
    stage = ctx.service.layer
    if not candidates:
        return []
    inserted: Container[tuple[str | None, ...]]
    if dry_run:
        present = _present_keys(ctx, spec, candidates)
        inserted = {(r["tenant_id"], r["event_id"]) for r in candidates} - present
    else:
        inserted = _insert_with_retry(ctx, spec, rows)
    return [
        Outcome(
            row["dlq_id"],
            stage,
            bucket(ctx.runtime, row["tenant_id"]),
            RECOVERED if (row["tenant_id"], row["event_id"]) in inserted else DUPLICATE,
        )
        for row in candidates
    ]


def _present_keys(
    ctx: BatchContext, spec: TableSpec, candidates: list[Row]
) -> set[tuple[str, str]]:
    """(tenant_id, event_id) keys of the candidates that ``spec`` already holds."""
    runtime = ctx.runtime
    runtime.backend.ensure(spec)
    tenants = sorted({r["tenant_id"] for r in candidates})
    held = runtime.backend.read(runtime.spark, spec, filters=[("tenant_id", "in", tenants)])
    wanted = {(r["tenant_id"], r["event_id"]) for r in candidates}
    keys = held.select("tenant_id", "event_id").collect()
    return {(k["tenant_id"], k["event_id"]) for k in keys} & wanted


def _insert_with_retry(
    ctx: BatchContext, spec: TableSpec, rows: DataFrame
) -> set[tuple[str | None, ...]]:
    """Insert-if-absent MERGE, retried on commit conflicts; the (tenant_id, event_id) inserted.

    A conflicting concurrent writer makes delta-rs refuse the commit; the retry re-reads the
    table, so an event a concurrent replay has just inserted is then found and skipped.
    """
    runtime = ctx.runtime
    runtime.backend.ensure(spec)
    app_id = f"lakestream.{SERVICE_NAME}.{runtime.run_id}.{spec.name}"
    for attempt in range(MAX_ATTEMPTS):
        try:
            written = runtime.backend.insert_new(spec, rows, Txn(app_id, attempt))
            runtime.fault_point(f"after_write:{spec.name}", ctx)
        except WriteConflictError as exc:
            log.warning("replay write to %s conflicted (%s); retrying", spec.name, exc)
            time.sleep(random.uniform(0.1, 0.5) * (attempt + 1))
            continue
        if written.version is None:
            return set()
        return set(runtime.backend.inserted_keys(spec, written.version, EVENT_KEY))
    raise ReplayConflictError(f"{spec.name}: still conflicting after {MAX_ATTEMPTS} attempts")


def _parsed(ctx: BatchContext, rows: DataFrame) -> DataFrame:
    """DLQ rows with the envelope re-derived from their raw bytes under the current config.

    A ``TENANT_MISMATCH`` row fails again as it is: the DLQ does not keep the tenants its
    source bound it to, so no later configuration can prove the body's claim.
    """
    settings = ctx.runtime.settings
    original = F.col("reason_code").alias("_original")
    body = rows.select("dlq_id", "source", "raw_body", F.col("raw_body").alias("body"), original)
    parsed = parse_envelope(body, ctx.runtime.registry, settings.max_body_bytes)
    mismatch = F.col("_original") == ReasonCode.TENANT_MISMATCH.value
    kept = parsed.withColumns(
        {
            "reason_code": F.when(mismatch, F.col("_original")).otherwise(F.col("reason_code")),
            "reason_detail": F.when(mismatch, F.lit(UNBOUND_DETAIL)).otherwise(
                F.col("reason_detail")
            ),
        }
    )
    return ctx.cache(kept.drop("_original"))


def _replay_bronze(ctx: BatchContext, rows: DataFrame, dry_run: bool) -> list[Outcome]:
    parsed = _parsed(ctx, rows)
    outcomes, candidates = _split(ctx, parsed.select(*_OUTCOME_COLUMNS).collect(), Stage.BRONZE)
    ingest = F.lit(ctx.started_at).cast("timestamp")
    ids = [r["dlq_id"] for r in candidates]
    good = (
        parsed.where(F.col("dlq_id").isin(ids))
        .withColumn("ingest_time", ingest)
        .withColumn("ingest_date", F.to_date(ingest))
        .select(*BRONZE_EVENTS.fieldNames())
    )
    spec = replace(bronze_events(ctx.runtime.layout), keys=("tenant_id", "event_id"))
    return outcomes + _insert(ctx, spec, good, candidates, dry_run)


def _replay_silver(ctx: BatchContext, rows: DataFrame, dry_run: bool) -> list[Outcome]:
    runtime = ctx.runtime
    registry = runtime.registry
    parsed = _parsed(ctx, rows)
    admitted = parsed.where(F.col("reason_code").isNull())
    ingest = F.lit(ctx.started_at).cast("timestamp")
    checked_rows: list[Row] = (
        parsed.where(F.col("reason_code").isNotNull()).select(*_OUTCOME_COLUMNS).collect()
    )
    frames: dict[str, DataFrame] = {}
    for event_type in registry.event_types():
        checked = ctx.cache(
            validate_payloads(
                admitted.where(F.col("event_type") == event_type).drop(
                    "reason_code", "reason_detail", "raw_body", "body"
                ),
                registry,
                event_type,
            )
            .withColumn(
                "reason_code",
                F.when(F.size(VIOLATIONS) > 0, F.lit(ReasonCode.CONTRACT_VIOLATION.value)),
            )
            .withColumn(
                "reason_detail", F.when(F.size(VIOLATIONS) > 0, F.array_join(VIOLATIONS, "; "))
            )
        )
        frames[event_type] = checked
        checked_rows += checked.select(*_OUTCOME_COLUMNS).collect()
    outcomes, candidates = _split(ctx, checked_rows, Stage.SILVER)
    for event_type, checked in frames.items():
        spec = silver_events(runtime.layout, registry.latest(event_type))
        mine = [r for r in candidates if r["event_type"] == event_type]
        good = (
            checked.where(F.col("dlq_id").isin([r["dlq_id"] for r in mine]))
            .withColumn("ingest_time", ingest)
            .withColumn("ingest_date", F.to_date(ingest))
            .withColumn("bronze_version", F.lit(None).cast("long"))
            .select(*spec.schema.fieldNames())
        )
        outcomes += _insert(ctx, spec, good, mine, dry_run)
    return outcomes


def mark(runtime: Runtime, outcomes: list[Outcome], replay_id: str, at: datetime) -> None:
    """MERGE the replay status into ``dlq/events`` on dlq_id, keeping each row's history.

    ``replay_attempts`` is incremented in the MERGE itself (``t.replay_attempts + 1``), so
    concurrent replays never lose an attempt; a row once ``replayed`` stays ``replayed``.
    ``reason_code``/``reason_detail`` keep the original failure.
    """
    source = pa.table(
        {
            "dlq_id": pa.array([o.dlq_id for o in outcomes], pa.string()),
            "replay_status": pa.array([o.status for o in outcomes], pa.string()),
            "last_replay_at": pa.array([at] * len(outcomes), pa.timestamp("us", tz="UTC")),
            "last_replay_id": pa.array([replay_id] * len(outcomes), pa.string()),
        }
    )
    spec = dlq_events(runtime.layout)
    df = runtime.spark.createDataFrame(source)
    updates = {
        "replay_status": (
            f"CASE WHEN t.replay_status = '{REPLAYED}' THEN t.replay_status "
            "ELSE s.replay_status END"
        ),
        "replay_attempts": "coalesce(t.replay_attempts, 0) + 1",
        "last_replay_at": "s.last_replay_at",
        "last_replay_id": "s.last_replay_id",
    }
    _retry("dlq/events status", lambda: runtime.backend.update_matched(spec, df, updates))


def _retry(what: str, action: Callable[[], object]) -> None:
    for attempt in range(MAX_ATTEMPTS):
        try:
            action()
            return
        except WriteConflictError as exc:
            log.warning("%s conflicted (%s); retrying", what, exc)
            time.sleep(random.uniform(0.1, 0.5) * (attempt + 1))
    raise ReplayConflictError(f"{what}: still conflicting after {MAX_ATTEMPTS} attempts")


def counts_of(outcomes: list[Outcome]) -> BatchCounts:
    """Audit counts of one stage: input = recovered + failed_again + duplicates, per tenant."""
    counts = BatchCounts()
    target = {
        RECOVERED: counts.output,
        REPUBLISHED: counts.output,
        FAILED_OUTCOME: counts.dlq,
        DUPLICATE: counts.duplicates,
    }
    for o in outcomes:
        counts.input[o.tenant] += 1
        target[o.outcome][o.tenant] += 1
    return counts


def audit(ctx: BatchContext, outcomes: list[Outcome], status: str, error: str | None) -> None:
    """Audit rows of one replay stage (service dlq_replayer)."""
    runtime = ctx.runtime
    rows = audit_rows(ctx, counts_of(outcomes), status, error, datetime.now(UTC))
    df = runtime.spark.createDataFrame(rows, AUDIT_BATCHES)
    spec = audit_batches(runtime.layout)
    runtime.backend.ensure(spec)
    suffix = "" if status == SUCCEEDED else ".failed"
    txn = Txn(f"lakestream.{SERVICE_NAME}.{runtime.run_id}{suffix}", ctx.batch_id)
    runtime.backend.append(spec, df, txn)

"""Replay DLQ rows through the stage that rejected them, with the *current* configuration.

Bronze-stage rows are parsed again (``parse_envelope``); admitted ones are inserted into
``bronze/events`` with an insert-if-absent MERGE on (tenant_id, event_id), so silver and gold pick
them up through the change feed. Silver-stage rows are parsed and validated again
(``validate_payloads``); valid ones go into ``silver/<event_type>`` with the same MERGE silver
uses. The event's dedup key decides: a replay never inserts an event that a table already holds.
Afterwards every selected DLQ row gets its replay status through a MERGE on ``dlq_id``, then the
stage's audit rows are appended.

A replay may be killed between those writes (decision 0098). Replays hold the replayer's run lock
one at a time; the insert transaction is derived from the candidates and their state, so a rerun
that selects them again finds the killed run's commit and counts its rows recovered; and a replay
first writes the missing audit of any replay stage that marked rows but died before its audit.
"""

from __future__ import annotations

import hashlib
import logging
import random
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Container, Iterable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, TypeVar

import pyarrow as pa
from pyspark.sql import DataFrame, Row
from pyspark.sql import functions as F

from lakestream.bronze.envelope import parse_envelope
from lakestream.common import telemetry
from lakestream.common.reasons import ReasonCode, Stage
from lakestream.common.runtime.audit import FAILED, SUCCEEDED, BatchCounts, audit_rows
from lakestream.common.runtime.batch import BatchContext
from lakestream.common.runtime.lock import acquire
from lakestream.common.runtime.runner import audit_tenant, error_text
from lakestream.common.runtime.service import Runtime, Service
from lakestream.common.tables.backend import Txn, WriteConflictError, WriteResult
from lakestream.common.tables.schemas import (
    BRONZE_EVENTS,
    TableSpec,
    audit_batches,
    bronze_events,
    dlq_events,
    silver_events,
)
from lakestream.dlq_replayer import __version__
from lakestream.dlq_replayer.selection import (
    FAILED_AGAIN,
    REPLAYABLE,
    REPLAYED,
    DlqFilter,
    select_rows,
)
from lakestream.silver.validation import VIOLATIONS, validate_payloads

log = logging.getLogger(__name__)

SERVICE_NAME = "dlq_replayer"
RECOVERED = "recovered"
DUPLICATE = "duplicate"
FAILED_OUTCOME = "failed_again"
REPUBLISHED = "republished"
REPUBLISH_LAYER = "republish"
REPUBLISH_PREFIX = "republish-"
"""Replay ids of republishes start with this, so their DLQ marks can be told from a replay's."""
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
Attempts = Mapping[str, int]
"""``replay_attempts`` of each selected DLQ row before this replay, by dlq_id."""


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


StageRun = Callable[[BatchContext, DataFrame, Attempts, bool], list[Outcome]]
"""One stage's replay: (context, its DLQ rows, attempts, dry run) -> outcomes."""


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
    with ExitStack() as stack:
        if not dry_run:
            held = acquire(runtime.layout, SERVICE_NAME, report.replay_id, wait=True)
            if held is not None:
                stack.callback(held.release)
            complete_audits(runtime)
        selected = select_rows(runtime, where)
        if limit is not None:
            selected = selected.slice(0, limit)
        if selected.num_rows == 0:
            return report
        started = datetime.now(UTC)
        attempts = {
            r["dlq_id"]: r["replay_attempts"] or 0
            for r in selected.select(["dlq_id", "replay_attempts"]).to_pylist()
        }
        rows = runtime.spark.createDataFrame(selected)
        present = set(selected.column("stage").to_pylist())
        runs: tuple[tuple[Stage, StageRun], ...] = (
            (Stage.BRONZE, _replay_bronze),
            (Stage.SILVER, _replay_silver),
        )
        for stage, run in runs:
            if stage.value not in present:
                continue
            ctx = replay_context(runtime, stage.value, report.replay_id, started)
            stage_rows = rows.where(F.col("stage") == stage.value)
            report.outcomes.extend(_run_stage(ctx, run, stage_rows, attempts, dry_run))
    return report


def _run_stage(
    ctx: BatchContext, run: StageRun, rows: DataFrame, attempts: Attempts, dry_run: bool
) -> list[Outcome]:
    """One stage of a replay: outcomes, then (unless dry) status MERGE, audit and telemetry."""
    span = None if dry_run else telemetry.start_batch(ctx)
    outcomes: list[Outcome] = []
    status, error = SUCCEEDED, None
    try:
        outcomes = run(ctx, rows, attempts, dry_run)
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


_AUDIT_BATCH = {Stage.BRONZE.value: 0, Stage.SILVER.value: 1, REPUBLISH_LAYER: 2}
"""Audit batch id of each replay layer: the bronze and silver stages of a replay, republish."""


def replay_context(runtime: Runtime, layer: str, replay_id: str, started: datetime) -> BatchContext:
    """Audit identity of a replay stage (layer = the stage) or a republish: service dlq_replayer."""
    service = Service(SERVICE_NAME, layer, __version__, 100, lambda _: [])
    replay_runtime = replace(runtime, run_id=replay_id, failures={})
    return BatchContext(replay_runtime, service, layer, _AUDIT_BATCH[layer], started)


def ordered(rows: Iterable[RowLike]) -> list[RowLike]:
    """Rows in source order (file and line, or partition and sequence number), then dlq_id."""

    def key(row: RowLike) -> tuple[object, ...]:
        source: Any = row["source"] or {}
        parts: list[Any] = [source[name] if source else None for name in SOURCE_ORDER]
        return (*[(p is None, p if p is not None else 0) for p in parts], row["dlq_id"])

    return sorted(rows, key=key)


def _split(
    ctx: BatchContext, rows: list[RowLike], stage: Stage
) -> tuple[list[Outcome], list[RowLike]]:
    """Failed rows become outcomes; valid rows are reduced to first occurrences per event key.

    Returns (outcomes for failed rows and in-selection duplicates, candidate rows).
    """
    outcomes: list[Outcome] = []
    candidates: list[RowLike] = []
    seen: set[tuple[str | None, str | None]] = set()
    for row in ordered(rows):
        tenant = audit_tenant(ctx.runtime, row["tenant_id"])
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


def selection_txn(spec: TableSpec, candidates: Iterable[tuple[str, int]]) -> Txn:
    """The insert transaction of candidate rows given as (dlq_id, replay_attempts before).

    The same rows in the same state give the same transaction: a rerun after a crash before
    their status MERGE finds the commit of the run it repeats. Every finished replay raises the
    attempts of its rows, so a later replay of the same rows gets a new transaction.
    """
    text = "\n".join(f"{dlq_id} {tries}" for dlq_id, tries in sorted(candidates))
    digest = hashlib.sha256(text.encode()).hexdigest()[:24]
    return Txn(f"lakestream.{SERVICE_NAME}.{digest}.{spec.name}", 0)


def _classify(
    runtime: Runtime,
    stage: str,
    candidates: list[RowLike],
    inserted: Container[tuple[str | None, ...]],
) -> list[Outcome]:
    """Recovered when the candidate's event key is in ``inserted``, else duplicate."""
    return [
        Outcome(
            row["dlq_id"],
            stage,
            audit_tenant(runtime, row["tenant_id"]),
            RECOVERED if (row["tenant_id"], row["event_id"]) in inserted else DUPLICATE,
        )
        for row in candidates
    ]


def _insert(
    ctx: BatchContext,
    spec: TableSpec,
    rows: DataFrame,
    candidates: list[Row],
    attempts: Attempts,
    dry_run: bool,
) -> list[Outcome]:
    """Insert-if-absent the candidates; classify each as recovered or duplicate."""
    if not candidates:
        return []
    inserted: Container[tuple[str | None, ...]]
    if dry_run:
        present = _present_keys(ctx, spec, candidates)
        inserted = {(r["tenant_id"], r["event_id"]) for r in candidates} - present
    else:
        txn = selection_txn(spec, [(r["dlq_id"], attempts[r["dlq_id"]]) for r in candidates])
        inserted = _insert_with_retry(ctx, spec, rows, txn, len(candidates))
    return _classify(ctx.runtime, ctx.service.layer, candidates, inserted)


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
    ctx: BatchContext, spec: TableSpec, rows: DataFrame, txn: Txn, count: int
) -> set[tuple[str | None, ...]]:
    """Insert-if-absent MERGE once per ``txn``, retried on commit conflicts; the keys inserted.

    ``count`` is how many rows ``rows`` holds (one per candidate), the backend's write-path hint.

    A conflicting concurrent writer (another job on the tables) makes the commit fail; the retry
    re-reads the table, so an event inserted meanwhile is then found and skipped. A refused
    commit wrote nothing, so every attempt carries the same transaction.
    """
    runtime = ctx.runtime
    runtime.backend.ensure(spec)
    for attempt in range(MAX_ATTEMPTS):
        try:
            written = runtime.backend.insert_new(spec, rows, txn, count)
            runtime.fault_point(f"after_write:{spec.name}", ctx)
        except WriteConflictError as exc:
            log.warning("replay write to %s conflicted (%s); retrying", spec.name, exc)
            time.sleep(random.uniform(0.1, 0.5) * (attempt + 1))
            continue
        return _inserted_keys(runtime, spec, written)
    raise ReplayConflictError(f"{spec.name}: still conflicting after {MAX_ATTEMPTS} attempts")


def _inserted_keys(
    runtime: Runtime, spec: TableSpec, written: WriteResult | None
) -> set[tuple[str | None, ...]]:
    """The (tenant_id, event_id) keys a replay commit inserted (none without a commit)."""
    if written is None or written.version is None:
        return set()
    return set(runtime.backend.inserted_keys(spec, written.version, EVENT_KEY))


def _bronze_spec(runtime: Runtime) -> TableSpec:
    return replace(bronze_events(runtime.layout), keys=EVENT_KEY)


def _silver_spec(runtime: Runtime, event_type: str) -> TableSpec:
    return silver_events(runtime.layout, runtime.registry.latest(event_type))


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


def _replay_bronze(
    ctx: BatchContext, rows: DataFrame, attempts: Attempts, dry_run: bool
) -> list[Outcome]:
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
    spec = _bronze_spec(ctx.runtime)
    return outcomes + _insert(ctx, spec, good, candidates, attempts, dry_run)


def _replay_silver(
    ctx: BatchContext, rows: DataFrame, attempts: Attempts, dry_run: bool
) -> list[Outcome]:
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
        spec = _silver_spec(runtime, event_type)
        mine = [r for r in candidates if r["event_type"] == event_type]
        good = (
            checked.where(F.col("dlq_id").isin([r["dlq_id"] for r in mine]))
            .withColumn("ingest_time", ingest)
            .withColumn("ingest_date", F.to_date(ingest))
            .withColumn("bronze_version", F.lit(None).cast("long"))
            .select(*spec.schema.fieldNames())
        )
        outcomes += _insert(ctx, spec, good, mine, attempts, dry_run)
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
    spec = audit_batches(runtime.layout)
    runtime.backend.ensure(spec)
    suffix = "" if status == SUCCEEDED else ".failed"
    txn = Txn(f"lakestream.{SERVICE_NAME}.{runtime.run_id}{suffix}", ctx.batch_id)
    runtime.backend.append_rows(spec, rows, txn)


def complete_audits(runtime: Runtime) -> None:
    """Append the audit of every replay stage that marked its DLQ rows but died before auditing.

    Its outcomes are derived again from the rows it marked last (``last_replay_id``):
    ``failed_again`` rows failed, the first other row per event key in source order was a
    candidate (recovered when that stage's insert transaction inserted its key), the rest were
    duplicates; a republish's other rows were republished. The append uses the stage's own
    audit transaction, so it happens once.
    """
    marked: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in select_rows(runtime, DlqFilter(statuses=(REPLAYED, FAILED_AGAIN))).to_pylist():
        if row["last_replay_id"] is not None:
            republished = row["last_replay_id"].startswith(REPUBLISH_PREFIX)
            stage = REPUBLISH_LAYER if republished else row["stage"]
            marked[(row["last_replay_id"], stage)].append(row)
    if not marked:
        return
    spec = audit_batches(runtime.layout)
    runtime.backend.ensure(spec)
    audits = runtime.backend.read(
        runtime.spark, spec, filters=[("service", "=", SERVICE_NAME), ("status", "=", SUCCEEDED)]
    )
    done = {(r["run_id"], r["layer"]) for r in audits.select("run_id", "layer").collect()}
    for (replay_id, stage), rows in sorted(marked.items()):
        if (replay_id, stage) in done:
            continue
        ctx = replay_context(runtime, stage, replay_id, min(r["last_replay_at"] for r in rows))
        if stage == REPUBLISH_LAYER:
            outcomes = [_republish_outcome(runtime, r) for r in rows]
        else:
            outcomes = _recorded_outcomes(ctx, rows)
        log.warning(
            "replay %s marked %d %s DLQ rows but wrote no audit; writing it now",
            replay_id,
            len(rows),
            stage,
        )
        audit(ctx, outcomes, SUCCEEDED, None)


def _republish_outcome(runtime: Runtime, row: dict[str, Any]) -> Outcome:
    tenant = audit_tenant(runtime, row["tenant_id"])
    if row["replay_status"] == FAILED_AGAIN:
        return Outcome(
            row["dlq_id"],
            row["stage"],
            tenant,
            FAILED_OUTCOME,
            row["reason_code"],
            row["reason_detail"],
        )
    return Outcome(row["dlq_id"], row["stage"], tenant, REPUBLISHED)


def _recorded_outcomes(ctx: BatchContext, rows: list[dict[str, Any]]) -> list[Outcome]:
    """The outcomes a replay stage had for the DLQ rows it marked (see ``complete_audits``)."""
    runtime = ctx.runtime
    stage = Stage(ctx.service.layer)
    judged = [
        {**r, "reason_code": r["reason_code"] if r["replay_status"] == FAILED_AGAIN else None}
        for r in rows
    ]
    outcomes, candidates = _split(ctx, judged, stage)
    by_table: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in candidates:
        by_table[row["event_type"] if stage is Stage.SILVER else ""].append(row)
    for event_type, mine in sorted(by_table.items()):
        spec = _silver_spec(runtime, event_type) if event_type else _bronze_spec(runtime)
        txn = selection_txn(spec, [(r["dlq_id"], r["replay_attempts"] - 1) for r in mine])
        written = runtime.backend.committed(spec, txn)
        outcomes += _classify(runtime, stage.value, mine, _inserted_keys(runtime, spec, written))
    return outcomes

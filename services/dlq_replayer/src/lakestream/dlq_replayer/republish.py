"""``dlq replay --republish``: send the selected rows' raw bodies back through Event Hubs.

For teams that want every event to enter through the front door: instead of writing tables,
the raw bytes go to the hub the settings name, bronze ingests them again with the current
configuration, and the event key decides downstream. Bodies are sent first and the DLQ rows
marked ``replayed`` second, so a crash in between re-sends on the next republish (at least
once); silver's dedup on (tenant_id, event_id) keeps that from inserting an event twice.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from lakestream.common.eventhubs.connection import EventHubsTarget
from lakestream.common.eventhubs.producer import send_bodies
from lakestream.common.reasons import ReasonCode
from lakestream.common.runtime.audit import SUCCEEDED
from lakestream.common.runtime.batch import BatchContext
from lakestream.common.runtime.service import Runtime, Service
from lakestream.common.sources.eventhubs import settings_target
from lakestream.dlq_replayer import __version__
from lakestream.dlq_replayer.replay import (
    FAILED_OUTCOME,
    REPUBLISH_LAYER,
    REPUBLISHED,
    SERVICE_NAME,
    UNBOUND_DETAIL,
    Outcome,
    ReplayReport,
    audit,
    bucket,
    mark,
    ordered,
)
from lakestream.dlq_replayer.selection import REPLAYABLE, DlqFilter, select_rows

REPUBLISH_BATCH = 2


def republish(
    runtime: Runtime,
    where: DlqFilter,
    limit: int | None = None,
    dry_run: bool = False,
    replay_id: str | None = None,
    target: EventHubsTarget | None = None,
) -> ReplayReport:
    """Send the selected DLQ rows' raw bodies to Event Hubs, in source order, and mark them."""
    if where.statuses is None:
        where = replace(where, statuses=REPLAYABLE)
    report = ReplayReport(replay_id or runtime.run_id, dry_run)
    selected = select_rows(runtime, where)
    if limit is not None:
        selected = selected.slice(0, limit)
    rows = ordered(selected.to_pylist())
    report.outcomes = [_outcome(runtime, r) for r in rows]
    if dry_run or not rows:
        return report
    started = datetime.now(UTC)
    sent = [
        r["raw_body"]
        for r, o in zip(rows, report.outcomes, strict=True)
        if o.outcome == REPUBLISHED
    ]
    if sent:
        send_bodies(target or settings_target(runtime.settings), sent)
    service = Service(SERVICE_NAME, REPUBLISH_LAYER, __version__, 100, lambda _: [])
    ctx = BatchContext(
        replace(runtime, run_id=report.replay_id, failures={}),
        service,
        REPUBLISH_LAYER,
        REPUBLISH_BATCH,
        started,
    )
    mark(runtime, report.outcomes, report.replay_id, started)
    audit(ctx, report.outcomes, SUCCEEDED, None)
    return report


def _outcome(runtime: Runtime, row: dict[str, Any]) -> Outcome:
    """Republished, unless the row is a ``TENANT_MISMATCH``: sent back without the binding it
    failed, its claim would no longer be checked, so it fails again instead."""
    tenant = bucket(runtime, row["tenant_id"])
    if row["reason_code"] == ReasonCode.TENANT_MISMATCH.value:
        mismatch = ReasonCode.TENANT_MISMATCH.value
        return Outcome(
            row["dlq_id"], row["stage"], tenant, FAILED_OUTCOME, mismatch, UNBOUND_DETAIL
        )
    return Outcome(row["dlq_id"], row["stage"], tenant, REPUBLISHED)

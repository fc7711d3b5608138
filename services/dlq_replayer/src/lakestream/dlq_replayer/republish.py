"""``dlq replay --republish``: send the selected rows' raw bodies back through Event Hubs.

For teams that want every event to enter through the front door: instead of writing tables,
the raw bytes go to the hub the settings name, bronze ingests them again with the current
configuration, and the event key decides downstream. Bodies are sent first and the DLQ rows
marked ``replayed`` second, so a crash in between re-sends on the next republish (at least
once); silver's dedup on (tenant_id, event_id) keeps that from inserting an event twice. Replay
ids of republishes start with ``republish-``: a crash between the marks and the audit is
completed as a republish by the next replay or republish (decision 0098).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from lakestream.common.eventhubs.connection import EventHubsTarget
from lakestream.common.eventhubs.producer import send_bodies
from lakestream.common.reasons import ReasonCode
from lakestream.common.runtime.audit import SUCCEEDED
from lakestream.common.runtime.runner import audit_tenant
from lakestream.common.runtime.service import Runtime
from lakestream.common.sources.eventhubs import settings_target
from lakestream.dlq_replayer.replay import (
    FAILED_OUTCOME,
    REPUBLISH_LAYER,
    REPUBLISH_PREFIX,
    REPUBLISHED,
    UNBOUND_DETAIL,
    Outcome,
    ReplayReport,
    audit,
    complete_audits,
    mark,
    ordered,
    replay_context,
)
from lakestream.dlq_replayer.selection import REPLAYABLE, DlqFilter, select_rows


def republish(
    runtime: Runtime,
    where: DlqFilter,
    limit: int | None = None,
    dry_run: bool = False,
    target: EventHubsTarget | None = None,
) -> ReplayReport:
    """Send the selected DLQ rows' raw bodies to Event Hubs, in source order, and mark them."""
    if where.statuses is None:
        where = replace(where, statuses=REPLAYABLE)
    report = ReplayReport(f"{REPUBLISH_PREFIX}{runtime.run_id}", dry_run)
    if not dry_run:
        complete_audits(runtime)
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
    ctx = replay_context(runtime, REPUBLISH_LAYER, report.replay_id, started)
    mark(runtime, report.outcomes, report.replay_id, started)
    runtime.fault_point("before_audit", ctx)
    audit(ctx, report.outcomes, SUCCEEDED, None)
    return report


def _outcome(runtime: Runtime, row: dict[str, Any]) -> Outcome:
    """Republished, unless the row is a ``TENANT_MISMATCH``: sent back without the binding it
    failed, its claim would no longer be checked, so it fails again instead."""
    tenant = audit_tenant(runtime, row["tenant_id"])
    if row["reason_code"] == ReasonCode.TENANT_MISMATCH.value:
        mismatch = ReasonCode.TENANT_MISMATCH.value
        return Outcome(
            row["dlq_id"], row["stage"], tenant, FAILED_OUTCOME, mismatch, UNBOUND_DETAIL
        )
    return Outcome(row["dlq_id"], row["stage"], tenant, REPUBLISHED)

"""``lakestream status``: per layer, is anything lost, slow or stuck?

For each layer: its backlog (landing files, Event Hubs events per partition, or upstream commits
that no committed batch has read, from its checkpoint and its source), the age of its last
successful batch, the batches that failed in the window, the DLQ rows its stage wrote in the
window by reason, and the conservation law (every audit row balances, and the cross-layer
reconciliation). Each layer gets the worst verdict that applies:

- ``losing``: a conservation gap that lag does not explain, or Event Hubs events that left the
  hub's retention before any batch read them;
- ``stuck``: its last batch failed, its checkpoint is damaged, or its backlog has waited longer
  than ``LAKESTREAM_STATUS_STUCK_AFTER_SECONDS`` with no successful batch for as long;
- ``lagging``: its backlog is above ``LAKESTREAM_STATUS_MAX_BACKLOG``;
- ``ok`` otherwise.

Only local roots are read (checkpoints and tables by path), as ``lakestream checkpoint`` does.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from lakestream.common import telemetry
from lakestream.common.audit import tables
from lakestream.common.audit.reconcile import Gap, reconcile
from lakestream.common.config import Registry
from lakestream.common.errors import LakestreamError
from lakestream.common.runtime.audit import FAILED, SUCCEEDED
from lakestream.common.runtime.checkpoint import committed_version, inspect
from lakestream.common.runtime.service import Service, declared_flows, discover_services
from lakestream.common.settings import Settings
from lakestream.common.sources.base import Backlog, source_for
from lakestream.common.tables.delta_log import commit_file, latest_version


class StatusUnreadableError(LakestreamError):
    """The status cannot be read from this root (exit 2)."""

    exit_code = 2


class Verdict(StrEnum):
    """A layer's health, from best to worst."""

    OK = "ok"
    LAGGING = "lagging"
    STUCK = "stuck"
    LOSING = "losing"

    @property
    def severity(self) -> int:
        """0 (ok) to 3 (losing): the value of the ``lakestream.layer.verdict`` gauge."""
        return list(Verdict).index(self)


@dataclass
class LayerStatus:
    """Everything ``status`` says about one layer."""

    layer: str
    backlog: Backlog
    last_success_age_s: float | None = None
    batches: int = 0
    failed_batches: int = 0
    dlq_by_reason: dict[str, int] = field(default_factory=dict)
    problems: list[tuple[Verdict, str]] = field(default_factory=list)

    @property
    def verdict(self) -> Verdict:
        """The worst verdict among the problems found (ok without any)."""
        return max((v for v, _ in self.problems), key=lambda v: v.severity, default=Verdict.OK)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form (``--json``)."""
        body = asdict(self)
        body["verdict"] = self.verdict.value
        body["problems"] = [{"verdict": v.value, "reason": r} for v, r in self.problems]
        return body


@dataclass
class PlatformStatus:
    """Every layer's status at one moment."""

    base: str
    generated_at: datetime
    since: datetime
    layers: list[LayerStatus]
    unreadable: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0 every layer ok, 1 a problem found, 2 something could not be read."""
        if any(layer.verdict is not Verdict.OK for layer in self.layers):
            return 1
        return 2 if self.unreadable else 0

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form (``--json``)."""
        return {
            "base": self.base,
            "generated_at": self.generated_at.isoformat(),
            "since": self.since.isoformat(),
            "exit_code": self.exit_code,
            "unreadable": self.unreadable,
            "layers": [layer.to_json() for layer in self.layers],
        }


def _age(now: datetime, moment: datetime | None) -> float | None:
    return None if moment is None else max(0.0, (now - moment).total_seconds())


def _mtime(path: Path) -> datetime | None:
    try:
        return datetime.fromtimestamp(path.stat().st_mtime, UTC)
    except OSError:
        return None


def _source_backlog(settings: Settings, checkpoint: str, now: datetime) -> Backlog:
    backlog = source_for(settings).backlog(checkpoint, now)
    if backlog is None:
        raise StatusUnreadableError(f"checkpoint {checkpoint}: committed offsets unreadable")
    return backlog


def _feed_backlog(upstream: str, checkpoint: str, now: datetime) -> Backlog:
    table = Path(upstream)
    latest = latest_version(table) if (table / "_delta_log").is_dir() else -1
    done = committed_version(checkpoint)
    if done is None:
        raise StatusUnreadableError(f"checkpoint {checkpoint}: committed offsets unreadable")
    waiting = max(0, latest - done)
    oldest = _mtime(commit_file(table, done + 1)) if waiting else None
    return Backlog("commits", waiting, {upstream: waiting}, _age(now, oldest))


def _merge(backlogs: list[Backlog]) -> Backlog:
    if len(backlogs) == 1:
        return backlogs[0]
    known = [b.total for b in backlogs if b.total is not None]
    ages = [b.oldest_age_s for b in backlogs if b.oldest_age_s is not None]
    return Backlog(
        backlogs[0].unit if backlogs else "items",
        sum(known) if backlogs and len(known) == len(backlogs) else None,
        {k: v for b in backlogs for k, v in b.parts.items()},
        max(ages, default=None),
        "; ".join(b.note for b in backlogs if b.note),
    )


def _backlog(
    settings: Settings, service: Service, registry: Registry, now: datetime, status: LayerStatus
) -> None:
    """Fill in the layer's backlog; a damaged checkpoint or expired events are problems."""
    layout = settings.layout
    backlogs = []
    for flow in declared_flows(service, settings, registry):
        checkpoint = layout.checkpoint(service.name, flow.name)
        damage = inspect(checkpoint).damage
        if damage:
            status.problems.append(
                (
                    Verdict.STUCK,
                    f"checkpoint {checkpoint} has {len(damage)} damaged file(s): run "
                    f"`lakestream checkpoint repair --layer {service.name}`",
                )
            )
        elif flow.upstream is None:
            backlogs.append(_source_backlog(settings, checkpoint, now))
        else:
            backlogs.append(_feed_backlog(flow.upstream, checkpoint, now))
    status.backlog = _merge(backlogs)
    if "expired" in status.backlog.note:
        status.problems.append((Verdict.LOSING, status.backlog.note))


def _batches(
    status: LayerStatus,
    rows: list[dict[str, Any]],
    since: datetime,
    now: datetime,
) -> None:
    """Age of the last success, batches and failures in the window, a failed last batch."""
    if not rows:
        return
    succeeded = [r["finished_at"] for r in rows if r["status"] == SUCCEEDED and r["finished_at"]]
    status.last_success_age_s = _age(now, max(succeeded, default=None))
    in_window = [r for r in rows if r["started_at"] is not None and r["started_at"] >= since]
    status.batches = sum(r["status"] == SUCCEEDED for r in in_window)
    status.failed_batches = sum(r["status"] == FAILED for r in in_window)
    last = max(rows, key=lambda r: (r["started_at"], r["finished_at"] or r["started_at"]))
    if last["status"] == FAILED:
        error = str(last["error"] or "").strip().splitlines()
        started = f"{last['started_at']:%Y-%m-%d %H:%M:%S}"
        status.problems.append(
            (
                Verdict.STUCK,
                f"its last batch ({last['batch_id']}, started {started} UTC) failed: "
                + (error[0] if error else "no error recorded"),
            )
        )


def waiting_verdict(status: LayerStatus, thresholds: Settings) -> None:
    """Lagging when the backlog is above the limit; stuck when it waited too long, unserved."""
    total = status.backlog.total
    if total is None or total <= thresholds.status_max_backlog:
        return
    unit = status.backlog.unit
    waited = status.backlog.oldest_age_s
    limit = thresholds.status_stuck_after_seconds
    idle = status.last_success_age_s
    if (waited is None or waited > limit) and (idle is None or idle > limit):
        since_success = "never" if idle is None else f"{idle:,.0f} s ago"
        status.problems.append(
            (
                Verdict.STUCK,
                f"{total:,} {unit} waiting"
                + ("" if waited is None else f" (oldest {waited:,.0f} s)")
                + f" and its last successful batch was {since_success} "
                f"(LAKESTREAM_STATUS_STUCK_AFTER_SECONDS={limit:g})",
            )
        )
        return
    oldest = "" if waited is None else f", oldest {waited:,.0f} s"
    status.problems.append(
        (
            Verdict.LAGGING,
            f"{total:,} {unit} waiting{oldest} "
            f"(LAKESTREAM_STATUS_MAX_BACKLOG={thresholds.status_max_backlog})",
        )
    )


LAYERS = ("bronze", "silver", "gold")
"""The layers ``status`` speaks for, in chain order (the DLQ replayer is not a layer)."""
GAP_LAYERS = {
    "bronze rows vs audit": "bronze",
    "silver rows vs audit": "silver",
    "silver consumed bronze": "silver",
    "bronze = silver + silver DLQ + duplicates": "silver",
    "gold events vs audit": "gold",
}
"""Layer each reconciliation check speaks for (``dlq rows vs audit`` names its stage)."""
_LAG_EXPLAINED = {"silver consumed bronze", "bronze = silver + silver DLQ + duplicates"}


def _gap_layer(gap: Gap) -> str | None:
    if gap.check == "dlq rows vs audit":
        return gap.where.rsplit(" ", 1)[-1]
    return GAP_LAYERS.get(gap.check)


def _conservation(
    settings: Settings, by_layer: dict[str, LayerStatus], audit: list[dict[str, Any]]
) -> None:
    """Audit rows that do not balance; reconciliation gaps that the layer's lag does not explain."""
    for row in audit:
        status = by_layer.get(str(row["layer"]))
        out = row["output_rows"] + row["dlq_rows"] + row["duplicate_rows"]
        if status is None or row["status"] != SUCCEEDED or row["input_rows"] == out:
            continue
        status.problems.append(
            (
                Verdict.LOSING,
                f"audit law: {row['service']} batch {row['batch_id']} tenant "
                f"{row['tenant_id'] or 'total'}: input {row['input_rows']} != output + dlq + "
                f"duplicates {out}",
            )
        )
    for gap in reconcile(settings.layout):
        status = by_layer.get(_gap_layer(gap) or "")
        if status is None:
            continue
        lagging = bool(status.backlog.total)
        if gap.check in _LAG_EXPLAINED and lagging:
            continue
        status.problems.append((Verdict.LOSING, gap.describe()))


def collect_status(
    settings: Settings,
    registry: Registry,
    since: datetime | None = None,
    now: datetime | None = None,
) -> PlatformStatus:
    """Every installed layer's status; ``since`` opens the window (default: the settings')."""
    layout = settings.layout
    if layout.by_name or "://" in layout.root:
        raise StatusUnreadableError(
            f"{layout.base}: status reads local checkpoints and tables by path only; on a "
            "workspace use the jobs' audit table and the Azure Monitor alerts (docs/operations.md)"
        )
    tables.require_tables(layout)
    now = now or datetime.now(UTC)
    since = since or now - timedelta(seconds=settings.status_window_seconds)
    audit = tables.audit(layout, None, status=None)
    result = PlatformStatus(layout.base, now, since, [])
    by_layer: dict[str, LayerStatus] = {}
    dlq = tables.dlq_by_reason(layout, since)
    for service in discover_services().values():
        if service.layer not in LAYERS:
            continue
        status = LayerStatus(service.layer, Backlog("items", None))
        try:
            _backlog(settings, service, registry, now, status)
        except (LakestreamError, OSError) as exc:
            result.unreadable.append(f"{service.layer}: {exc}")
            status.backlog.note = str(exc)
        own = [r for r in audit if r["service"] == service.name and r["tenant_id"] is None]
        _batches(status, own, since, now)
        waiting_verdict(status, settings)
        status.dlq_by_reason = {
            reason: n for (stage, reason), n in sorted(dlq.items()) if stage == service.layer
        }
        by_layer[service.layer] = status
        result.layers.append(status)
    _conservation(settings, by_layer, audit)
    return result


def record(status: PlatformStatus) -> None:
    """Set the ``lakestream.layer.*`` gauges: backlog, last-success age and verdict per layer."""
    current = telemetry.current()
    for layer in status.layers:
        attributes = {"layer": layer.layer}
        current.layer_verdict.set(layer.verdict.severity, attributes)
        if layer.backlog.total is not None:
            current.layer_backlog.set(
                layer.backlog.total, {**attributes, "unit": layer.backlog.unit}
            )
        if layer.last_success_age_s is not None:
            current.layer_last_success_age.set(layer.last_success_age_s, attributes)

"""Running one layer or the whole chain, once or continuously (``lakestream run`` and the
``lakestream-bronze|silver|gold`` jobs)."""

from __future__ import annotations

from enum import StrEnum

from lakestream.common import telemetry
from lakestream.common.jobs.process import UsageError, say
from lakestream.common.logs import configure_logging
from lakestream.common.runtime.progress import ProgressListener
from lakestream.common.runtime.service import Runtime, Service, discover_services
from lakestream.common.runtime.streaming import build_runtime, run_continuous, run_once
from lakestream.common.settings import Settings


class Layer(StrEnum):
    """Layers ``lakestream run`` accepts."""

    BRONZE = "bronze"
    SILVER = "silver"
    GOLD = "gold"
    ALL = "all"


def select_services(names: list[str]) -> list[Service]:
    """Installed services by name (``all`` = every installed one), in chain order."""
    installed = discover_services()
    if names == [Layer.ALL.value]:
        return list(installed.values())
    missing = [n for n in names if n not in installed]
    if missing:
        raise UsageError(
            f"service(s) {', '.join(missing)} not installed; installed: {', '.join(installed)}",
            hint="install the service's wheel or choose an installed layer",
        )
    return [installed[n] for n in names]


def observe(runtime: Runtime, label: str, telemetry_mode: str | None) -> telemetry.Telemetry:
    """Structured logs, OpenTelemetry exporters and the query-progress listener for a run."""
    configure_logging(label, runtime.run_id)
    try:
        installed = telemetry.configure(telemetry_mode, label)
    except ValueError as exc:
        raise UsageError(str(exc), option="--telemetry") from None
    runtime.spark.streams.addListener(ProgressListener(runtime.layout, runtime.run_id))
    return installed


def run_services(
    names: list[str],
    settings: Settings,
    once: bool,
    telemetry_mode: str | None = None,
    chained: bool = False,
) -> int:
    """Validate config, then run the named services; returns the exit code."""
    services = select_services(names)
    runtime = build_runtime(settings)
    observed = observe(runtime, "+".join(s.name for s in services), telemetry_mode)
    mode = "once (available-now)" if once else f"continuously ({settings.trigger_interval})"
    mode += ", chained in one query" if chained else ""
    say(
        f"lakestream run {', '.join(s.name for s in services)} {mode} "
        f"root={runtime.layout.base} run_id={runtime.run_id}"
    )
    try:
        if once:
            run_once(runtime, services, chained)
        else:
            run_continuous(runtime, services, chained)
    finally:
        observed.shutdown()
    return 0

"""The chained mode: every batch of the source flow runs the change-feed flows after it.

One query reads the source (bronze's); its batch function runs bronze's batch, then catches
silver and gold up, each over the upstream commits its own checkpoint has not read yet, in its
own batch (own writes, DLQ rows, audit row and app transactions), advancing its own checkpoint
as Spark would (``feed_checkpoint``). No layer waits for a trigger of its own (decision 0107).
"""

from __future__ import annotations

from dataclasses import dataclass

from pyspark.sql import DataFrame

from lakestream.common.errors import LakestreamError
from lakestream.common.runtime import feed_checkpoint
from lakestream.common.runtime.runner import BatchFailedError, BatchRunner
from lakestream.common.runtime.service import Flow, Runtime, Service


class ChainError(LakestreamError):
    """The services or the backend cannot run chained."""

    exit_code = 2


@dataclass(frozen=True)
class Link:
    """One flow of a service in the chain."""

    service: Service
    flow: Flow

    @property
    def name(self) -> str:
        """``<service>.<flow>``, the name of the flow's query in the per-layer mode."""
        return f"{self.service.name}.{self.flow.name}"


def chain_links(runtime: Runtime, services: list[Service]) -> tuple[Link, list[Link]]:
    """The source flow that drives the chain and the change-feed flows after it, in order."""
    if not runtime.backend.python_change_feed or runtime.layout.by_name:
        raise ChainError(
            f"the chained mode needs the embedded backend and a local root (backend "
            f"{runtime.settings.backend}, root {runtime.layout.base}); set LAKESTREAM_BACKEND="
            "delta-rs with a local --root, or run the per-layer jobs (docs/operations.md)"
        )
    links = [Link(s, f) for s in services for f in s.flows(runtime)]
    heads = [link for link in links if link.flow.upstream is None]
    if len(heads) != 1 or links[0] is not heads[0]:
        names = ", ".join(link.name for link in heads) or "none"
        raise ChainError(
            f"the chained mode needs exactly one source flow first in the chain (found: "
            f"{names}); run --layer all --chained, or the layers one by one without --chained"
        )
    return heads[0], links[1:]


class ChainedBatch:
    """``foreachBatch`` of the source flow: its batch, then each change-feed flow caught up."""

    def __init__(self, runtime: Runtime, head: Link, links: list[Link]) -> None:
        self.runtime = runtime
        self.head = head
        self.runner = BatchRunner(runtime, head.service, head.flow)
        self.links = [(link, BatchRunner(runtime, link.service, link.flow)) for link in links]

    def catch_up(self) -> None:
        """Run every change-feed flow over the upstream commits it has not read."""
        for link, runner in self.links:
            try:
                advance(self.runtime, link, runner)
            except BatchFailedError as exc:
                cause = self.runtime.failures.get(link.name, str(exc))
                self.runtime.failures[self.head.name] = f"{link.name} {cause}"
                raise

    def __call__(self, df: DataFrame, batch_id: int) -> None:
        self.runner(df, batch_id)
        self.catch_up()


def advance(runtime: Runtime, link: Link, runner: BatchRunner) -> None:
    """Batches of ``link`` until its checkpoint reached the upstream's current version.

    Each batch is planned in the flow's checkpoint before it runs and committed after it, so
    a process killed in between replays it over the same commits under the same batch id.
    """
    assert link.flow.upstream is not None
    upstream = link.flow.upstream(runtime)
    checkpoint = runtime.layout.checkpoint(link.service.name, link.flow.name)
    latest = runtime.backend.latest_version(upstream)
    step = runtime.settings.max_versions_per_trigger
    retain = feed_checkpoint.retained_batches(runtime.spark)
    while (batch := feed_checkpoint.next_batch(checkpoint, latest, step)) is not None:
        if not batch.planned:
            feed_checkpoint.plan(runtime.spark, checkpoint, batch)
        changes = runtime.backend.change_batch(runtime.spark, upstream, batch.after, batch.until)
        runner(changes, batch.batch_id)
        feed_checkpoint.commit(checkpoint, batch, retain)

"""Run a lakestream console command in this process with a SIGKILL planned at a fault point.

``python -m tests.chaos.agent <plan.json> <command> [args...]`` (``command`` = ``lakestream`` or
``lakestream-dlq-replay``) installs the plan on ``Runtime.fault_point`` and runs the command's
real ``main()``. When the plan's point has been reached ``hit`` times (counted over the whole
process, optionally only in one service), it SIGKILLs its process group (this process, its
Spark JVM and Python workers: what a lost VM does), either at once or from a timer ``delay_ms``
later while the batch goes on into its write, MERGE or audit append. Before the kill it appends
the point to ``marker`` so the test knows where the process died. Start it in a session of its
own (``start_new_session=True``).

``before_commit:<table>`` is a point inside the embedded backend, on its files path (which such
a plan forces): Spark's executors have written the batch's files into the table's directory and
delta-rs has not yet committed them.

Plan: ``{"point": str, "hit": int, "delay_ms": int, "service": str | null, "marker": str}``.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from deltalake import DeltaTable
from deltalake.transaction import AddAction

from lakestream.common.runtime.batch import BatchContext
from lakestream.common.runtime.service import Runtime
from lakestream.common.tables import deltars
from lakestream.common.tables.backend import Txn, WriteResult
from lakestream.common.tables.deltars import DeltaRsBackend
from lakestream.common.tables.schemas import TableSpec

BEFORE_COMMIT = "before_commit:"

COMMANDS = {
    "lakestream": "lakestream.tooling.cli.main",
    "lakestream-dlq-replay": "lakestream.dlq_replayer.job",
}


def _kill(plan: dict[str, Any], where: str) -> None:
    with Path(plan["marker"]).open("a") as marker:
        marker.write(where + "\n")
    os.killpg(os.getpgrp(), signal.SIGKILL)


def install(plan: dict[str, Any]) -> None:
    """Make ``Runtime.fault_point`` carry out ``plan``."""
    seen = 0
    lock = threading.Lock()

    def fault_point(self: Runtime, point: str, ctx: BatchContext) -> None:
        nonlocal seen
        if point != plan["point"] or plan.get("service") not in (None, ctx.service.name):
            return
        with lock:
            seen += 1
            if seen != plan["hit"]:
                return
        where = f"{ctx.service.name} {point} batch {ctx.batch_id}"
        delay = plan.get("delay_ms", 0) / 1000
        if delay <= 0:
            _kill(plan, where)
        timer = threading.Timer(delay, _kill, (plan, f"{where} +{plan['delay_ms']}ms"))
        timer.daemon = True
        timer.start()

    Runtime.fault_point = fault_point  # type: ignore[method-assign]
    if plan["point"].startswith(BEFORE_COMMIT):
        _kill_before_commit(plan)


def _kill_before_commit(plan: dict[str, Any]) -> None:
    """Kill the process when the embedded backend is about to commit the planned table's files.

    Every batch takes the files path then, however few rows it has.
    """
    deltars.ARROW_WRITE_MAX_ROWS = 0
    target = plan["point"].removeprefix(BEFORE_COMMIT)
    commit = DeltaRsBackend._commit_files
    seen = 0

    def commit_files(
        self: DeltaRsBackend,
        table: DeltaTable,
        spec: TableSpec,
        actions: Sequence[AddAction],
        txn: Txn,
    ) -> WriteResult:
        nonlocal seen
        if spec.name == target and actions:
            seen += 1
            if seen == plan["hit"]:
                _kill(plan, f"{plan['point']} {txn.key} ({len(actions)} files written)")
        return commit(self, table, spec, actions, txn)

    DeltaRsBackend._commit_files = commit_files  # type: ignore[method-assign]


def main() -> None:
    """Entry point: ``<plan.json> <command> [args...]``."""
    if os.getpgrp() != os.getpid():
        sys.exit("tests.chaos.agent kills its process group: start it with start_new_session=True")
    plan_path, command, *args = sys.argv[1:]
    install(json.loads(Path(plan_path).read_text()))
    module = __import__(COMMANDS[command], fromlist=["main"])
    sys.argv = [command, *args]
    module.main()


if __name__ == "__main__":
    main()

"""The deployment self-test (``lakestream selftest``, the ``lakestream-selftest`` job): send a
generated workload of the reserved tenant, reconcile the tables, clean up (decision 0106)."""

from __future__ import annotations

from lakestream.common.config import SELFTEST_TENANT
from lakestream.common.jobs.run import Layer, select_services
from lakestream.common.logs import configure_logging
from lakestream.common.runtime.streaming import build_runtime
from lakestream.common.selftest.check import SelfTestResult, selftest
from lakestream.common.settings import Settings

WAIT_MAX = 24 * 3600
"""Longest wait for the deployed jobs (seconds)."""


def result_lines(result: SelfTestResult) -> list[str]:
    """The self-test's outcome: expected and found rows per table, then the verdict."""
    rows = result.tables("events")
    width = max(len(name) for name, _, _ in rows)
    lines = [f"self-test {result.run_id}", f"{'table':<{width}}  expected  found"]
    lines += [f"{name:<{width}}  {want_n:>8}  {got_n:>5}" for name, want_n, got_n in rows]
    lines += [f"not generated: {what}: {why}" for what, why in result.skipped.items()]
    if result.removed_before:
        lines.append(f"removed leftover {SELFTEST_TENANT} rows first: {result.removed_before}")
    if result.removed_after:
        lines.append(f"removed the {SELFTEST_TENANT} rows again: {result.removed_after}")
    lines += [f"mismatch {line}" for line in result.mismatches]
    if result.mismatches:
        lines.append(f"self-test failed: {len(result.mismatches)} mismatch(es)")
    else:
        lines.append(f"self-test passed: {result.sent} bodies reconciled")
    return lines


def run_selftest(settings: Settings, run_layers: bool, wait: int, keep: bool) -> int:
    """Run the self-test and print its outcome: exit 0 when every table holds exactly the
    expected rows, 1 naming each one that does not."""
    runtime = build_runtime(settings)
    configure_logging("selftest", runtime.run_id)
    result = selftest(runtime, select_services([Layer.ALL.value]), run_layers, wait, keep)
    for line in result_lines(result):
        print(line, flush=True)
    return 1 if result.mismatches else 0

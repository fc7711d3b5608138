"""The batch harness's outcome survives a failing clean-up (freeing caches while stopping)."""

from __future__ import annotations

import logging

import pytest
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from lakestream.common.runtime.batch import BatchContext, BatchResult
from lakestream.common.runtime.runner import BatchFailedError, BatchRunner
from lakestream.common.runtime.service import Flow, discover_services
from lakestream.common.tables.schemas import audit_batches
from tests.lake import Lake

pytestmark = pytest.mark.spark
JAVA_STACK = "Py4JJavaError: An error occurred while calling o1.unpersist.\n\tat org.apache.Foo"


def _runner(lake: Lake, transform_fails: bool) -> BatchRunner:
    runtime = lake.runtime()
    runtime.backend.ensure(audit_batches(runtime.layout))

    def transform(df: DataFrame, ctx: BatchContext) -> BatchResult:
        ctx.cache(df)
        if transform_fails:
            raise ValueError("the transform broke")
        rows = df.select(
            F.lit("acme").alias("tenant"),
            F.lit("temp_humidity").alias("event_type"),
            F.current_timestamp().alias("lag_from"),
        )
        return BatchResult(input=rows, writes=[], output_is_input=True)

    flow = Flow("events", lambda _: lake.spark.range(3), transform, lambda _: [])
    return BatchRunner(runtime, discover_services()["gold"], flow)


def _failing_release(self: BatchContext) -> None:
    raise RuntimeError(JAVA_STACK)


@pytest.mark.parametrize("transform_fails", [False, True])
def test_a_failing_cleanup_is_logged_and_keeps_the_batch_outcome(
    lake: Lake,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    transform_fails: bool,
) -> None:
    runner = _runner(lake, transform_fails)
    monkeypatch.setattr(BatchContext, "release", _failing_release)
    with caplog.at_level(logging.WARNING, logger="lakestream.common.runtime.runner"):
        if transform_fails:
            with pytest.raises(BatchFailedError, match=r"^ValueError: the transform broke$"):
                runner(lake.spark.range(3), 0)
        else:
            runner(lake.spark.range(3), 0)
    cleanup = [r.getMessage() for r in caplog.records if "clean-up failed" in r.getMessage()]
    assert len(cleanup) == 1
    assert "\n" not in cleanup[0] and "\tat " not in cleanup[0]
    audit = lake.audit("gold")
    assert [row["status"] for row in audit] == ["FAILED" if transform_fails else "SUCCEEDED"]

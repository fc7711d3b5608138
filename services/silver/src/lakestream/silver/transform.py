"""Silver transform: bronze change feed -> contract-validated, deduplicated silver/<event_type>."""

from __future__ import annotations

from functools import reduce

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from lakestream.common.runtime.batch import (
    BatchContext,
    BatchResult,
    ReasonCode,
    Stage,
    TableWrite,
    silver_events,
    tenant_bucket,
    to_dlq,
    type_bucket,
)
from lakestream.silver.validation import VIOLATIONS, validate_payloads

SOURCE_ORDER = [
    "_commit_version",
    "source.file",
    "source.line",
    "source.partition",
    "source.sequence_number",
]


def first_occurrences(df: DataFrame) -> DataFrame:
    """Keep the first row per (tenant_id, event_id) in source order."""
    window = Window.partitionBy("tenant_id", "event_id").orderBy(*SOURCE_ORDER)
    return df.withColumn("_rank", F.row_number().over(window)).where("_rank = 1").drop("_rank")


def transform(df: DataFrame, ctx: BatchContext) -> BatchResult:
    """Validate each event type against its contract; insert new events, DLQ the violations.

    Only the event types the batch holds are validated and written (one small job finds them):
    an absent type would cost its own plan, job and commit for no rows.
    """
    runtime = ctx.runtime
    registry = runtime.registry
    tenants = sorted(registry.tenants)
    rows = ctx.cache(df.where(F.col("_change_type") == "insert"))
    present = {row["event_type"] for row in rows.select("event_type").distinct().collect()}
    writes, rejected, offered = [], [], []
    for event_type in (t for t in registry.event_types() if t in present):
        spec = silver_events(runtime.layout, registry.latest(event_type))
        checked = ctx.cache(
            validate_payloads(rows.where(F.col("event_type") == event_type), registry, event_type)
        )
        valid = checked.where(F.size(VIOLATIONS) == 0)
        silver = first_occurrences(valid).withColumn("bronze_version", F.col("_commit_version"))
        writes.append(TableWrite(spec, silver.select(*spec.schema.fieldNames()), "insert_new"))
        rejected.append(
            checked.where(F.size(VIOLATIONS) > 0)
            .withColumn("reason_code", F.lit(ReasonCode.CONTRACT_VIOLATION.value))
            .withColumn("reason_detail", F.array_join(VIOLATIONS, "; "))
        )
        offered.append(
            valid.select(
                F.expr(tenant_bucket("tenant_id", tenants)).alias("tenant"),
                F.lit(event_type).alias("event_type"),
            )
        )
    known = registry.event_types()
    orphans = rows.where(~F.col("event_type").isin(known)).withColumns(
        {
            "reason_code": F.lit(ReasonCode.CONTRACT_VIOLATION.value),
            "reason_detail": F.concat(
                F.lit("no contract for event type "),
                F.col("event_type"),
                F.lit(" in the current configuration"),
            ),
        }
    )
    columns = ["reason_code", "reason_detail", "tenant_id", "event_type", "event_version"]
    columns += ["event_id", "raw_body", "source"]
    dlq = reduce(
        DataFrame.unionByName, [r.select(*columns) for r in rejected], orphans.select(*columns)
    )
    return BatchResult(
        input=rows.select(
            F.expr(tenant_bucket("tenant_id", tenants)).alias("tenant"),
            F.expr(type_bucket("event_type", known)).alias("event_type"),
            F.col("ingest_time").alias("lag_from"),
        ),
        writes=writes,
        dlq=to_dlq(dlq, Stage.SILVER, ctx.started_at),
        offered=reduce(DataFrame.unionByName, offered) if offered else None,
    )

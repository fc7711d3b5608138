"""Bronze transform: raw bodies -> parsed envelope rows (bronze/events) + rejected rows (DLQ)."""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from lakestream.bronze.envelope import parse_envelope
from lakestream.common.runtime.batch import (
    BRONZE_EVENTS,
    BatchContext,
    BatchResult,
    Stage,
    TableWrite,
    bronze_events,
    tenant_bucket,
    to_dlq,
    type_bucket,
)


def transform(df: DataFrame, ctx: BatchContext) -> BatchResult:
    """Parse every body's envelope; admit valid ones to bronze, send the rest to the DLQ."""
    runtime = ctx.runtime
    tenants = sorted(runtime.registry.tenants)
    parsed = ctx.cache(
        parse_envelope(df, runtime.registry, runtime.settings.max_body_bytes).withColumnRenamed(
            "body", "raw_body"
        )
    )
    ingest = F.lit(ctx.started_at).cast("timestamp")
    good = (
        parsed.where(F.col("reason_code").isNull())
        .withColumn("ingest_time", ingest)
        .withColumn("ingest_date", F.to_date(ingest))
        .select(*BRONZE_EVENTS.fieldNames())
    )
    rejected = to_dlq(parsed.where(F.col("reason_code").isNotNull()), Stage.BRONZE, ctx.started_at)
    audit_input = parsed.select(
        F.expr(tenant_bucket("tenant_id", tenants)).alias("tenant"),
        F.expr(type_bucket("event_type", runtime.registry.event_types())).alias("event_type"),
        F.col("source.enqueued_time").alias("lag_from"),
        F.col("source.file").alias("file"),
    )
    return BatchResult(
        input=audit_input,
        writes=[TableWrite(bronze_events(runtime.layout), good, "append")],
        dlq=rejected,
    )

"""Gold transform: silver/temp_humidity change feed -> gold/device_minute.

Each batch recomputes the (tenant, device, minute) groups it touches from silver as of the
batch's last commit and MERGEs them, so late events correct their minute and a replayed batch
yields the same rows.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from lakestream.common.config import ProductConfig
from lakestream.common.runtime.batch import BatchContext, BatchResult, TableWrite
from lakestream.common.runtime.runner import tenant_bucket
from lakestream.common.tables.schemas import GOLD_DEVICE_MINUTE, gold_device_minute, silver_events

PRODUCT = "device_minute"
GROUP = ["tenant_id", "device_id", "minute_start"]


def window_length(product: ProductConfig) -> timedelta:
    """The product's window as a timedelta (``'1 minute'``, ``'30 seconds'``, ``'1 hour'``)."""
    count, unit = product.window.split()
    seconds = {"second": 1, "minute": 60, "hour": 3600}[unit.rstrip("s")]
    return timedelta(seconds=int(count) * seconds)


def _utc(value: datetime) -> datetime:
    """Spark hands timestamps to Python as naive local time; make them aware UTC."""
    return value.astimezone(UTC)


def aggregate(silver: DataFrame, product: ProductConfig, updated_at: object) -> DataFrame:
    """device_minute rows from silver rows (all rows of each group must be present)."""
    battery_order = F.when(
        F.col("battery_pct").isNotNull(), F.struct(product.time_column, "event_id")
    )
    return (
        silver.withColumn("minute_start", F.window(product.time_column, product.window).start)
        .groupBy(*GROUP)
        .agg(
            F.count(F.lit(1)).alias("event_count"),
            F.min("temperature_c").alias("temperature_c_min"),
            F.avg("temperature_c").alias("temperature_c_avg"),
            F.max("temperature_c").alias("temperature_c_max"),
            F.avg("humidity_pct").alias("humidity_pct_avg"),
            F.max_by("battery_pct", battery_order).alias("battery_pct_last"),
            F.min(product.time_column).alias("first_event_time"),
            F.max(product.time_column).alias("last_event_time"),
        )
        .withColumn("updated_at", F.lit(updated_at).cast("timestamp"))
        .withColumn("event_date", F.to_date("minute_start"))
        .select(*GOLD_DEVICE_MINUTE.fieldNames())
    )


def transform(df: DataFrame, ctx: BatchContext) -> BatchResult:
    """Recompute and upsert every device-minute the batch's events fall into."""
    runtime = ctx.runtime
    product = runtime.registry.products[PRODUCT]
    tenants = sorted(runtime.registry.tenants)
    rows = ctx.cache(df.where(F.col("_change_type") == "insert"))
    touched = ctx.cache(
        rows.select(
            "tenant_id",
            "device_id",
            F.window(product.time_column, product.window).start.alias("minute_start"),
        ).distinct()
    )
    bounds = touched.agg(
        F.min("minute_start").alias("lo"),
        F.max("minute_start").alias("hi"),
        F.collect_set("tenant_id").alias("tenants"),
    ).first()
    last_commit = rows.agg(F.max("_commit_version")).first()
    writes = []
    if bounds is not None and bounds["lo"] is not None and last_commit is not None:
        silver_spec = silver_events(
            runtime.layout, runtime.registry.latest(product.source_event_type)
        )
        lo, hi = _utc(bounds["lo"]), _utc(bounds["hi"]) + window_length(product)
        silver = runtime.backend.read(
            runtime.spark,
            silver_spec,
            version=int(last_commit[0]),
            filters=[
                ("tenant_id", "in", sorted(bounds["tenants"])),
                (product.time_column, ">=", lo),
                (product.time_column, "<", hi),
            ],
        )
        in_touched = (
            silver.withColumn("minute_start", F.window(product.time_column, product.window).start)
            .join(touched, GROUP, "left_semi")
            .drop("minute_start")
        )
        gold = aggregate(in_touched, product, ctx.started_at)
        writes.append(TableWrite(gold_device_minute(runtime.layout), gold, "upsert"))
    return BatchResult(
        input=rows.select(
            F.expr(tenant_bucket("tenant_id", tenants)).alias("tenant"),
            F.lit(product.source_event_type).alias("event_type"),
            F.col("ingest_time").alias("lag_from"),
        ),
        writes=writes,
        output_is_input=True,
    )

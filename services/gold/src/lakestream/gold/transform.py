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
from lakestream.common.sql import MAX_TIMESTAMP_MICROS
from lakestream.common.tables.schemas import GOLD_DEVICE_MINUTE, gold_device_minute, silver_events

PRODUCT = "device_minute"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
GROUP = ["tenant_id", "device_id", "minute_start"]


def window_length(product: ProductConfig) -> timedelta:
    """The product's window as a timedelta (``'1 minute'``, ``'30 seconds'``, ``'1 hour'``)."""
    count, unit = product.window.split()
    seconds = {"second": 1, "minute": 60, "hour": 3600}[unit.rstrip("s")]
    return timedelta(seconds=int(count) * seconds)


def _instant(micros: int) -> datetime:
    """Aware UTC datetime of epoch microseconds.

    Bounds travel as numbers: Spark would hand timestamps to Python in local time, which fails
    for instants near 0001-01-01 or 9999-12-31 (decision 0087).
    """
    return EPOCH + timedelta(microseconds=micros)


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
    rows = ctx.cache(
        df.where(F.col("_change_type") == "insert").withColumn(
            "minute_start", F.window(product.time_column, product.window).start
        )
    )
    touched = rows.select("tenant_id", "device_id", "minute_start").distinct()
    bounds = rows.agg(
        F.min(F.unix_micros("minute_start")).alias("lo"),
        F.max(F.unix_micros("minute_start")).alias("hi"),
        F.collect_set("tenant_id").alias("tenants"),
        F.max("_commit_version").alias("last_commit"),
    ).first()
    writes = []
    if bounds is not None and bounds["lo"] is not None:
        silver_spec = silver_events(
            runtime.layout, runtime.registry.latest(product.source_event_type)
        )
        window_micros = window_length(product) // timedelta(microseconds=1)
        last = min(int(bounds["hi"]) + window_micros - 1, MAX_TIMESTAMP_MICROS)
        silver = runtime.backend.read(
            runtime.spark,
            silver_spec,
            version=int(bounds["last_commit"]),
            filters=[
                ("tenant_id", "in", sorted(bounds["tenants"])),
                (product.time_column, ">=", _instant(int(bounds["lo"]))),
                (product.time_column, "<=", _instant(last)),
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

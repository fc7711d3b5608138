"""Gold transform: silver/temp_humidity change feed -> gold/device_minute.

Each batch recomputes the (tenant, device, minute) groups it touches from silver as of the
batch's last commit and MERGEs them, so late events correct their minute and a replayed batch
yields the same rows.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from lakestream.common.runtime.batch import (
    GOLD_DEVICE_MINUTE,
    MAX_TIMESTAMP_MICROS,
    BatchContext,
    BatchResult,
    ProductConfig,
    TableWrite,
    gold_device_minute,
    silver_events,
    tenant_bucket,
)

PRODUCT = "device_minute"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
GROUP = ["tenant_id", "device_id", "minute_start"]
MAX_READ_RANGES = 16
"""Most time ranges one gold step reads from silver (more would slow the scan's filter)."""


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


def time_ranges(minutes: list[int], window: int, limit: int) -> list[tuple[int, int]]:
    """Inclusive epoch-microsecond ranges covering the windows starting at sorted ``minutes``.

    Adjacent windows join one range; beyond ``limit`` ranges the smallest gaps are closed, so
    a batch with scattered late events reads a few ranges of silver, not its whole time span.
    """
    ranges: list[list[int]] = []
    for start in minutes:
        end = min(start + window - 1, MAX_TIMESTAMP_MICROS)
        if ranges and start <= ranges[-1][1] + 1:
            ranges[-1][1] = max(ranges[-1][1], end)
        else:
            ranges.append([start, end])
    if len(ranges) <= limit:
        return [(first, last) for first, last in ranges]
    widest = sorted(range(len(ranges) - 1), key=lambda i: ranges[i + 1][0] - ranges[i][1])
    cuts = sorted(widest[len(widest) - (limit - 1) :]) if limit > 1 else []
    starts = [0, *(cut + 1 for cut in cuts)]
    ends = [*cuts, len(ranges) - 1]
    return [(ranges[a][0], ranges[b][1]) for a, b in zip(starts, ends, strict=True)]


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
    touched_at = rows.agg(
        F.collect_set(F.unix_micros("minute_start")).alias("minutes"),
        F.collect_set("tenant_id").alias("tenants"),
        F.max("_commit_version").alias("last_commit"),
    ).first()
    writes = []
    if touched_at is not None and touched_at["minutes"]:
        silver_spec = silver_events(
            runtime.layout, runtime.registry.latest(product.source_event_type)
        )
        window_micros = window_length(product) // timedelta(microseconds=1)
        ranges = time_ranges(sorted(touched_at["minutes"]), window_micros, MAX_READ_RANGES)
        silver = runtime.backend.read(
            runtime.spark,
            silver_spec,
            version=int(touched_at["last_commit"]),
            filters=[("tenant_id", "in", sorted(touched_at["tenants"]))],
            any_of=[
                [
                    (product.time_column, ">=", _instant(first)),
                    (product.time_column, "<=", _instant(last)),
                ]
                for first, last in ranges
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

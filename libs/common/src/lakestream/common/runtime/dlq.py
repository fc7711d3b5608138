"""Shaping rejected rows into ``dlq/events`` rows (raw bytes and coordinates kept)."""

from __future__ import annotations

from datetime import datetime

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from lakestream.common.reasons import Stage
from lakestream.common.tables.schemas import DLQ_EVENTS

PENDING = "pending"


def dlq_id(stage: Stage) -> Column:
    """Deterministic id of a DLQ row: the stage plus the body's source coordinates."""
    parts = [
        F.lit(stage.value),
        F.col("source.kind"),
        F.col("source.file"),
        F.col("source.line").cast("string"),
        F.col("source.partition"),
        F.col("source.sequence_number").cast("string"),
    ]
    return F.sha2(F.concat_ws("|", *[F.coalesce(p, F.lit("")) for p in parts]), 256)


def to_dlq(rejected: DataFrame, stage: Stage, failed_at: datetime) -> DataFrame:
    """DLQ rows from a frame with reason_code, reason_detail, envelope columns, raw_body, source."""
    ts = F.lit(failed_at).cast("timestamp")
    return rejected.select(
        dlq_id(stage).alias("dlq_id"),
        F.lit(stage.value).alias("stage"),
        F.col("reason_code"),
        F.col("reason_detail"),
        F.col("tenant_id"),
        F.col("event_type"),
        F.col("event_version").cast("int").alias("event_version"),
        F.col("event_id"),
        F.col("raw_body"),
        F.col("source"),
        ts.alias("failed_at"),
        F.to_date(ts).alias("ingest_date"),
        F.lit(PENDING).alias("replay_status"),
        F.lit(0).alias("replay_attempts"),
        F.lit(None).cast("timestamp").alias("last_replay_at"),
        F.lit(None).cast("string").alias("last_replay_id"),
    ).select(*DLQ_EVENTS.fieldNames())

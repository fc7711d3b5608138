"""The benchmark's baseline: the least work that one pass over the same data can do on Spark.

Read the JSONL, ``from_json`` with the envelope schema, write Parquet partitioned like bronze.
No validation, no DLQ, no audit, no Delta, no exactly-once bookkeeping.
"""

from __future__ import annotations

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

ENVELOPE_SCHEMA = (
    "event_id string, tenant_id string, event_type string, event_version int, "
    "event_time string, source_id string, payload string"
)


def write_baseline(spark: SparkSession, landing: str, target: str) -> None:
    """Parse every line of ``landing/*.jsonl`` and write it to ``target`` as Parquet."""
    lines = spark.read.text(f"{landing}/*.jsonl")
    parsed = lines.select(F.from_json("value", ENVELOPE_SCHEMA).alias("e")).select(
        "e.*", F.current_date().alias("ingest_date")
    )
    parsed.write.mode("overwrite").partitionBy("tenant_id", "event_type", "ingest_date").parquet(
        target
    )

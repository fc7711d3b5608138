"""Arrow helpers: Spark schema -> Arrow schema; delta-rs output cast to what Spark accepts."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
from pyspark.sql.pandas.types import to_arrow_schema
from pyspark.sql.types import LongType, StringType, StructField, StructType, TimestampType

CDF_COLUMNS = StructType(
    [
        StructField("_change_type", StringType()),
        StructField("_commit_version", LongType()),
        StructField("_commit_timestamp", TimestampType()),
    ]
)


def arrow_schema(schema: StructType) -> pa.Schema:
    """The Arrow schema Spark uses for ``schema`` (timestamps as UTC microseconds)."""
    return to_arrow_schema(schema)


def with_cdf_columns(schema: StructType) -> StructType:
    """``schema`` plus the change-data-feed metadata columns."""
    return StructType(list(schema.fields) + list(CDF_COLUMNS.fields))


def conform(data: Any, target: pa.Schema) -> pa.Table:
    """Select ``target``'s columns from ``data`` in order and cast them to its types.

    Turns delta-rs' ``string_view``/``uint64``/naive timestamps into the types Spark expects.
    """
    table = data if isinstance(data, pa.Table) else pa.table(data)
    columns = [_cast(table.column(field.name), field.type) for field in target]
    return pa.Table.from_arrays(columns, schema=target)


def _cast(column: pa.ChunkedArray, dtype: pa.DataType) -> pa.ChunkedArray:
    if column.type == dtype:
        return column
    naive_to_aware = (
        pa.types.is_timestamp(column.type)
        and pa.types.is_timestamp(dtype)
        and column.type.tz is None
        and dtype.tz is not None
    )
    if naive_to_aware:
        column = column.cast(pa.timestamp(column.type.unit, tz="UTC"))
    return column.cast(dtype)

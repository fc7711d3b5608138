"""Backend read filters: as Spark predicates, and as file pruning over Delta add actions."""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from functools import reduce
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from lakestream.common.tables.backend import Filter

_COMPARISONS: dict[str, Callable[[Any, Any], Any]] = {
    "=": operator.eq,
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _literal(value: Any) -> Column:
    """A filter value as a Spark literal.

    A timestamp travels as epoch microseconds: py4j would pass it as a ``java.sql.Timestamp``,
    whose Julian calendar moves instants before 1582 by days (decision 0087). A naive one is UTC.
    """
    if isinstance(value, datetime):
        moment = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return F.timestamp_micros(F.lit((moment - _EPOCH) // timedelta(microseconds=1)))
    return F.lit(value)


def predicate(column: str, op: str, value: Any) -> Column:
    """A backend ``Filter`` term as a Spark column expression."""
    if op == "in":
        return F.col(column).isin(list(value))
    if op == "not in":
        return ~F.col(column).isin(list(value))
    if op not in _COMPARISONS:
        raise ValueError(f"unsupported filter operator {op!r} on column {column}")
    compared: Column = _COMPARISONS[op](F.col(column), _literal(value))
    return compared


def where(
    frame: DataFrame, filters: Sequence[Filter], any_of: Sequence[Sequence[Filter]]
) -> DataFrame:
    """Rows of ``frame`` matching every term of ``filters`` and a whole group of ``any_of``."""
    for column, op, value in filters:
        frame = frame.where(predicate(column, op, value))
    if any_of:
        groups = [reduce(operator.and_, (predicate(*term) for term in g)) for g in any_of]
        frame = frame.where(reduce(operator.or_, groups))
    return frame


_ARROW_COMPARISONS: dict[str, Callable[[Any, Any], Any]] = {
    "=": pc.equal,
    "==": pc.equal,
    "!=": pc.not_equal,
    "<": pc.less,
    "<=": pc.less_equal,
    ">": pc.greater,
    ">=": pc.greater_equal,
}


def _scalar(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _may_match(actions: pa.Table, partitions: Sequence[str], term: Filter) -> pa.Array:
    """Per add action: False only where the term cannot hold for any row of the file.

    A partition column is compared with the file's value; another column with its min/max
    statistics; anything unknown (no statistics, other operators) keeps the file.
    """
    column, op, value = term
    keep = pa.array([True] * actions.num_rows, pa.bool_())
    if column in partitions and f"partition.{column}" in actions.column_names:
        values = actions.column(f"partition.{column}")
        if op == "in":
            hit = pc.is_in(values, value_set=pa.array([_scalar(v) for v in value], values.type))
        elif op in _ARROW_COMPARISONS:
            hit = _ARROW_COMPARISONS[op](values, pa.scalar(_scalar(value), values.type))
        else:
            return keep
        return pc.fill_null(hit, False)
    low, high = f"min.{column}", f"max.{column}"
    if low not in actions.column_names or high not in actions.column_names:
        return keep
    lows, highs = actions.column(low), actions.column(high)

    def within(v: Any) -> Any:
        return pc.and_(
            pc.less_equal(lows, pa.scalar(v, lows.type)),
            pc.greater_equal(highs, pa.scalar(v, highs.type)),
        )

    if op in ("=", "=="):
        hit = within(value)
    elif op == "in":
        hit = (
            reduce(pc.or_, (within(v) for v in value))
            if value
            else pa.array([False] * actions.num_rows, pa.bool_())
        )
    elif op in ("<", "<="):
        hit = _ARROW_COMPARISONS[op](lows, pa.scalar(value, lows.type))
    elif op in (">", ">="):
        hit = _ARROW_COMPARISONS[op](highs, pa.scalar(value, highs.type))
    else:
        return keep
    return pc.fill_null(hit, True)


def prune(
    actions: pa.Table,
    partitions: Sequence[str],
    filters: Sequence[Filter],
    any_of: Sequence[Sequence[Filter]],
) -> pa.Table:
    """The add actions (``get_add_actions(flatten=True)``) whose files may hold matching rows."""
    keep = pa.array([True] * actions.num_rows, pa.bool_())
    for term in filters:
        keep = pc.and_(keep, _may_match(actions, partitions, term))
    if any_of:
        either = pa.array([False] * actions.num_rows, pa.bool_())
        for group in any_of:
            both = pa.array([True] * actions.num_rows, pa.bool_())
            for term in group:
                both = pc.and_(both, _may_match(actions, partitions, term))
            either = pc.or_(either, both)
        keep = pc.and_(keep, either)
    return actions.filter(keep)

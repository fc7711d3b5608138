"""Grouped table sums for reconcile, report and status: one scan, batch by batch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from deltalake import write_deltalake

from lakestream.common.audit import tables

pytestmark = pytest.mark.unit

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
SCHEMA = pa.schema(
    [
        ("tenant_id", pa.string()),
        ("event_type", pa.string()),
        ("event_count", pa.int64()),
        ("ingest_time", pa.timestamp("us", tz="UTC")),
    ]
)
KEYS = ["tenant_id", "event_type"]


def _append(path: Path, rows: list[tuple[str | None, str, int | None, datetime | None]]) -> None:
    columns = list(zip(*rows, strict=True))
    table = pa.Table.from_arrays(
        [pa.array(values, field.type) for values, field in zip(columns, SCHEMA, strict=True)],
        schema=SCHEMA,
    )
    write_deltalake(str(path), table, mode="append", partition_by=["tenant_id"])


@pytest.fixture
def table(tmp_path: Path) -> str:
    path = tmp_path / "events"
    _append(path, [("acme", "a", 1, T0), ("acme", "b", 2, T0), (None, "a", 3, T0)])
    _append(
        path,
        [
            ("acme", "a", 4, T0 + timedelta(hours=1)),
            ("globex", "a", None, T0 + timedelta(hours=1)),
            ("globex", "a", 5, None),
        ],
    )
    return str(path)


def test_sums_group_every_file_and_keep_null_keys(table: str) -> None:
    assert tables.sums(table, KEYS, "ingest_time", None, ["event_count"]) == {
        ("acme", "a"): (2, 5),
        ("acme", "b"): (1, 2),
        (None, "a"): (1, 3),
        ("globex", "a"): (2, 5),
    }


def test_sums_window_excludes_older_and_timeless_rows(table: str) -> None:
    since = T0 + timedelta(minutes=30)
    assert tables.sums(table, ["tenant_id"], "ingest_time", since) == {
        ("acme",): (1,),
        ("globex",): (1,),
    }
    assert tables.sums(table, ["tenant_id"], "ingest_time", T0 + timedelta(days=1)) == {}


def test_sums_apply_the_extra_condition(table: str) -> None:
    big = pc.field("event_count") >= 3
    assert tables.sums(table, ["tenant_id"], "ingest_time", None, where=big) == {
        ("acme",): (1,),
        (None,): (1,),
        ("globex",): (1,),
    }


def test_sums_of_a_missing_table_are_empty(tmp_path: Path) -> None:
    assert tables.sums(str(tmp_path / "absent"), ["tenant_id"], "ingest_time", None) == {}

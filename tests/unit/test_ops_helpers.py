"""Operator command helpers without Spark: --since parsing, body rendering, layout guard."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import typer

from lakestream.common.audit import build_report, reconcile
from lakestream.common.audit.report import percentile
from lakestream.common.errors import LakestreamError
from lakestream.common.layout import TableLayout
from lakestream.tooling.cli.audit_cmd import parse_since
from lakestream.tooling.cli.dlq_cmd import render_body

pytestmark = pytest.mark.unit

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def test_since_accepts_spans_and_iso_times() -> None:
    assert parse_since("90m", NOW) == NOW - timedelta(minutes=90)
    assert parse_since("2d", NOW) == NOW - timedelta(days=2)
    assert parse_since("2026-11-25T10:00:00", NOW) == datetime(2026, 11, 25, 10, tzinfo=UTC)
    assert parse_since("2026-11-25T10:00:00+01:00") == datetime(2026, 11, 25, 9, tzinfo=UTC)
    assert parse_since(None) is None
    with pytest.raises(typer.BadParameter, match="span like 30m"):
        parse_since("yesterday")


def test_body_is_text_when_utf8_else_hex_dump() -> None:
    assert render_body('{"a": "é"}'.encode()) == '{"a": "é"}'
    dump = render_body(b"\xff\xfe{ab}\x00" + b"x" * 20)
    first, second = dump.splitlines()
    assert first.startswith("00000000  ff fe 7b 61 62 7d 00 78")
    assert first.endswith("78  ..{ab}.xxxxxxxxx")
    assert second.startswith("00000010  78")


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert (percentile(values, 50), percentile(values, 95)) == (50.0, 95.0)
    assert percentile([], 50) is None


def test_catalog_named_tables_are_refused_clearly() -> None:
    layout = TableLayout("abfss://x@y.dfs.core.windows.net", "prod", catalog="lakestream_prod")
    with pytest.raises(LakestreamError, match="catalog name"):
        reconcile(layout)
    with pytest.raises(LakestreamError, match="catalog name"):
        build_report(layout)

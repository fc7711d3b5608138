"""Compaction under running layers: the change-feed readers neither re-read nor lose a row."""

from __future__ import annotations

import pytest

from lakestream.common.tables.deltars import DeltaRsBackend
from lakestream.common.tables.maintenance import AREAS, layout_tables, maintain
from tests.lake import Lake, event

pytestmark = pytest.mark.spark


def test_silver_and_gold_stream_exactly_once_across_a_compaction(lake: Lake) -> None:
    lake.land(event("e1"), event("e2", tenant="globex"), event("e3", tenant="initech"))
    lake.run("bronze", "silver")
    lake.land(event("e4"), event("e5", tenant="globex"))
    lake.land(event("e6"), event("e1"))
    lake.run("bronze")

    every = layout_tables(lake.layout, lake.registry, AREAS)
    reports = {r.table: r for r in maintain(DeltaRsBackend(), every, vacuum=False)}
    assert [r.error for r in reports.values()] == [None] * len(every)
    bronze = reports["bronze/events"]
    assert bronze.before is not None and bronze.after is not None
    assert bronze.compaction is not None and bronze.compaction.files_removed >= 5
    removed, added = bronze.compaction.files_removed, bronze.compaction.files_added
    assert bronze.before.files - bronze.after.files == removed - added
    partitions = {(r["tenant_id"], r["ingest_date"]) for r in lake.rows("bronze/events")}
    assert bronze.after.files == len(partitions) < bronze.before.files
    assert lake.count("bronze/events") == 7

    lake.run("silver", "gold")
    silver = sorted((r["tenant_id"], r["event_id"]) for r in lake.rows("silver/temp_humidity"))
    expected = [("acme", f"e{n}") for n in (1, 4, 6)]
    expected += [("globex", "e2"), ("globex", "e5"), ("initech", "e3")]
    assert silver == sorted(expected)
    audited = lake.audit("silver")
    assert sum(r["input_rows"] for r in audited) == 7
    assert sum(r["duplicate_rows"] for r in audited) == 1
    assert sum(r["event_count"] for r in lake.rows("gold/device_minute")) == 6

"""Which time ranges of silver a gold step reads (gold.transform.time_ranges)."""

from __future__ import annotations

import itertools
import random

import pytest

from lakestream.common.sql import MAX_TIMESTAMP_MICROS
from lakestream.gold.transform import time_ranges

pytestmark = pytest.mark.unit
MINUTE = 60_000_000


def test_adjacent_minutes_join_one_range_and_apart_ones_stay_apart() -> None:
    minutes = [0, MINUTE, 2 * MINUTE, 10 * MINUTE]
    assert time_ranges(minutes, MINUTE, 16) == [
        (0, 3 * MINUTE - 1),
        (10 * MINUTE, 11 * MINUTE - 1),
    ]


def test_beyond_the_limit_the_smallest_gaps_close() -> None:
    minutes = [0, 5 * MINUTE, 6 * MINUTE + MINUTE, 100 * MINUTE, 1000 * MINUTE]
    assert time_ranges(minutes, MINUTE, 3) == [
        (0, 8 * MINUTE - 1),
        (100 * MINUTE, 101 * MINUTE - 1),
        (1000 * MINUTE, 1001 * MINUTE - 1),
    ]
    assert time_ranges(minutes, MINUTE, 1) == [(0, 1001 * MINUTE - 1)]


def test_the_last_window_ends_at_the_largest_timestamp() -> None:
    last = MAX_TIMESTAMP_MICROS - MINUTE // 2
    assert time_ranges([last], MINUTE, 16) == [(last, MAX_TIMESTAMP_MICROS)]


def test_ranges_cover_every_window_in_at_most_limit_ranges() -> None:
    rng = random.Random(7)
    minutes = sorted({rng.randrange(0, 50_000) * MINUTE for _ in range(3_000)})
    ranges = time_ranges(minutes, MINUTE, 16)
    assert len(ranges) == 16
    assert all(a[1] < b[0] for a, b in itertools.pairwise(ranges))
    for start in minutes:
        assert any(lo <= start and start + MINUTE - 1 <= hi for lo, hi in ranges)

"""Gold: late events land in their minute and correct it; results equal a batch recomputation."""

from __future__ import annotations

from collections import defaultdict

import pytest

from tests.lake import Lake, event

pytestmark = pytest.mark.spark


def _reading(eid: str, at: str, temp: float, battery: float | None = None) -> dict[str, object]:
    payload: dict[str, object] = {"device_id": "th-9", "temperature_c": temp, "humidity_pct": 50}
    if battery is not None:
        payload["battery_pct"] = battery
    return event(eid, event_time=at, payload=payload)


def test_late_event_corrects_its_minute(lake: Lake) -> None:
    lake.land(
        _reading("a", "2026-11-25T10:00:10Z", 20, battery=90),
        _reading("b", "2026-11-25T10:01:05Z", 30),
    )
    lake.run()
    minutes = {r["minute_start"].minute: r for r in lake.rows("gold/device_minute")}
    assert minutes[0]["event_count"] == 1

    lake.land(_reading("late", "2026-11-25T10:00:50Z", 10, battery=80))
    lake.run()
    minutes = {r["minute_start"].minute: r for r in lake.rows("gold/device_minute")}
    assert len(minutes) == 2
    assert minutes[0]["event_count"] == 2
    assert minutes[0]["temperature_c_min"] == 10
    assert minutes[0]["temperature_c_avg"] == pytest.approx(15)
    assert minutes[0]["battery_pct_last"] == 80
    assert minutes[0]["last_event_time"].second == 50
    assert minutes[1]["event_count"] == 1


def test_gold_equals_recomputation_from_silver(lake: Lake) -> None:
    for batch in range(3):
        lake.land(
            *[
                _reading(f"{batch}-{i}", f"2026-11-25T10:0{i % 4}:{(7 * i + batch) % 60:02d}Z", i)
                for i in range(12)
            ]
        )
        lake.run()
    expected: dict[tuple[str, int], list[float]] = defaultdict(list)
    for row in lake.rows("silver/temp_humidity"):
        expected[(row["device_id"], row["event_time"].minute)].append(row["temperature_c"])
    gold = {(r["device_id"], r["minute_start"].minute): r for r in lake.rows("gold/device_minute")}
    assert set(gold) == set(expected)
    for key, temps in expected.items():
        assert gold[key]["event_count"] == len(temps)
        assert gold[key]["temperature_c_avg"] == pytest.approx(sum(temps) / len(temps))
        assert gold[key]["temperature_c_max"] == max(temps)

"""Starting positions of the Event Hubs source."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True)
class StartingPosition:
    """Where a new query starts: earliest, latest, an enqueued time or explicit numbers."""

    kind: str
    enqueued_time: datetime | None = None
    sequence_numbers: dict[str, int] | None = None

    @classmethod
    def parse(cls, text: str) -> StartingPosition:
        """``earliest`` | ``latest`` | ``enqueuedTime:<ISO 8601>`` | ``{"0": 17, "1": 0}``."""
        raw = text.strip()
        if raw.lower() in ("earliest", "latest"):
            return cls(raw.lower())
        if raw.lower().startswith("enqueuedtime:"):
            when = datetime.fromisoformat(raw.split(":", 1)[1].strip().replace("Z", "+00:00"))
            if when.tzinfo is None:
                when = when.replace(tzinfo=UTC)
            return cls("enqueued_time", enqueued_time=when)
        if raw.startswith("{"):
            numbers = json.loads(raw)
            return cls(
                "sequence_numbers", sequence_numbers={str(k): int(v) for k, v in numbers.items()}
            )
        raise ValueError(
            f"startingPosition {text!r}: expected earliest, latest, enqueuedTime:<ISO 8601> or "
            'a JSON object of partition id -> sequence number such as {"0": 17}'
        )

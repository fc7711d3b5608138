"""Where every table and checkpoint lives under ``<root>/<env>/`` (DESIGN.md, "Tables")."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class TableLayout:
    """Paths of every lakestream table for one storage root and environment."""

    root: str
    env: str

    @property
    def base(self) -> str:
        """``<root>/<env>`` without a trailing slash."""
        return f"{self.root.rstrip('/')}/{self.env}"

    def table(self, name: str) -> str:
        """Path of a table given its layout name, e.g. ``bronze/events``."""
        return f"{self.base}/{name}"

    @property
    def bronze_events(self) -> str:
        """``bronze/events``."""
        return self.table("bronze/events")

    def silver(self, event_type: str) -> str:
        """``silver/<event_type>``."""
        return self.table(f"silver/{event_type}")

    @property
    def gold_device_minute(self) -> str:
        """``gold/device_minute``."""
        return self.table("gold/device_minute")

    @property
    def dlq_events(self) -> str:
        """``dlq/events``."""
        return self.table("dlq/events")

    @property
    def audit_batches(self) -> str:
        """``audit/batches``."""
        return self.table("audit/batches")

    def checkpoint(self, service: str, query: str = "main") -> str:
        """``_checkpoints/<service>/<query>``."""
        return self.table(f"_checkpoints/{service}/{query}")

    @property
    def landing(self) -> str:
        """Default landing directory of the ``files`` source: ``<root>/<env>/landing``."""
        return self.table("landing")

    @staticmethod
    def local(root: Path | str, env: str = "local") -> TableLayout:
        """Layout for a local directory root (made absolute)."""
        return TableLayout(str(Path(root).resolve()), env)

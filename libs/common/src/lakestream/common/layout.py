"""Where every table and checkpoint lives (DESIGN.md, "Tables").

Tables live under ``<root>/<env>/`` by path, or, when a Unity Catalog catalog is set, by name:
``<catalog>.<area>.<table>`` (one schema per area), or ``<catalog>.<schema>.<area>_<table>``
when a schema is set too. Checkpoints and the landing directory are always paths.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class TableLayout:
    """Locations of every lakestream table for one storage root and environment."""

    root: str
    env: str
    catalog: str | None = None
    schema: str | None = None

    @property
    def base(self) -> str:
        """``<root>/<env>`` without a trailing slash."""
        return f"{self.root.rstrip('/')}/{self.env}"

    def table(self, name: str) -> str:
        """Path of a table given its layout name, e.g. ``bronze/events``."""
        return f"{self.base}/{name}"

    @property
    def by_name(self) -> bool:
        """True when tables are addressed by Unity Catalog name instead of path."""
        return self.catalog is not None

    def data(self, area: str, table: str) -> str:
        """Location of table ``<area>/<table>``: a path, or a catalog name when one is set."""
        if self.catalog is None:
            return self.table(f"{area}/{table}")
        if self.schema is None:
            return f"{self.catalog}.{area}.{table}"
        return f"{self.catalog}.{self.schema}.{area}_{table}"

    @property
    def bronze_events(self) -> str:
        """``bronze/events``."""
        return self.data("bronze", "events")

    def silver(self, event_type: str) -> str:
        """``silver/<event_type>``."""
        return self.data("silver", event_type)

    @property
    def gold_device_minute(self) -> str:
        """``gold/device_minute``."""
        return self.data("gold", "device_minute")

    @property
    def dlq_events(self) -> str:
        """``dlq/events``."""
        return self.data("dlq", "events")

    @property
    def audit_batches(self) -> str:
        """``audit/batches``."""
        return self.data("audit", "batches")

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

"""``lakestream-silver`` job entry point (Databricks python_wheel_task and local runs)."""

from __future__ import annotations

from lakestream.common.jobs.entry import service_main


def main() -> None:
    """Run the silver service with the options of ``lakestream run``."""
    service_main("silver")

"""The ``lakestream demo`` building blocks: workload with ground truth, summary, HTML report."""

from lakestream.tooling.demo.report import write_report
from lakestream.tooling.demo.summary import (
    TableCounts,
    print_summary,
    read_table_counts,
    reconcile,
    write_summary,
)
from lakestream.tooling.demo.workload import (
    GroundTruth,
    generate_bodies,
    generate_workload,
    write_landing_files,
)

__all__ = [
    "GroundTruth",
    "TableCounts",
    "generate_bodies",
    "generate_workload",
    "print_summary",
    "read_table_counts",
    "reconcile",
    "write_landing_files",
    "write_report",
    "write_summary",
]

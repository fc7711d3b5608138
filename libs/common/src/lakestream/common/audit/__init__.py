"""Reading the audit trail: operator report (throughput, DLQ rate, latency, freshness) and
cross-layer reconciliation of the conservation law."""

from lakestream.common.audit.reconcile import Gap, reconcile
from lakestream.common.audit.report import AuditReport, build_report

__all__ = ["AuditReport", "Gap", "build_report", "reconcile"]

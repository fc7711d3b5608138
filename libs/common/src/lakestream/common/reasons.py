"""DLQ reason codes and the stage that emits each (DESIGN.md, "DLQ reason codes")."""

from __future__ import annotations

from enum import StrEnum


class Stage(StrEnum):
    """Pipeline stage that rejected a row."""

    BRONZE = "bronze"
    SILVER = "silver"


class ReasonCode(StrEnum):
    """Why a body went to the dead letter queue."""

    INVALID_JSON = "INVALID_JSON"
    INVALID_ENVELOPE = "INVALID_ENVELOPE"
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
    UNKNOWN_TENANT = "UNKNOWN_TENANT"
    UNKNOWN_EVENT_TYPE = "UNKNOWN_EVENT_TYPE"
    UNSUPPORTED_VERSION = "UNSUPPORTED_VERSION"
    TENANT_MISMATCH = "TENANT_MISMATCH"
    CONTRACT_VIOLATION = "CONTRACT_VIOLATION"

    @property
    def stage(self) -> Stage:
        """The stage that emits this code."""
        return Stage.SILVER if self is ReasonCode.CONTRACT_VIOLATION else Stage.BRONZE

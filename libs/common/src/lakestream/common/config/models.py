"""Typed models of the platform configuration: tenants, event contracts and gold products.

Each model checks what it can see on its own (types, ranges, regexes, rule/type fit); checks that
span files (version chains, upcasts, references between files) live in ``checks.py``.
"""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    ValidationInfo,
    field_validator,
)

from lakestream.common.config.datetimes import format_problem
from lakestream.common.config.regexes import regex_problem

ENVELOPE_COLUMNS: tuple[str, ...] = (
    "tenant_id",
    "event_id",
    "event_type",
    "event_version",
    "event_time",
    "source_id",
)
"""Envelope columns every event carries next to its payload (DESIGN.md, "Event envelope")."""

RESERVED_COLUMNS = frozenset({*ENVELOPE_COLUMNS, "ingest_time", "ingest_date"})
"""Column names a payload field may not take, because silver tables already have them."""

_NAME_PATTERN = re.compile(r"[a-z][a-z0-9_-]{1,63}")
_FIELD_NAME_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,127}")
_WINDOW_PATTERN = re.compile(r"([1-9][0-9]{0,5}) (second|minute|hour)s?")
_WINDOW_SECONDS = {"second": 1, "minute": 60, "hour": 3600}
_MAX_WINDOW_S = 24 * 3600


class RuleError(ValueError):
    """A configuration rule is broken; carries the fix hint next to the message."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.hint = hint


def _check_name(value: str) -> str:
    if not _NAME_PATTERN.fullmatch(value):
        raise RuleError(
            f"{value!r} is not a valid name",
            "use 2-64 characters: lowercase letters, digits, '_' or '-', starting with a letter",
        )
    return value


Name = Annotated[str, AfterValidator(_check_name)]
"""A tenant id, event type or product name: ``^[a-z][a-z0-9_-]{1,63}$``."""


def _check_unique(values: list[str] | None) -> list[str] | None:
    seen: set[str] = set()
    for value in values or []:
        if value in seen:
            raise RuleError(f"{value!r} is listed twice", f"remove the second {value!r}")
        seen.add(value)
    return values


class FieldType(StrEnum):
    """Type of a payload field."""

    STRING = "string"
    INTEGER = "integer"
    DOUBLE = "double"
    BOOLEAN = "boolean"
    TIMESTAMP = "timestamp"


_NUMERIC = (FieldType.INTEGER, FieldType.DOUBLE)
_ENUM_TYPES = (FieldType.STRING, FieldType.INTEGER, FieldType.DOUBLE)


def _require_type(info: ValidationInfo, allowed: tuple[FieldType, ...]) -> None:
    """Raise when the rule ``info.field_name`` does not apply to the field's (valid) type."""
    field_type = info.data.get("type")
    if field_type is not None and field_type not in allowed:
        names = " or ".join(t.value for t in allowed)
        raise RuleError(
            f"'{info.field_name}' does not apply to a {field_type.value} field",
            f"remove '{info.field_name}', or make the field {names}",
        )


def _enum_value_fits(value: object, field_type: FieldType | None) -> bool:
    """Whether ``value`` may be an enum value of a field of ``field_type`` (None: unknown type)."""
    if isinstance(value, bool):
        return False
    if field_type is FieldType.STRING:
        return isinstance(value, str)
    if field_type is FieldType.INTEGER:
        return isinstance(value, int)
    if field_type is FieldType.DOUBLE:
        return isinstance(value, int | float)
    return isinstance(value, str | int | float)


class FieldSpec(BaseModel):
    """One payload field of a contract version and the rules its values must follow."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    type: FieldType
    required: StrictBool = False
    min: StrictFloat | None = Field(default=None, allow_inf_nan=False)
    max: StrictFloat | None = Field(default=None, allow_inf_nan=False)
    regex: str | None = None
    enum: list[str | int | float] | None = None
    format: str | None = None
    min_length: StrictInt | None = Field(default=None, ge=0)
    max_length: StrictInt | None = Field(default=None, ge=0)
    description: str | None = None

    @field_validator("name")
    @classmethod
    def _check_field_name(cls, value: str) -> str:
        if not _FIELD_NAME_PATTERN.fullmatch(value):
            raise RuleError(
                f"{value!r} is not a valid field name",
                "use 1-128 letters, digits or '_', starting with a letter (snake_case preferred)",
            )
        if value.lower() in RESERVED_COLUMNS:
            raise RuleError(
                f"{value!r} is a reserved column name",
                f"rename the field; reserved: {', '.join(sorted(RESERVED_COLUMNS))}",
            )
        return value

    @field_validator("min", "max")
    @classmethod
    def _check_bounds(cls, value: float | None, info: ValidationInfo) -> float | None:
        if value is None:
            return value
        _require_type(info, _NUMERIC)
        low = info.data.get("min")
        if info.field_name == "max" and low is not None and value < low:
            raise RuleError(
                f"max ({value:g}) is below min ({low:g})", "make min less than or equal to max"
            )
        return value

    @field_validator("regex")
    @classmethod
    def _check_regex(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return value
        _require_type(info, (FieldType.STRING,))
        problem = regex_problem(value)
        if problem is not None:
            raise RuleError(f"regex {value!r}: {problem}", problem.hint)
        return value

    @field_validator("enum", mode="before")
    @classmethod
    def _check_enum(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None:
            return value
        _require_type(info, _ENUM_TYPES)
        if not isinstance(value, list):
            return value
        if not value:
            raise RuleError("enum is empty", "list at least one allowed value, or remove 'enum'")
        field_type = info.data.get("type")
        for item in value:
            if not _enum_value_fits(item, field_type):
                kind = field_type.value if field_type else "string or number"
                raise RuleError(
                    f"enum value {item!r} is not of type {kind}",
                    f"make every enum value a {kind} "
                    "(quote strings such as 'yes', 'no', 'on', '1' in YAML)",
                )
        return value

    @field_validator("format")
    @classmethod
    def _check_format(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return value
        _require_type(info, (FieldType.TIMESTAMP,))
        if not value.strip():
            raise RuleError(
                "format is empty", "give a Spark datetime pattern such as 'yyyy-MM-dd HH:mm:ss'"
            )
        problem = format_problem(value)
        if problem is not None:
            raise RuleError(
                f"format {value!r}: {problem}",
                "use Spark datetime pattern letters (G y D M L d H h K k m s S a z V O X x Z), "
                "quote literal text as 'T'; see the Spark 'Datetime Patterns' guide",
            )
        return value

    @field_validator("min_length", "max_length")
    @classmethod
    def _check_lengths(cls, value: int | None, info: ValidationInfo) -> int | None:
        if value is None:
            return value
        _require_type(info, (FieldType.STRING,))
        low = info.data.get("min_length")
        if info.field_name == "max_length" and low is not None and value < low:
            raise RuleError(
                f"max_length ({value}) is below min_length ({low})",
                "make min_length less than or equal to max_length",
            )
        return value


class Upcast(BaseModel):
    """How a contract version becomes the next one.

    ``set`` maps a target field to a Spark SQL expression over source fields; target fields not in
    ``set`` are carried over by name from the source version, or null where the source lacks them.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    to_version: StrictInt = Field(ge=2)
    set: dict[str, str] = Field(default_factory=dict)


class ContractVersion(BaseModel):
    """One version of an event type's payload contract (``contracts/<event_type>/v<N>.yml``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    event_type: Name
    version: StrictInt = Field(ge=1)
    description: str | None = None
    fields: list[FieldSpec] = Field(min_length=1)
    upcast: Upcast | None = None
    source_file: Path

    @field_validator("fields")
    @classmethod
    def _check_unique_fields(cls, value: list[FieldSpec]) -> list[FieldSpec]:
        seen: dict[str, str] = {}
        for spec in value:
            other = seen.get(spec.name.lower())
            if other is not None:
                clash = (
                    "is defined twice"
                    if other == spec.name
                    else f"collides with {other!r} (Spark column names are case-insensitive)"
                )
                raise RuleError(
                    f"field {spec.name!r} {clash}",
                    "rename or remove one of them",
                )
            seen[spec.name.lower()] = spec.name
        return value

    def field(self, name: str) -> FieldSpec | None:
        """The field called ``name``, or None."""
        return next((spec for spec in self.fields if spec.name == name), None)

    @property
    def field_names(self) -> list[str]:
        """Field names in contract order."""
        return [spec.name for spec in self.fields]


SELFTEST_TENANT = "selftest"
"""Reserved tenant of ``lakestream selftest``: built into every registry, allowed every event
type, never onboarded by a file; its rows are removed after each self-test and reconciliation
does not count them."""


class TenantIngestion(BaseModel):
    """How a tenant's events reach the platform."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    dedicated_hub: StrictBool = False
    partitions: StrictInt = Field(default=4, ge=1, le=1024)


class TenantConfig(BaseModel):
    """An onboarded tenant (``tenants/<tenant_id>.yml``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tenant_id: Name
    display_name: str = Field(min_length=1)
    allowed_event_types: Annotated[list[Name], AfterValidator(_check_unique)] = Field(min_length=1)
    devices: Annotated[
        list[Annotated[str, Field(min_length=1)]] | None, AfterValidator(_check_unique)
    ] = Field(default=None, min_length=1)
    ingestion: TenantIngestion = Field(default_factory=TenantIngestion)
    source_file: Path


class ProductConfig(BaseModel):
    """A gold serving product (``products/<name>.yml``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Name
    source_event_type: Name
    time_column: str = "event_time"
    window: str = "1 minute"
    keys: Annotated[list[str], AfterValidator(_check_unique)] = Field(min_length=1)
    description: str | None = None
    source_file: Path

    @field_validator("window")
    @classmethod
    def _check_window(cls, value: str) -> str:
        match = _WINDOW_PATTERN.fullmatch(value)
        if not match:
            raise RuleError(
                f"window {value!r} is not '<n> second(s)|minute(s)|hour(s)'",
                "write e.g. '1 minute', '30 seconds' or '1 hour'",
            )
        if int(match.group(1)) * _WINDOW_SECONDS[match.group(2)] > _MAX_WINDOW_S:
            raise RuleError(f"window {value!r} is longer than 24 hours", "use at most '24 hours'")
        return value


class Registry(BaseModel):
    """Every tenant, contract version and product of one config directory."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    config_dir: Path
    tenants: dict[str, TenantConfig]
    contracts: dict[str, dict[int, ContractVersion]]
    products: dict[str, ProductConfig]

    def tenant(self, tenant_id: str) -> TenantConfig | None:
        """The tenant ``tenant_id``, or None when it is not onboarded."""
        return self.tenants.get(tenant_id)

    def event_types(self) -> list[str]:
        """Every event type with a contract, sorted."""
        return sorted(self.contracts)

    def versions(self, event_type: str) -> list[int]:
        """Known versions of ``event_type``, ascending (empty when unknown)."""
        return sorted(self.contracts.get(event_type, {}))

    def latest(self, event_type: str) -> ContractVersion:
        """The latest contract version of ``event_type``; KeyError when it has none."""
        versions = self.versions(event_type)
        if not versions:
            raise KeyError(f"no contract for event type {event_type!r}")
        return self.contracts[event_type][versions[-1]]

    def contract(self, event_type: str, version: int) -> ContractVersion | None:
        """The contract of ``(event_type, version)``, or None."""
        return self.contracts.get(event_type, {}).get(version)

    def upcast_chain(self, event_type: str, version: int) -> list[ContractVersion]:
        """Contracts from ``version`` up to the latest, source first; KeyError if unknown."""
        if self.contract(event_type, version) is None:
            raise KeyError(f"no contract for {event_type!r} v{version}")
        return [self.contracts[event_type][v] for v in self.versions(event_type) if v >= version]

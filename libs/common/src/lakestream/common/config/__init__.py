"""Platform configuration registry: tenants, event contracts and gold products loaded from YAML."""

from lakestream.common.config.expressions import ExpressionError, referenced_columns
from lakestream.common.config.loader import load_registry, validate_config
from lakestream.common.config.models import (
    ENVELOPE_COLUMNS,
    RESERVED_COLUMNS,
    SELFTEST_TENANT,
    ContractVersion,
    FieldSpec,
    FieldType,
    ProductConfig,
    Registry,
    TenantConfig,
    TenantIngestion,
    Upcast,
)

__all__ = [
    "ENVELOPE_COLUMNS",
    "RESERVED_COLUMNS",
    "SELFTEST_TENANT",
    "ContractVersion",
    "ExpressionError",
    "FieldSpec",
    "FieldType",
    "ProductConfig",
    "Registry",
    "TenantConfig",
    "TenantIngestion",
    "Upcast",
    "load_registry",
    "referenced_columns",
    "validate_config",
]

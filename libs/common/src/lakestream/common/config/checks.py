"""Checks that span files: tenant -> contract references, version chains, upcasts, products."""

from __future__ import annotations

from lakestream.common.config.expressions import ExpressionError, referenced_columns
from lakestream.common.config.models import (
    ENVELOPE_COLUMNS,
    ContractVersion,
    FieldType,
    Registry,
    Upcast,
)
from lakestream.common.errors import Problem


def _check_tenants(registry: Registry, unloadable: set[str]) -> list[Problem]:
    problems: list[Problem] = []
    known = ", ".join(registry.event_types()) or "none"
    for tenant in registry.tenants.values():
        for index, event_type in enumerate(tenant.allowed_event_types):
            if event_type not in registry.contracts and event_type not in unloadable:
                problems.append(
                    Problem(
                        str(tenant.source_file),
                        f"allowed_event_types[{index}]",
                        f"event type {event_type!r} has no contract",
                        f"add contracts/{event_type}/v1.yml, or remove it "
                        f"(event types with a contract: {known})",
                    )
                )
    return problems


def _check_upcast(
    source: ContractVersion, upcast: Upcast, target: ContractVersion
) -> list[Problem]:
    """Problems of ``upcast`` from ``source`` to the next version ``target``."""
    file, name = str(source.source_file), source.event_type
    if upcast.to_version != source.version + 1:
        return [
            Problem(
                file,
                "upcast.to_version",
                f"the upcast goes to v{upcast.to_version}, but the next version is "
                f"v{source.version + 1}",
                f"set to_version: {source.version + 1} (each version upcasts to the next)",
            )
        ]
    problems: list[Problem] = []
    source_fields = source.field_names
    for target_field, expression in upcast.set.items():
        path = f"upcast.set.{target_field}"
        if target.field(target_field) is None:
            problems.append(
                Problem(
                    file,
                    path,
                    f"{target_field!r} is not a field of {name} v{target.version}",
                    f"set only fields of v{target.version}: {', '.join(target.field_names)}",
                )
            )
        try:
            columns = referenced_columns(expression)
        except ExpressionError as exc:
            problems.append(Problem(file, path, f"unsafe or invalid expression: {exc}", exc.hint))
            continue
        problems.extend(
            Problem(
                file,
                path,
                f"the expression reads {column!r}, which is not a field of "
                f"{name} v{source.version}",
                f"use fields of v{source.version}: {', '.join(source_fields)}",
            )
            for column in columns
            if column not in source_fields
        )
    for spec in target.fields:
        if spec.required and spec.name not in upcast.set and spec.name not in source_fields:
            problems.append(
                Problem(
                    file,
                    "upcast.set",
                    f"required field {spec.name!r} of v{target.version} is neither set by the "
                    f"upcast nor carried over (v{source.version} has no field of that name)",
                    f"add upcast.set.{spec.name}: <expression over v{source.version} fields>",
                )
            )
    return problems


def _check_versions(versions: dict[int, ContractVersion]) -> list[Problem]:
    """Versions run 1..N; every version but the latest upcasts to the next one."""
    ordered = sorted(versions)
    for expected, version in enumerate(ordered, start=1):
        if version != expected:
            contract = versions[version]
            return [
                Problem(
                    str(contract.source_file),
                    "version",
                    f"{contract.event_type} versions must run 1..N without gaps; "
                    f"v{expected} is missing before v{version}",
                    f"add contracts/{contract.event_type}/v{expected}.yml, or renumber the files",
                )
            ]
    problems: list[Problem] = []
    latest = ordered[-1]
    for version in ordered:
        contract = versions[version]
        file = str(contract.source_file)
        if version == latest:
            if contract.upcast is not None:
                problems.append(
                    Problem(
                        file,
                        "upcast",
                        f"v{version} is the latest version and cannot have an upcast",
                        f"remove the upcast, or add v{version + 1}.yml as the new latest version",
                    )
                )
        elif contract.upcast is None:
            problems.append(
                Problem(
                    file,
                    "upcast",
                    f"v{version} is not the latest version (v{latest}) and has no upcast",
                    f"add 'upcast: {{to_version: {version + 1}, set: {{...}}}}' mapping "
                    f"v{version} fields to v{version + 1} fields",
                )
            )
        else:
            problems.extend(_check_upcast(contract, contract.upcast, versions[version + 1]))
    return problems


def _check_products(registry: Registry, unloadable: set[str]) -> list[Problem]:
    problems: list[Problem] = []
    for product in registry.products.values():
        file = str(product.source_file)
        if product.source_event_type not in registry.contracts:
            if product.source_event_type not in unloadable:
                problems.append(
                    Problem(
                        file,
                        "source_event_type",
                        f"event type {product.source_event_type!r} has no contract",
                        f"use one of: {', '.join(registry.event_types()) or 'none'}",
                    )
                )
            continue
        latest = registry.latest(product.source_event_type)
        columns = [*ENVELOPE_COLUMNS, *latest.field_names]
        hint = f"use an envelope column or a field of v{latest.version}: {', '.join(columns)}"
        for index, key in enumerate(product.keys):
            if key not in columns:
                problems.append(
                    Problem(
                        file,
                        f"keys[{index}]",
                        f"{key!r} is not a column of {latest.event_type}",
                        hint,
                    )
                )
        time_field = latest.field(product.time_column)
        if product.time_column not in columns:
            problems.append(
                Problem(
                    file,
                    "time_column",
                    f"{product.time_column!r} is not a column of {latest.event_type}",
                    hint,
                )
            )
        elif product.time_column != "event_time" and (
            time_field is None or time_field.type is not FieldType.TIMESTAMP
        ):
            problems.append(
                Problem(
                    file,
                    "time_column",
                    f"{product.time_column!r} is not a timestamp",
                    "use event_time or a timestamp field of the latest contract",
                )
            )
    return problems


def check_registry(registry: Registry, unloadable: set[str]) -> list[Problem]:
    """Problems between files of ``registry``.

    ``unloadable`` names event types with a contract file that failed to load: checks that would
    only repeat that failure (missing contract, broken chain) are skipped for them.
    """
    problems = _check_tenants(registry, unloadable)
    for event_type, versions in registry.contracts.items():
        if event_type not in unloadable:
            problems.extend(_check_versions(versions))
    return problems + _check_products(registry, unloadable)

"""Load a config directory (``tenants/``, ``contracts/``, ``products/``) into a Registry.

Loading never stops at the first problem: every file is read and validated, then the cross-file
checks run over everything that loaded, so one run reports every problem.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any, TypeVar, get_args

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from lakestream.common.config.checks import check_registry
from lakestream.common.config.models import (
    SELFTEST_TENANT,
    ContractVersion,
    FieldSpec,
    ProductConfig,
    Registry,
    RuleError,
    TenantConfig,
)
from lakestream.common.errors import ConfigError, Problem

_Model = TypeVar("_Model", bound=BaseModel)
_VERSION_FILE = re.compile(r"v([1-9][0-9]*)\.yml")
_WHOLE_FILE = "(file)"
_DIRECTORY = "(directory)"
_REFERENCE = "see config/README.md for the format of each file"
MAX_FILE_BYTES = 1_048_576
"""Largest config file read: real ones are a few KiB, and YAML parsing is slow on big input."""


class _DuplicateKeyError(yaml.constructor.ConstructorError):
    """A mapping repeats a key (plain YAML would silently keep the last one)."""


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate mapping keys."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
            key = loader.construct_object(key_node)
            if key in seen:
                raise _DuplicateKeyError(None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
    return loader.construct_mapping(node, deep=True)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _read_mapping(path: Path, problems: list[Problem]) -> dict[str, Any] | None:
    """The top-level mapping of a YAML file, or None after recording why it cannot be had."""
    file = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            problems.append(
                Problem(
                    file,
                    _WHOLE_FILE,
                    f"the file is {size:,} bytes, more than the {MAX_FILE_BYTES:,} allowed",
                    "a config file holds one tenant, contract version or product: split or trim it",
                )
            )
            return None
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_StrictLoader)
    except RecursionError:
        problems.append(
            Problem(file, _WHOLE_FILE, "the YAML is nested too deeply", "remove the deep nesting")
        )
        return None
    except UnicodeDecodeError:
        problems.append(Problem(file, _WHOLE_FILE, "the file is not UTF-8 text", "save as UTF-8"))
        return None
    except OSError as exc:
        problems.append(
            Problem(file, _WHOLE_FILE, f"cannot read the file: {exc}", "make it readable")
        )
        return None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        if isinstance(exc, _DuplicateKeyError):
            message, hint = f"{exc.problem}{where}", "keep only one of the repeated keys"
        else:
            message = f"YAML syntax error{where}: {exc.problem or exc}"
            hint = "fix the YAML: check indentation, the ':' after each key and quoting"
        problems.append(Problem(file, _WHOLE_FILE, message, hint))
        return None
    except yaml.YAMLError as exc:
        message = " ".join(str(exc).split())
        problems.append(Problem(file, _WHOLE_FILE, f"invalid YAML: {message}", "fix the YAML"))
        return None
    if not isinstance(data, dict):
        what = "empty" if data is None else f"a {type(data).__name__}"
        problems.append(
            Problem(
                file,
                _WHOLE_FILE,
                f"the file is {what}, not a mapping",
                f"write one 'key: value' per line at the top level; {_REFERENCE}",
            )
        )
        return None
    return data


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return next(filter(None, (_nested_model(arg) for arg in get_args(annotation))), None)


def _allowed_keys(model: type[BaseModel], loc: tuple[int | str, ...]) -> list[str]:
    """YAML keys allowed at ``loc`` (the location of the mapping) inside ``model``."""
    current: type[BaseModel] | None = model
    for part in loc:
        if isinstance(part, str) and current is not None:
            info = current.model_fields.get(part)
            current = _nested_model(info.annotation) if info else None
    if current is None:
        return []
    hidden = {"source_file", "name"} if current is FieldSpec else {"source_file"}
    return [key for key in current.model_fields if key not in hidden]


def _field_path(loc: tuple[int | str, ...], field_keys: list[str]) -> str:
    """Dotted path of a location; contract field indexes become the field's YAML key."""
    text = ""
    for position, part in enumerate(loc):
        if isinstance(part, int) and position == 1 and loc[0] == "fields":
            text += f".{field_keys[part]}"
        elif isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text or _WHOLE_FILE


def _describe(error: ErrorDetails, model: type[BaseModel]) -> tuple[str, str]:
    """Message and fix hint for one pydantic error."""
    loc = error["loc"]
    key = next((part for part in reversed(loc) if isinstance(part, str)), "")
    cause = error.get("ctx", {}).get("error")
    if isinstance(cause, RuleError):
        return str(cause), cause.hint
    if error["type"] == "extra_forbidden":
        allowed = _allowed_keys(model, loc[:-1])
        close = difflib.get_close_matches(key, allowed, n=1)
        guess = f"did you mean '{close[0]}'? " if close else ""
        return "unknown key", f"{guess}allowed keys: {', '.join(allowed)}"
    if error["type"] == "missing":
        return "required key is missing", f"add '{key}'; {_REFERENCE}"
    if error["type"] == "too_short":
        return error["msg"], f"list at least one value under '{key}'"
    if error["type"] in ("model_type", "dict_type"):
        return error["msg"], f"write a mapping of 'key: value' lines here; {_REFERENCE}"
    if error["type"] == "string_type":
        return error["msg"], "quote the value: YAML reads numbers, dates, yes/no and null otherwise"
    if error["type"] == "list_type":
        return error["msg"], "write a list, e.g. [a, b]"
    return error["msg"], f"use a value of the expected type and range; {_REFERENCE}"


def _validate(
    model: type[_Model],
    data: dict[str, Any],
    path: Path,
    problems: list[Problem],
    field_keys: list[str] | None = None,
) -> _Model | None:
    """Validate one file's mapping into ``model``, recording every error as a Problem."""
    file = str(path)
    if "source_file" in data:
        problems.append(
            Problem(file, "source_file", "unknown key", "remove it; the loader records the file")
        )
    try:
        result = model.model_validate({**data, "source_file": path})
    except ValidationError as exc:
        for error in exc.errors():
            message, hint = _describe(error, model)
            problems.append(
                Problem(file, _field_path(error["loc"], field_keys or []), message, hint)
            )
        return None
    return None if "source_file" in data else result


def _validate_contract(
    data: dict[str, Any], path: Path, problems: list[Problem]
) -> ContractVersion | None:
    """Turn the YAML ``fields`` mapping into named field specs, then validate the contract."""
    fields = data.get("fields")
    if "fields" in data and not isinstance(fields, dict):
        problems.append(
            Problem(
                str(path),
                "fields",
                "fields must be a mapping of field name to rules",
                "write 'fields:' then one indented '<name>: {type: ..., ...}' line per field",
            )
        )
        return None
    if not isinstance(fields, dict):
        return _validate(ContractVersion, data, path, problems)
    named: list[Any] = []
    clean = True
    for name, spec in fields.items():
        if not isinstance(name, str):
            clean = False
            problems.append(
                Problem(
                    str(path),
                    f"fields.{name}",
                    f"field name {name!r} is not a string",
                    "quote it: YAML reads yes/no/on/off/null, numbers and dates as other types",
                )
            )
        if isinstance(spec, dict) and "name" in spec:
            clean = False
            problems.append(
                Problem(
                    str(path), f"fields.{name}.name", "unknown key", "remove it; the key names it"
                )
            )
        named.append({**spec, "name": str(name)} if isinstance(spec, dict) else spec)
    keys = [str(name) for name in fields]
    contract = _validate(ContractVersion, {**data, "fields": named}, path, problems, keys)
    return contract if clean else None


def _entries(directory: Path, problems: list[Problem]) -> list[Path]:
    """Sorted entries of ``directory`` but dotfiles; broken links and read errors are reported."""
    try:
        paths = sorted(directory.iterdir())
    except OSError as exc:
        problems.append(
            Problem(
                str(directory),
                _DIRECTORY,
                f"cannot list the directory: {exc.strerror or exc}",
                "make it a readable directory",
            )
        )
        return []
    entries: list[Path] = []
    for path in paths:
        if path.name.startswith("."):
            continue
        if path.is_symlink() and not path.exists():
            problems.append(
                Problem(
                    str(path),
                    _WHOLE_FILE,
                    "a symbolic link to nothing (missing target or a link loop)",
                    "point the link at a real file or remove it",
                )
            )
            continue
        entries.append(path)
    return entries


def _yaml_files(directory: Path, problems: list[Problem]) -> list[Path]:
    """Sorted ``*.yml`` files of ``directory``; ``*.yaml`` files are reported, others ignored."""
    files: list[Path] = []
    for path in _entries(directory, problems):
        if path.suffix not in (".yml", ".yaml"):
            continue
        if not path.is_file():
            problems.append(
                Problem(
                    str(path),
                    _WHOLE_FILE,
                    "not a regular file",
                    "config entries ending in .yml must be files; rename or remove it",
                )
            )
        elif path.suffix == ".yml":
            files.append(path)
        else:
            problems.append(
                Problem(
                    str(path),
                    _WHOLE_FILE,
                    "configuration files must end in .yml",
                    f"rename it to {path.stem}.yml",
                )
            )
    return files


def _load_named(
    directory: Path, model: type[_Model], key: str, problems: list[Problem]
) -> dict[str, _Model]:
    """Load ``<name>.yml`` files whose ``key`` must equal the file name and be unique.

    A file named after its key claims that key first; other files with the same key are the
    duplicates.
    """
    items: list[tuple[Path, str, _Model]] = []
    for path in _yaml_files(directory, problems):
        data = _read_mapping(path, problems)
        item = None if data is None else _validate(model, data, path, problems)
        if item is not None:
            items.append((path, str(getattr(item, key)), item))
    claimed: dict[str, tuple[Path, _Model]] = {}
    for path, name, item in sorted(items, key=lambda entry: entry[0].stem != entry[1]):
        if path.stem != name:
            problems.append(
                Problem(
                    str(path),
                    key,
                    f"{key} {name!r} does not match the file name {path.name!r}",
                    f"rename the file to {name}.yml, or set {key}: {path.stem}",
                )
            )
        if name in claimed:
            problems.append(
                Problem(
                    str(path),
                    key,
                    f"duplicate {key} {name!r}: already defined in {claimed[name][0]}",
                    f"remove one of the two files, or give this one its own {key}",
                )
            )
            continue
        claimed[name] = (path, item)
    return {name: item for name, (_, item) in claimed.items()}


def _load_contract_file(
    directory: Path, path: Path, problems: list[Problem], unloadable: set[str]
) -> ContractVersion | None:
    """Load ``contracts/<event_type>/v<N>.yml`` and check it sits where its content says.

    When it cannot be used, its directory's event type (and the one it declares) joins
    ``unloadable``.
    """
    match = _VERSION_FILE.fullmatch(path.name)
    if match is None:
        problems.append(
            Problem(
                str(path),
                _WHOLE_FILE,
                f"contract file name {path.name!r} is not v<N>.yml",
                "name each contract file after its version: v1.yml, v2.yml, ...",
            )
        )
        unloadable.add(directory.name)
        return None
    data = _read_mapping(path, problems)
    contract = None if data is None else _validate_contract(data, path, problems)
    if contract is None:
        unloadable.add(directory.name)
        return None
    placed = True
    if contract.event_type != directory.name:
        placed = False
        problems.append(
            Problem(
                str(path),
                "event_type",
                f"event_type {contract.event_type!r} does not match the directory "
                f"{directory.name!r}",
                f"set event_type: {directory.name}, or move the file to "
                f"contracts/{contract.event_type}/",
            )
        )
    if contract.version != int(match.group(1)):
        placed = False
        problems.append(
            Problem(
                str(path),
                "version",
                f"version {contract.version} does not match the file name {path.name!r}",
                f"set version: {match.group(1)}, or rename the file to v{contract.version}.yml",
            )
        )
    if not placed:
        unloadable.update({directory.name, contract.event_type})
        return None
    return contract


def _load_contracts(
    directory: Path, problems: list[Problem], unloadable: set[str]
) -> dict[str, dict[int, ContractVersion]]:
    """Load every contract version; event types with a file that failed go to ``unloadable``."""
    contracts: dict[str, dict[int, ContractVersion]] = {}
    for path in _entries(directory, problems):
        if path.is_file():
            if path.suffix in (".yml", ".yaml"):
                problems.append(
                    Problem(
                        str(path),
                        _WHOLE_FILE,
                        "contract files belong in a directory per event type",
                        "move it to contracts/<event_type>/v<N>.yml",
                    )
                )
            continue
        files = _yaml_files(path, problems)
        if not files:
            problems.append(
                Problem(
                    str(path),
                    _DIRECTORY,
                    "the event type directory holds no contract version",
                    f"add {path / 'v1.yml'}, or remove the directory",
                )
            )
        for file in files:
            contract = _load_contract_file(path, file, problems, unloadable)
            if contract is not None:
                contracts.setdefault(contract.event_type, {})[contract.version] = contract
    return {name: dict(sorted(versions.items())) for name, versions in contracts.items()}


def _require_files(directory: Path, pattern: str, what: str, problems: list[Problem]) -> bool:
    """True when ``directory`` holds files matching ``pattern``; otherwise record why not."""
    if not directory.is_dir():
        message = f"the {directory.name}/ directory is missing"
    elif not any(directory.glob(pattern)):
        message = f"the {directory.name}/ directory holds no {pattern} file"
    else:
        return True
    problems.append(Problem(str(directory), _DIRECTORY, message, f"add {what}; {_REFERENCE}"))
    return False


def _without_reserved(
    tenants: dict[str, TenantConfig], problems: list[Problem]
) -> dict[str, TenantConfig]:
    reserved = tenants.get(SELFTEST_TENANT)
    if reserved is not None:
        problems.append(
            Problem(
                str(reserved.source_file),
                "tenant_id",
                f"tenant id {SELFTEST_TENANT!r} is reserved for `lakestream selftest`",
                "give the tenant another id (and rename the file to match)",
            )
        )
    return {k: v for k, v in tenants.items() if k != SELFTEST_TENANT}


def _selftest(contracts: dict[str, dict[int, ContractVersion]]) -> TenantConfig:
    """The built-in self-test tenant: every event type, no device list, the shared hub."""
    return TenantConfig(
        tenant_id=SELFTEST_TENANT,
        display_name="lakestream self-test (reserved)",
        allowed_event_types=sorted(contracts),
        source_file=Path("<built-in>"),
    )


def _load(config_dir: Path) -> tuple[Registry, list[Problem]]:
    """The registry of everything that loaded, and every problem found.

    Cross-file checks run only when both tenants/ and contracts/ hold files: without them every
    reference would be reported as broken.
    """
    problems: list[Problem] = []
    unloadable: set[str] = set()
    tenants: dict[str, TenantConfig] = {}
    contracts: dict[str, dict[int, ContractVersion]] = {}
    products: dict[str, ProductConfig] = {}
    tenants_dir, contracts_dir = config_dir / "tenants", config_dir / "contracts"
    complete = False
    if not config_dir.is_dir():
        problems.append(
            Problem(
                str(config_dir),
                _DIRECTORY,
                "the config directory does not exist",
                "pass --config-dir with the directory that holds tenants/ and contracts/",
            )
        )
    else:
        has_tenants = _require_files(tenants_dir, "*.yml", "<tenant_id>.yml files", problems)
        has_contracts = _require_files(contracts_dir, "*/v*.yml", "<event_type>/v1.yml", problems)
        complete = has_tenants and has_contracts
        if has_tenants:
            tenants = _load_named(tenants_dir, TenantConfig, "tenant_id", problems)
        if has_contracts:
            contracts = _load_contracts(contracts_dir, problems, unloadable)
        if (config_dir / "products").is_dir():
            products = _load_named(config_dir / "products", ProductConfig, "name", problems)
    if contracts:
        tenants = {**_without_reserved(tenants, problems), SELFTEST_TENANT: _selftest(contracts)}
    registry = Registry(
        config_dir=config_dir, tenants=tenants, contracts=contracts, products=products
    )
    if complete:
        problems.extend(check_registry(registry, unloadable))
    return registry, problems


def validate_config(config_dir: Path) -> list[Problem]:
    """Every problem of the configuration in ``config_dir`` (empty when it is valid)."""
    return _load(config_dir)[1]


def load_registry(config_dir: Path) -> Registry:
    """Load and validate ``config_dir``; raise ConfigError listing every problem found."""
    registry, problems = _load(config_dir)
    if problems:
        raise ConfigError(problems)
    return registry

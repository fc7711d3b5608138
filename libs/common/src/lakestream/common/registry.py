"""A registry of component classes by the name a setting chooses them by.

Sources (``LAKESTREAM_SOURCE``) and table backends (``LAKESTREAM_BACKEND``) register their
spec classes in one of these; a name registered twice by two classes is a mistake, an unknown
name is an error that lists the registered ones.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import ClassVar, Generic, Protocol, TypeVar

from lakestream.common.errors import LakestreamError


class Named(Protocol):
    """What a registered class carries: the name it is registered under."""

    name: ClassVar[str]


_T = TypeVar("_T", bound=Named)


class Registry(Generic[_T]):
    """Classes of ``_T`` by name; ``kind`` names them in errors, ``variable`` is the setting."""

    def __init__(self, kind: str, variable: str, builtins: str = "") -> None:
        self.kind = kind
        self.variable = variable
        self.builtins = builtins
        """The module whose import registers the built-in classes (imported before a lookup)."""
        self._entries: dict[str, type[_T]] = {}

    def register(self, name: str) -> Callable[[type[_T]], type[_T]]:
        """Class decorator: register a class under ``name`` and set its ``name``."""

        def register(spec: type[_T]) -> type[_T]:
            known = self._entries.get(name)
            if known is not None and known is not spec:
                raise TypeError(
                    f"{self.kind} {name!r} is already registered by {known.__qualname__}"
                )
            spec.name = name
            self._entries[name] = spec
            return spec

        return register

    def entries(self) -> dict[str, type[_T]]:
        """Every registered class by name, the built-in ones included (a copy)."""
        if self.builtins:
            importlib.import_module(self.builtins)
        return dict(self._entries)

    def unknown(self, name: str) -> str:
        """The error for a name no class is registered under."""
        names = ", ".join(repr(n) for n in sorted(self.entries()))
        return f"no {self.kind} is registered as {name!r}: expected one of {names}"

    def get(self, name: str) -> type[_T]:
        """The class registered as ``name``; LakestreamError naming the setting if none is."""
        spec = self.entries().get(name)
        if spec is None:
            raise LakestreamError(f"{self.variable}: {self.unknown(name)}")
        return spec

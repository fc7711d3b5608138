"""The table backends, registered by their ``LAKESTREAM_BACKEND`` name.

A backend is a typed, frozen spec (what it can address) that opens its ``TableBackend``, asking
for the Spark session only when it needs one; the implementation module is imported only when
the backend is opened, so ``delta-spark``'s package and jars are needed only where it is
chosen. Adding a backend is one more ``@register_backend("<name>")`` spec.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, TypeVar

from lakestream.common.errors import LakestreamError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

    from lakestream.common.settings import Settings
    from lakestream.common.tables.backend import TableBackend


class BackendSpec(ABC):
    """A table backend as the settings choose it."""

    name: ClassVar[str]
    catalog_names: ClassVar[bool] = False
    """Whether it addresses tables by Unity Catalog name (``LAKESTREAM_CATALOG``)."""

    @abstractmethod
    def open(self, spark: Callable[[], SparkSession]) -> TableBackend:
        """The backend; ``spark`` gives the session, called only when the backend needs one."""


_B = TypeVar("_B", bound=type[BackendSpec])
_BACKENDS: dict[str, type[BackendSpec]] = {}


def register_backend(name: str) -> Callable[[_B], _B]:
    """Class decorator: register a BackendSpec under the ``LAKESTREAM_BACKEND`` value ``name``."""

    def register(spec: _B) -> _B:
        known = _BACKENDS.get(name)
        if known is not None and known is not spec:
            raise TypeError(f"backend {name!r} is already registered by {known.__qualname__}")
        spec.name = name
        _BACKENDS[name] = spec
        return spec

    return register


def registered_backends() -> dict[str, type[BackendSpec]]:
    """Every registered backend by name."""
    return dict(_BACKENDS)


def unknown_backend(name: str) -> str:
    """The error for a ``LAKESTREAM_BACKEND`` no backend is registered under."""
    names = ", ".join(repr(n) for n in sorted(_BACKENDS))
    return f"no backend is registered as {name!r}: expected one of {names}"


def backend_spec(name: str) -> BackendSpec:
    """The spec registered as ``name``."""
    spec = _BACKENDS.get(name)
    if spec is None:
        raise LakestreamError(f"LAKESTREAM_BACKEND: {unknown_backend(name)}")
    return spec()


def open_backend(settings: Settings, spark: Callable[[], SparkSession]) -> TableBackend:
    """The table backend the settings name (``LAKESTREAM_BACKEND``)."""
    return backend_spec(settings.backend).open(spark)


@register_backend("delta-rs")
@dataclass(frozen=True)
class DeltaRsSpec(BackendSpec):
    """The embedded backend (the ``deltalake`` package): opening it starts no Spark."""

    def open(self, spark: Callable[[], SparkSession]) -> TableBackend:
        """A ``DeltaRsBackend``."""
        from lakestream.common.tables.deltars import DeltaRsBackend

        return DeltaRsBackend()


@register_backend("delta-spark")
@dataclass(frozen=True)
class DeltaSparkSpec(BackendSpec):
    """Spark's own Delta Lake (Databricks, or a Spark with the Delta jars)."""

    catalog_names: ClassVar[bool] = True

    def open(self, spark: Callable[[], SparkSession]) -> TableBackend:
        """A ``DeltaSparkBackend`` on the session."""
        from lakestream.common.tables.deltaspark import DeltaSparkBackend

        return DeltaSparkBackend(spark())

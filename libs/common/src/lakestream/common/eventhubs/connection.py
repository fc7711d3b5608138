"""Where a hub is and how to authenticate to it, without ever printing a key.

Two ways to authenticate: Entra ID (``DefaultAzureCredential``: managed identity on Databricks,
``az login`` on a laptop) with a fully qualified namespace and a hub name, or a connection
string read from an environment variable or a Databricks secret scope — never from a file,
a command-line argument or a Spark option.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lakestream.common.errors import SourceUnavailableError
from lakestream.common.redact import REDACTED, redact

DEFAULT_CONSUMER_GROUP = "$Default"


class Secret:
    """A secret string that never shows itself in ``repr``/``str`` (logs, plans, tracebacks)."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The secret value (only for handing it to the SDK)."""
        return self._value

    def __repr__(self) -> str:
        return f"Secret({REDACTED})"

    __str__ = __repr__

    def __getstate__(self) -> str:
        return self._value

    def __setstate__(self, state: str) -> None:
        self._value = state


def _connection_field(conn: str, name: str) -> str | None:
    for part in conn.split(";"):
        key, _, value = part.partition("=")
        if key.strip().lower() == name.lower():
            return value.strip()
    return None


def dbutils_secret(scope: str, key: str) -> str:
    """Read a Databricks secret through ``dbutils`` (only available on Databricks)."""
    try:
        from pyspark.dbutils import DBUtils
        from pyspark.sql import SparkSession
    except ImportError:
        raise SourceUnavailableError(
            f"secret scope {scope!r} needs Databricks dbutils, which is not available here: "
            "set the connection string in an environment variable instead"
        ) from None
    spark = SparkSession.getActiveSession()
    return str(DBUtils(spark).secrets.get(scope=scope, key=key))


@dataclass(frozen=True)
class EventHubsTarget:
    """A hub, a consumer group and the credential to reach them."""

    namespace: str
    hub: str
    consumer_group: str = DEFAULT_CONSUMER_GROUP
    connection_string: Secret | None = field(default=None, repr=False)

    @property
    def description(self) -> str:
        """``namespace <ns> hub <hub>``: what error messages name (never the key)."""
        return f"namespace {self.namespace} hub {self.hub}"

    def make(self, factory: Any, **kwargs: Any) -> Any:
        """Build an SDK client (``EventHubProducerClient``/``EventHubConsumerClient``)."""
        if self.connection_string is not None:
            return factory.from_connection_string(
                self.connection_string.reveal(), eventhub_name=self.hub, **kwargs
            )
        from azure.identity import DefaultAzureCredential

        return factory(
            fully_qualified_namespace=self.namespace,
            eventhub_name=self.hub,
            credential=DefaultAzureCredential(),
            **kwargs,
        )


def resolve_target(
    *,
    namespace: str | None,
    hub: str | None,
    consumer_group: str | None = None,
    connection_string_env: str | None = None,
    secret_scope: str | None = None,
    secret_key: str | None = None,
    environ: dict[str, str] | None = None,
    secret_reader: Callable[[str, str], str] = dbutils_secret,
) -> EventHubsTarget:
    """Resolve the hub and its credential: env variable or secret scope, else Entra ID."""
    env = os.environ if environ is None else environ
    conn: str | None = None
    if connection_string_env:
        conn = env.get(connection_string_env)
        if not conn:
            raise SourceUnavailableError(
                f"environment variable {connection_string_env} (the Event Hubs connection string) "
                "is not set"
            )
    elif secret_scope and secret_key:
        conn = secret_reader(secret_scope, secret_key)
    if conn is not None:
        endpoint = _connection_field(conn, "Endpoint") or ""
        namespace = namespace or endpoint.removeprefix("sb://").rstrip("/")
        hub = hub or _connection_field(conn, "EntityPath")
        if not namespace:
            raise SourceUnavailableError(
                f"the Event Hubs connection string has no Endpoint: {redact(conn)}"
            )
    if not namespace or not hub:
        raise SourceUnavailableError(
            "Event Hubs source needs a namespace and a hub (LAKESTREAM_EVENTHUBS_NAMESPACE and "
            "LAKESTREAM_EVENTHUBS_HUB, or a connection string with Endpoint and EntityPath)"
        )
    return EventHubsTarget(
        namespace=namespace,
        hub=hub,
        consumer_group=consumer_group or DEFAULT_CONSUMER_GROUP,
        connection_string=Secret(conn) if conn is not None else None,
    )


def describe_failure(target: EventHubsTarget, exc: BaseException, attempts: int) -> str:
    """A one-line, key-free explanation of a failed Event Hubs call."""
    kind = type(exc).__name__
    text = redact(str(exc)).splitlines()[0] if str(exc) else kind
    if target.connection_string is not None:
        text = text.replace(target.connection_string.reveal(), REDACTED)
    if "auth" in kind.lower() or "unauthorized" in text.lower() or "401" in text:
        return (
            f"Event Hubs {target.description}: authentication failed ({kind}: {text}); "
            "check the connection string's key / the identity's Event Hubs Data Receiver role"
        )
    if "404" in text or "not found" in text.lower() or "could not be found" in text.lower():
        return (
            f"Event Hubs {target.description} was not found ({kind}: {text}); "
            "check the namespace, the hub name and the consumer group"
        )
    return (
        f"Event Hubs {target.description} is unreachable after {attempts} attempts ({kind}: {text})"
    )

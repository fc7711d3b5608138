"""The ``kafka`` source: Spark's built-in Kafka source on the Event Hubs Kafka endpoint.

For Databricks, whose runtime ships the (shaded) Kafka connector. Two ways to authenticate:
OAUTHBEARER with an Entra ID service principal (client secret from a secret scope) or PLAIN with
the Event Hubs connection string (from the environment or a secret scope). The options are built
by ``kafka_options`` and unit-tested; the connector jars are not available to run it here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from lakestream.common.errors import LakestreamError, SourceUnavailableError
from lakestream.common.eventhubs.connection import Secret, resolve_target
from lakestream.common.settings import Settings
from lakestream.common.sources.base import Backlog, register_source
from lakestream.common.sources.eventhubs import DEFAULT_CONN_ENV, TENANT_PROPERTY, HubSourceSpec

if TYPE_CHECKING:
    from lakestream.common.runtime.batch import BatchContext

KAFKA_PORT = 9093
SHADED = "kafkashaded.org.apache.kafka.common.security"


def _quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def kafka_options(
    *,
    namespace: str,
    hub: str,
    consumer_group: str,
    starting_offsets: str = "earliest",
    max_offsets_per_trigger: int | None = None,
    connection_string: Secret | None = None,
    entra_tenant_id: str | None = None,
    client_id: str | None = None,
    client_secret: Secret | None = None,
    shaded: bool = True,
) -> dict[str, str]:
    """Options for ``spark.readStream.format("kafka")`` against ``<namespace>:9093``.

    With ``connection_string``: SASL PLAIN (user ``$ConnectionString``). Otherwise OAUTHBEARER
    with the client-credentials flow of an Entra ID application (``entra_tenant_id``,
    ``client_id``, ``client_secret``), scope ``https://<namespace>/.default``.
    """
    host = namespace.split(":")[0]
    security = SHADED if shaded else "org.apache.kafka.common.security"
    options = {
        "kafka.bootstrap.servers": f"{host}:{KAFKA_PORT}",
        "subscribe": hub,
        "kafka.group.id": consumer_group,
        "kafka.security.protocol": "SASL_SSL",
        "kafka.request.timeout.ms": "60000",
        "kafka.session.timeout.ms": "30000",
        "startingOffsets": starting_offsets,
        "failOnDataLoss": "true",
        "includeHeaders": "true",
    }
    if max_offsets_per_trigger is not None:
        options["maxOffsetsPerTrigger"] = str(max_offsets_per_trigger)
    if connection_string is not None:
        options["kafka.sasl.mechanism"] = "PLAIN"
        options["kafka.sasl.jaas.config"] = (
            f"{security}.plain.PlainLoginModule required "
            f'username="$ConnectionString" password="{_quote(connection_string.reveal())}";'
        )
        return options
    if not (entra_tenant_id and client_id and client_secret is not None):
        raise SourceUnavailableError(
            "kafka source with Entra ID needs LAKESTREAM_EVENTHUBS_ENTRA_TENANT_ID, "
            "LAKESTREAM_EVENTHUBS_CLIENT_ID and the client secret in the secret scope "
            "(LAKESTREAM_EVENTHUBS_SECRET_SCOPE / LAKESTREAM_EVENTHUBS_SECRET_KEY)"
        )
    options["kafka.sasl.mechanism"] = "OAUTHBEARER"
    options["kafka.sasl.jaas.config"] = (
        f"{security}.oauthbearer.OAuthBearerLoginModule required "
        f'clientId="{_quote(client_id)}" clientSecret="{_quote(client_secret.reveal())}" '
        f'scope="https://{host}/.default" ssl.protocol="SSL";'
    )
    options["kafka.sasl.oauthbearer.token.endpoint.url"] = (
        f"https://login.microsoftonline.com/{entra_tenant_id}/oauth2/v2.0/token"
    )
    options["kafka.sasl.login.callback.handler.class"] = (
        f"{security}.oauthbearer.secured.OAuthBearerLoginCallbackHandler"
    )
    return options


@register_source("kafka")
@dataclass(frozen=True)
class KafkaSourceSpec(HubSourceSpec):
    """The Event Hubs Kafka endpoint of the hub the ``LAKESTREAM_EVENTHUBS_*`` settings name."""

    max_offsets_per_trigger: int | None
    entra_tenant_id: str | None
    client_id: str | None
    bound_tenants: tuple[str, ...]

    @classmethod
    def from_settings(cls, settings: Settings) -> KafkaSourceSpec:
        """Reads the ``eventhubs_*`` settings (the Kafka endpoint is the hub's)."""
        return cls(
            **cls.hub_settings(settings),
            max_offsets_per_trigger=settings.eventhubs_max_events_per_trigger,
            entra_tenant_id=settings.eventhubs_entra_tenant_id,
            client_id=settings.eventhubs_client_id,
            bound_tenants=tuple(settings.bound_tenants),
        )

    def options(self) -> dict[str, str]:
        """Kafka options (secrets resolved on the driver)."""
        conn_env = self.connection_string_env
        if conn_env is None and self.client_id is None:
            conn_env = DEFAULT_CONN_ENV
        use_secret_for_conn = self.client_id is None
        target = resolve_target(
            namespace=self.namespace,
            hub=self.hub,
            consumer_group=self.consumer_group,
            connection_string_env=conn_env if not self.secret_scope else None,
            secret_scope=self.secret_scope if use_secret_for_conn else None,
            secret_key=self.secret_key if use_secret_for_conn else None,
        )
        client_secret = None
        if not use_secret_for_conn and self.secret_scope and self.secret_key:
            from lakestream.common.eventhubs.connection import dbutils_secret

            client_secret = Secret(dbutils_secret(self.secret_scope, self.secret_key))
        position = self.starting_position
        return kafka_options(
            namespace=target.namespace,
            hub=target.hub,
            consumer_group=target.consumer_group,
            starting_offsets=position if position in ("earliest", "latest") else "earliest",
            max_offsets_per_trigger=self.max_offsets_per_trigger,
            connection_string=target.connection_string,
            entra_tenant_id=self.entra_tenant_id,
            client_id=self.client_id,
            client_secret=client_secret,
        )

    def stream(self, spark: SparkSession) -> DataFrame:
        """Raw bodies and bronze ``source`` coordinates from the Event Hubs Kafka endpoint."""
        records = spark.readStream.format("kafka").options(**self.options()).load()
        bound = self.bound_tenants
        configured = F.array(*[F.lit(t) for t in bound]) if bound else F.lit(None)
        header = F.filter("headers", lambda h: h["key"] == F.lit(TENANT_PROPERTY))
        from_header = F.when(F.size(header) > 0, F.array(F.decode(header[0]["value"], "UTF-8")))
        return records.select(
            F.col("value").alias("body"),
            F.struct(
                F.lit("kafka").alias("kind"),
                F.lit(None).cast("string").alias("file"),
                F.lit(None).cast("long").alias("line"),
                F.col("partition").cast("string").alias("partition"),
                F.col("offset").alias("sequence_number"),
                F.col("offset").cast("string").alias("offset"),
                F.col("timestamp").alias("enqueued_time"),
            ).alias("source"),
            F.coalesce(configured.cast("array<string>"), from_header).alias("bound_tenants"),
        )

    def probe(self) -> None:
        """Nothing between batches: the reader retries and fails by itself."""

    def verify_batch(self, ctx: BatchContext, read: set[str]) -> None:
        """Nothing per batch: offsets name exactly what a batch reads."""

    def backlog(self, checkpoint: str, now: datetime) -> Backlog:
        """Not measured here: the consumer group's lag is Event Hubs' to report."""
        return Backlog(
            "events",
            None,
            note="not measured for the kafka source: see the consumer group's lag in Event Hubs",
        )

    def deliver(self, bodies: list[bytes], run_id: str, tenant_id: str) -> str:
        """The self-test does not produce to Kafka."""
        raise LakestreamError(
            f"LAKESTREAM_SOURCE={self.name}: the self-test writes to the files or eventhubs "
            "source; for kafka, point a files or eventhubs self-test at the same hub"
        )

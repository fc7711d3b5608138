"""The ``kafka`` source: Spark's built-in Kafka source on the Event Hubs Kafka endpoint.

For Databricks, whose runtime ships the (shaded) Kafka connector. Two ways to authenticate:
OAUTHBEARER with an Entra ID service principal (client secret from a secret scope) or PLAIN with
the Event Hubs connection string (from the environment or a secret scope). The options are built
by ``kafka_options`` and unit-tested; the connector jars are not available to run it here.
"""

from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from lakestream.common.errors import SourceUnavailableError
from lakestream.common.eventhubs.connection import Secret, resolve_target
from lakestream.common.settings import Settings
from lakestream.common.sources.eventhubs import DEFAULT_CONN_ENV, TENANT_PROPERTY

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


def options_from_settings(settings: Settings) -> dict[str, str]:
    """Kafka options from ``LAKESTREAM_EVENTHUBS_*`` settings (secrets resolved on the driver)."""
    conn_env = settings.eventhubs_connection_string_env
    if conn_env is None and settings.eventhubs_client_id is None:
        conn_env = DEFAULT_CONN_ENV
    use_secret_for_conn = settings.eventhubs_client_id is None
    target = resolve_target(
        namespace=settings.eventhubs_namespace,
        hub=settings.eventhubs_hub,
        consumer_group=settings.eventhubs_consumer_group,
        connection_string_env=conn_env if not settings.eventhubs_secret_scope else None,
        secret_scope=settings.eventhubs_secret_scope if use_secret_for_conn else None,
        secret_key=settings.eventhubs_secret_key if use_secret_for_conn else None,
    )
    client_secret = None
    if (
        not use_secret_for_conn
        and settings.eventhubs_secret_scope
        and settings.eventhubs_secret_key
    ):
        from lakestream.common.eventhubs.connection import dbutils_secret

        client_secret = Secret(
            dbutils_secret(settings.eventhubs_secret_scope, settings.eventhubs_secret_key)
        )
    position = settings.eventhubs_starting_position
    return kafka_options(
        namespace=target.namespace,
        hub=target.hub,
        consumer_group=target.consumer_group,
        starting_offsets=position if position in ("earliest", "latest") else "earliest",
        max_offsets_per_trigger=settings.eventhubs_max_events_per_trigger,
        connection_string=target.connection_string,
        entra_tenant_id=settings.eventhubs_entra_tenant_id,
        client_id=settings.eventhubs_client_id,
        client_secret=client_secret,
    )


def kafka_stream(spark: SparkSession, settings: Settings) -> DataFrame:
    """Raw bodies and bronze ``source`` coordinates from the Event Hubs Kafka endpoint."""
    records = spark.readStream.format("kafka").options(**options_from_settings(settings)).load()
    bound = settings.bound_tenants
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

"""Event Hubs settings, credentials, starting positions, rate allocation and Kafka options."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime

import pytest

from lakestream.common.errors import ConfigError, SourceUnavailableError
from lakestream.common.eventhubs.connection import Secret, describe_failure, resolve_target
from lakestream.common.eventhubs.position import StartingPosition
from lakestream.common.settings import load_settings
from lakestream.common.sources.eventhubs import allocate, options_from_settings
from lakestream.common.sources.kafka import kafka_options

pytestmark = pytest.mark.unit

CONN = (
    "Endpoint=sb://ns1.servicebus.windows.net/;SharedAccessKeyName=listen;"
    "SharedAccessKey=c2VjcmV0LWtleQ==;EntityPath=telemetry"
)


def test_secret_never_shows_itself_but_survives_pickling() -> None:
    secret = Secret("c2VjcmV0LWtleQ==")
    assert "c2VjcmV0" not in repr(secret) and "c2VjcmV0" not in str(secret)
    assert pickle.loads(pickle.dumps(secret)).reveal() == "c2VjcmV0LWtleQ=="


def test_connection_string_from_environment_gives_namespace_and_hub() -> None:
    target = resolve_target(
        namespace=None, hub=None, connection_string_env="EH", environ={"EH": CONN}
    )
    assert (target.namespace, target.hub, target.consumer_group) == (
        "ns1.servicebus.windows.net",
        "telemetry",
        "$Default",
    )
    assert "c2VjcmV0" not in repr(target)


def test_connection_string_from_a_secret_scope() -> None:
    calls = []

    def reader(scope: str, key: str) -> str:
        calls.append((scope, key))
        return CONN

    target = resolve_target(
        namespace=None,
        hub="other",
        secret_scope="lakestream",
        secret_key="eh-listen",
        secret_reader=reader,
        environ={},
    )
    assert calls == [("lakestream", "eh-listen")]
    assert target.hub == "other"
    assert target.connection_string is not None


def test_missing_environment_variable_and_missing_hub_are_clear() -> None:
    with pytest.raises(SourceUnavailableError, match=r"EH_CONN.*is not set"):
        resolve_target(namespace=None, hub=None, connection_string_env="EH_CONN", environ={})
    with pytest.raises(SourceUnavailableError, match="namespace and a hub"):
        resolve_target(namespace="ns.servicebus.windows.net", hub=None, environ={})
    entra = resolve_target(namespace="ns.servicebus.windows.net", hub="h", environ={})
    assert entra.connection_string is None


def test_failure_description_names_namespace_and_hub_never_the_key() -> None:
    target = resolve_target(
        namespace=None, hub=None, connection_string_env="EH", environ={"EH": CONN}
    )
    text = describe_failure(target, ConnectionError(f"boom with {CONN}"), 4)
    assert "namespace ns1.servicebus.windows.net hub telemetry" in text
    assert "after 4 attempts" in text
    assert "c2VjcmV0" not in text


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("earliest", "earliest"),
        ("LATEST", "latest"),
        ("enqueuedTime:2026-11-25T10:00:00Z", "enqueued_time"),
        ('{"0": 17, "3": 0}', "sequence_numbers"),
    ],
)
def test_starting_positions_parse(text: str, kind: str) -> None:
    position = StartingPosition.parse(text)
    assert position.kind == kind
    if kind == "enqueued_time":
        assert position.enqueued_time == datetime(2026, 11, 25, 10, tzinfo=UTC)
    if kind == "sequence_numbers":
        assert position.sequence_numbers == {"0": 17, "3": 0}


def test_bad_starting_position_is_a_settings_error() -> None:
    with pytest.raises(ConfigError, match="LAKESTREAM_EVENTHUBS_STARTING_POSITION"):
        load_settings(eventhubs_starting_position="yesterday")


def test_allocate_shares_the_limit_fairly_and_exactly() -> None:
    assert allocate({"0": 10, "1": 10}, None) == {"0": 10, "1": 10}
    assert allocate({"0": 10, "1": 10, "2": 0}, 7) == {"0": 4, "1": 3, "2": 0}
    assert allocate({"0": 1, "1": 100}, 10) == {"0": 1, "1": 9}
    assert sum(allocate({str(i): 5 for i in range(12)}, 13).values()) == 13
    assert allocate({"0": 2}, 10) == {"0": 2}


def test_options_from_settings_carry_only_the_name_of_the_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LAKESTREAM_EVENTHUBS_CONNECTION_STRING", CONN)
    settings = load_settings(
        source="eventhubs",
        eventhubs_max_events_per_trigger=500,
        eventhubs_bound_tenants="acme, globex",
    )
    options = options_from_settings(settings)
    assert options["connectionStringEnv"] == "LAKESTREAM_EVENTHUBS_CONNECTION_STRING"
    assert options["maxEventsPerTrigger"] == "500"
    assert all("c2VjcmV0" not in v for v in options.values())
    assert settings.bound_tenants == ["acme", "globex"]


def test_kafka_options_with_a_connection_string_use_sasl_plain() -> None:
    options = kafka_options(
        namespace="ns1.servicebus.windows.net",
        hub="telemetry",
        consumer_group="bronze",
        connection_string=Secret(CONN),
        max_offsets_per_trigger=1000,
    )
    assert options["kafka.bootstrap.servers"] == "ns1.servicebus.windows.net:9093"
    assert options["subscribe"] == "telemetry"
    assert options["kafka.group.id"] == "bronze"
    assert options["kafka.security.protocol"] == "SASL_SSL"
    assert options["kafka.sasl.mechanism"] == "PLAIN"
    assert options["maxOffsetsPerTrigger"] == "1000"
    jaas = options["kafka.sasl.jaas.config"]
    assert jaas.startswith("kafkashaded.org.apache.kafka.common.security.plain.PlainLoginModule")
    assert 'username="$ConnectionString"' in jaas and f'password="{CONN}";' in jaas


def test_kafka_options_with_entra_id_use_oauthbearer() -> None:
    options = kafka_options(
        namespace="ns1.servicebus.windows.net",
        hub="telemetry",
        consumer_group="$Default",
        entra_tenant_id="tid",
        client_id="cid",
        client_secret=Secret("csecret"),
        shaded=False,
    )
    assert options["kafka.sasl.mechanism"] == "OAUTHBEARER"
    assert options["kafka.sasl.oauthbearer.token.endpoint.url"] == (
        "https://login.microsoftonline.com/tid/oauth2/v2.0/token"
    )
    jaas = options["kafka.sasl.jaas.config"]
    assert jaas.startswith("org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule")
    assert (
        'clientId="cid"' in jaas and 'scope="https://ns1.servicebus.windows.net/.default"' in jaas
    )
    assert options["kafka.sasl.login.callback.handler.class"].endswith(
        "oauthbearer.secured.OAuthBearerLoginCallbackHandler"
    )
    with pytest.raises(SourceUnavailableError, match="CLIENT_ID"):
        kafka_options(namespace="ns", hub="h", consumer_group="g")

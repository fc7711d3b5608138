"""Secrets never reach logs: keys, signatures, passwords and tokens are replaced by ***."""

from __future__ import annotations

import pytest

from lakestream.common.redact import REDACTED, redact

pytestmark = pytest.mark.unit

EH_KEY = "AbC+/dEf123XyZ0987654321abcdEFGHijklmnoPQR="
STORAGE_KEY = "Zm9vYmFyYmF6cXV4+/Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4=="


@pytest.mark.parametrize(
    ("text", "secret", "expected"),
    [
        pytest.param(
            "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;"
            f"SharedAccessKey={EH_KEY};EntityPath=hub",
            EH_KEY,
            "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;"
            "SharedAccessKey=***;EntityPath=hub",
            id="event-hubs-connection-string",
        ),
        pytest.param(
            f"DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={STORAGE_KEY};"
            "EndpointSuffix=core.windows.net",
            STORAGE_KEY,
            "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=***;"
            "EndpointSuffix=core.windows.net",
            id="storage-account-key",
        ),
        pytest.param(
            "accountkey=abc123",
            "abc123",
            "accountkey=***",
            id="case-insensitive-key-name",
        ),
        pytest.param(
            "GET https://acct.blob.core.windows.net/c/f?sv=2022-11-02&ss=b&sig=abc%2Bdef%3D&se=2026",
            "abc%2Bdef%3D",
            "GET https://acct.blob.core.windows.net/c/f?sv=2022-11-02&ss=b&sig=***&se=2026",
            id="sas-sig-in-the-middle",
        ),
        pytest.param(
            "https://acct.blob.core.windows.net/c/f?sig=abc%2Bdef%3D",
            "abc%2Bdef%3D",
            "https://acct.blob.core.windows.net/c/f?sig=***",
            id="sas-sig-first-and-last",
        ),
        pytest.param(
            '{"client_id": "1234", "client_secret": "s3cr3t~val.ue_-X", "tenant": "t"}',
            "s3cr3t~val.ue_-X",
            '{"client_id": "1234", "client_secret": "***", "tenant": "t"}',
            id="client-secret-json",
        ),
        pytest.param(
            '{"client_secret":"abc"}',
            "abc",
            '{"client_secret":"***"}',
            id="client-secret-compact-json",
        ),
        pytest.param(
            "password=hunter2;user=x",
            "hunter2",
            "password=***;user=x",
            id="password-in-connection-string",
        ),
        pytest.param(
            "access_token: eyJhbGciOi.eyJzdWIiOi.sig",
            "eyJhbGciOi.eyJzdWIiOi.sig",
            "access_token: ***",
            id="access-token-yaml-style",
        ),
    ],
)
def test_secret_is_redacted(text: str, secret: str, expected: str) -> None:
    out = redact(text)
    assert secret not in out
    assert out == expected


def test_several_secrets_in_one_text() -> None:
    text = (
        f"eh=SharedAccessKey={EH_KEY}; st=AccountKey={STORAGE_KEY}; "
        "url=https://a.blob.core.windows.net/c?sig=SIGVALUE&sp=r"
    )
    out = redact(text)
    for secret in (EH_KEY, STORAGE_KEY, "SIGVALUE"):
        assert secret not in out
    assert out.count(REDACTED) == 3
    assert "sp=r" in out


def test_sas_connection_string_hides_the_signature() -> None:
    text = "Endpoint=sb://x/;SharedAccessSignature=SharedAccessSignature sr=x&sig=S1G&se=1&skn=k"
    out = redact(text)
    assert "S1G" not in out
    assert "skn=k" in out


def test_redact_is_idempotent() -> None:
    once = redact(f"SharedAccessKey={EH_KEY}")
    assert redact(once) == once


@pytest.mark.parametrize(
    "text",
    [
        "processed 5 rows in 120 ms",
        "Endpoint=sb://ns.servicebus.windows.net/;EntityPath=hub",
        "SharedAccessKeyName=RootManageSharedAccessKey",
        "AccountName=acct;EndpointSuffix=core.windows.net",
        "https://acct.blob.core.windows.net/c/f?signal=5&sign=3&design=x",
        '{"client_id": "1234", "tenant": "t", "reason_code": "INVALID_JSON"}',
        "",
    ],
)
def test_non_secrets_are_untouched(text: str) -> None:
    assert redact(text) == text


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ('{"user": "svc", "password": "hunter2"}', "hunter2"),
        ('{"token": "abc123"}', "abc123"),
        ("password: hunter2", "hunter2"),
    ],
)
def test_json_style_password_and_token_are_redacted(text: str, secret: str) -> None:
    assert secret not in redact(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "Endpoint%3Dsb%3A%2F%2Fns%2F%3BSharedAccessKey%3DAb%2Bc%3D%3BEntityPath%3Dhub",
            "Endpoint%3Dsb%3A%2F%2Fns%2F%3BSharedAccessKey%3D***%3BEntityPath%3Dhub",
            id="url-encoded-connection-string",
        ),
        pytest.param(
            "https%3A%2F%2Fa%2Fc%3Fsv%3D1%26sig%3DAb%2Bc%3D%26se%3D2",
            "https%3A%2F%2Fa%2Fc%3Fsv%3D1%26sig%3D***%26se%3D2",
            id="url-encoded-sas-url",
        ),
        pytest.param(
            "SharedAccessSignature sig=S1G&se=1&skn=k",
            "SharedAccessSignature sig=***&se=1&skn=k",
            id="sas-token-starting-with-sig",
        ),
        pytest.param("SharedAccessKey\\u003dAbc", "SharedAccessKey\\u003d***", id="json-escaped"),
        pytest.param("Authorization: Bearer eyJ.a.b", "Authorization: ***", id="auth-header"),
        pytest.param("{'Authorization': 'Basic dXNlcg=='}", "{'Authorization': '***'}", id="repr"),
        pytest.param("sent with Bearer eyJ.a.b-c_d", "sent with Bearer ***", id="bearer"),
        pytest.param("api-key: 0123abcd", "api-key: ***", id="api-key-header"),
        pytest.param('{"api-key": "0123"}', '{"api-key": "***"}', id="api-key-json"),
        pytest.param(
            "Ocp-Apim-Subscription-Key: 0123", "Ocp-Apim-Subscription-Key: ***", id="apim"
        ),
    ],
)
def test_encoded_and_header_secrets_are_redacted(text: str, expected: str) -> None:
    assert redact(text) == expected

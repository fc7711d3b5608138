"""Redaction of secrets from anything that is printed, logged or stored."""

from __future__ import annotations

import re

REDACTED = "***"
_SECRET_KEY = (
    r"SharedAccessKey|AccountKey|SharedAccessSignature|password|passwd|secret|client_secret|"
    r"token|access_token|sas_token|api_key|apikey"
)
_PATTERNS = [
    # key=value pairs in connection strings and query strings
    re.compile(rf"(?i)((?:{_SECRET_KEY})=)([^;&\s]+)"),
    re.compile(r"(?i)([?&]sig=)([^&\s]+)"),
    # JSON / YAML / Python-repr: "password": "a b", 'token': 'x', password: x
    re.compile(rf"(?i)([\"']?\b(?:{_SECRET_KEY})[\"']?\s*:\s*)(\"[^\"]*\"|'[^']*'|[^\s,;}}\]]+)"),
]


def redact(text: str) -> str:
    """Replace key, signature, password and token values in ``text`` with ``***``."""
    for pattern in _PATTERNS:
        text = pattern.sub(_replace, text)
    return text


def _replace(match: re.Match[str]) -> str:
    value = match.group(2)
    quote = value[0] if value[:1] in ('"', "'") else ""
    return f"{match.group(1)}{quote}{REDACTED}{quote}"

"""Redaction of secrets from anything that is printed, logged or stored."""

from __future__ import annotations

import re

REDACTED = "***"
_PATTERNS = [
    re.compile(
        r"(?i)((?:SharedAccessKey|AccountKey|SharedAccessSignature|password|secret|token)=)"
        r"([^;&\s]+)"
    ),
    re.compile(r"(?i)([?&]sig=)([^&\s]+)"),
    re.compile(r"(?i)(\"?(?:client_secret|access_token|sas_token)\"?\s*[:=]\s*\"?)([^\",\s]+)"),
]


def redact(text: str) -> str:
    """Replace key, signature, password and token values in ``text`` with ``***``."""
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + REDACTED, text)
    return text

"""Redaction of secrets from anything that is printed, logged or stored.

Covers ``key=value`` pairs (connection strings, query strings) also when URL-encoded
(``SharedAccessKey%3D…``, ``%26sig%3D…``) or JSON-escaped (``\\u003d``), ``key: value`` pairs
(JSON, YAML, Python reprs, HTTP headers such as ``api-key``), ``Authorization`` headers and
``Bearer`` tokens.
"""

from __future__ import annotations

import re

REDACTED = "***"
_SECRET_KEY = (
    r"SharedAccessKey|AccountKey|SharedAccessSignature|password|passwd|secret|client_secret|"
    r"token|access_token|sas_token|api[_-]?key|Ocp-Apim-Subscription-Key|sig"
)
_START = r"(?:(?<![A-Za-z0-9])|(?<=%[0-9A-Fa-f]{2}))"
"""A key name starts a word, also right after a URL-encoded separator (``%26sig``)."""
_EQUALS = r"(?:=|%3[Dd]|\\u003[Dd])"
_VALUE = r"(?:%(?!3[Bb]|26|2[27]|20)[0-9A-Fa-f]{2}|[^;&\s\"'%])+"
"""A value runs to the next separator, plain or URL-encoded (``;`` ``&`` quote space)."""
_PATTERNS = [
    # key=value pairs in connection strings and query strings, plain or encoded
    re.compile(rf"(?i)({_START}(?:{_SECRET_KEY}){_EQUALS})({_VALUE})"),
    # Authorization headers, whatever the scheme: the whole value goes
    re.compile(r"(?i)(\bauthorization[\"']?\s*[:=]\s*)(\"[^\"]*\"|'[^']*'|[^\r\n,;}\]]+)"),
    re.compile(r"(?i)(\bBearer\s+)([A-Za-z0-9\-._~+/]+=*)"),
    # JSON / YAML / Python-repr / headers: "password": "a b", 'token': 'x', api-key: x
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

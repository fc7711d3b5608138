"""A minimal AMQP 1.0 type codec: the subset the Event Hubs SDK sends and expects.

Values map to Python as: null -> None, boolean -> bool, integers -> int (with `UInt`, `ULong`,
`UByte`, `UShort` and `Timestamp` wrappers to choose the wire type), string -> str, symbol ->
`Symbol`, binary -> bytes, list -> list, map -> dict, array -> `Array`, described -> `Described`.
"""

from __future__ import annotations

import struct
import uuid
from dataclasses import dataclass
from typing import Any


class Symbol(str):
    """An AMQP symbol (ASCII)."""


class UInt(int):
    """An AMQP uint."""


class ULong(int):
    """An AMQP ulong."""


class UByte(int):
    """An AMQP ubyte."""


class UShort(int):
    """An AMQP ushort."""


class Timestamp(int):
    """An AMQP timestamp: milliseconds since the Unix epoch."""


@dataclass(frozen=True)
class Described:
    """A described value: a descriptor (usually a ulong code or a symbol) and its value."""

    descriptor: Any
    value: Any


@dataclass(frozen=True)
class Array:
    """A homogeneous AMQP array of strings or symbols."""

    items: tuple[str, ...]
    symbols: bool = True


def encode(value: Any) -> bytes:
    """Encode one value."""
    out = bytearray()
    _encode(out, value)
    return bytes(out)


def _encode(out: bytearray, value: Any) -> None:
    if value is None:
        out.append(0x40)
    elif isinstance(value, bool):
        out.append(0x41 if value else 0x42)
    elif isinstance(value, Described):
        out.append(0x00)
        if isinstance(value.descriptor, int) and not isinstance(value.descriptor, bool):
            _encode(out, ULong(value.descriptor))
        else:
            _encode(out, value.descriptor)
        _encode(out, value.value)
    elif isinstance(value, UByte):
        out += struct.pack(">BB", 0x50, value)
    elif isinstance(value, UShort):
        out += struct.pack(">BH", 0x60, value)
    elif isinstance(value, UInt):
        out += struct.pack(">BI", 0x70, value)
    elif isinstance(value, ULong):
        if value < 256:
            out += struct.pack(">BB", 0x53, value)
        else:
            out += struct.pack(">BQ", 0x80, value)
    elif isinstance(value, Timestamp):
        out += struct.pack(">Bq", 0x83, value)
    elif isinstance(value, int):
        out += struct.pack(">Bq", 0x81, value)
    elif isinstance(value, float):
        out += struct.pack(">Bd", 0x82, value)
    elif isinstance(value, uuid.UUID):
        out.append(0x98)
        out += value.bytes
    elif isinstance(value, Symbol):
        raw = value.encode("ascii")
        out += struct.pack(">BI", 0xB3, len(raw)) + raw
    elif isinstance(value, str):
        raw = value.encode("utf-8")
        out += struct.pack(">BI", 0xB1, len(raw)) + raw
    elif isinstance(value, bytes | bytearray | memoryview):
        raw = bytes(value)
        out += struct.pack(">BI", 0xB0, len(raw)) + raw
    elif isinstance(value, list | tuple):
        body = bytearray()
        for item in value:
            _encode(body, item)
        out += struct.pack(">BII", 0xD0, len(body) + 4, len(value)) + body
    elif isinstance(value, dict):
        body = bytearray()
        for key, item in value.items():
            _encode(body, key)
            _encode(body, item)
        out += struct.pack(">BII", 0xD1, len(body) + 4, 2 * len(value)) + body
    elif isinstance(value, Array):
        body = bytearray()
        for item in value.items:
            raw = item.encode("utf-8")
            body += struct.pack(">I", len(raw)) + raw
        constructor = 0xB3 if value.symbols else 0xB1
        out += struct.pack(">BIIB", 0xF0, len(body) + 5, len(value.items), constructor) + body
    else:
        raise TypeError(f"cannot encode {type(value).__name__} as AMQP")


_FIXED: dict[int, tuple[str, type[int]]] = {
    0x50: (">B", UByte),
    0x51: (">b", int),
    0x52: (">B", UInt),
    0x53: (">B", ULong),
    0x54: (">b", int),
    0x55: (">b", int),
    0x60: (">H", UShort),
    0x61: (">h", int),
    0x70: (">I", UInt),
    0x71: (">i", int),
    0x80: (">Q", ULong),
    0x81: (">q", int),
    0x83: (">q", Timestamp),
}


def decode(buf: bytes | memoryview, pos: int = 0) -> tuple[Any, int]:
    """Decode the value at ``pos``; return it and the position after it."""
    code = buf[pos]
    pos += 1
    return _decode_body(code, buf, pos)


def _decode_body(code: int, buf: bytes | memoryview, pos: int) -> tuple[Any, int]:
    if code == 0x00:
        descriptor, pos = decode(buf, pos)
        value, pos = decode(buf, pos)
        return Described(descriptor, value), pos
    if code == 0x40:
        return None, pos
    if code in (0x41, 0x42):
        return code == 0x41, pos
    if code == 0x56:
        return buf[pos] == 1, pos + 1
    if code in (0x43, 0x44):
        return (UInt(0) if code == 0x43 else ULong(0)), pos
    if code == 0x45:
        return [], pos
    if code in _FIXED:
        fmt, kind = _FIXED[code]
        size = struct.calcsize(fmt)
        return kind(struct.unpack_from(fmt, buf, pos)[0]), pos + size
    if code == 0x72:
        return struct.unpack_from(">f", buf, pos)[0], pos + 4
    if code == 0x82:
        return struct.unpack_from(">d", buf, pos)[0], pos + 8
    if code == 0x98:
        return uuid.UUID(bytes=bytes(buf[pos : pos + 16])), pos + 16
    if code in (0xA0, 0xA1, 0xA3, 0xB0, 0xB1, 0xB3):
        if code < 0xB0:
            size, pos = buf[pos], pos + 1
        else:
            size, pos = struct.unpack_from(">I", buf, pos)[0], pos + 4
        raw = bytes(buf[pos : pos + size])
        pos += size
        if code in (0xA0, 0xB0):
            return raw, pos
        if code in (0xA3, 0xB3):
            return Symbol(raw.decode("ascii")), pos
        return raw.decode("utf-8"), pos
    if code in (0xC0, 0xC1, 0xD0, 0xD1):
        if code < 0xD0:
            count, pos = buf[pos + 1], pos + 2
        else:
            count, pos = struct.unpack_from(">I", buf, pos + 4)[0], pos + 8
        items = []
        for _ in range(count):
            item, pos = decode(buf, pos)
            items.append(item)
        if code in (0xC1, 0xD1):
            return {items[i]: items[i + 1] for i in range(0, len(items), 2)}, pos
        return items, pos
    if code in (0xE0, 0xF0):
        if code == 0xE0:
            count, pos = buf[pos + 1], pos + 2
        else:
            count, pos = struct.unpack_from(">I", buf, pos + 4)[0], pos + 8
        element = buf[pos]
        pos += 1
        values = []
        for _ in range(count):
            value, pos = _decode_body(element, buf, pos)
            values.append(value)
        return values, pos
    raise ValueError(f"unsupported AMQP constructor 0x{code:02x}")

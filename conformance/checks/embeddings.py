"""Embeddings semantics beyond the schema: one vector per input, in the encoding and length asked for."""

import base64
import binascii
import math
import struct

from conformance.checks.base import Finding, Level, check, numbering, shorten, succeeded

SECTION = "Embeddings > Create embeddings"
_embeddings = succeeded("POST /embeddings")
MAX_MAGNITUDE = 1e6
"""Embedding values are small; little-endian bytes read as big-endian (or vice versa) give values
like 1e29 or NaN for almost every component, so a bound this loose still catches a swapped order."""


def _items(ex) -> list[dict]:
    data = ex.data.get("data")
    return [d for d in data if isinstance(d, dict)] if isinstance(data, list) else []


def input_count(value: object) -> int:
    """How many embeddings an ``input`` asks for: one string or token array, or one per array element."""
    if isinstance(value, list) and value and all(isinstance(v, (str, list)) for v in value):
        return len(value)
    return 1


def decode(text: str) -> list[float] | None:
    """A base64 embedding as little-endian float32 values, or ``None`` when it is not that."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    if not raw or len(raw) % 4:
        return None
    return list(struct.unpack(f"<{len(raw) // 4}f", raw))


@check("embeddings.count", Level.MUST, SECTION, applies=_embeddings)
def one_per_input(ex, expect):
    """There is one embedding per input, with indices 0..n-1."""
    if departure := numbering(_items(ex), input_count(ex.params.get("input")), "embedding"):
        yield Finding(*departure, "/data")


@check("embeddings.encoding", Level.MUST, SECTION, applies=_embeddings)
def encoding(ex, expect):
    """encoding_format float gives arrays of numbers; base64 gives base64 of little-endian float32 values."""
    wanted = ex.params.get("encoding_format") or "float"
    for item in _items(ex):
        pointer, vector = f"/data/{item.get('index')}/embedding", item.get("embedding")
        if wanted == "float" and not isinstance(vector, list):
            yield Finding("an array of numbers", shorten(vector, 80), pointer)
        elif wanted == "base64":
            values = decode(vector) if isinstance(vector, str) else None
            if values is None:
                yield Finding("a base64 string of float32 values (a multiple of 4 bytes)", shorten(vector, 80), pointer)
            elif bad := [v for v in values if not math.isfinite(v) or abs(v) > MAX_MAGNITUDE]:
                yield Finding(f"finite little-endian float32 values (|v| <= {MAX_MAGNITUDE:g})", f"{len(bad)} value(s) such as {bad[0]!r}", pointer)


@check("embeddings.dimensions", Level.MUST, SECTION, applies=lambda ex: _embeddings(ex) and isinstance(ex.params.get("dimensions"), int))
def dimensions(ex, expect):
    """With dimensions, every embedding has exactly that many values (in either encoding)."""
    wanted = ex.params["dimensions"]
    for item in _items(ex):
        vector = item.get("embedding")
        values = decode(vector) if isinstance(vector, str) else vector
        if isinstance(values, list) and len(values) != wanted:
            yield Finding(f"{wanted} values", f"{len(values)} values", f"/data/{item.get('index')}/embedding")

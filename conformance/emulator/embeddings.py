"""POST /embeddings: deterministic unit vectors per input, as floats or little-endian float32 base64."""

from __future__ import annotations

import base64
import hashlib
import math
import random
import struct

from starlette.requests import Request

from conformance.emulator import models
from conformance.emulator.errors import APIError, invalid
from conformance.emulator.faults import active, declare
from conformance.emulator.replies import reply
from conformance.emulator.validation import Number, json_object, known_tokens, optional, require, token

BASE64_IGNORED = declare("base64-ignored", "embeddings.encoding", "test_base64", "encoding_format base64 ignored: floats returned")
BIG_ENDIAN = declare("base64-big-endian", "embeddings.encoding", "test_base64", "base64 embeddings packed as big-endian float32")
DIMENSIONS_IGNORED = declare("dimensions-ignored", "embeddings.dimensions", "test_dimensions", "dimensions ignored: full-length vectors")
INPUT_DROPPED = declare("embedding-dropped", "embeddings.count", "test_array_of_strings", "the last input of an array gets no embedding")
BROKEN = declare("embeddings-500", "http.status", "test_float_encoding", "POST /embeddings answers every request 500 (served, but broken)")
UNVALIDATED = declare("embeddings-unvalidated", "http.status", "test_invalid_embeddings", "embeddings parameters are not validated")

NATIVE_DIMENSIONS = 1536
MAX_INPUTS = 2048
ENCODINGS = ("float", "base64")


def _inputs(value: object, request: Request) -> list[str | list[int]]:
    """The inputs of a request: a string, strings, a token array, or token arrays."""
    if isinstance(value, str) or (isinstance(value, list) and value and all(token(t) for t in value)):
        inputs = [value]
    elif isinstance(value, list) and value and (all(isinstance(v, str) for v in value) or all(isinstance(v, list) and v and all(token(t) for t in v) for v in value)):
        inputs = value
    else:
        raise invalid("input", "Invalid 'input': expected a non-empty string, array of strings, array of tokens, or array of token arrays.")
    if len(inputs) > MAX_INPUTS:
        raise invalid("input", f"Invalid 'input': at most {MAX_INPUTS} inputs per request.")
    if any(i == "" for i in inputs):
        raise invalid("input", "Invalid 'input': empty strings cannot be embedded.")
    for tokens in (i for i in inputs if isinstance(i, list)):
        known_tokens(request, "input", tokens)
    return inputs


def _vector(text: str | list[int], dimensions: int) -> list[float]:
    """A unit vector seeded by the input, cut to ``dimensions`` and normalised again (as the reference does)."""
    rng = random.Random(hashlib.sha256(repr(text).encode()).digest())
    values = [rng.gauss(0, 1) for _ in range(NATIVE_DIMENSIONS)][:dimensions]
    norm = math.sqrt(sum(v * v for v in values))
    return [v / norm for v in values]


def _encode(vector: list[float], request: Request, encoding: str) -> list[float] | str:
    if encoding != "base64" or active(request, BASE64_IGNORED):
        return vector
    order = ">" if active(request, BIG_ENDIAN) else "<"
    return base64.b64encode(struct.pack(f"{order}{len(vector)}f", *vector)).decode()


async def create(request: Request):
    if active(request, BROKEN):
        raise APIError(500, "The server had an error while processing your request.", type="server_error")
    body = await json_object(request)
    if not active(request, UNVALIDATED):
        require(body, "model", str)
        require(body, "input", object)  # its shapes are checked by _inputs
        Number("dimensions", True, 1, NATIVE_DIMENSIONS).validate(body)
        optional(body, "user", str)
        if not isinstance(body.get("encoding_format", "float"), str) or body.get("encoding_format", "float") not in ENCODINGS:
            raise invalid("encoding_format", f"Invalid 'encoding_format': expected one of {list(ENCODINGS)}.")
    model = models.find(body.get("model"), "embeddings", request)
    inputs = _inputs(body.get("input"), request)
    dimensions = body.get("dimensions") if isinstance(body.get("dimensions"), int) else NATIVE_DIMENSIONS
    if active(request, DIMENSIONS_IGNORED):
        dimensions = NATIVE_DIMENSIONS
    if active(request, INPUT_DROPPED) and len(inputs) > 1:
        inputs = inputs[:-1]
    encoding = body.get("encoding_format") or "float"
    data = [{"object": "embedding", "index": i, "embedding": _encode(_vector(text, dimensions), request, encoding)} for i, text in enumerate(inputs)]
    tokens = sum(len(i) if isinstance(i, list) else len(i.split()) for i in inputs)
    return reply(request, 200, {"object": "list", "data": data, "model": model.id, "usage": {"prompt_tokens": tokens, "total_tokens": tokens}})


ROUTES = [("embeddings", "POST", "/embeddings", create)]

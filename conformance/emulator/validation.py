"""Request validation for the emulator, as the reference states it: 400 with the error object."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from starlette.requests import Request

from conformance.emulator.errors import APIError, invalid
from conformance.emulator.faults import active, declare
from conformance.emulator.variants import chosen
from conformance.samples import TOKEN_IDS

CONTENT_TYPE_IGNORED = declare("content-type-ignored", "http.status", "test_wrong_content_type", "a JSON body sent as text/plain is accepted")
MALFORMED_JSON_500 = declare("malformed-json-500", "http.status", "test_invalid_json_body", "a body that is not valid JSON crashes with 500")
NON_OBJECT_500 = declare("non-object-500", "http.status", "test_body_not_an_object", "a JSON body that is not an object crashes with 500")


def _crash() -> APIError:
    return APIError(500, "The server had an error while processing your request.", type="server_error")


async def json_object(request: Request) -> dict:
    """The request body, which must be one JSON object sent as application/json (a missing Content-Type is tolerated)."""
    content_type = request.headers.get("content-type")
    if content_type is not None and content_type.split(";")[0].strip().lower() != "application/json" and not active(request, CONTENT_TYPE_IGNORED):
        raise APIError(400, f"Invalid Content-Type header ({content_type}), expected application/json.")
    try:
        body = json.loads(await request.body())
    except ValueError:
        if active(request, MALFORMED_JSON_500):
            raise _crash() from None
        raise APIError(400, "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly.)") from None
    if not isinstance(body, dict):
        if active(request, NON_OBJECT_500):
            raise _crash()
        raise APIError(400, "The request body must be a JSON object.")
    return body


@dataclass(frozen=True)
class Number:
    """A numeric parameter and its bounds from the reference."""

    name: str
    integer: bool
    minimum: float
    maximum: float | None = None

    def validate(self, body: dict) -> None:
        value = body.get(self.name)
        if value is None:
            return
        wanted = (int,) if self.integer else (int, float)
        if self.integer and isinstance(value, float) and value.is_integer():
            # JSON has one number type: 2.0 is the integer 2 (as in JSON Schema); handlers see an int.
            value = body[self.name] = int(value)
        if isinstance(value, bool) or not isinstance(value, wanted):
            raise invalid(self.name, f"Invalid type for '{self.name}': expected {'an integer' if self.integer else 'a number'}.", "invalid_type")
        if value < self.minimum or (self.maximum is not None and value > self.maximum):
            bounds = f"at least {self.minimum}" if self.maximum is None else f"between {self.minimum} and {self.maximum}"
            raise invalid(self.name, f"Invalid '{self.name}': {value!r} must be {bounds}.")


def token(value: object) -> bool:
    """A token id, as the reference's token arrays hold them (any vocabulary's: the emulator has no tokenizer)."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def known_tokens(request: Request, name: str, tokens: list[int]) -> None:
    """The small-vocabulary variant refuses ids its model lacks, with the 400 llama.cpp's server answers."""
    if chosen(request, "small-vocabulary") and any(t >= TOKEN_IDS for t in tokens):
        raise invalid(name, f"Invalid '{name}': Prompt contains invalid tokens (this model has {TOKEN_IDS}).")


def require(body: dict, name: str, kind: type) -> None:
    if name not in body:
        raise APIError(400, f"Missing required parameter: '{name}'.", param=name, code="missing_required_parameter")
    if not isinstance(body[name], kind):
        raise invalid(name, f"Invalid type for '{name}': expected {kind.__name__}.", "invalid_type")


def optional(body: dict, name: str, kind: type | tuple[type, ...]) -> None:
    """An optional parameter, when present, has its type (``bool`` is not an ``int`` here)."""
    value = body.get(name)
    if name in body and (not isinstance(value, kind) or (isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)))):
        raise invalid(name, f"Invalid type for '{name}'.", "invalid_type")


MAX_METADATA_PAIRS, MAX_METADATA_KEY, MAX_METADATA_VALUE = 16, 64, 512


def metadata(body: dict, too_long: Callable[[int, int], bool] = lambda length, limit: length > limit) -> None:
    """``metadata``: at most 16 string pairs, keys up to 64 and values up to 512 characters (``too_long`` decides, for faults)."""
    value = body.get("metadata")
    if value is None:
        return
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise invalid("metadata", "Invalid 'metadata': expected an object of string values.", "invalid_type")
    if too_long(len(value), MAX_METADATA_PAIRS):
        raise invalid("metadata", f"Invalid 'metadata': too many properties. Expected an object with at most {MAX_METADATA_PAIRS} properties, but got an object with {len(value)} properties instead.", "object_above_max_properties")
    if any(len(k) > MAX_METADATA_KEY or len(v) > MAX_METADATA_VALUE for k, v in value.items()):
        raise invalid("metadata", f"Invalid 'metadata': keys are at most {MAX_METADATA_KEY} and values at most {MAX_METADATA_VALUE} characters.")

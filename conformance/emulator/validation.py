"""Request validation for the emulator, as the reference states it: 400 with the error object."""

from __future__ import annotations

import json
from dataclasses import dataclass

from starlette.requests import Request

from conformance.emulator.errors import APIError, invalid


async def json_object(request: Request) -> dict:
    """The request body, which must be one JSON object."""
    try:
        body = json.loads(await request.body())
    except ValueError:
        raise APIError(400, "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly.)") from None
    if not isinstance(body, dict):
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
        if isinstance(value, bool) or not isinstance(value, wanted):
            raise invalid(self.name, f"Invalid type for '{self.name}': expected {'an integer' if self.integer else 'a number'}.", "invalid_type")
        if value < self.minimum or (self.maximum is not None and value > self.maximum):
            bounds = f"at least {self.minimum}" if self.maximum is None else f"between {self.minimum} and {self.maximum}"
            raise invalid(self.name, f"Invalid '{self.name}': {value!r} must be {bounds}.")


def require(body: dict, name: str, kind: type) -> None:
    if name not in body:
        raise APIError(400, f"Missing required parameter: '{name}'.", param=name, code="missing_required_parameter")
    if not isinstance(body[name], kind):
        raise invalid(name, f"Invalid type for '{name}': expected {kind.__name__}.", "invalid_type")

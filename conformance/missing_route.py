"""Whether an answer says "this route does not exist" rather than "this object does not exist".

No list of phrases covers every server: the reference answers an unknown route "Invalid URL (GET /v1/x)",
llama.cpp's server ``{"error": {"message": "File Not Found", "type": "not_found_error", "code": 404}}``,
a FastAPI server ``{"detail": "Not Found"}``. But a server answers all its unknown routes alike, so the
surest sign is its own answer to a route that cannot exist: a 404 shaped like it (same status, same
message, type and code once the path in them is set aside) says the route is missing; one that differs
(a message naming the object) says the route is served and the object is not.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

ABSENT = (404, 405, 501)
"""Statuses that mean "no such operation here"."""
NO_SUCH_ROUTE = "/openai-conformance-no-such-route-"
_OWN_NAMES = re.compile(r"openai-conformance-[\w-]+")
"""The names the suite makes up (routes, object ids), which a server may echo in its message."""
_REQUEST_LINE = re.compile(r"\S*/\S*|\b(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\b")
"""The method and path a message may quote ("Invalid URL (GET /v1/x)"): they differ between any two requests."""
# How servers say a route does not exist, for when there is no answer to compare with (the reference's words, the usual framework words).
_UNKNOWN_ROUTE = re.compile(r"invalid url|unknown (url|route|endpoint|path)|no route|route not found|endpoint not found", re.IGNORECASE)


def no_such_route() -> str:
    """A path (under the base URL) that no server serves: random, so that no cache or earlier answer stands in for it."""
    return NO_SUCH_ROUTE + secrets.token_hex(4)


def shape(body: object) -> object:
    """What of an answer's body stays the same across a server's unknown routes: the error object's message (the
    request line and the suite's names set aside), type and code; any other body with its text so normalised."""
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return ("error", shape(error.get("message")), error.get("type"), error.get("code"))
    if isinstance(body, str):
        return _REQUEST_LINE.sub("<request>", _OWN_NAMES.sub("<name>", body))
    if isinstance(body, dict):
        return tuple(sorted((key, shape(value)) for key, value in body.items()))
    if isinstance(body, list):
        return tuple(shape(value) for value in body)
    return body


@dataclass(frozen=True)
class UnknownRoute:
    """A target's answer to a route that cannot exist."""

    status: int
    body: object

    def matches(self, status: int, body: object) -> bool:
        return status == self.status and shape(body) == shape(self.body)


def route_missing(status: int, body: object, unknown: UnknownRoute | None = None) -> str | None:
    """Why an answer says the route does not exist (rather than that an object was not found), or ``None``.

    ``unknown`` is the target's answer to a route that cannot exist: a 404 is "route missing" exactly when it
    is answered alike. Without it, a 404 says so by its words, or by lacking the error object altogether."""
    if status != 404:
        return "method or route not supported" if status in ABSENT else None
    if unknown is not None:
        return "like a route that cannot exist" if unknown.matches(status, body) else None
    error = body.get("error") if isinstance(body, dict) else None
    message = error.get("message") if isinstance(error, dict) else None
    if not isinstance(message, str):
        return "an answer without the error object, as a framework gives for an unknown route"
    return message if _UNKNOWN_ROUTE.search(message) else None

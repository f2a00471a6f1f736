"""The aspect of conformance a check verifies: the columns of the report's conformance matrix.

A check's aspect follows from its id's prefix (the first match below wins); checks of response
content (``body.*`` and the endpoint rules such as ``chat.*``) are the ``schema`` aspect. Every
check of a case that needs the capability ``generated`` (requests generated from the OpenAPI
document) counts as ``generated``: it verifies what no hand-written case asked for.
"""

from __future__ import annotations

ASPECTS = ("schema", "headers", "errors", "streaming", "pagination", "generated")
DESCRIPTIONS = {
    "schema": "response bodies: JSON Schema and the reference's rules on their content",
    "headers": "response and request headers: content type, request ids, rate limits",
    "errors": "status codes, the error object, authentication, answering at all",
    "streaming": "server-sent events (framing, chunks, the [DONE] terminator) and the Realtime API's WebSocket events",
    "pagination": "list objects: cursors, limits, filters, order",
    "generated": "requests generated from the OpenAPI document",
}
_BY_PREFIX = (
    ("openapi.", "generated"),
    ("generated.", "generated"),
    ("stream.", "streaming"),
    ("sse.", "streaming"),
    ("chat.stream", "streaming"),
    ("realtime.refused", "errors"),
    ("realtime.error-event", "errors"),
    ("realtime.recoverable", "errors"),
    ("realtime.", "streaming"),
    ("pagination.", "pagination"),
    ("list.", "pagination"),
    ("files.purpose-filter", "pagination"),
    ("headers.", "headers"),
    ("http.content-type", "headers"),
    ("ratelimit.", "headers"),
    ("error.", "errors"),
    ("errors.", "errors"),
    ("auth.", "errors"),
    ("http.", "errors"),
)


def aspect(check_id: str, capabilities: str | None = None) -> str:
    """``capabilities``: those the case needs, space-separated (as results.json records them)."""
    if "generated" in (capabilities or "").split():
        return "generated"
    return next((name for prefix, name in _BY_PREFIX if check_id.startswith(prefix)), "schema")

"""Legal variations of the API that the suite must accept, selected per request by a URL prefix.

``http://host:port/variant/<name>/v1/...`` serves the conformant API in one of the ways the
reference and the SSE standard allow (comments, CRLF, ``event:`` lines, extra fields, ...).
They are the opposite of faults: tests/test_streaming_variants.py runs the cases against each
and expects every check to pass. Faults and variants combine: ``/fault/<f>/variant/<v>/v1``.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.websockets import WebSocket

from conformance.emulator.faults import unknown_name

PREFIX = "/variant/"

VARIANTS: dict[str, str] = {
    "sse-comments": 'comment lines (": keep-alive") before, between and inside events',
    "sse-crlf": "CRLF line endings, with writes split between the CR and the LF",
    "sse-cr": "CR line endings",
    "sse-fields": "event: message (the default type, named), id: and retry: fields on every event",
    "sse-ping-events": "event: ping / data: {} before and between the chunks (new event types are backward compatible)",
    "sse-vendor-events": "events of a vendor's types among the chunks: one with JSON unlike a chunk, one whose data is not JSON",
    "sse-multiline-data": "each chunk's JSON spread over several data: lines",
    "sse-no-space": "data:{...} without the optional space",
    "sse-split-writes": "every event written in two pieces, cut mid-line",
    "sse-bom": "a byte order mark before the first event",
    "small-vocabulary": "a model of 256 token ids: a prompt or input with a larger id is answered 400, as llama.cpp's server does",
    "role-repeated": 'role "assistant" in every delta of a choice, not only the first (not forbidden; LiteLLM does it with n > 1)',
    "chunk-extra-fields": "unknown fields in chunks, choices and deltas (backward-compatible additions)",
    "mid-stream-error": "an error after two chunks, sent as an event carrying the error object (a Responses stream: the flat error event)",
    "responses-data-only": "a Responses stream without event: lines (data-only frames)",
    "responses-done": "a Responses stream ending with data: [DONE] after its terminal event (as Open Responses requires)",
    "responses-vendor-events": "event types the reference does not define (vendor:trace) at the start, amid and before the end of a Responses stream",
    "responses-extra-fields": "unknown fields in every Responses event and in the responses, items and parts they carry",
    "responses-obfuscation": "an obfuscation field on every Responses delta event (the real API's stream obfuscation)",
    "responses-args-done-no-name": "function_call_arguments.done without name, as the reference's real streams (its document requires name)",
    "chat-no-logprobs": "chat choices without logprobs, as the reference answers for its reasoning, search and audio models (its document requires it)",
    "conversations-extra-fields": "unknown fields in every Conversations answer: conversations, deletion objects, items and their lists",
    "responses-queued": "response.queued between response.created and response.in_progress",
    "responses-output-phase": 'assistant output messages labelled phase "final_answer" (MessagePhase; Open Responses\' response-output-phase-schema)',
    "compact-only-item": "a compacted output of the compaction item alone, the user's messages compacted too (the reference keeps them in its example)",
    "unknown-cursor-empty-page": "a list cursor no object has answers an empty page with has_more: false (not an error)",
    "ties-by-id": "list items of the same created_at ordered by id, not by creation",
    "short-pages": "list pages of one item whatever the limit (has_more still true when more follow)",
    "vector-store-files-slow": "files attached to a vector store stay in_progress for the first three reads of the store, not one",
    "list-extra-fields": "every list carries first_id, last_id and an unknown field, also where the reference has none",
    "uploads-lean": "Upload objects without object (and a pending one without file), which the reference does not require, and an unknown field in Uploads and parts",
    "batch-slow-validation": "a batch stays validating for two seconds before it runs (a real batch may validate for minutes)",
    "batch-extra-fields": "batches and batch output lines carry fields the reference does not list (model, and an unknown one)",
    "realtime-vendor-events": "a vendor.trace event before every Realtime .created and .done event (new event types are backward compatible)",
    "realtime-extra-fields": "an unknown field in every Realtime event and in every object it carries",
    "realtime-reordered-keys": "every Realtime event's keys, and its objects', in reverse order",
    "realtime-delta-sizes": "Realtime text, transcript and arguments deltas of one character each, or the whole text in one delta",
    "realtime-refusal-event": "an unknown key on /realtime: the upgrade, then an error event (invalid_api_key) and a close 1008, instead of a 401",
    "socket-pretty-json": "each event of a WebSocket session as indented JSON over several lines (one event per text frame still)",
    "socket-error-no-status": "a Responses socket's error events without status (the reference makes it optional)",
    "socket-late-refusal": "a Responses socket with an unknown key upgraded, then refused: an error event (401) and a close 1008",
    "gzip": "every body gzip-encoded (Content-Encoding: gzip) when the request's Accept-Encoding allows it; a stream flushed event by event",
    "deflate": "every body in the deflate coding (zlib, RFC 9110 8.4.1.2) when the request's Accept-Encoding allows it; a stream flushed event by event",
}
CODINGS = {"gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}
"""The content-coding variants and the zlib window bits that write each coding's framing."""


def chosen(request: Request, name: str) -> bool:
    if name not in VARIANTS:
        raise KeyError(f"unknown variant {name!r}")  # a typo must not silently disable a variant
    return request.scope.get("state", {}).get("variant") == name


class Gateway:
    """Strips ``/variant/<name>`` from the path and records the variant in the request state."""

    def __init__(self, app: Callable) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] in ("http", "websocket") and scope["path"].startswith(PREFIX):
            name, _, rest = scope["path"][len(PREFIX):].partition("/")
            if name not in VARIANTS:
                return await refusal(scope, receive, send, JSONResponse(unknown_name("variant", name, VARIANTS), 404))
            scope.setdefault("state", {})["variant"] = name
            scope = {**scope, "path": "/" + rest, "raw_path": ("/" + rest).encode()}
            if name in CODINGS and scope["type"] == "http" and accepts(scope, name):
                send = _encoding(send, name)
        await self.app(scope, receive, send)


async def refusal(scope, receive, send, response: Response) -> None:
    """``response`` as the answer to a request, or to a WebSocket handshake (sent before any upgrade)."""
    if scope["type"] == "websocket":
        return await WebSocket(scope, receive, send).send_denial_response(response)
    await response(scope, receive, send)


def accepts(scope, coding: str) -> bool:
    """Whether the request's Accept-Encoding allows ``coding`` (named, or ``*``, with a q above 0; RFC 9110 12.5.3)."""
    header = b", ".join(v for k, v in scope.get("headers", ()) if k.lower() == b"accept-encoding").decode("latin-1")
    allowed = {}
    for item in filter(None, (part.strip() for part in header.split(","))):
        token, _, params = item.partition(";")
        quality = params.strip().removeprefix("q=").strip() if params.strip().startswith("q=") else "1"
        try:
            allowed[token.strip().lower()] = float(quality) > 0
        except ValueError:
            allowed[token.strip().lower()] = False
    return allowed.get(coding, allowed.get("*", False))


def _encoding(send: Callable, coding: str) -> Callable:
    """``send`` with every body encoded in ``coding``: each piece flushed as it goes, so a stream stays incremental."""
    compressor = zlib.compressobj(wbits=CODINGS[coding])
    bodyless = False

    async def encoded(message) -> None:
        nonlocal bodyless
        if message["type"] == "http.response.start":
            bodyless = message["status"] in (204, 304)
            if not bodyless:
                headers = [(k, v) for k, v in message.get("headers", ()) if k.lower() != b"content-length"]
                message = {**message, "headers": [*headers, (b"content-encoding", coding.encode()), (b"vary", b"accept-encoding")]}
        elif message["type"] == "http.response.body" and not bodyless:
            more = message.get("more_body", False)
            data = compressor.compress(message.get("body", b"")) + compressor.flush(zlib.Z_SYNC_FLUSH if more else zlib.Z_FINISH)
            message = {**message, "body": data}
        await send(message)

    return encoded

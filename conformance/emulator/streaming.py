"""Streamed answers (``stream: true``) for chat and legacy completions: chunks, SSE framing, faults.

An endpoint builds its complete answer as usual and hands it here with a function that cuts one
choice into pieces; the stream therefore carries exactly the unstreamed content. Events are sent
with a small delay between them, so incremental delivery is real and measurable.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from conformance.emulator.errors import APIError
from conformance.emulator.faults import active, declare
from conformance.emulator.replies import SERVER_ERROR, SERVER_ERROR_FAULT, _headers, reply
from conformance.emulator.variants import chosen

_CASE = "test_stream_single_message"
NO_DONE = declare("stream-no-done", "stream.done", _CASE, "the stream ends without data: [DONE]")
AFTER_DONE = declare("stream-after-done", "stream.after-done", _CASE, "a chunk is sent after data: [DONE]")
CONTENT_TYPE_TEXT = declare("stream-content-type-text", "media.content-type", _CASE, "streams sent as text/plain")
UNTERMINATED = declare("stream-unterminated", "stream.framing", _CASE, "the last event (data: [DONE]) lacks its blank line")
PREFIXED_TWICE = declare("stream-data-prefixed-twice", "stream.data-json", _CASE, 'events written as "data: data: {...}" (a proxy adding its own prefix)')
BUFFERED = declare("stream-buffered", "stream.incremental", _CASE, "the whole stream held back and sent at once at the end")
STALL = declare("stream-stall", "stream.complete", _CASE, "the stream stops after two chunks and never ends")
ENDLESS = declare("stream-endless", "stream.complete", _CASE, "content chunks forever, never a finish_reason")
TRICKLE = declare("stream-trickle", "stream.complete", _CASE, "keep-alive comments forever after two chunks (never stalls a read)")
TRUNCATED = declare("stream-truncated", "stream.done", _CASE, "the stream breaks off after two chunks: no error event, no [DONE]")
ERROR_CODE_INTEGER = declare("stream-error-code-integer", "stream.error-event", _CASE, "an error after two chunks, sent vLLM-style with an integer code")
ERROR_AS_200 = declare("stream-error-as-200", "http.status", "test_stream_invalid_request", 'an invalid streamed request answered 200 with a data: {"error": ...} event')
FINISH_REASON_EMPTY = declare("stream-finish-reason-empty", "stream.finish-reason", _CASE, 'finish_reason "" instead of null on non-final chunks')
FINISH_REASON_MISSING = declare("stream-finish-reason-missing", "stream.finish-reason", _CASE, "no chunk carries a finish_reason")
IGNORE_N = declare("stream-ignore-n", "stream.choices", "test_stream_n", "n ignored when streaming: one choice")
ID_PER_CHUNK = declare("stream-id-per-chunk", "stream.same-ids", _CASE, "a new id in every chunk")
NO_MODEL = declare("stream-chunk-no-model", "stream.chunk-schema", _CASE, "chunks without model")
USAGE_UNREQUESTED = declare("stream-usage-unrequested", "stream.usage", _CASE, "a usage chunk although include_usage was not requested")
USAGE_IGNORED = declare("stream-usage-ignored", "stream.usage", "test_stream_include_usage", "stream_options.include_usage ignored")
UNKNOWN_EVENTS = declare("stream-ping-events", "stream.unknown-events", f"{_CASE} or test_completion_stream",
                         "event: ping / data: {} before and between the chunks (legal, but the SDK reads each as a chunk without choices)")
# The framing faults again on a Responses stream, proving that the framing checks judge it too.
_RESPONSES = "test_create_response_streamed"
R_CONTENT_TYPE_TEXT = declare("responses-stream-content-type-text", "media.content-type", _RESPONSES, "a Responses stream sent as text/plain")
R_UNTERMINATED = declare("responses-stream-unterminated", "stream.framing", _RESPONSES, "a Responses stream's last event lacks its blank line")
R_PREFIXED_TWICE = declare("responses-stream-data-prefixed-twice", "stream.data-json", _RESPONSES, 'Responses events written as "data: data: {...}"')
R_BUFFERED = declare("responses-stream-buffered", "stream.incremental", _RESPONSES, "a Responses stream held back and sent at once at the end")
R_ERROR_AS_200 = declare("responses-stream-error-as-200", "http.status", "test_response_stream_rejected",
                         'an invalid streamed Responses request answered 200 with data: {"error": ...} and data: [DONE] (LiteLLM #21090)')
R_NAME_MISMATCH = "responses-event-name-mismatch"
"""Declared with the Responses stream's faults (responses_api/events.py); injected here, where event: lines are written."""

DELAY = 0.005
"""Seconds between events: small to keep the suite fast, large enough that delivery is visibly incremental."""
TRICKLE_PERIOD = 0.2
HOLD_LIMIT = 120.0
"""Faults that never end give up after this long even if the client stays (the suite stops far sooner)."""
DONE = "[DONE]"
PING = b"event: ping\ndata: {}\n\n"
VENDOR = [  # arbitrary JSON that fails every chunk check if read as a chunk, and data that is not JSON
    b'event: vendor.route\ndata: {"id": "route-1", "object": "vendor.route", "created": 0, "model": "upstream-a", "choices": "none"}\n\n',
    b"event: vendor.progress\ndata: queued behind 0 requests\n\n",
]
TERMINAL_TYPES = ("response.completed", "response.incomplete", "response.failed")
ERROR = {"message": "The server had an error while processing your request.", "type": "server_error", "param": None, "code": None}


def include_usage(body: dict) -> bool:
    options = body.get("stream_options")
    return isinstance(options, dict) and options.get("include_usage") is True


def chunks(request: Request, body: dict, answer: dict, kind: str, pieces: Callable[[Request, dict], list[dict]]) -> list[dict]:
    """The chunks of a complete ``answer``: ``pieces`` cuts a choice into its parts (its last part ends it)."""
    base = {key: answer[key] for key in ("id", "created", "model", "system_fingerprint", "service_tier") if key in answer}
    base["object"] = kind
    per_choice = []
    for choice in answer["choices"][: 1 if active(request, IGNORE_N) else None]:
        parts = [{"index": choice["index"], **part, "finish_reason": "" if active(request, FINISH_REASON_EMPTY) else None} for part in pieces(request, choice)]
        parts[-1]["finish_reason"] = None if active(request, FINISH_REASON_MISSING) else choice["finish_reason"]
        per_choice.append(parts)
    # Choices interleave, as with the reference's n > 1.
    out = [{**base, "choices": [parts[step]]} for step in range(max(map(len, per_choice))) for parts in per_choice if step < len(parts)]
    usage = include_usage(body) and not active(request, USAGE_IGNORED)
    if usage:
        for chunk in out:
            chunk["usage"] = None
    if usage or active(request, USAGE_UNREQUESTED):
        out.append({**base, "choices": [], "usage": answer["usage"]})
    for k, chunk in enumerate(out):
        if active(request, ID_PER_CHUNK):
            chunk["id"] = f"{chunk['id']}-{k}"
        if active(request, NO_MODEL):
            del chunk["model"]
        if chosen(request, "chunk-extra-fields"):
            chunk.update(obfuscation="x7Rq", x_emulator={"shard": k})
            for choice in chunk["choices"]:
                choice["x_emulator_choice"] = True
                choice.get("delta", {})["x_emulator_delta"] = None
    return out


def event_stream(request: Request, payloads: list[dict], typed: bool = False) -> Response:
    """The payloads as server-sent events, ``data: [DONE]`` last, after any framing fault or variant.

    ``typed`` (the Responses API): each event names its ``type`` in an ``event:`` line and the stream
    ends with its last payload (the terminal event), without ``[DONE]``.
    """
    if active(request, SERVER_ERROR_FAULT):
        return reply(request, 500, SERVER_ERROR)
    # A Responses stream ends with its terminal event; a trailing [DONE] is legal (Open Responses sends one).
    events: list[object] = [*payloads, DONE] if not typed or chosen(request, "responses-done") else [*payloads]
    tail = None
    # A Responses stream fails mid-way with its own flat error event (responses_api/events.py).
    mid_stream_error = chosen(request, "mid-stream-error") and not typed
    broken = active(request, TRUNCATED) or active(request, ERROR_CODE_INTEGER) or mid_stream_error or active(request, STALL) or active(request, TRICKLE)
    if broken:
        events = payloads[:2]
        if active(request, ERROR_CODE_INTEGER):
            events.append({"error": {"object": "error", **ERROR, "code": 500}})
        elif mid_stream_error:
            events.append({"error": ERROR})
        if active(request, STALL) or active(request, TRICKLE):
            tail = _hold(request, TRICKLE_PERIOD, b": keep-alive\n\n" if active(request, TRICKLE) else b"")
    elif active(request, ENDLESS):
        events, tail = payloads[:1], _hold(request, 0, f"data: {json.dumps(payloads[1])}\n\n".encode() * 50)
    elif active(request, NO_DONE):
        events = events[:-1]
    elif active(request, AFTER_DONE):
        events.append(payloads[-1])
    names = [event.get("type") if typed and isinstance(event, dict) and not chosen(request, "responses-data-only") else None for event in events]
    if active(request, R_NAME_MISMATCH):
        names = [*names[1:], names[-1]]
    encoded = [_encode(request, event, seq, name) for seq, (event, name) in enumerate(zip(events, names))]
    _other_types(request, encoded)
    writes = [piece for pieces in encoded for piece in pieces]
    if chosen(request, "sse-comments"):
        writes.insert(0, b": keep-alive\n\n")
    if chosen(request, "sse-bom"):
        writes[0] = "\ufeff".encode() + writes[0]
    media_type = "text/plain" if active(request, CONTENT_TYPE_TEXT) or active(request, R_CONTENT_TYPE_TEXT) else "text/event-stream"
    headers = {**_headers(request), "cache-control": "no-cache"}
    if active(request, BUFFERED) or active(request, R_BUFFERED):
        return _held_back(request, writes, media_type, headers)
    return StreamingResponse(_paced(writes, tail), media_type=media_type, headers=headers)


def _other_types(request: Request, encoded: list[list[bytes]]) -> None:
    """Events of types the reference does not define, each its own write, before and between the events."""
    if chosen(request, "sse-ping-events") or active(request, UNKNOWN_EVENTS):
        for at in reversed(range(0, len(encoded), 2)):  # before the first event, then before every other one
            encoded.insert(at, [PING])
    elif chosen(request, "sse-vendor-events"):
        encoded.insert(len(encoded) // 2, [VENDOR[1]])
        encoded.insert(0, [VENDOR[0]])


def _encode(request: Request, event: object, seq: int, name: str | None = None) -> list[bytes]:
    """One event as the bytes of its writes (usually one); ``name``: the ``event:`` line's type (a Responses event)."""
    text = event if isinstance(event, str) else json.dumps(event, indent=1 if chosen(request, "sse-multiline-data") else None)
    prefix = "data:" if chosen(request, "sse-no-space") else "data: "
    if (active(request, PREFIXED_TWICE) or active(request, R_PREFIXED_TWICE)) and event is not DONE:
        prefix += "data: "
    lines = [prefix + line for line in text.split("\n")]
    if chosen(request, "sse-fields"):
        # "message": the type of an unnamed event; a typed stream's events name their own type.
        lines = [f"event: {name or 'message'}", f"id: {seq}", "retry: 3000", *lines]
    elif name is not None:
        lines = [f"event: {name}", *lines]
    if chosen(request, "sse-comments"):
        lines.insert(len(lines) // 2, ": ping")
    unterminated = (active(request, UNTERMINATED) and event is DONE) or (active(request, R_UNTERMINATED) and isinstance(event, dict) and event.get("type") in TERMINAL_TYPES)
    encoded = "\n".join(lines) + ("\n" if unterminated else "\n\n")
    if chosen(request, "sse-crlf"):
        data = encoded.replace("\n", "\r\n").encode()
        return [data[:-1], data[-1:]]  # the CR of the last line break in one write, its LF in the next
    if chosen(request, "sse-cr"):
        return [encoded.replace("\n", "\r").encode()]
    if chosen(request, "sse-split-writes"):
        data = encoded.encode()
        return [data[: len(data) // 2], data[len(data) // 2:]]
    return [encoded.encode()]


async def _paced(writes: list[bytes], tail: AsyncIterator[bytes] | None) -> AsyncIterator[bytes]:
    for k, write in enumerate(writes):
        if k:
            await asyncio.sleep(DELAY)
        yield write
    if tail is not None:
        async for write in tail:
            yield write


def _held_back(request: Request, writes: list[bytes], media_type: str, headers: dict) -> Response:
    async def all_at_once() -> AsyncIterator[bytes]:
        await asyncio.sleep(DELAY * len(writes))  # as long as the paced stream takes, then everything
        yield b"".join(writes)

    return StreamingResponse(all_at_once(), media_type=media_type, headers=headers)


async def _hold(request: Request, period: float, beat: bytes = b"") -> AsyncIterator[bytes]:
    """Keeps the stream open, sending ``beat`` (if any) every ``period`` seconds, until the client leaves."""
    ends = time.monotonic() + HOLD_LIMIT
    while time.monotonic() < ends and not await request.is_disconnected():
        if beat:
            yield beat
        await asyncio.sleep(period)


def streamed(handler: Callable) -> Callable:
    """Wraps an endpoint that streams, for the fault that answers invalid streamed requests with 200."""

    async def wrapped(request: Request) -> Response:
        try:
            return await handler(request)
        except APIError as error:
            if not (active(request, ERROR_AS_200) or active(request, R_ERROR_AS_200)) or not await _asks_stream(request):
                raise
            return StreamingResponse(_paced(_encode(request, error.body, 0) + _encode(request, DONE, 1), None), media_type="text/event-stream", headers=_headers(request))

    return wrapped


async def _asks_stream(request: Request) -> bool:
    try:
        return json.loads(await request.body()).get("stream") is True
    except (ValueError, AttributeError):
        return False

"""What the Responses API's WebSocket mode adds to its HTTP stream, judged on the session as a whole.

The answer to each ``response.create`` is judged as a streamed POST /responses of its own
(conformance/responses_socket.py): every stream and response check applies to it there. What only the
session shows is judged here: a key the handshake let through is still refused before anything is served.
Pointers ``/frames/<i>`` count the frames the server sent, from 0.
"""

from __future__ import annotations

from conformance.checks.base import Finding, Level, check, shorten
from conformance.checks.sockets import opened
PATH, ERROR = "/responses", "error"
"""The socket's path and the type of its error event (as conformance/responses_socket.py, which imports the checks)."""

NOTHING_SAID = (1000, 1001, 1005, 1006)
"""Close codes that give no reason to a client (normal closure, going away, none, abnormal): no refusal of a key."""
REFUSAL = "HTTP 401 to the handshake; or, once upgraded, an error event or a close frame with an error code (1008, 3000, 4000-4999)"


@check("responses-socket.key-refused", Level.MUST, "Authentication; Responses > WebSocket mode",
       applies=lambda ex: ex.socket is not None and ex.turn is None and ex.path == PATH and ex.response is not None,
       within=lambda expect: 401 in expect.statuses)
def key_refused(ex, expect):
    """A session opened with a key the target does not know serves nothing: the key is refused by an error event or a close frame."""
    # The handshake is an HTTP request: the reference's 401 is the plain refusal (http.status and error.envelope judge it). A
    # server that upgrades first may refuse on the socket: RFC 6455 lets either end close with a code and a reason; the reference
    # says no more.
    if not opened(ex):
        return
    session = ex.socket
    for i, payload in enumerate(session.payloads):
        kind = payload.get("type") if isinstance(payload, dict) else None
        if isinstance(kind, str) and kind.startswith("response."):
            yield Finding(REFUSAL, f"{kind} answered without a valid key: {shorten(payload, 120)}", f"/frames/{i}")
            return
        if kind == ERROR:
            return
    if session.closed_by == "server" and session.close_code not in NOTHING_SAID:
        return
    closed = f"a close frame with code {session.close_code}" if session.close_code is not None else "no close frame"
    yield Finding(REFUSAL, f"no error event and {closed}: a client cannot tell its key was refused", "/frames")


def _lane(ex) -> str | None:
    """The stream_id the response.create an answer is for named (a WebSocket lane), if any."""
    lane = ex.params.get("stream_id") if ex.turn is not None else None
    return lane if isinstance(lane, str) else None


@check("responses-socket.stream-id", Level.MUST, "Responses > WebSocket mode (stream_id)",
       applies=lambda ex: _lane(ex) is not None and ex.response is not None)
def stream_id(ex, expect):
    """The events answering a response.create that names a stream_id (a lane) echo it, its error event too."""
    events = [(f"/events/{i}", p) for i, p in enumerate(ex.stream.payloads)] if ex.stream is not None else [("", ex.data)]
    for pointer, event in events:
        kind = event.get("type") if isinstance(event, dict) else None
        if isinstance(kind, str) and (kind == ERROR or kind.startswith("response.")) and event.get("stream_id") != _lane(ex):
            yield Finding(f"stream_id {_lane(ex)!r}, the lane its response.create named", shorten(event.get("stream_id")), f"{pointer}/stream_id")
            return  # one event without it usually means none has it

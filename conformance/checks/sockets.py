"""What every WebSocket session of the API obeys, whatever it carries (Responses over WebSocket, Realtime).

Each message the server sends is a text frame holding one JSON event: an object with a string ``type``. Both
socket protocols of the reference are made of such events (``RealtimeServerEvent*``, the Responses WebSocket
server events), so a binary frame, text that is not JSON, or several events in one frame is a message no
client of the reference can read. The protocol's own checks judge the events; these judge the frames.
Pointers ``/frames/<i>`` count the frames the server sent, from 0.
"""

from __future__ import annotations

from conformance.checks.base import Finding, Level, check, shorten
from conformance.sse import NOT_JSON

SECTION = "WebSocket sessions"
EXPECTED = "a text frame holding one JSON object with a string type (one event)"


def opened(ex) -> bool:
    """A WebSocket session that opened (the 101 answer): its frames are there to judge (once: not again in the
    answer to each event sent on it, ``Exchange.turn``)."""
    return ex.socket is not None and ex.ok and ex.turn is None


def event(payload: object) -> bool:
    """A well-formed event: a JSON object with a string ``type`` (what every socket check reads)."""
    return isinstance(payload, dict) and isinstance(payload.get("type"), str)


@check("socket.json-events", Level.MUST, SECTION, applies=opened)
def json_events(ex, expect):
    """Each message the server sends is a text frame holding one JSON event: an object with a string type."""
    wrong = []
    for i, frame in enumerate(ex.socket.received):
        if isinstance(frame.data, bytes):
            wrong.append((i, f"a binary frame of {len(frame.data)} bytes"))
        elif frame.payload is NOT_JSON:
            wrong.append((i, f"text that is not one JSON value: {shorten(frame.data, 120)}"))
        elif not event(frame.payload):
            wrong.append((i, f"JSON without a string type: {shorten(frame.data, 120)}"))
    if wrong:
        first, seen = wrong[0]
        also = f"{len(wrong) - 1} more such frame(s): /frames/{', /frames/'.join(str(i) for i, _ in wrong[1:6])}" if len(wrong) > 1 else ""
        yield Finding(EXPECTED, seen, f"/frames/{first}", also=also)

"""The Responses API over a WebSocket: ``response.create`` events on one connection, each answered as its own exchange.

A case opens a session on ``/responses`` (``session``) and sends ``response.create`` events one after
another (``Conversation.create``), each waiting for the end of its answer: the response's terminal event,
or an ``error`` event. When the session ends, the answer to each event becomes an Exchange of its own
(``Exchange.turn``), judged by the checks of the HTTP request the event stands for (a streamed
``POST /responses``), with what the case expects of it:

- a response: a 200 event stream holding the events the server sent for it, so every Responses stream
  check (conformance/checks/responses_stream.py) and every response check applies to each response
  on the socket; ``error`` events are left out of that stream (they are the socket's own ResponseWsError,
  unlike the HTTP stream's flat error event): a response they break off lacks its terminal event;
- an ``error`` event (ResponseWsError: ``{"type": "error", "status", "error": {...}}``): an error answer
  whose body is the event and whose status is the event's ``status``, or 400 when it gives none (it is
  optional; 400 is the reference's example), so the error object checks (error.envelope, error.code)
  and the expected status judge it;
- nothing, when the connection ended or the wait ran out first: an unanswered request (http.response).

The frames themselves (one JSON event per text frame) are the session's checks (conformance/checks/sockets.py).
A frame holding several JSON values is that check's finding; its events still go to the stream, so that
one framing fault is reported once, by the check that judges framing. A response's events are those
received after its ``response.create`` and before the next one: an event sent after its terminal event
is in its stream (responses.terminal), an event of another response in it is another id (responses.same-id).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

import httpx

from conformance import sse
from conformance.checks.base import Expect
from conformance.checks.responses_stream import TERMINAL, documented
from conformance.exchange import Exchange
from conformance.steps import CannotContinue
from conformance.websocket import Frame, Socket

PATH = "/responses"
CREATE = "response.create"
ERROR = "error"
STATUSLESS_ERROR = 400
"""The status an error event without ``status`` stands for (the field is optional; the reference's example says 400)."""


@dataclass
class Turn:
    """One ``response.create`` the case sent, and what it expects of the answer."""

    number: int
    body: dict
    expect: Expect
    same_as: Turn | None
    position: int | None
    """The index of the sent frame in the session's frames; None when the connection had ended before it could be sent."""
    unfinished: str | None = None
    """Why the answer did not end (no terminal or error event): the wait that ran out, the connection that ended."""
    received: list[Frame] = field(default_factory=list)
    """What arrived while the case waited for the answer (the exchange reads the session's record instead)."""

    @property
    def response_id(self) -> str:
        """The id of the response the answer carries, for a later ``previous_response_id``; CannotContinue without one."""
        for value in (v for frame in self.received for v in values(frame)):
            inner = value.get("response") if isinstance(value, dict) else None
            if isinstance(inner, dict) and isinstance(inner.get("id"), str):
                return inner["id"]
        raise CannotContinue(f"response.create #{self.number} on the socket: no event of its answer carries a response id, and the case's next step needs it")


class Conversation:
    """A session on ``/responses``: each ``create`` sends one ``response.create`` and waits for the end of its answer."""

    def __init__(self, socket: Socket) -> None:
        self.socket = socket
        self.turns: list[Turn] = []

    @property
    def opened(self) -> bool:
        return self.socket.opened

    def create(self, body: dict, *, expect: int | tuple[int, ...] = 200, same_as: Turn | None = None, code: str | None = None,
               quiet: float | None = None) -> Turn:
        """Send ``body`` as a ``response.create``; ``expect``: 200 for a response, an error status for a refusal (``code``: the
        error code it must carry); ``same_as``: the earlier turn this one continues (the checks compare with it);
        ``quiet``: after the answer ends, how long to go on listening (nothing may follow a terminal event).
        A session that did not open ends the case (CannotContinue): the handshake's answer is its finding."""
        if not self.socket.opened:
            raise CannotContinue(f"the WebSocket session on {PATH} did not open, and the case's next step needs it")
        before, waits = len(self.socket.frames), len(self.socket.record().waits)
        self.socket.send({"type": CREATE, **body})  # nothing is sent once the connection has ended
        turn = Turn(len(self.turns), body, Expect(expect, code=code), same_as, before if len(self.socket.frames) > before else None)
        self.turns.append(turn)
        if turn.position is None:
            return turn
        # A terminal event coalesced with another in one frame is not seen here: the wait runs out (bounded), socket.json-events says why.
        turn.received = self.socket.receive(_ends, waiting_for=f"the end of the answer to response.create #{turn.number}")
        if not any(_ends(v) for frame in turn.received for v in values(frame)):
            session = self.socket.record()
            turn.unfinished = (session.waits[waits:] or (session.interrupted,))[0] or _closed(session)
        elif quiet:
            turn.received += self.socket.receive(timeout=quiet, waiting_for=f"an event after the answer to response.create #{turn.number} (none is expected)")
        return turn

    def answers(self, session: Exchange) -> list[tuple[Exchange, Expect]]:
        """Each turn's answer as an exchange, with what the case expects of it (its ``same_as``: the earlier turn's answer)."""
        derived: dict[int, Exchange] = {}
        judged = []
        for turn in self.turns:
            exchange = derived[turn.number] = answer(session, turn, self.turns)
            baseline = derived.get(turn.same_as.number) if turn.same_as is not None else None
            judged.append((exchange, replace(turn.expect, same_as=baseline if baseline is not None and baseline.ok else None)))
        return judged


@contextmanager
def session(api, *, expect: int | tuple[int, ...] = 101, headers: dict | None = None) -> Iterator[Conversation]:
    """A WebSocket session on /responses (``api.socket``): the session is judged when it ends, then the answer to each turn."""
    conversation = None
    try:
        with api.socket(PATH, expect=expect, headers=headers) as socket:
            conversation = Conversation(socket)
            yield conversation
    finally:
        if conversation is not None:
            for exchange, expected in conversation.answers(conversation.socket.exchange):
                api.verify(exchange, expected)


def values(frame: Frame) -> list[object]:
    """The JSON values a text frame holds: one for a well-formed event, several back to back for coalesced ones, none otherwise."""
    if isinstance(frame.data, bytes):
        return []
    if frame.payload is not sse.NOT_JSON:
        return [frame.payload]
    decoder, text, found, at = json.JSONDecoder(), frame.data, [], 0
    while at < len(text):
        while at < len(text) and text[at].isspace():
            at += 1
        if at == len(text):
            break
        try:
            value, at = decoder.raw_decode(text, at)
        except ValueError:
            return []  # not JSON at all: socket.json-events' finding alone
        found.append(value)
    return found


def answer(session: Exchange, turn: Turn, turns: list[Turn]) -> Exchange:
    """The exchange of one turn: the POST its event stands for, and the answer the session holds for it."""
    request = httpx.Request("POST", session.request.url, headers=session.request.headers, json={**turn.body, "stream": True})
    base = replace(session, request=request, turn=turn.number, elapsed=0.0, response=None, transport_error=None, history=None)
    if turn.position is None:
        return replace(base, transport_error=f"the connection had ended before response.create #{turn.number} was sent ({_closed(session.socket)})")
    later = [t.position for t in turns if t.position is not None and t.position > turn.position]
    frames = session.socket.frames[turn.position + 1: min(later, default=len(session.socket.frames))]
    sent_at = session.socket.frames[turn.position].at
    events = [(frame.at - sent_at, value, frame) for frame in frames if not frame.sent for value in values(frame)]
    defined = [(value, frame) for _, value, frame in events if documented(value)]
    if defined and defined[0][0]["type"] == ERROR:
        error, frame = defined[0]
        status = error.get("status") if type(error.get("status")) is int and 400 <= error["status"] < 600 else STATUSLESS_ERROR
        content = frame.data.encode() if len(values(frame)) == 1 else json.dumps(error).encode()
        return replace(base, response=httpx.Response(status, headers={"content-type": "application/json"}, content=content, request=request))
    if not events:
        return replace(base, transport_error=f"no event answered response.create #{turn.number}: {turn.unfinished or _closed(session.socket)}")
    chunks = tuple((at, _event(value)) for at, value, _ in events if not (documented(value) and value["type"] == ERROR))
    stream = sse.Stream(chunks, interrupted=turn.unfinished)
    return replace(base, response=httpx.Response(200, headers={"content-type": "text/event-stream"}, request=request), stream=stream)


def _event(value: object) -> bytes:
    """One event as the server-sent event a streamed POST would carry: its JSON on one data: line."""
    return f"data: {json.dumps(value)}\n\n".encode()


def _ends(value: object) -> bool:
    """The end of an answer: the response's terminal event, or an error event."""
    return isinstance(value, dict) and value.get("type") in (*TERMINAL, ERROR)


def _closed(session) -> str:
    if session.close_code is not None:
        return f"the {'server' if session.closed_by == 'server' else 'client'} closed the connection (code {session.close_code}{': ' + session.close_reason if session.close_reason else ''})"
    return session.interrupted or "the connection ended"

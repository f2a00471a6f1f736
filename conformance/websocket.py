"""The suite's WebSocket sessions: bounded, recorded frame by frame, and judged as an Exchange like any request.

The client is websockets' synchronous one (``websockets.sync.client``): the maintained Python implementation
of RFC 6455, and the package uvicorn serves the emulator's sockets with, so one dependency covers both ends.
Its sync client suits the suite's cases, which are sequential (send an event, wait for the answer).

A session's record (``Session``) is every frame each way with its time, how the connection ended and why
the suite stopped waiting, if it did. The exchange of a session is its opening handshake: the upgrade
request, and the server's answer (101, or the refusal with its status, headers and body), with the record
in ``Exchange.socket``. Every wait is bounded (the request timeout per wait, a cap on frames and bytes), and
nothing the suite sends waits on the server beyond that: a server that stops talking ends the session.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import cached_property

import httpx
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus, WebSocketException
from websockets.sync.client import ClientConnection, connect

from conformance.sse import NOT_JSON

MAX_FRAMES = 2000
"""The suite's sessions exchange a few dozen events; past this many frames the server is not going to stop."""
MAX_BYTES = 4 * 1024 * 1024
"""The bytes received in one session (an audio reply of a few seconds is well under it)."""
CLOSE_TIMEOUT = 2.0
"""How long the closing handshake may take: a server that never answers a close frame does not hold the run."""


@dataclass(frozen=True)
class Frame:
    """One message of a session: which way it went, its data (text as str, binary as bytes), and when."""

    sent: bool
    data: str | bytes
    at: float
    """Seconds from the start of the opening handshake."""

    @cached_property
    def payload(self) -> object:
        """The data parsed as JSON; ``NOT_JSON`` for a binary frame or text that is not JSON."""
        if isinstance(self.data, bytes):
            return NOT_JSON
        try:
            return json.loads(self.data)
        except ValueError:
            return NOT_JSON

    @property
    def size(self) -> int:
        return len(self.data.encode("utf-8", "surrogatepass")) if isinstance(self.data, str) else len(self.data)


@dataclass(frozen=True)
class Session:
    """What happened on an open socket."""

    frames: tuple[Frame, ...] = ()
    close_code: int | None = None
    """The code of the close frame the server sent (or answered with); ``None`` when none came."""
    close_reason: str = ""
    closed_by: str | None = None
    """``"server"`` or ``"client"``: who sent the first close frame; ``None`` when the connection ended without one."""
    interrupted: str | None = None
    """Why the suite stopped reading before the session ended as it meant to (a cap, a broken connection)."""
    waits: tuple[str, ...] = ()
    """The waits that ran out, one note each (``no frame within 30 s while waiting for response.completed``)."""

    @property
    def received(self) -> list[Frame]:
        return [f for f in self.frames if not f.sent]

    @property
    def sent(self) -> list[Frame]:
        return [f for f in self.frames if f.sent]

    @property
    def payloads(self) -> list[object]:
        """Each received frame's JSON (``NOT_JSON`` when it is not JSON text), in order."""
        return [f.payload for f in self.received]

    @property
    def size(self) -> int:
        return sum(f.size for f in self.received)


class Socket:
    """An open session: ``send`` events, ``receive`` until the awaited one; every frame recorded with its time.

    When the handshake was refused (``opened`` false), or once the connection ended, sending does nothing and
    receiving returns nothing: the case's checks judge the record, and ``exchange`` says what happened.
    """

    def __init__(self, connection: ClientConnection | None, started: float, timeout: float) -> None:
        self._connection = connection
        self._started = started
        self._timeout = timeout
        self._frames: list[Frame] = []
        self._waits: list[str] = []
        self._received_bytes = 0
        self._interrupted: str | None = None
        self._closed_by: str | None = None
        self.exchange = None
        """The session's Exchange, set when the session ends (``Client.socket`` builds it)."""

    @property
    def opened(self) -> bool:
        return self._connection is not None

    @property
    def open(self) -> bool:
        """The connection is still up: the suite can send, and the server may still send."""
        return self._connection is not None and self._interrupted is None and self._closed_by is None

    @property
    def frames(self) -> list[Frame]:
        return list(self._frames)

    def send(self, event: object) -> None:
        """Send ``event``: a str or bytes as it is (a text or binary frame), anything else as JSON text."""
        if not self.open:
            return
        data = event if isinstance(event, (str, bytes)) else json.dumps(event)
        try:
            self._connection.send(data)
        except ConnectionClosed:
            self._ended_by_server()
            return
        self._frames.append(Frame(True, data, self._now()))

    def receive(self, until: Callable[[object], bool] = lambda payload: False, timeout: float | None = None,
                waiting_for: str = "the next frame") -> list[Frame]:
        """The frames received up to and including the first whose payload satisfies ``until``.

        Stops early, returning what came, when no frame arrives within ``timeout`` (the request timeout by
        default: noted in ``Session.waits``), when the connection ends, or past MAX_FRAMES or MAX_BYTES.
        ``waiting_for`` names what was awaited, for the note. With the default ``until``, it returns what
        arrives until a wait runs out: a quiet server then costs one ``timeout``.
        """
        got: list[Frame] = []
        wait = self._timeout if timeout is None else timeout
        while self.open:
            try:
                data = self._connection.recv(timeout=wait)
            except TimeoutError:
                self._waits.append(f"no frame within {wait:g} s while waiting for {waiting_for} ({len(self._frames)} frames so far)")
                break
            except ConnectionClosed:
                self._ended_by_server()
                break
            frame = Frame(False, data, self._now())
            self._frames.append(frame)
            got.append(frame)
            self._received_bytes += frame.size
            if len(self._frames) >= MAX_FRAMES or self._received_bytes > MAX_BYTES:
                self._interrupted = f"the session passed {MAX_FRAMES} frames or {MAX_BYTES} bytes; stopped reading"
                break
            if until(frame.payload):
                break
        return got

    def close(self, code: int = 1000, reason: str = "") -> None:
        """The suite ends the session (a close frame, then the server's answer, bounded by CLOSE_TIMEOUT)."""
        if self.open:
            self._closed_by = "client"
            self._connection.close(code, reason)

    def record(self) -> Session:
        """What happened so far: the frames, the close (when there was one), the waits that ran out."""
        connection = self._connection
        protocol = None if connection is None else connection.protocol
        # The server's close frame: the first one, or its answer to the suite's (none when it did not answer in time).
        close = None if protocol is None else protocol.close_rcvd
        return Session(
            frames=tuple(self._frames),
            close_code=None if close is None else close.code,
            close_reason="" if close is None else close.reason,
            closed_by=self._closed_by,
            interrupted=self._interrupted,
            waits=tuple(self._waits),
        )

    def _ended_by_server(self) -> None:
        if self._connection.protocol.close_rcvd is not None:
            self._closed_by = "server"
        else:
            self._interrupted = "the connection ended without a close frame"

    def _now(self) -> float:
        return time.perf_counter() - self._started


def ws_url(url: httpx.URL) -> str:
    """``http(s)://`` to ``ws(s)://``."""
    return str(url.copy_with(scheme={"http": "ws", "https": "wss"}.get(url.scheme, url.scheme)))


@contextmanager
def opening(request: httpx.Request, ssl, timeout: float) -> Iterator[tuple[Socket, httpx.Response | None, str | None]]:
    """Open a session for ``request`` (a GET carrying the handshake's headers): the socket, the handshake's answer
    as an httpx.Response (``None`` when none came) and why there was none. The socket is closed on leaving."""
    started = time.perf_counter()
    headers = [(k, v) for k, v in request.headers.multi_items() if k.lower() not in SET_BY_WEBSOCKETS]
    connection, response, error = None, None, None
    stack = ExitStack()
    try:
        connection = stack.enter_context(connect(
            ws_url(request.url), additional_headers=headers, open_timeout=timeout, close_timeout=CLOSE_TIMEOUT,
            max_size=MAX_BYTES, ssl=ssl if request.url.scheme == "https" else None, user_agent_header=None,
            compression=None,  # frames as sent: permessage-deflate would hide nothing the checks need, and cost CPU
            proxy=None,  # the target is addressed directly, as the HTTP client does
            ping_interval=None,  # every wait is the suite's own, bounded; no keepalive closes a slow session for it
        ))
        response = _response(connection.response.status_code, connection.response.headers.raw_items(), connection.response.body, request)
    except InvalidStatus as refused:
        answer = refused.response
        response = _response(answer.status_code, answer.headers.raw_items(), answer.body, request)
    except TimeoutError:
        error = f"no handshake answer within {timeout:g} s"
    except (InvalidHandshake, WebSocketException, OSError) as exc:
        error = f"{type(exc).__name__}: {exc}"
    socket = Socket(connection, started, timeout)
    with stack:
        yield socket, response, error
        socket.close()


SET_BY_WEBSOCKETS = {"host", "connection", "upgrade", "sec-websocket-key", "sec-websocket-version", "accept-encoding", "content-length"}
"""Headers the handshake writes itself (httpx's default Accept-Encoding means nothing on an upgrade)."""


def _response(status: int, headers, body: bytes | None, request: httpx.Request) -> httpx.Response:
    """The handshake's answer as an httpx.Response, its body decoded as its Content-Encoding says; a body that does
    not decode is kept as it came (the checks then find no JSON in it, as they would on any answer)."""
    raw = bytes(body or b"")  # websockets may hand a bytearray
    response = httpx.Response(status, headers=list(headers), stream=httpx.ByteStream(raw), request=request)
    try:
        response.read()
    except httpx.DecodingError:
        response._content = raw
    return response


def record(session: Session, limit: int, redact: Callable[[str], str], max_frames: int = 200) -> dict:
    """A session as plain data for the reports: each frame's direction, time and data (redacted, cut to ``limit``)."""
    def data(frame: Frame) -> str:
        if isinstance(frame.data, bytes):
            return f"<{len(frame.data)} bytes, binary>"
        text = redact(frame.data)
        return text if len(text) <= limit else text[:limit] + f"… ({len(text)} chars)"

    return {
        "frames": [{"sent": f.sent, "at": round(f.at, 6), "data": data(f)} for f in session.frames[:max_frames]],
        "frames_total": len(session.frames),
        "close_code": session.close_code,
        "close_reason": redact(session.close_reason),
        "closed_by": session.closed_by,
        "interrupted": session.interrupted,
        "waits": list(session.waits),
    }



def replayed(data: dict) -> Session:
    """A session written as plain data (a recording's ``socket``, as docs/judge.md describes it) read back: each frame's
    direction, time and data (text, or ``data_base64`` for a binary frame), how it closed, the waits that ran out."""
    frames = tuple(Frame(bool(f["sent"]), base64.b64decode(f["data_base64"]) if f.get("data_base64") is not None else str(f["data"]), float(f.get("at") or 0))
                   for f in data.get("frames") or ())
    return Session(frames=frames, close_code=data.get("close_code"), close_reason=str(data.get("close_reason") or ""),
                   closed_by=data.get("closed_by"), interrupted=data.get("interrupted"), waits=tuple(data.get("waits") or ()))

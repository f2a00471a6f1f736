"""A loopback HTTP server that misbehaves in each way a target under development can (issue 11).

The first path segment picks the behaviour: ``http://127.0.0.1:PORT/<behaviour>/v1/...``; the
behaviour ``all`` takes the next one of ALL on every request, for a run that meets them all at once.
Raw sockets, not a framework: no framework sends a body longer than its Content-Length, a header
line without a colon, a reset in the middle of a body or a status line of 299.
"""

from __future__ import annotations

import gzip
import itertools
import json
import socket
import ssl
import struct
import threading
import uuid
from collections.abc import Callable
from dataclasses import astuple

from conformance.config import Models

TRICKLE_INTERVAL = 0.1
"""Seconds between the bytes of a trickle: faster than any read timeout, so only an overall deadline stops it."""
HUGE_BODY = 100 * 1024 * 1024
HUGE_EVENT = 50 * 1024 * 1024
_BLOCK = b"x" * (1024 * 1024)
MODEL_LIST = [{"id": model, "object": "model", "created": 1, "owned_by": "system"} for model in astuple(Models())]
"""The suite's default models, so that a run's preflight finds every model its cases use."""
MODELS = json.dumps({"object": "list", "data": MODEL_LIST}).encode()
GZIP_BOMB = gzip.compress(b'{"object": "list", "data": "' + b"x" * (20 * 1024 * 1024) + b'"}')
"""About 20 kB on the wire, 20 MiB decoded: a read bound that counts the encoded bytes lets it through."""
CHUNK = b'data: {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "m", "choices": [{"index": 0, "delta": {"content": "x"}, "finish_reason": null}]}\n\n'


class Connection:
    """One accepted connection; every wait ends early when the server stops."""

    def __init__(self, sock: socket.socket, stop: threading.Event, request: bytes = b"") -> None:
        self.sock, self.stop, self.request = sock, stop, request

    @property
    def authorization(self) -> str:
        return next((line.split(b":", 1)[1].strip().decode() for line in self.request.split(b"\r\n") if line.lower().startswith(b"authorization:")), "")

    def send(self, data: bytes) -> bool:
        """False once the client has gone (it stopped reading and closed)."""
        try:
            self.sock.sendall(data)
            return True
        except OSError:
            return False

    def trickle(self, data: bytes) -> None:
        for i in range(len(data)):
            if not self.send(data[i:i + 1]) or self.stop.wait(TRICKLE_INTERVAL):
                return

    def hold(self) -> None:
        """Keep the connection open, saying nothing, until the client closes it or the server stops."""
        self.sock.settimeout(0.1)
        while not self.stop.is_set():
            try:
                if not self.sock.recv(65536):
                    return
            except TimeoutError:
                continue
            except OSError:
                return

    def reset(self) -> None:
        """Close with a TCP reset instead of an orderly end (SO_LINGER 0)."""
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.sock.close()


def head(status: str = "200 OK", length: int | None = None, content_type: str = "application/json", extra: str = "") -> bytes:
    lines = [f"HTTP/1.1 {status}", f"content-type: {content_type}", f"x-request-id: req_{uuid.uuid4().hex}", "connection: close"]
    if length is not None:
        lines.append(f"content-length: {length}")
    return ("\r\n".join(lines) + "\r\n" + extra + "\r\n").encode()


def answer(conn: Connection, body: bytes = MODELS, status: str = "200 OK", extra: str = "") -> None:
    conn.send(head(status, len(body), extra=extra) + body)


def stream_head() -> bytes:
    # No Content-Length and connection: close: the body is whatever arrives until the server closes.
    return head(content_type="text/event-stream")


def endless(conn: Connection, event: bytes, pause: float) -> None:
    if conn.send(stream_head()):
        while conn.send(event) and not conn.stop.wait(pause):
            pass


def huge_body(conn: Connection) -> None:
    if conn.send(head(length=HUGE_BODY) + b'{"object": "list", "data": "'):
        for _ in range(HUGE_BODY // len(_BLOCK)):
            if not conn.send(_BLOCK):
                return


def huge_event(conn: Connection) -> None:
    if conn.send(stream_head() + b"data: "):
        for _ in range(HUGE_EVENT // len(_BLOCK)):
            if not conn.send(_BLOCK):
                return
        conn.send(b"\n\n")


def reset_mid_body(conn: Connection) -> None:
    conn.send(head(length=len(MODELS)) + MODELS[:20])
    conn.reset()


RATE_LIMIT_HEADERS = (
    "x-ratelimit-limit-requests: 60\r\nx-ratelimit-limit-tokens: 1000\r\nx-ratelimit-remaining-requests: 0\r\n"
    "x-ratelimit-remaining-tokens: 0\r\nx-ratelimit-reset-requests: 1s\r\nx-ratelimit-reset-tokens: 1s\r\n"
)
RATE_LIMITED = json.dumps({"error": {"message": "Rate limit reached", "type": "requests", "param": None, "code": "rate_limit_exceeded"}}).encode()

BEHAVIOURS: dict[str, Callable[[Connection], None]] = {
    "ok": answer,
    # Time
    "silent": lambda conn: conn.hold(),
    "headers-stall": lambda conn: conn.send(head(length=len(MODELS))) and conn.hold(),
    "trickle-json": lambda conn: conn.send(head(length=len(MODELS))) and conn.trickle(MODELS),
    "trickle-head": lambda conn: conn.trickle(head(length=len(MODELS)) + MODELS),  # the status line and headers too
    "trickle-stream": lambda conn: conn.send(stream_head()) and conn.trickle(b": keep-alive\n\n" * 1000),
    "stream-forever": lambda conn: endless(conn, CHUNK, 0.05),
    # Size
    "huge-body": huge_body,
    "huge-event": huge_event,
    "events-endless": lambda conn: endless(conn, CHUNK, 0),
    # Garbage
    "invalid-utf8": lambda conn: answer(conn, b'{"object": "list", "data": [], "x": "\xff\xfe"}'),
    "truncated-json": lambda conn: answer(conn, MODELS[:25]),
    "body-longer": lambda conn: conn.send(head(length=len(MODELS) // 2) + MODELS),
    "body-shorter": lambda conn: conn.send(head(length=2 * len(MODELS)) + MODELS),
    "bad-gzip": lambda conn: answer(conn, b"this is not gzip at all", extra="content-encoding: gzip\r\n"),
    "bad-deflate": lambda conn: answer(conn, MODELS, extra="content-encoding: deflate\r\n"),  # plain JSON, said to be deflated
    "gzip-bomb": lambda conn: answer(conn, GZIP_BOMB, extra="content-encoding: gzip\r\n"),
    "bad-gzip-stream": lambda conn: conn.send(head(content_type="text/event-stream", extra="content-encoding: gzip\r\n") + CHUNK),
    "reset": reset_mid_body,
    "status-299": lambda conn: answer(conn, status="299 Odd"),
    "status-599": lambda conn: answer(conn, status="599 Odder"),
    "duplicate-headers": lambda conn: answer(conn, extra=f"content-type: text/html\r\nx-request-id: req_{uuid.uuid4().hex}\r\n"),
    "malformed-headers": lambda conn: answer(conn, extra="this header line has no colon\r\n"),
    # The key, echoed where a careless report would print it: a header, an error body, an httpx exception's text.
    "echo-key": lambda conn: answer(conn, json.dumps({"error": {"message": f"bad key {conn.authorization}", "type": "x", "param": None, "code": None}}).encode(),
                                    "401 Unauthorized", f"x-echo: {conn.authorization}\r\n"),
    "echo-key-malformed": lambda conn: answer(conn, extra=f"{conn.authorization}\r\n"),
    # The same in a 200 (past a run's preflight), with the key as a value a schema check quotes.
    "echo-key-listed": lambda conn: answer(conn, json.dumps({"object": f"bad key {conn.authorization}", "data": MODEL_LIST}).encode(),
                                           extra=f"x-echo: {conn.authorization}\r\n"),
    "bad-charset": lambda conn: conn.send(head(length=len(MODELS), content_type="application/json; charset=no-such-charset") + MODELS),
}
ALL = ("ok", "rate-limited-1-all", *tuple(BEHAVIOURS)[1:], "redirect")
"""The rotation of ``all``; "ok" first, so that the run's reachability probe gets an answer."""


def accept_loop(listener: socket.socket, handle: Callable[[socket.socket], None], stop: threading.Event) -> None:
    """Accept connections until ``stop`` is set, each handled in its own thread; then close the listener."""
    listener.settimeout(0.1)
    while not stop.is_set():
        try:
            sock, _ = listener.accept()
        except TimeoutError:
            continue
        threading.Thread(target=handle, args=(sock,), daemon=True).start()
    listener.close()


class HostileServer:
    """Also, by name: ``redirect`` (307 to ``decoy``, another port, which records what reaches it) and
    ``rate-limited-N-TAG`` (the first N requests of that name get a 429 with ``retry-after-ms: 10``;
    ``rate-limited-slow-TAG`` always a 429 asking for an hour). With ``tls``, it speaks https."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self._tls = tls
        self._stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._decoy = socket.create_server(("127.0.0.1", 0))
        self.decoy_requests: list[bytes] = []
        self._rotation = itertools.cycle(ALL)
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()

    def start(self) -> HostileServer:
        for listener, handle in ((self._listener, self._handle), (self._decoy, self._record)):
            threading.Thread(target=accept_loop, args=(listener, handle, self._stop), daemon=True).start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def url(self, behaviour: str) -> str:
        scheme = "https" if self._tls else "http"
        return f"{scheme}://127.0.0.1:{self._listener.getsockname()[1]}/{behaviour}/v1"

    def _handle(self, sock: socket.socket) -> None:
        try:
            if self._tls:
                sock = self._tls.wrap_socket(sock, server_side=True)  # fails when the client refuses the certificate
            conn = Connection(sock, self._stop, _read_request(sock))
            behaviour = conn.request.split(b" ")[1].decode().split("/")[1]
            if behaviour == "all":
                with self._lock:
                    behaviour = next(self._rotation)
            self._behave(conn, behaviour)
        except (OSError, IndexError):
            pass
        finally:
            sock.close()

    def _behave(self, conn: Connection, behaviour: str) -> None:
        if behaviour == "redirect":
            location = f"http://127.0.0.1:{self._decoy.getsockname()[1]}/v1/models"
            answer(conn, b"", "307 Temporary Redirect", f"location: {location}\r\n")
        elif behaviour.startswith("rate-limited-"):
            with self._lock:
                seen = self._counts[behaviour] = self._counts.get(behaviour, 0) + 1
            limit = behaviour.split("-")[2]
            if limit == "slow":
                answer(conn, RATE_LIMITED, "429 Too Many Requests", RATE_LIMIT_HEADERS + "retry-after: 3600\r\n")
            elif seen <= int(limit):
                answer(conn, RATE_LIMITED, "429 Too Many Requests", RATE_LIMIT_HEADERS + "retry-after-ms: 10\r\nretry-after: 1\r\n")
            else:
                answer(conn)
        else:
            BEHAVIOURS[behaviour](conn)

    def _record(self, sock: socket.socket) -> None:
        with sock:
            self.decoy_requests.append(_read_request(sock))
            sock.sendall(head(length=len(MODELS)) + MODELS)


def _read_request(sock: socket.socket) -> bytes:
    """The request's head and body (by its Content-Length)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise OSError("the client closed before a whole request")
        data += chunk
    head_part, _, body = data.partition(b"\r\n\r\n")
    length = next((int(line.split(b":", 1)[1]) for line in head_part.split(b"\r\n") if line.lower().startswith(b"content-length:")), 0)
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return head_part + b"\r\n\r\n" + body

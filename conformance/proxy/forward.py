"""The forwarding layer: every request to the upstream unchanged, every answer back unchanged, as it arrives.

A plain ASGI application (served by uvicorn, as the emulator is) with httpx as the upstream client. The
proxy's root is the upstream's base: ``POST /chat/completions?x=1`` goes to ``<upstream>/chat/completions?x=1``.
The request body is read whole, then sent; the answer passes through in the chunks it arrives in, never
buffered (a client reads each event of a stream when the upstream sends it, in its content coding). What
passes is copied into a ``Captured`` up to ``record_limit`` bytes a body; the forwarded body has no limit.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx

HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade"}
"""Headers of one connection (RFC 9110, 7.6.1), not of the message: each side sets its own."""
REPORT_PATH = "/__conformance/report"
LEFT_GRACE = 2.0
"""Seconds an answer is still read for after its client left (then it is not judged)."""


@dataclass
class Body:
    """The first ``limit`` bytes of a body with their arrival times; ``cut`` once more than that passed."""

    limit: int
    chunks: list[tuple[float, bytes]] = field(default_factory=list)
    size: int = 0
    cut: bool = False

    def add(self, chunk: bytes, arrival: float) -> None:
        room = self.limit - self.size
        if len(chunk) > room:
            self.cut, chunk = True, chunk[:room]
        if chunk:
            self.chunks.append((arrival, chunk))
            self.size += len(chunk)

    @property
    def content(self) -> bytes:
        return b"".join(chunk for _, chunk in self.chunks)


@dataclass
class Captured:
    """One exchange as it passed (credentials included: conformance/proxy/live.py redacts before writing)."""

    method: str
    url: str
    """The upstream's URL the request went to."""
    request_headers: list[tuple[str, str]]
    """As the client sent them, then as they were sent to the upstream."""
    request_body: Body
    status: int = 0
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    response_body: Body | None = None
    """None until the answer begins; its arrival times are seconds since the request was sent."""
    answered: bool = False
    """The whole answer was forwarded."""


class Forwarder:
    """The ASGI application. ``on_exchange`` receives each exchange whose whole answer was forwarded;
    ``on_report`` answers ``GET /__conformance/report`` with a JSON document."""

    def __init__(self, upstream: str, client: httpx.AsyncClient, record_limit: int,
                 on_exchange: Callable[[Captured], None], on_report: Callable[[], Awaitable[dict]]) -> None:
        self._upstream = upstream.rstrip("/")
        self._client = client
        self._limit = record_limit
        self._on_exchange = on_exchange
        self._on_report = on_report

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            return  # lifespan is off; websockets are not the API's
        if scope["method"] == "GET" and scope["path"] == REPORT_PATH:
            await _answer(send, 200, await self._on_report())
            return
        raw_path, query = scope.get("raw_path") or scope["path"].encode(), scope.get("query_string", b"")
        url = self._upstream + raw_path.decode("latin-1") + (f"?{query.decode('latin-1')}" if query else "")
        headers = [(name.decode("latin-1"), value.decode("latin-1")) for name, value in scope["headers"]]
        content = await _read_request(receive)
        if content is None:
            return  # the client left while sending
        captured = Captured(scope["method"], url, headers, Body(self._limit))
        captured.request_body.add(content, 0.0)
        where = f"{scope['method']} {scope['path']}"
        forwarding = asyncio.ensure_future(self._forward(captured, content, where, send))
        # A client that leaves (a timeout of its own) ends the upstream's answer too: an endless stream is not
        # read on for nobody. Its request was read whole, so all receive() can still tell is a disconnect.
        leaving = asyncio.ensure_future(_disconnected(receive))
        try:
            await asyncio.wait({forwarding, leaving}, return_when=asyncio.FIRST_COMPLETED)
            if not forwarding.done():
                # The official SDK closes a stream once it reads data: [DONE], before the body's end arrives:
                # the answer is read to its end all the same, if it comes soon.
                await asyncio.wait({forwarding}, timeout=LEFT_GRACE)
        finally:
            leaving.cancel()
            if not forwarding.done():
                forwarding.cancel()
                _note(f"{where}: the client left, and the answer did not end within {LEFT_GRACE:g} s (not judged)")
        if not forwarding.cancelled():
            forwarding.result()  # an upstream that broke off mid-answer: uvicorn breaks the client's connection too
            if captured.answered:
                self._on_exchange(captured)

    async def _forward(self, captured: Captured, content: bytes, where: str, send: Callable) -> None:
        headers = [(name, value) for name, value in captured.request_headers if name.lower() not in HOP_BY_HOP | {"host"}]
        request = self._client.build_request(captured.method, captured.url, headers=headers, content=content)
        captured.request_headers = [(n.decode("latin-1"), v.decode("latin-1")) for n, v in request.headers.raw]  # as sent: the upstream's Host
        started = time.monotonic()
        try:
            response = await self._client.send(request, stream=True)
        except httpx.HTTPError as error:
            status, why = (504 if isinstance(error, httpx.TimeoutException) else 502), _why(error)
            _note(f"{where}: no answer from the upstream ({why}): answered {status} (not judged)")
            await _answer(send, status, {"error": {"message": f"openai-conformance proxy: no answer from {captured.url}: {why}",
                                                   "type": "proxy_error", "param": None, "code": None}})
            return
        try:
            captured.status, captured.response_body = response.status_code, Body(self._limit)
            captured.response_headers = [(n.decode("latin-1"), v.decode("latin-1")) for n, v in response.headers.raw]
            await send({"type": "http.response.start", "status": response.status_code,
                        "headers": [(n, v) for n, v in response.headers.raw if n.decode("latin-1").lower() not in HOP_BY_HOP]})
            try:
                async for chunk in response.aiter_raw():  # as sent: not decoded, not re-chunked
                    captured.response_body.add(chunk, time.monotonic() - started)
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
            except httpx.HTTPError as error:
                _note(f"{where}: the upstream's answer broke off ({_why(error)}): so does the client's (not judged)")
                raise UpstreamBrokeOff from None
            captured.answered = True
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            await response.aclose()


class UpstreamBrokeOff(Exception):
    """Raised to uvicorn mid-answer: it breaks the client's connection as the upstream broke the proxy's."""


class QuietBrokeOff(logging.Filter):
    """Keeps uvicorn from logging a traceback for ``UpstreamBrokeOff`` (the proxy has said it in one line)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], UpstreamBrokeOff))


async def _read_request(receive: Callable) -> bytes | None:
    """The request body, whole; None when the client left first."""
    parts = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        parts.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(parts)


async def _disconnected(receive: Callable) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


async def _answer(send: Callable, status: int, document: dict) -> None:
    body = json.dumps(document, indent=2).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def _why(error: httpx.HTTPError) -> str:
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def _note(text: str) -> None:
    print(f"openai-conformance proxy: {text}", file=sys.stderr, flush=True)

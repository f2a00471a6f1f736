"""The suite's HTTP client: every request goes through here and comes back as an Exchange.

A transport failure (refused, reset, timed out) is a finding about the target, so it is
recorded on the exchange instead of raised; only the suite's own bugs raise.
"""

from __future__ import annotations

import dataclasses
import email.utils
import hashlib
import math
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx

from conformance import __version__, sse, tls
from conformance import websocket as ws
from conformance.budget import Spend
from conformance.config import Target
from conformance import deadline as deadlines
from conformance.exchange import Exchange, Upload
from conformance.history import History

OMIT = object()
"""Header value that removes a default header (e.g. ``Authorization``) from one request."""
_MULTIPART = "openai-conformance.multipart"
MAX_STREAM_BYTES = 1024 * 1024
"""The suite's requests are small (a few kilobytes streamed); a stream past this is not going to end."""
STREAM_DEADLINE_FACTOR = 2
"""A whole stream gets this many request timeouts: a server trickling keep-alives never stalls a read."""
BACKOFF_FIRST, BACKOFF_MAX = 0.5, 8.0
"""The official SDK's waits before resending a 429 that does not say how long to wait."""
ACCEPT_ENCODING = "gzip, deflate"
"""The content codings every client of the suite advertises (this one, the generated requests' and the probe's):
those httpx and urllib3 both decode without optional packages. Left to them, each adds br and zstd when
brotli or zstandard happen to be installed, so two runs of the suite (or its two clients) would ask differently."""


class Client:
    def __init__(self, target: Target, base_url: str, spend: Spend | None = None) -> None:
        self.target = target
        self.spend = spend or Spend()
        """What this client's requests cost (the run's, when the plugin passes its Spend)."""
        self.base_url = base_url.rstrip("/")
        headers = {"Authorization": f"Bearer {target.api_key}", "User-Agent": f"openai-conformance/{__version__}", "Accept-Encoding": ACCEPT_ENCODING}
        if target.organization:
            headers["OpenAI-Organization"] = target.organization
        if target.project:
            headers["OpenAI-Project"] = target.project
        self._verify = tls.verification(target.ca_bundle, target.insecure)
        transport, self._deadline = deadlines.transport(self._verify)
        self._http = httpx.Client(
            base_url=self.base_url, headers=headers, timeout=target.request_timeout, transport=transport,
            follow_redirects=False,  # a redirect would carry the key to another host: it is the target's answer, checked as such
        )
        self.history = History()
        self._pacing = threading.Lock()
        self._next_send = 0.0

    def close(self) -> None:
        self._http.close()

    def request(
        self, method: str, path: str, *, json: object = OMIT, headers: dict | None = None,
        data: dict[str, str] | None = None, files: dict[str, tuple[str, bytes]] | None = None, content: bytes | None = None,
        retry_rate_limited: bool = True,
    ) -> Exchange:
        """``data`` and ``files`` (field -> (file name, content)) make a multipart request;
        ``content`` sends raw bytes as the body (e.g. JSON that does not parse).

        The body is read as it arrives, so that neither a trickle nor a huge body can hold the run:
        reading stops when no byte arrives within the request timeout, when the whole response
        takes longer than that, or past ``max_response_bytes``; the exchange keeps the status and
        headers and says why in ``transport_error``. ``retry_rate_limited``: see ``_retrying``.
        """
        request = self._build(method, path, json, headers or {}, data, files, content)

        def attempt() -> tuple[Exchange, str | None]:
            started = time.perf_counter()
            response = self._open(request)
            if isinstance(response, str):
                return self._exchange(request, path, None, started, response), response
            chunks, interrupted, late = self._read(response, started, "the body", self.target.request_timeout, self.target.max_response_bytes)
            response._content = b"".join(chunk for _, chunk in chunks)
            return self._exchange(request, path, response, started, interrupted), interrupted if late else None

        return self._unsent(request, path) or self._retrying(attempt, retry_rate_limited)

    def stream(self, method: str, path: str, *, json: object = OMIT, headers: dict | None = None, retry_rate_limited: bool = True) -> Exchange:
        """Send a request whose answer is a stream: its bytes are recorded as they arrive, with their times.

        Reading stops, and the exchange says why, when no byte arrives within the request timeout,
        when the whole stream takes longer than STREAM_DEADLINE_FACTOR times that, or past MAX_STREAM_BYTES.
        """
        request = self._build(method, path, json, headers or {})

        def attempt() -> tuple[Exchange, str | None]:
            started = time.perf_counter()
            response = self._open(request)
            if isinstance(response, str):
                return self._exchange(request, path, None, started, response), response
            deadline = STREAM_DEADLINE_FACTOR * self.target.request_timeout
            chunks, interrupted, _ = self._read(response, started, "the stream", deadline, MAX_STREAM_BYTES)
            # Give the response the body it would have after read(), so every check reads it the usual way.
            response._content = b"".join(chunk for _, chunk in chunks)
            # A stream that began is an answer, however slow (a trickled stream fails its own case): not counted as unanswered.
            return dataclasses.replace(self._exchange(request, path, response, started, None), stream=sse.Stream(tuple(chunks), interrupted)), None

        return self._unsent(request, path) or self._retrying(attempt, retry_rate_limited)

    @contextmanager
    def socket(self, path: str, *, headers: dict | None = None, params: dict | None = None) -> Iterator[ws.Socket]:
        """Open a WebSocket session on ``path`` (query ``params``) with the client's headers (the key, the client
        request id): the socket, bounded as websocket.py says; on leaving it is closed and ``socket.exchange`` is
        the session's Exchange. It counts as one request of the budget, and as unanswered when no handshake came."""
        request = self._build("GET", path, OMIT, headers or {})
        if params:
            request.url = request.url.copy_merge_params(params)
        if unsent := self._unsent(request, path):
            socket = ws.Socket(None, time.perf_counter(), self.target.request_timeout)
            socket.exchange = unsent
            yield socket
            return
        started = time.perf_counter()
        with ws.opening(request, tls.context(self._verify), self.target.request_timeout) as (socket, response, error):
            try:
                yield socket
            finally:
                socket.close()
                socket.exchange = dataclasses.replace(self._exchange(request, path, response, started, error), socket=socket.record())
                self.spend.count(socket.exchange, error)

    def _unsent(self, request: httpx.Request, path: str) -> Exchange | None:
        """Once the target stopped answering (--max-unanswered requests in a row), nothing more is sent: the case
        in progress and the clean-up get an exchange saying so at once, instead of waiting for more timeouts."""
        if stopped := self.spend.stopped_answering(self.target.max_unanswered):
            return self._exchange(request, path, None, time.perf_counter(), f"not sent: {stopped}")
        return None

    def _open(self, request: httpx.Request) -> httpx.Response | str:
        """Send and wait for the status and headers; a string says why none came."""
        try:
            return self._send(request, stream=True)
        except httpx.TimeoutException as exc:
            return f"no response within {self.target.request_timeout:g} s ({type(exc).__name__})"
        except httpx.TransportError as exc:
            return f"{type(exc).__name__}: {exc}"

    def _read(self, response: httpx.Response, started: float, noun: str, deadline: float, limit: int) -> tuple[list[tuple[float, bytes]], str | None, bool]:
        """Read a body as it arrives, with each chunk's arrival time; the reason it stopped early, if it did,
        and whether that was time or a broken connection (no whole answer in time) rather than size or coding."""
        chunks, size, interrupted, late = [], 0, None, False
        try:
            for chunk in response.iter_bytes():
                arrival = time.perf_counter() - started
                chunks.append((arrival, chunk))
                size += len(chunk)
                if size > limit:
                    interrupted = f"{noun} passed {limit} bytes without ending; stopped reading"
                    break
                if arrival > deadline:
                    interrupted, late = f"{noun} was still going after {deadline:g} s ({size} bytes); stopped reading", True
                    break
        except httpx.TimeoutException:
            interrupted, late = f"{noun} stalled: no byte for {self.target.request_timeout:g} s after {size} bytes", True
        except httpx.DecodingError as exc:  # not a TransportError: bytes arrived, but not in their Content-Encoding
            encoding = response.headers.get("content-encoding", "")
            interrupted = f"{noun} does not decode as its Content-Encoding {encoding!r} says, after {size} bytes: {exc}"
        except httpx.TransportError as exc:
            interrupted, late = f"the connection broke after {size} bytes: {type(exc).__name__}: {exc}", True
        finally:
            response.close()
        return chunks, interrupted, late

    def _retrying(self, attempt: Callable[[], tuple[Exchange, str | None]], enabled: bool) -> Exchange:
        """Resend a 429 as the official SDK does: at most ``max_retries`` times, after the answer's
        retry-after-ms or retry-after, or a backoff of 0.5 s doubling up to 8 s when it gives none.

        A rate limit of the key is not a verdict on the case: a run that meets one waits and goes on.
        The waits of one request stay within ``max_retry_wait``; a 429 asking for more is returned
        (the case then fails on its status). Each retry is noted on the exchange for the reports.
        Off (``enabled`` false) when the caller expects the 429 itself, e.g. the rate-limit case.
        """
        notes, waited = [], 0.0
        attempt = self._metered(attempt)
        exchange = attempt()
        while enabled and exchange.status == 429 and len(notes) < self.target.max_retries:
            wait, why = retry_wait(exchange.response.headers, len(notes))
            if waited + wait > self.target.max_retry_wait:
                notes.append(f"HTTP 429 not resent: it asks for {wait:g} s ({why}), past the --max-retry-wait of {self.target.max_retry_wait:g} s")
                break
            notes.append(f"HTTP 429 (x-request-id: {exchange.request_id or '-'}) resent after {wait:g} s ({why})")
            time.sleep(wait)
            waited += wait
            exchange = attempt()
        return dataclasses.replace(exchange, retries=tuple(notes)) if notes else exchange

    def _metered(self, attempt: Callable[[], tuple[Exchange, str | None]]) -> Callable[[], Exchange]:
        """Count every attempt, a resent 429 too: each is a request the target saw, answered in time or not."""
        def counted() -> Exchange:
            exchange, unanswered = attempt()
            self.spend.count(exchange, unanswered)
            return exchange

        return counted

    def _send(self, request: httpx.Request, stream: bool = False) -> httpx.Response:
        """Send; once more, on a fresh connection, when the connection dropped before any answer.

        A server may close a kept-alive connection as the next request arrives (RFC 9112 9.3); curl
        and the OpenAI SDK then resend, and so does the suite: otherwise the failure would land on
        whichever case came next. A server that drops every attempt still fails http.response.
        """
        try:
            self._pace()
            with self._deadline.until(self.target.request_timeout):  # the status and headers, however slowly they come
                return self._http.send(request, stream=stream)
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError):
            self._pace()
            with self._deadline.until(self.target.request_timeout):
                return self._http.send(request, stream=stream)

    def _pace(self) -> None:
        """``max_rps``: space this client's sends 1/N s apart (its threads share the schedule)."""
        if not self.target.max_rps:
            return
        with self._pacing:
            now = time.monotonic()
            send_at = max(now, self._next_send)
            self._next_send = send_at + 1 / self.target.max_rps
        time.sleep(send_at - now)

    def _build(self, method: str, path: str, json: object, headers: dict, data=None, files=None, content=None) -> httpx.Request:
        # A client request id on every request lets an operator find it in the target's logs.
        extra = {"X-Client-Request-Id": str(uuid.uuid4())}
        extra.update({k: v for k, v in headers.items() if v is not OMIT})
        kwargs = {} if json is OMIT else {"json": json}
        if content is not None:
            kwargs["content"] = content
        if files is not None:
            kwargs.update(data=data or {}, files=files)
        request = self._http.build_request(method, path, headers=extra, **kwargs)
        for name, value in headers.items():
            if value is OMIT:
                del request.headers[name]
        if files is not None:
            request.read()  # a multipart body is built lazily; the exchange (and its curl) needs it
            # Kept with the request so the exchange can name the fields and files (e.g. curl -F).
            request.extensions[_MULTIPART] = (dict(data or {}), tuple(
                Upload(f, name, len(content), hashlib.sha256(content).hexdigest()) for f, (name, content) in files.items()))
        return request

    def _exchange(self, request, path, response, started, error) -> Exchange:
        return Exchange(
            request=request,
            path=path.split("?", 1)[0],
            response=response,
            transport_error=error,
            elapsed=time.perf_counter() - started,
            secrets=(self.target.api_key,),
            history=self.history,
            **dict(zip(("form", "uploads"), request.extensions.get(_MULTIPART, ()))),
        )


def retry_wait(headers: httpx.Headers, retries: int) -> tuple[float, str]:
    """Seconds to wait before resending a 429, and where that figure comes from.

    retry-after-ms (milliseconds, sent by the real API) first, then retry-after (seconds or an
    HTTP date, RFC 9110 10.2.3); a value that is neither, or negative, counts as absent.
    """
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            seconds = float(value) * scale
        except ValueError:
            try:
                seconds = email.utils.parsedate_to_datetime(value).timestamp() - time.time()
            except (TypeError, ValueError):
                continue
        if math.isfinite(seconds) and seconds >= 0:
            return seconds, f"{name}: {value}"
    return min(BACKOFF_FIRST * 2 ** retries, BACKOFF_MAX), "no usable retry-after, so a backoff"

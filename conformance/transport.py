"""The suite's HTTP client: every request goes through here and comes back as an Exchange.

A transport failure (refused, reset, timed out) is a finding about the target, so it is
recorded on the exchange instead of raised; only the suite's own bugs raise.
"""

from __future__ import annotations

import dataclasses
import hashlib
import time
import uuid

import httpx

from conformance import __version__, sse
from conformance.config import Target
from conformance.exchange import Exchange, Upload
from conformance.history import History

OMIT = object()
"""Header value that removes a default header (e.g. ``Authorization``) from one request."""
_MULTIPART = "openai-conformance.multipart"
MAX_STREAM_BYTES = 1024 * 1024
"""The suite's requests are small (a few kilobytes streamed); a stream past this is not going to end."""
STREAM_DEADLINE_FACTOR = 2
"""A whole stream gets this many request timeouts: a server trickling keep-alives never stalls a read."""


class Client:
    def __init__(self, target: Target, base_url: str) -> None:
        self.target = target
        self.base_url = base_url.rstrip("/")
        headers = {"Authorization": f"Bearer {target.api_key}", "User-Agent": f"openai-conformance/{__version__}"}
        if target.organization:
            headers["OpenAI-Organization"] = target.organization
        if target.project:
            headers["OpenAI-Project"] = target.project
        self._http = httpx.Client(base_url=self.base_url, headers=headers, timeout=target.request_timeout)
        self.history = History()

    def close(self) -> None:
        self._http.close()

    def request(
        self, method: str, path: str, *, json: object = OMIT, headers: dict | None = None,
        data: dict[str, str] | None = None, files: dict[str, tuple[str, bytes]] | None = None, content: bytes | None = None,
    ) -> Exchange:
        """``data`` and ``files`` (field -> (file name, content)) make a multipart request;
        ``content`` sends raw bytes as the body (e.g. JSON that does not parse)."""
        request = self._build(method, path, json, headers or {}, data, files, content)
        started = time.perf_counter()
        try:
            response = self._send(request)
            response.read()
        except httpx.TimeoutException as exc:
            return self._exchange(request, path, None, started, f"no response within {self.target.request_timeout:g} s ({type(exc).__name__})")
        except httpx.TransportError as exc:
            return self._exchange(request, path, None, started, f"{type(exc).__name__}: {exc}")
        return self._exchange(request, path, response, started, None)

    def stream(self, method: str, path: str, *, json: object = OMIT, headers: dict | None = None) -> Exchange:
        """Send a request whose answer is a stream: its bytes are recorded as they arrive, with their times.

        Reading stops, and the exchange says why, when no byte arrives within the request timeout,
        when the whole stream takes longer than STREAM_DEADLINE_FACTOR times that, or past MAX_STREAM_BYTES.
        """
        request = self._build(method, path, json, headers or {})
        started = time.perf_counter()
        try:
            response = self._send(request, stream=True)
        except httpx.TimeoutException as exc:
            return self._exchange(request, path, None, started, f"no response within {self.target.request_timeout:g} s ({type(exc).__name__})")
        except httpx.TransportError as exc:
            return self._exchange(request, path, None, started, f"{type(exc).__name__}: {exc}")
        chunks, size, interrupted = [], 0, None
        deadline = STREAM_DEADLINE_FACTOR * self.target.request_timeout
        try:
            for chunk in response.iter_bytes():
                arrival = time.perf_counter() - started
                chunks.append((arrival, chunk))
                size += len(chunk)
                if size > MAX_STREAM_BYTES:
                    interrupted = f"the stream passed {MAX_STREAM_BYTES} bytes without ending; stopped reading"
                    break
                if arrival > deadline:
                    interrupted = f"the stream was still going after {deadline:g} s ({size} bytes); stopped reading"
                    break
        except httpx.TimeoutException:
            interrupted = f"the stream stalled: no byte for {self.target.request_timeout:g} s after {size} bytes"
        except httpx.TransportError as exc:
            interrupted = f"the connection broke after {size} bytes: {type(exc).__name__}: {exc}"
        finally:
            response.close()
        # Give the response the body it would have after read(), so every check reads it the usual way.
        response._content = b"".join(chunk for _, chunk in chunks)
        return dataclasses.replace(self._exchange(request, path, response, started, None), stream=sse.Stream(tuple(chunks), interrupted))

    def _send(self, request: httpx.Request, stream: bool = False) -> httpx.Response:
        """Send; once more, on a fresh connection, when the connection dropped before any answer.

        A server may close a kept-alive connection as the next request arrives (RFC 9112 9.3); curl
        and the OpenAI SDK then resend, and so does the suite: otherwise the failure would land on
        whichever case came next. A server that drops every attempt still fails http.response.
        """
        try:
            return self._http.send(request, stream=stream)
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError):
            return self._http.send(request, stream=stream)

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

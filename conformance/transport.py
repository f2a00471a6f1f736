"""The suite's HTTP client: every request goes through here and comes back as an Exchange.

A transport failure (refused, reset, timed out) is a finding about the target, so it is
recorded on the exchange instead of raised; only the suite's own bugs raise.
"""

from __future__ import annotations

import time
import uuid

import httpx

from conformance import __version__
from conformance.config import Target
from conformance.exchange import Exchange
from conformance.history import History

OMIT = object()
"""Header value that removes a default header (e.g. ``Authorization``) from one request."""


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

    def request(self, method: str, path: str, *, json: object = OMIT, headers: dict | None = None, content: bytes | None = None) -> Exchange:
        """``content`` sends raw bytes as the body (e.g. JSON that does not parse)."""
        request = self._build(method, path, json, headers or {}, content)
        started = time.perf_counter()
        try:
            response = self._http.send(request)
            response.read()
        except httpx.TimeoutException as exc:
            return self._exchange(request, path, None, started, f"no response within {self.target.request_timeout:g} s ({type(exc).__name__})")
        except httpx.TransportError as exc:
            return self._exchange(request, path, None, started, f"{type(exc).__name__}: {exc}")
        return self._exchange(request, path, response, started, None)

    def _build(self, method: str, path: str, json: object, headers: dict, content=None) -> httpx.Request:
        # A client request id on every request lets an operator find it in the target's logs.
        extra = {"X-Client-Request-Id": str(uuid.uuid4())}
        extra.update({k: v for k, v in headers.items() if v is not OMIT})
        kwargs = {} if json is OMIT else {"json": json}
        if content is not None:
            kwargs["content"] = content
        request = self._http.build_request(method, path, headers=extra, **kwargs)
        for name, value in headers.items():
            if value is OMIT:
                del request.headers[name]
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
        )

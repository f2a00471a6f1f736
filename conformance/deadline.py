"""A deadline on the wait for an answer's status line and headers, whatever the pace they arrive at.

httpx's timeouts bound each read, not their sum: a target that trickles its answer's head a byte a
second would hold every request for as long as the head is long (minutes), and the run for hours.
The suite's client (conformance/transport.py) sends through this network backend, which gives each
read and write no more than what is left of the deadline ``until()`` sets; past it, the read times out
as any other (httpx.ReadTimeout), and the request counts as unanswered (--max-unanswered).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpcore
import httpx


def transport(verify) -> tuple[httpx.HTTPTransport, Deadline]:
    """An httpx transport whose waits a ``Deadline`` cuts, and that deadline (httpx takes no backend of its own choosing)."""
    deadline = Deadline()
    http = httpx.HTTPTransport(verify=verify)
    http._pool._network_backend = deadline
    return http, deadline


class Deadline(httpcore.NetworkBackend):
    """httpcore's own backend, with every wait cut at the deadline of the request this thread is sending."""

    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()
        self._local = threading.local()  # the client's threads (e.g. --max-rps pacing) each send their own request

    @contextmanager
    def until(self, seconds: float) -> Iterator[None]:
        self._local.at = time.monotonic() + seconds
        try:
            yield
        finally:
            self._local.at = None

    def left(self, timeout: float | None) -> float | None:
        """The timeout of one wait: httpx's, cut to what is left of the deadline."""
        at = getattr(self._local, "at", None)
        if at is None:
            return timeout
        left = at - time.monotonic()
        if left <= 0:
            raise httpcore.ReadTimeout("the deadline of the answer's head passed")
        return left if timeout is None else min(timeout, left)

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None) -> httpcore.NetworkStream:
        return _Stream(self._inner.connect_tcp(host, port, self.left(timeout), local_address, socket_options), self)

    def connect_unix_socket(self, path, timeout=None, socket_options=None) -> httpcore.NetworkStream:
        return _Stream(self._inner.connect_unix_socket(path, self.left(timeout), socket_options), self)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _Stream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream, deadline: Deadline) -> None:
        self._inner, self._deadline = inner, deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._deadline.left(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._deadline.left(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context, server_hostname=None, timeout=None) -> httpcore.NetworkStream:
        return _Stream(self._inner.start_tls(ssl_context, server_hostname, self._deadline.left(timeout)), self._deadline)

    def get_extra_info(self, info: str):
        return self._inner.get_extra_info(info)

"""What the suite has already seen: lets a check compare an exchange with the session's earlier ones.

The Client keeps one History for the exchanges it makes and hands it to each Exchange, so a
check that needs state across exchanges (e.g. "x-request-id differs on every response") asks it
instead of keeping module globals. It keeps a short description per value, never bodies or keys,
so a long run stays small. A lock makes it safe for the threads of one process; pytest-xdist
workers are separate processes with a Client each, so "earlier" means earlier in the same worker.
"""

from __future__ import annotations

import threading
import weakref
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conformance.exchange import Exchange


class History:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._first: dict[tuple[str, str], tuple[weakref.ref, str]] = {}

    def earlier(self, kind: str, value: str, exchange: Exchange) -> str | None:
        """Record that ``exchange`` carries ``value`` (of ``kind``, e.g. ``"x-request-id"``).

        Returns a description of the earlier exchange that carried the same value first, or
        ``None`` when the value is new. Checking the same exchange again is not a repeat.
        """
        with self._lock:
            first = self._first.setdefault((kind, value), (weakref.ref(exchange.request), describe(exchange)))
        owner, description = first
        return None if owner() is exchange.request else description


def describe(exchange: Exchange) -> str:
    client_id = exchange.request.headers.get("x-client-request-id", "-")
    return f"{exchange.request.method} {exchange.path} (x-client-request-id: {client_id})"

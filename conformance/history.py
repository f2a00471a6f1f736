"""What the suite has already seen: lets a check compare an exchange with the session's earlier ones.

The Client keeps one History for the exchanges it makes and hands it to each Exchange, so a
check that needs state across exchanges (e.g. "x-request-id differs on every response") asks it
instead of keeping module globals. It knows nothing of exchanges (no import of them): callers say
who carries a value and how to describe it. It keeps a short description per value, never bodies or keys,
so a long run stays small. A lock makes it safe for the threads of one process; pytest-xdist
workers are separate processes with a Client each, so "earlier" means earlier in the same worker.
"""

from __future__ import annotations

import threading
import weakref


class History:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._first: dict[tuple[str, str], tuple[weakref.ref, str]] = {}

    def earlier(self, kind: str, value: str, owner: object, description: str) -> str | None:
        """Record that ``owner`` (e.g. an exchange's request; weakly held) carries ``value`` (of ``kind``, e.g. ``"x-request-id"``).

        Returns the description given with the owner that carried the same value first, or
        ``None`` when the value is new. The same owner again is not a repeat.
        """
        with self._lock:
            first = self._first.setdefault((kind, value), (weakref.ref(owner), description))
        earlier_owner, earlier_description = first
        return None if earlier_owner() is owner else earlier_description

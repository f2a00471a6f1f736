"""What a run spends on its target, requests and tokens (the sum of ``usage``), and the limits on it.

Every exchange counts: the hand-written cases' through ``transport.Client``, the generated ones'
through the generated runner, clean-up included. A paid API bills both, so one ``Spend`` per process
counts them all, and one ``--budget-requests`` / ``--budget-tokens`` bounds the whole run.

Shared across pytest-xdist workers without a server or a lock: each process writes its own counts
to a file of its own in one directory (replaced atomically) and reads the others' files. A worker
sees the others' spending as of their last case (or quarter of a second, inside a long generated
case), so the run can pass a budget by at most one case per worker.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from conformance.exchange import Exchange

REFRESH_SECONDS = 0.25
"""How stale the other workers' counts may be before they are read again."""


def tokens(exchange: Exchange) -> int:
    """The tokens an answer reports spending: its ``usage``, or that of the stream's last chunk carrying one.

    ``total_tokens`` where given, else input plus output (a transcription's usage, some servers' completions).
    A WebSocket session: every response it carried (each event's ``response`` with its usage: the terminal ones).
    """
    if exchange.socket is not None and exchange.turn is None:
        carried = [p["response"].get("usage") for p in exchange.socket.payloads if isinstance(p, dict) and isinstance(p.get("response"), dict)]
        return sum(_total(usage) for usage in carried if isinstance(usage, dict))
    bodies = [exchange.data] if exchange.stream is None else exchange.stream.payloads  # parsed once, shared with the checks
    for body in reversed(bodies):
        if isinstance(body, dict) and isinstance(body.get("response"), dict):
            body = body["response"]  # a Responses event carries it in its response (the terminal event's)
        usage = body.get("usage") if isinstance(body, dict) else None
        if isinstance(usage, dict) and (spent := _total(usage)):
            return spent
    return 0


def _total(usage: dict) -> int:
    def count(name: str) -> int:
        value = usage.get(name)
        return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0

    return count("total_tokens") or (count("prompt_tokens") + count("completion_tokens")) or (count("input_tokens") + count("output_tokens"))


class Spend:
    """Requests sent and tokens reported by this process, and the run's totals (all processes).

    ``directory``: where the processes of one run publish their counts (``None``: this process only).
    """

    def __init__(self, directory: Path | None = None, name: str = "main") -> None:
        self.requests = 0
        self.tokens = 0
        self._directory = directory
        self._file = directory / f"{name}.json" if directory else None
        self._others = (0, 0)
        self._read_at = float("-inf")
        self.unanswered: list[str] = []
        """Why each of the latest requests got no answer in time, oldest first: emptied by any answer (this process's)."""

    def count(self, exchange: Exchange | None, unanswered: str | None = None) -> None:
        """One request sent, and the tokens its answer reported (``None``: a request that got no answer).

        ``unanswered``: why no answer came in time (refused, reset, timed out, a body not whole in time), else ``None``.
        """
        self.requests += 1
        self.tokens += 0 if exchange is None else tokens(exchange)
        self.unanswered = [*self.unanswered, unanswered] if unanswered else []

    def count_elsewhere(self, exchange: Exchange) -> None:
        """The tokens of an answer the target gave outside the suite's requests (a batch's result line): spent all the same."""
        self.tokens += tokens(exchange)

    def stopped_answering(self, limit: int) -> str | None:
        """Why no further request should be sent once ``limit`` requests in a row got no answer (--max-unanswered)."""
        if len(self.unanswered) < limit:
            return None
        return (f"the target stopped answering ({len(self.unanswered)} requests in a row without an answer, "
                f"--max-unanswered={limit}; the last: {self.unanswered[-1]})")

    def total(self) -> tuple[int, int]:
        """The run's (requests, tokens) so far; re-reads the other processes' counts when stale."""
        if self._directory is not None and time.monotonic() - self._read_at > REFRESH_SECONDS:
            self.publish()
        return self.requests + self._others[0], self.tokens + self._others[1]

    def publish(self) -> None:
        """Write this process's counts for the others, and read theirs."""
        if self._directory is None:
            return
        partial = self._file.with_suffix(".tmp")
        partial.write_text(json.dumps({"requests": self.requests, "tokens": self.tokens}))
        os.replace(partial, self._file)  # a reader sees the old counts or the new, never half a file
        self._others = _sum(p for p in self._directory.glob("*.json") if p != self._file)
        self._read_at = time.monotonic()


def run_total(directory: Path) -> tuple[int, int]:
    """(requests, tokens) every process of a run published (the xdist controller's view at the end)."""
    return _sum(directory.glob("*.json"))


def _sum(paths) -> tuple[int, int]:
    requests = spent = 0
    for path in paths:
        try:
            counts = json.loads(path.read_text())
        except (OSError, ValueError):
            continue  # a worker that has not written yet
        requests += counts["requests"]
        spent += counts["tokens"]
    return requests, spent


@dataclass
class Budget:
    """Limits on a Spend: the run's requests and tokens, and optionally the wall time of one part of it
    (the generated requests' ``--budget-seconds``, counted from ``start()``)."""

    spend: Spend
    max_requests: int
    max_tokens: int
    max_seconds: float | None = None
    started: float | None = field(default=None, repr=False)

    def exhausted(self) -> str | None:
        """Why no further request may be sent, or ``None`` while the budget lasts."""
        return self.spent(*self.spend.total()) or self._out_of_time()

    def spent(self, requests: int, spent_tokens: int) -> str | None:
        """Which limit these totals reach, if any."""
        if requests >= self.max_requests:
            return f"request budget spent ({requests} of --budget-requests={self.max_requests})"
        if spent_tokens >= self.max_tokens:
            return f"token budget spent ({spent_tokens} of --budget-tokens={self.max_tokens}, summed from usage)"
        return None

    def start(self) -> None:
        if self.started is None:
            self.started = time.monotonic()

    def _out_of_time(self) -> str | None:
        if self.max_seconds is not None and self.started is not None and (elapsed := time.monotonic() - self.started) >= self.max_seconds:
            return f"time budget spent ({elapsed:.0f} s of --budget-seconds={self.max_seconds:g})"
        return None

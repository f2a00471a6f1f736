"""What a case talks to: every request it makes is checked before the case sees the answer.

A case states the request and the status it expects; every registered check that applies to
the exchange runs. ``must`` violations fail the case with their messages, ``should`` ones warn.
The case goes on after a step with must violations and fails once at its end (conformance/steps.py).
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from conformance.batches import BatchRun
from conformance.checks import Expect, Finding, Level, Outcome, evaluate
from conformance.exchange import Exchange
from conformance.pagination import Walk
from conformance.reporting import record
from conformance.resources import Resources
from conformance.steps import taken
from conformance.transport import OMIT, Client
from conformance.websocket import Socket


class ConformanceWarning(UserWarning):
    """A ``should`` check failed: reported, but the case passes."""


class Api:
    def __init__(self, client: Client, node: pytest.Item, resources: Resources | None = None) -> None:
        self._client = client
        self._node = node
        self._resources = resources

    def get(self, path: str, *, expect: int | tuple[int, ...], headers: dict | None = None, walk: Walk | None = None, same_as: Exchange | None = None,
            batch: BatchRun | None = None) -> Exchange:
        """``walk``: the pagination walk this page belongs to (conformance/pagination.py), checked as its context;
        ``batch``: likewise, the batch a retrieve or a result file belongs to (conformance/batches.py)."""
        return self.request("GET", path, expect=expect, headers=headers, walk=walk, same_as=same_as, batch=batch)

    def post(self, path: str, *, expect: int | tuple[int, ...], json: object = OMIT, headers: dict | None = None, param: str | None = None, **multipart) -> Exchange:
        """``data=`` and ``files=`` (field -> (file name, content)) send a multipart form instead of JSON; ``param``:
        the one parameter the body makes invalid, which the error should name."""
        return self.request("POST", path, expect=expect, json=json, headers=headers, param=param, **multipart)

    def delete(self, path: str, *, expect: int | tuple[int, ...], headers: dict | None = None) -> Exchange:
        return self.request("DELETE", path, expect=expect, headers=headers)

    def request(self, method: str, path: str, *, expect, json: object = OMIT, headers: dict | None = None, walk: Walk | None = None,
                same_as: Exchange | None = None, param: str | None = None, batch: BatchRun | None = None, **multipart) -> Exchange:
        """``same_as``: the earlier exchange this answer must match (e.g. the upload a file's content must equal)."""
        # A case that expects a 429 must see it: the client resends a 429 only when it is not the answer asked for.
        exchange = self._client.request(method, path, json=json, headers=headers, retry_rate_limited=429 not in Expect(expect).statuses, **multipart)
        if self._resources is not None:
            self._resources.track(exchange)  # before the checks: a failing case still cleans up
        self.verify(exchange, Expect(expect, _baseline(same_as), walk=walk, param=param, batch=batch))
        return exchange

    def stream(self, path: str, *, expect, json: dict, same_as: Exchange | None = None, headers: dict | None = None) -> Exchange:
        """POST ``json`` with ``stream: true`` and read the answer as it arrives; ``same_as``: the
        unstreamed answer of a deterministic target, which the streamed content must equal."""
        exchange = self._client.stream("POST", path, json={**json, "stream": True}, headers=headers, retry_rate_limited=429 not in Expect(expect).statuses)
        if self._resources is not None:
            self._resources.track(exchange)  # a streamed create (a stored response) is removed like any other
        self.verify(exchange, Expect(expect, _baseline(same_as)))
        return exchange

    @contextmanager
    def socket(self, path: str, *, expect: int | tuple[int, ...] = 101, params: dict | None = None, headers: dict | None = None) -> Iterator[Socket]:
        """A WebSocket session on ``path``: the case sends and receives inside the ``with``; when it leaves (however),
        the socket is closed and the session, one exchange, is verified by every check that applies to it."""
        try:
            with self._client.socket(path, params=params, headers=headers) as socket:
                try:
                    yield socket
                finally:
                    socket.close()
        finally:  # a case that stops mid-session (CannotContinue) still has its session judged
            self.verify(socket.exchange, Expect(expect))

    def spent_elsewhere(self, exchange: Exchange) -> None:
        """Count the tokens of an answer the target gave to no request of the suite's (a batch's result line) against the budget."""
        self._client.spend.count_elsewhere(exchange)

    def verify(self, exchange: Exchange, expect: Expect, skip: tuple[str, ...] = ()) -> None:
        """One step of the case: its must failures are noted, and fail the case when it ends. ``skip``: checks that do not apply
        (an answer read from a batch's output file has no headers of its own)."""
        outcomes = verify(self._node, exchange, expect, self._client.target.profile.levels, skip)
        answered = f"HTTP {exchange.status}" if exchange.response is not None else "no answer"
        if exchange.turn is not None:  # the answer to one event sent on a socket: say so, not the POST it stands for
            answered = "events" if exchange.stream is not None else "error event" if exchange.response is not None else "no answer"
        failed = [o.check.id for o, level in outcomes if level is Level.MUST and o.violations]
        sent = f"{exchange.request.method} {exchange.path}" if exchange.turn is None else f"event #{exchange.turn} on the socket {exchange.path}"
        taken(self._node, f"{sent} -> {answered}", must_failures(outcomes), failed)


def _baseline(same_as: Exchange | None) -> Exchange | None:
    """An earlier answer to compare with, when it succeeded: a failed one is its own step's finding, not a baseline."""
    return same_as if same_as is None or same_as.ok else None


def verify(node: pytest.Item, exchange: Exchange, expect: Expect, levels: dict[str, str], skip: tuple[str, ...] = (),
           evidence: Callable[[Finding], bool] | None = None) -> list[tuple[Outcome, Level]]:
    """Judge an exchange for a case, its outcomes recorded on the case (``judge``'s, returned)."""
    outcomes = judge(exchange, expect, levels, skip, evidence)
    record.verification(node, exchange, outcomes)
    return outcomes


def judge(exchange: Exchange, expect: Expect, levels: dict[str, str], skip: tuple[str, ...] = (),
          evidence: Callable[[Finding], bool] | None = None) -> list[tuple[Outcome, Level]]:
    """Every applicable check's outcome at the level in force (a profile may raise it); ``should``
    violations are issued as ConformanceWarnings here, so every caller reports them the same way.

    ``evidence``: whether a finding rests on what the target sent (not, e.g., on a header a recorder
    redacted); findings that do not are dropped, and a check left with none of its findings is not
    judged: left out, neither passed nor failed."""
    outcomes = []
    for outcome in evaluate(exchange, expect):
        if outcome.check.id in skip:
            continue
        if evidence is not None and outcome.violations:
            kept = tuple(v for v in outcome.violations if evidence(v.finding))
            if not kept:
                continue
            outcome = dataclasses.replace(outcome, violations=kept)
        outcomes.append((outcome, Level(levels.get(outcome.check.id, outcome.check.level))))
    for outcome, level in outcomes:
        if level is Level.SHOULD:
            for violation in outcome.violations:
                warnings.warn(ConformanceWarning(violation.message()), stacklevel=3)
    return outcomes


def must_failures(outcomes: list[tuple[Outcome, Level]]) -> str:
    """The messages of the ``must`` violations, one paragraph each ("" when there are none)."""
    return "\n\n".join(v.message() for o, level in outcomes if level is Level.MUST for v in o.violations)

"""The check mechanism: named, levelled functions over a recorded exchange that yield findings.

A check declares when it applies (a predicate on the exchange) and yields ``Finding``s; the
runner turns them into ``Violation``s carrying everything a failure message needs. Cases never
assert by hand: they state the expected status and every applicable check runs.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from conformance.exchange import Exchange

if TYPE_CHECKING:
    from conformance.batches import BatchRun
    from conformance.pagination import Walk


class Level(enum.StrEnum):
    MUST = "must"
    """A violation fails the case (and the gate)."""
    SHOULD = "should"
    """A violation is reported as a warning; the case still passes."""


@dataclass(frozen=True)
class Expect:
    """What the case expects of an exchange, beyond what the reference fixes for its operation."""

    status: int | tuple[int, ...]
    same_as: Exchange | None = None
    """A deterministic target's earlier answer to the same request that this one must match (e.g. unstreamed)."""
    walk: Walk | None = None
    """For one page of a pagination walk (conformance/pagination.py): the walk so far, for checks across pages."""
    param: str | None = None
    """For a request made invalid in one parameter (conformance/invalid_requests.py): that parameter, e.g. ``messages[0].role``."""
    batch: BatchRun | None = None
    """For a batch's retrieves and its files (conformance/batches.py): what the case sent and saw of it, for checks across them."""
    code: str | None = None
    """For a refusal the reference names: the error code it carries, e.g. ``previous_response_not_found``."""

    @property
    def statuses(self) -> tuple[int, ...]:
        return self.status if isinstance(self.status, tuple) else (self.status,)


@dataclass(frozen=True)
class Finding:
    expected: str
    seen: str
    pointer: str = ""
    """JSON pointer into the response body, ``header:<name>``, or ``""`` for the exchange."""
    section: str = ""
    """The reference section, when more specific than the check's (e.g. the operation's)."""
    also: str = ""
    """What the check saw of the same kind and left out of its findings (repeats of this one, those past a cap)."""


@dataclass(frozen=True)
class Check:
    id: str
    level: Level
    section: str
    summary: str
    applies: Callable[[Exchange], bool]
    run: Callable[[Exchange, Expect], Iterable[Finding]]
    within: Callable[[Expect], bool] | None = None
    """When set, the check runs only where the case's expectation provides its context (e.g. a walk)."""


REGISTRY: dict[str, Check] = {}


def check(id: str, level: Level, section: str, applies: Callable[[Exchange], bool] = lambda ex: True,
          within: Callable[[Expect], bool] | None = None):
    """Register a check; its docstring's first line is its summary. ``within``: see Check.within."""

    def register(func: Callable[[Exchange, Expect], Iterable[Finding]]):
        if id in REGISTRY:
            raise ValueError(f"check {id!r} registered twice")
        summary = (func.__doc__ or "").strip().splitlines()[0]
        REGISTRY[id] = Check(id, level, section, summary, applies, func, within)
        return func

    return register


@dataclass(frozen=True)
class Violation:
    check: Check
    finding: Finding
    exchange: Exchange

    def message(self) -> str:
        ex, f = self.exchange, self.finding
        lines = [
            f"[{self.check.level}] {self.check.id}: {self.check.summary}",
            f"  reference: {f.section or self.check.section}",
            f"  expected:  {f.expected}",
            f"  seen:      {ex.redact(f.seen)}",
        ]
        if f.pointer:
            lines.append(f"  at:        {f.pointer}")
        if f.also:
            lines.append(f"  also:      {f.also}")
        client_id = ex.request.headers.get("x-client-request-id", "-")
        lines.append(f"  request:   {ex.request.method} {ex.redact(str(ex.request.url))}  x-request-id: {ex.request_id or '(none)'}  x-client-request-id: {client_id}")
        if ex.source is not None:  # the answer was read elsewhere (a recording, a batch's result file), not answered to this request
            lines.append(f"  read from: {ex.source['file']} #{ex.source['index']}")
        lines += [f"  retried:   {note}" for note in ex.retries]
        lines.append(f"  reproduce: {ex.curl()}")
        return "\n".join(lines)


@dataclass(frozen=True)
class Outcome:
    check: Check
    violations: tuple[Violation, ...]

    @property
    def passed(self) -> bool:
        return not self.violations


def evaluate(exchange: Exchange, expect: Expect) -> Iterator[Outcome]:
    """Run every registered check that applies to the exchange."""
    for chk in REGISTRY.values():
        if chk.applies(exchange) and (chk.within is None or chk.within(expect)):
            findings = chk.run(exchange, expect)
            yield Outcome(chk, tuple(Violation(chk, f, exchange) for f in findings))


def shorten(value: object, limit: int = 200) -> str:
    """A value as it appears in a message: its JSON-ish repr, cut to ``limit`` characters."""
    text = repr(value) if not isinstance(value, str) else value
    return text if len(text) <= limit else text[:limit] + f"… ({len(text)} chars)"


def numbering(items: object, wanted: int, noun: str) -> tuple[str, str] | None:
    """(expected, seen) when ``items`` are not ``wanted`` objects with indices 0..wanted-1 (choices, embeddings).

    Where an object has no integer index (the schema's finding), only their number is judged: which one is
    missing or repeated would be a guess, and an index the server never sends is not a second departure.
    """
    objects = [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []
    found = sorted(item["index"] for item in objects if type(item.get("index")) is int)  # type is: a bool is no index
    if len(found) < len(objects):
        return None if len(objects) == wanted else (f"{wanted} {noun}(s)", f"{len(objects)} {noun}(s), not all with an index")
    return None if found == list(range(wanted)) else (f"{wanted} {noun}(s) with indices {list(range(wanted))}", f"indices {found}")


def succeeded(operation_key: str) -> Callable[[Exchange], bool]:
    """Applies to a 2xx JSON object answer to the given operation (e.g. ``"GET /models"``)."""
    return lambda ex: ex.ok and ex.operation is not None and ex.operation.key == operation_key and isinstance(ex.data, dict)


def expects_json(ex: Exchange) -> bool:
    """A response whose body the reference makes JSON: every error, and successes of JSON operations.

    Not a 204 (it has no body), nor an event stream of an operation the suite does not know (the reference
    streams Assistants runs asked with stream: true) or asked for with stream=true in the query (GET
    /responses/{id}?stream=true); stream: true in the body of a known operation selects its media (Operation.media).
    """
    if ex.response is None or ex.status == 204 or (ex.socket is not None and (ex.ok or ex.turn is not None)):
        return False  # no HTTP body: a 204, the 101 that opened a socket (its frames are the session's checks'), an event answered on it
    if ex.failed:
        return True
    if _event_stream(ex) and (ex.operation is None or ex.request.url.params.get("stream") == "true"):
        return False
    return ex.operation is None or (ex.media is not None and ex.media.json)


def _event_stream(ex: Exchange) -> bool:
    return ex.response.headers.get("content-type", "").split(";")[0].strip().lower() == "text/event-stream"

"""Schemathesis's view of an exchange turned into ours, and the suite's checks as a schemathesis check.

One rule is implemented once: a generated exchange is checked by the same ``conformance.checks``
functions as a hand-written case, through ``openai_conformance``, which any schemathesis run can use
(``case.call_and_validate(additional_checks=[openai_conformance])``).
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from urllib.parse import urlsplit

import httpx
import schemathesis
from schemathesis.core.failures import Failure
from schemathesis.core.parameters import ParameterLocation

from conformance import operations, sse
from conformance.api import judge, must_failures
from conformance.checks import Expect, Level, Outcome
from conformance.exchange import Exchange
from conformance.invalid_requests import invalid_only_by_nulls

Recorder = Callable[[Exchange, list[tuple[Outcome, Level]]], None]


class ConformanceFailure(Failure):
    """One or more ``must`` checks of the suite failed on a generated exchange."""

    code = "OC100"
    kind_title = "openai-conformance check failed"


CONTEXT: contextvars.ContextVar[tuple[tuple[str, ...], dict[str, str], Recorder | None]] = contextvars.ContextVar("openai_conformance")
"""Set by the runner around a validation: the secrets to redact, the profile's check levels and
where outcomes are recorded (none of them when a plain schemathesis run uses the check)."""


UNOBSERVED = ("stream.incremental",)
"""Checks that judge what schemathesis does not observe: it reads a stream whole, so when each event arrived is unknown."""


def to_exchange(case: schemathesis.Case, response: schemathesis.Response, secrets: tuple[str, ...] = ()) -> Exchange:
    sent = response.request
    request = httpx.Request(sent.method, sent.url, headers=dict(sent.headers), content=body_bytes(sent.body))
    headers = [(name, value) for name, values in response.headers.items() for value in values]
    # requests has decoded the body (conformance/fuzzing/bounded.py): given as content=, httpx would decode
    # it once more by its Content-Encoding header (gzip: "incorrect header check"), so it is set as read.
    answer = httpx.Response(response.status_code, headers=headers, stream=httpx.ByteStream(response.content), request=request)
    answer._content = response.content
    stream = None
    # Schemathesis stops reading a stream after max_stream_events: the rest was never seen, so the
    # stream checks (which judge whole streams) do not apply to what it read.
    if "event-stream" in answer.headers.get("content-type", "") and not response.stream_cut_short:
        interrupted = "schemathesis stopped reading the stream (its event limit or the request timeout)" if response.stream_cut_short else None
        stream = sse.Stream(((response.elapsed, response.content),), interrupted)
    return Exchange(request, _relative_path(case, sent.url), answer, elapsed=response.elapsed, secrets=secrets, stream=stream)


def body_bytes(body: object) -> bytes:
    if body is None:
        return b""
    return body.encode() if isinstance(body, str) else bytes(body)


def _relative_path(case: schemathesis.Case, url: str) -> str:
    """The path relative to the base URL (``/models/x``), as the operations table spells it."""
    path = urlsplit(url).path
    formatted = case.formatted_path
    return formatted if path.endswith(formatted) else path


@schemathesis.check
def openai_conformance(ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case) -> None:
    """Run every applicable check of ``conformance.checks`` on the exchange."""
    secrets, levels, recorder = CONTEXT.get(((), {}, None))
    exchange = to_exchange(case, response, secrets)
    outcomes = judge(exchange, expected(case), levels, skip=UNOBSERVED)
    if recorder is not None:
        recorder(exchange, outcomes)
    if failures := must_failures(outcomes):
        raise ConformanceFailure(operation=case.operation.label, message=failures)


def expected(case: schemathesis.Case) -> Expect:
    """The statuses the reference allows for a generated request.

    A valid request succeeds; one whose body, query or path breaks the document gets 400, the
    reference's status for a validation error (not 422, not 5xx); a request naming a resource by
    id may also find none (404). A request that is unusual only in its headers (a stray
    Content-Type on a GET) may be served or refused (400, 415): the reference does not say. Nor does
    it for a body invalid only by nulls for optional parameters: served (the reference's way) or 400.
    """
    lookup = (404,) if "{" in case.operation.path else ()
    documented = [int(code) for code in case.operation.definition.raw.get("responses", {}) if code.isdigit() and code.startswith("2")]
    success = (*(documented or [200]), *lookup)
    meta = case.meta
    if meta is None or not meta.generation.mode.is_negative:
        return Expect(success)
    if any(meta.is_negative_at(location) for location in _VALIDATED):
        if not meta.is_negative_at(ParameterLocation.QUERY) and not meta.is_negative_at(ParameterLocation.PATH) \
                and invalid_only_by_nulls(operations.match(case.method.upper(), case.formatted_path)[0], case.body):
            return Expect((*success, 400))  # null for an optional parameter: the reference accepts it (or may refuse it)
        return Expect((400, *lookup))
    return Expect((*success, 400, 415))


_VALIDATED = (ParameterLocation.BODY, ParameterLocation.QUERY, ParameterLocation.PATH)

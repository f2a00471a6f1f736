"""One generated request: made affordable, sent within the budget, checked like any case, recorded.

A generated body keeps what the generator chose except where that would cost money or test the
target's model list instead of its validation: the model is the one configured for the operation's
capability, and a valid request asks for at most MAX_TOKENS tokens and MAX_CHOICES choices.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from typing import NoReturn

import httpx
import hypothesis
import pytest
import requests
import schemathesis
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.engine.recorder import ScenarioRecorder

from conformance import operations
from conformance.openapi import schema_files
from conformance.checks import Level, evaluate
from conformance.config import Target
from conformance.exchange import KEY_PLACEHOLDER, MIN_REDACTED_LENGTH, Exchange
from conformance.fuzzing import adapter, bounded, failures
from conformance.budget import Budget
from conformance.fuzzing.settings import CHECKS as SCHEMATHESIS_CHECKS
from conformance.missing_route import UnknownRoute, route_missing
from conformance.profile import CAPABILITIES
from conformance.reporting import record
from conformance.samples import TOKEN_IDS
from conformance.resources import BETA, Resources
from conformance.transport import ACCEPT_ENCODING

MAX_TOKENS = 16
MAX_CHOICES = 2
MAX_TEXT = 200
"""Characters of a top-level string of a valid body (an input to speak, a prompt)."""
TOKEN_LIMITS = ("max_tokens", "max_completion_tokens", "max_output_tokens")
TOKEN_ARRAYS = ("prompt", "input")
"""Where a valid body may hold token ids (completions, embeddings): made ids every vocabulary holds."""
SHRINK_REQUESTS = 30
SHRINK_SECONDS = 60
"""What a generated case may spend once it failed (Hypothesis goes on generating, then shrinks the failure):
unbounded, shrinking a sequence took 360 requests of the run's budget against the emulator, and a generated
chat case 146 s against LiteLLM. The case then fails with its first failure, whichever bound ended it;
the count of requests is the bound a healthy target meets, so the verdict does not depend on timing."""
MAX_FAILING_RECORDS = 5
"""Failing exchanges recorded per operation: shrinking sends many, the report needs a few."""

_UNIMPLEMENTED = (404, 405, 501)
_RECORDED = pytest.StashKey[dict]()


def capability(method: str, path: str) -> str | None:
    """The profile capability an operation needs (from the operations table; None for one it lacks)."""
    # The official document spells some variants as paths with a query ("/responses?beta=true").
    operation, _ = operations.match(method.upper(), path.split("?", 1)[0])
    return operation.capability if operation else None


class Runner:
    def __init__(self, target: Target, base_url: str, budget: Budget, node: pytest.Item, resources: Resources,
                 unknown_route: Callable[[], UnknownRoute]) -> None:
        self.target = target
        self.unknown_route = unknown_route
        """The target's answer to a route that cannot exist, asked for once, when a 404 first needs it."""
        self.resources = resources
        self.base_url = base_url
        self.budget = budget
        self.node = node
        load_all_checks()
        self.checks = [c for c in CHECKS.get_all() if c.__name__ in SCHEMATHESIS_CHECKS] + [adapter.openai_conformance]

    def run(self, case: schemathesis.Case) -> None:
        """Send one generated request and check the answer."""
        self.check(case, self.send(case))

    def send(self, case: schemathesis.Case) -> schemathesis.Response:
        """Send a request within the budget; skip when the budget is spent or the target lacks the operation."""
        recorded = self._recorded()
        if recorded["failure"] and case.meta is not None and case.meta.phase.name.value == "coverage":
            hypothesis.reject()  # boundary cases are not shrunk: after one failed, the rest would only repeat it
        if reason := self._stop_reason():
            if recorded["failure"]:
                raise GenerationStopped(reason)  # the failure found so far is the verdict (see report_stopped)
            pytest.skip(f"not run: {reason} ({case.operation.label}: the rest of its generated requests)")
        recorded["after_failure"] += bool(recorded["failure"])
        self.budget.start()  # --budget-seconds counts from the first generated request
        self._prepare(case)
        headers = {"Authorization": f"Bearer {self.target.api_key}", "X-Client-Request-Id": str(uuid.uuid4()), "Accept-Encoding": ACCEPT_ENCODING}
        if self.target.organization:
            headers["OpenAI-Organization"] = self.target.organization
        if self.target.project:
            headers["OpenAI-Project"] = self.target.project
        if capability(case.method, case.operation.path) == "assistants":
            headers.update(BETA)  # the assistants API answers 400 without it
        try:
            with bounded.session(self.target) as session:  # the body read within the suite's bounds, not all at once
                response = case.call(base_url=self.base_url, headers=headers, timeout=self.target.request_timeout, session=session)
        except requests.RequestException as error:
            late = not isinstance(error, bounded.BodyNotComplete) or error.late  # too big or badly coded is an answer
            self.budget.spend.count(None, f"{type(error).__name__}: {error}" if late else None)
            self._fail_transport(case, error)
        exchange = adapter.to_exchange(case, response, self._secrets)
        self.resources.track(exchange)  # before any check: a failing request still leaves nothing behind
        self.budget.spend.count(exchange)
        if exchange.status in _UNIMPLEMENTED and _plain(case.path_parameters) and (why := unimplemented(exchange, self.unknown_route())):
            pytest.skip(f"{case.operation.label}: the target does not implement this operation (HTTP {exchange.status}: {why})")
        return response

    def check(self, case: schemathesis.Case, response: schemathesis.Response) -> None:
        """schemathesis's checks and the suite's on one answer; a failure fails the test with every message.

        Every failure is recorded on the exchange it judged: the answer, or a request a check sent
        itself (``ignored_auth`` resends the request with invalid credentials), kept by ``probes``.
        """
        judged: list[tuple[Exchange, list]] = []
        probes = ScenarioRecorder(label=case.operation.label)
        token = adapter.CONTEXT.set((self._secrets, self.target.profile.levels, lambda ex, outcomes: judged.append((ex, outcomes))))
        try:
            case.validate_response(response, checks=self.checks, headers=dict(response.request.headers), recorder=probes)
        except FailureGroup as group:
            message = _without_secrets(str(group.args[0] if group.args else group), self._secrets)
            self._failed(message)
            self._record_all(case, response, judged, probes, group.exceptions)
            pytest.fail(message, pytrace=False)
        finally:
            adapter.CONTEXT.reset(token)
        self._record_all(case, response, judged, probes, ())

    def _record_all(self, case: schemathesis.Case, response: schemathesis.Response, judged: list, probes: ScenarioRecorder,
                    found: tuple[Exception, ...]) -> None:
        """The suite's outcomes and schemathesis's failures, each on the exchange it judged."""
        exchange, outcomes = judged[0] if judged else (adapter.to_exchange(case, response, self._secrets), [])
        sent = {}
        for case_id, interaction in probes.interactions.items():
            if case_id != case.id and interaction.response is not None:
                sent[case_id] = adapter.to_exchange(probes.cases[case_id].value, interaction.response, self._secrets)
                self.resources.track(sent[case_id])  # a probe the target accepted may have created something
        section = self.node.get_closest_marker("reference").args[0]
        # Where the suite's own checks failed the answer, schemathesis's restate them (a 500 is also
        # not_a_server_error and status_code_conformance): one root cause, reported once.
        restated = any(level is Level.MUST and not o.passed for o, level in outcomes)
        for failure in (f for f in found if isinstance(f, Failure) and not isinstance(f, adapter.ConformanceFailure)):
            if probe := sent.get(failure.case_id):
                self._record(probe, [(failures.outcome(failure, probe, section), Level.MUST)])
            elif not restated:
                outcomes = [*outcomes, (failures.outcome(failure, exchange, section), Level.MUST)]
        if outcomes:
            self._record(exchange, outcomes)

    @property
    def _secrets(self) -> tuple[str, ...]:
        return (self.target.api_key,)

    def _prepare(self, case: schemathesis.Case) -> None:
        needed = capability(case.method, case.operation.path)
        model = self.target.models.of(needed)
        if model and case.method.upper() == "GET" and isinstance(case.path_parameters, dict) and "model" in case.path_parameters:
            case.path_parameters["model"] = model
        body = case.body
        if not isinstance(body, dict):
            return
        if model and isinstance(body.get("model"), str):
            body["model"] = model  # an unknown model would get 404 before the body is validated
        if case.meta is None or not case.meta.generation.mode.is_positive:
            return  # an invalid body keeps every value: clamping one could make it valid
        if model and "model" not in body and _requires_model(case):
            body["model"] = model  # a document that leaves it optional (the official CreateResponse) where the API requires it
        case.body = body = _integral(body)
        limits = [name for name in TOKEN_LIMITS if name in body]
        for name in limits or [n for n in TOKEN_LIMITS if n in _declared(case)][:1]:
            if not isinstance(body.get(name), int) or isinstance(body.get(name), bool) or body[name] > MAX_TOKENS:
                body[name] = MAX_TOKENS
        for name in (n for n in TOKEN_ARRAYS if n in body):
            body[name] = common_tokens(body[name])
        if isinstance(body.get("n"), int) and body["n"] > MAX_CHOICES:
            body["n"] = MAX_CHOICES
        for name, value in body.items():
            if isinstance(value, str) and len(value) > MAX_TEXT and name != "model":
                body[name] = value[:MAX_TEXT]  # speech is billed by the character, outside the token budget
        streaming = f"{needed}-streaming"
        if body.get("stream") and streaming in CAPABILITIES and streaming not in self.target.profile.capabilities:
            body["stream"] = False

    def _record(self, exchange: Exchange, outcomes) -> None:
        """Record an exchange that shows something new: a check not yet seen on this operation, or a failure."""
        seen = self._recorded()
        ids = {o.check.id for o, _ in outcomes}
        failing = any(not o.passed for o, _ in outcomes)
        if ids - seen["checks"] or (failing and seen["failing"] < MAX_FAILING_RECORDS):
            seen["checks"] |= ids
            seen["failing"] += failing
            record.verification(self.node, exchange, outcomes)

    def _recorded(self) -> dict:
        return _recorded(self.node)

    def _failed(self, message: str) -> None:
        recorded = self._recorded()
        if recorded["failure"] is None:
            recorded.update(failure=message, failed_at=time.monotonic())

    def _stop_reason(self) -> str | None:
        """Why this case may send nothing more: the target stopped answering (this case's requests, or the run's),
        the run's budget, the bound on shrinking."""
        recorded = self._recorded()
        if recorded["unanswered"]:
            return "the target stopped answering"  # shrinking would only wait for more timeouts
        if reason := self.budget.exhausted() or self.budget.spend.stopped_answering(self.target.max_unanswered):
            return reason
        if recorded["after_failure"] >= SHRINK_REQUESTS:
            return f"{SHRINK_REQUESTS} requests sent to shrink it"
        if recorded["failure"] and time.monotonic() - recorded["failed_at"] >= SHRINK_SECONDS:
            return f"{SHRINK_SECONDS} s spent shrinking it"
        return None

    def _fail_transport(self, case: schemathesis.Case, error: requests.RequestException):
        sent = error.request
        request = httpx.Request(sent.method, sent.url, headers=dict(sent.headers), content=adapter.body_bytes(sent.body)) if sent is not None else httpx.Request(case.method, self.base_url + case.formatted_path)
        exchange = Exchange(request, case.formatted_path, None, transport_error=f"{type(error).__name__}: {error}", secrets=self._secrets)
        outcomes = [(o, o.check.level) for o in evaluate(exchange, adapter.expected(case))]
        message = "\n\n".join(v.message() for o, _ in outcomes for v in o.violations)
        self._failed(message)
        self._recorded()["unanswered"] = True
        self._record(exchange, outcomes)
        pytest.fail(message, pytrace=False)


class GenerationStopped(BaseException):
    """Ends a case's generation at once, shrinking included, after it found a failure (``report_stopped``).

    Not an Exception, so Hypothesis does not shrink it as one more failure. Hypothesis may still wrap it
    (an example that stops where it went on before is "flaky"): whatever it raises while this one is on its
    way out is the stop, never the suite's error. ``reject()`` here made the replay of the failure for its
    report "flaky" (issue 19: exit 3 with seed 2649592641).
    """


def stopped_by(error: BaseException) -> GenerationStopped | None:
    """The stop behind what a generated case raised (itself, what it was raised while handling, or a member)."""
    seen: set[int] = set()
    pending = [error]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, GenerationStopped):
            return current
        pending += [current.__context__, current.__cause__, *getattr(current, "exceptions", ())]
    return None


def _recorded(node: pytest.Item) -> dict:
    """What a case's generation found so far: checks seen, failing exchanges recorded, its first failure's
    message and when it came, requests sent since, whether the target stopped answering."""
    return node.stash.setdefault(_RECORDED, {"checks": set(), "failing": 0, "failure": None, "failed_at": None,
                                                  "after_failure": 0, "unanswered": False})


def report_stopped(item: pytest.Item, stop: GenerationStopped) -> NoReturn:
    """A generation stopped after a failure fails with that failure, found before the stop: the verdict stands."""
    pytest.fail(f"{_recorded(item)['failure']}\n\n(generation stopped after this failure: {stop})", pytrace=False)


def unimplemented(exchange: Exchange, unknown: UnknownRoute) -> str | None:
    """Why an answer says the route does not exist (rather than that a resource was not found), or ``None``."""
    return route_missing(exchange.status, exchange.data, unknown)


def common_tokens(value: object) -> object:
    """Token ids (an array of them, or arrays of them) below TOKEN_IDS: which ids exist is the model's business,
    and a valid request with an id the target's vocabulary lacks gets a legal 400 (llama.cpp's server)."""
    def ids(items: object) -> bool:
        return isinstance(items, list) and bool(items) and all(isinstance(t, int) and not isinstance(t, bool) for t in items)

    if ids(value):
        return [t % TOKEN_IDS for t in value]
    if isinstance(value, list) and value and all(ids(v) for v in value):
        return [[t % TOKEN_IDS for t in v] for v in value]
    return value


def _integral(value: object) -> object:
    """0.0 as 0: JSON Schema counts an integral number as an integer, a server (and the reference's own
    SDKs) reads 0.0 as a float; every schema that accepts 0.0 accepts 0."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _integral(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_integral(v) for v in value]
    return value


def _plain(parameters: object) -> bool:
    """Path parameters that cannot miss the route (a generated "a/b" can), so a 404 speaks of the route."""
    return not parameters or all(re.fullmatch(r"[\w.-]+", str(v)) for v in parameters.values())


def _requires_model(case: schemathesis.Case) -> bool:
    """The suite's own request schema of the operation requires ``model`` (as the API does)."""
    operation, _ = operations.match(case.method.upper(), case.operation.path.split("?", 1)[0])
    return operation is not None and operation.request is not None and "model" in schema_files()[operation.request].get("required", ())


def _declared(case: schemathesis.Case) -> set[str]:
    """Top-level properties the operation's request body declares (including through allOf)."""
    names: set[str] = set()
    for body in case.operation.body:
        schema = body.resolved_schema if isinstance(body.resolved_schema, dict) else {}
        for part in [schema, *schema.get("allOf", [])]:
            names |= set(part.get("properties", {})) if isinstance(part, dict) else set()
    return names


def _without_secrets(text: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        if len(secret) >= MIN_REDACTED_LENGTH:  # as Exchange.redact: a key like "x" is not replaced in every word
            text = text.replace(secret, KEY_PLACEHOLDER)
    return text


"""What each verified exchange leaves behind: check outcomes, the redacted exchange, allure steps.

``Api.verify`` calls ``verification`` once per exchange. The check outcomes go into the case's
``user_properties`` (junit.xml shows them); the redacted exchange with its check results goes
into the item's stash and from there onto the test report as the attribute ``conformance_exchanges``,
which pytest and xdist serialise like any report attribute. Exchanges stay out of
``user_properties`` because junit.xml writes every user property into the XML.

Everything recorded is redacted here, once: the API key never reaches a report, an attachment or a log.
"""

from __future__ import annotations

import contextlib
import json

import allure
import httpx
import pytest

from conformance.checks.base import Level, Outcome, shorten
from conformance.exchange import KEY_PLACEHOLDER, Exchange
from conformance.websocket import record as socket_record

REPORT_ATTRIBUTE = "conformance_exchanges"
BODY_LIMIT = 4000
"""Characters of a body kept in reports: enough to read an error or a completion, small enough for nightly history."""

_RECORDS = pytest.StashKey[list[dict]]()
_TEXT_TYPES = ("json", "text/", "event-stream", "xml", "x-www-form-urlencoded")
# Credentials hide however short the key is; cookies are session credentials of their own.
CREDENTIAL_HEADERS = {"authorization", "proxy-authorization", "api-key", "x-api-key"}
COOKIE_HEADERS = {"cookie", "set-cookie"}


def verification(node: pytest.Item, exchange: Exchange, outcomes: list[tuple[Outcome, Level]]) -> None:
    """Record one verified exchange; ``outcomes`` pairs each check's outcome with the level in force."""
    node.user_properties.append(("request-id", exchange.request_id or ""))
    if exchange.retries:
        node.user_properties.append(("retries", "; ".join(exchange.retries)))
    for outcome, level in outcomes:
        node.user_properties.append((f"check:{outcome.check.id}", f"{'pass' if outcome.passed else 'fail'}/{level}"))
    entry = {**exchange_record(exchange), "checks": check_records(exchange, outcomes)}
    node.stash.setdefault(_RECORDS, []).append(entry)
    if getattr(node.config.option, "allure_report_dir", None):
        _allure_step(exchange, entry)


def check_records(exchange: Exchange, outcomes: list[tuple[Outcome, Level]]) -> list[dict]:
    """Each check's outcome on the exchange as plain data, its findings redacted."""
    checks = []
    for outcome, level in outcomes:
        status = "pass" if outcome.passed else "fail"
        checks.append({
            "id": outcome.check.id,
            "level": level.value,  # plain str: xdist's serialiser refuses enum members
            "status": status,
            "failures": [
                {
                    "message": exchange.redact(v.message()),  # the URL and expected line too, not only seen and curl
                    "section": v.finding.section or outcome.check.section,
                    "pointer": v.finding.pointer,
                    "expected": exchange.redact(v.finding.expected),
                    "seen": exchange.redact(v.finding.seen),
                }
                for v in outcome.violations
            ],
        })
    return checks


def exchange_record(ex: Exchange) -> dict:
    """The exchange as plain data: headers and bodies redacted, bodies cut to BODY_LIMIT."""
    response = None
    if ex.response is not None:
        response = {
            "status": ex.response.status_code,
            "headers": _headers(ex, ex.response.headers),
            "body": _body(ex, ex.response.content, ex.response.headers.get("content-type", "")),
        }
    return {
        "operation": ex.operation.key if ex.operation else None,
        "request": {
            "method": ex.request.method,
            "url": ex.redact(str(ex.request.url)),
            "headers": _headers(ex, ex.request.headers),
            "body": _form(ex) if ex.form or ex.uploads else _body(ex, ex.request.content, ex.request.headers.get("content-type", "")),
        },
        "response": response,
        "transport_error": None if ex.transport_error is None else ex.redact(ex.transport_error),
        "retries": list(ex.retries),
        "elapsed": round(ex.elapsed, 6),
        "request_id": ex.request_id,
        "client_request_id": ex.request.headers.get("x-client-request-id"),
        "curl": ex.curl(),
        **({"socket": socket_record(ex.socket, BODY_LIMIT, ex.redact)} if ex.socket is not None else {}),
        **({"turn": ex.turn} if ex.turn is not None else {}),  # the answer to the socket's event #turn: its frames are in "socket"
        **({"source": ex.source} if ex.source is not None else {}),
    }


def _headers(ex: Exchange, headers: httpx.Headers) -> dict[str, str]:
    shown: dict[str, str] = {}
    for name, value in headers.multi_items():
        lower, value = name.lower(), header_value(name, value, ex.secrets, ex.redact)
        shown[lower] = f"{shown[lower]}, {value}" if lower in shown else value
    return shown


def header_value(name: str, value: str, secrets, redact) -> str:
    """One header's value as everything written keeps it: a cookie by its length, a credential header without the
    key however short it is (it is what the header holds), any other through ``redact``."""
    lower = name.lower()
    if lower in COOKIE_HEADERS:
        return f"<{len(value)} characters, redacted>"
    if lower in CREDENTIAL_HEADERS:
        for secret in secrets:
            value = value.replace(secret, KEY_PLACEHOLDER) if secret else value
        return value
    return redact(value)


def _body(ex: Exchange, content: bytes, content_type: str) -> str | None:
    if not content:
        return None
    if not any(kind in content_type for kind in _TEXT_TYPES):
        return f"<{len(content)} bytes of {content_type or 'unlabelled content'}>"
    # Redact before cutting, so that no prefix of the key survives at the cut.
    return shorten(ex.redact(content.decode("utf-8", errors="replace")), BODY_LIMIT)


def _form(ex: Exchange) -> str:
    """A multipart request as its fields and the names and sizes of its files (their bytes are not kept)."""
    lines = [f"{name}={value}" for name, value in ex.form.items()]
    lines += [f"{u.field}=@{u.filename} ({u.size} bytes)" for u in ex.uploads]
    return shorten(ex.redact("\n".join(lines)), BODY_LIMIT)


def take(item: pytest.Item) -> list[dict]:
    """The exchanges recorded since the last report of this item (each phase reports its own)."""
    exchanges = item.stash.get(_RECORDS, [])
    item.stash[_RECORDS] = []
    return exchanges


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    if exchanges := take(item):
        setattr(report, REPORT_ATTRIBUTE, exchanges)
    return report


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item: pytest.Item) -> None:
    """Group the case on an Allure server by capability and reference section."""
    if getattr(item.config.option, "allure_report_dir", None):
        properties = dict(item.user_properties)
        if "capability" in properties:
            allure.dynamic.feature(properties["capability"])
        if "reference" in properties:
            allure.dynamic.story(properties["reference"])


class _StepFailed(AssertionError):
    """Raised inside an allure step to mark it failed: allure takes a step's status from the exception leaving it."""


def _allure_step(ex: Exchange, entry: dict) -> None:
    outcome = ex.status if ex.response is not None else ex.transport_error
    must_failures = sum(c["status"] == "fail" and c["level"] == "must" for c in entry["checks"])
    with contextlib.suppress(_StepFailed), allure.step(f"{ex.request.method} {ex.path} -> {outcome}"):
        exchange = {k: v for k, v in entry.items() if k != "checks"}
        allure.attach(json.dumps(exchange, indent=2), "exchange (redacted)", allure.attachment_type.JSON)
        allure.attach(entry["curl"], "reproduce with curl", allure.attachment_type.TEXT)
        for check in entry["checks"]:
            with contextlib.suppress(_StepFailed), allure.step(f"[{check['level']}] {check['id']}"):
                if check["failures"]:
                    raise _StepFailed("\n\n".join(f["message"] for f in check["failures"]))
        if must_failures:
            raise _StepFailed(f"{must_failures} must check(s) failed")

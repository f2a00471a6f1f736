"""Schemathesis's own check failures as the suite's check outcomes, so they are reported like any check.

A generated case fails on the suite's checks (``openai_conformance``) or on one of schemathesis's
(settings.CHECKS). Both are recorded on the exchange they judged, with a check id, a level, a
reference section and what was expected and seen: departures, the HTML report, the matrix and
``diff`` then show a failure of ``ignored_auth`` as they show one of ``http.status``.
"""

from __future__ import annotations

import re

from schemathesis.core.failures import Failure

from conformance.checks import Check, Finding, Level, Outcome, Violation
from conformance.checks.base import shorten
from conformance.exchange import Exchange
from conformance.fuzzing.settings import CHECKS

PREFIX = "schemathesis."
"""Check ids of schemathesis's checks: ``schemathesis.ignored_auth``."""
SECTIONS = {"ignored_auth": "Authentication"}
"""The reference section of a check that is not about the operation's own rules."""

_EXPECTED_GOT = re.compile(r"Expected (?P<expected>.+?), got `(?P<seen>[^`]+)`(?: for `[^`]*`)?(?P<detail>.*)")
_RECEIVED = re.compile(r"Received: (?P<seen>.+)\n(?:Documented|Expected): (?P<expected>.+)")
_EXPECTED = re.compile(r"Expected: (?P<expected>.+)")


def check_name(failure: Failure) -> str:
    """The schemathesis check that raised the failure (the first of its kind's checks the runner runs)."""
    return next((name for name in type(failure).checks if name in CHECKS), failure.code)


def outcome(failure: Failure, exchange: Exchange, section: str) -> Outcome:
    """The failure as a ``must`` outcome on ``exchange``; ``section``: the operation's, unless SECTIONS has the check's."""
    name = check_name(failure)
    # Never evaluated (schemathesis runs it): the check exists to carry the id, level and rule of a failure.
    check = Check(PREFIX + name, Level.MUST, SECTIONS.get(name, section), f"{failure.code} {failure.title}",
                  applies=lambda ex: False, run=lambda ex, expect: ())
    expected, seen = expectation(failure, exchange)
    return Outcome(check, (Violation(check, Finding(expected, seen), exchange),))


def expectation(failure: Failure, exchange: Exchange) -> tuple[str, str]:
    """(expected, seen) from the failure's message where it says them, else its title against the answer's status."""
    message = failure.message or ""
    status = f"HTTP {exchange.status}" if exchange.status is not None else "no answer"
    if found := _EXPECTED_GOT.search(message):
        return f"HTTP {found['expected']}{found['detail'].rstrip()}", f"HTTP {found['seen']}"
    if found := _RECEIVED.search(message):
        return found["expected"].strip(), found["seen"].strip()
    if found := _EXPECTED.search(message):
        return found["expected"].strip(), f"{status}: {failure.title}"
    return f"no {failure.kind_title.lower()}", shorten(f"{status}: {' '.join([failure.title, *message.split()])}", 300)

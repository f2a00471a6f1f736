"""Whether a run's verdict is complete: the cases it did not run because it stopped early.

A run stops starting cases when a budget is spent (``--budget-requests``, ``--budget-tokens``,
``--budget-seconds``), when ``--run-timeout`` passes, or when the target stops answering
(``--max-unanswered`` requests in a row without an answer in time). Those cases are skipped with a
reason naming the cause ("not run: request budget spent …"); unlike the profile's skips (a capability the target does not serve),
they say nothing about the target, and a run with any of them is incomplete: exit code 4
(conformance/cli.py), never a pass, whatever the cases that ran found.

Everything here reads results.json's cases, so the files of older suites (whose reasons already
said "not run: request budget spent …" and "not run: the run's deadline passed …") count the same.
"""

from __future__ import annotations

import pytest

NOT_RUN = "not run: "
"""How the reason of a case the run did not get to begins."""
CAUSES = {"budget": "budget spent", "run timeout": "deadline passed", "target stopped answering": "stopped answering"}
"""Cause -> the words of its reasons (conformance/budget.py, conformance/plugin.py)."""
INCOMPLETE = 4
"""`openai-conformance run`'s exit code for an incomplete verdict (0 pass, 1 failures, 2 configuration, 3 suite error)."""
SAID_BY_CALLER = pytest.StashKey[bool]()
"""Set by a caller that prints the verdict line itself, last (openai-conformance run): the plugin then does not."""


def cause(case: dict) -> str | None:
    """Why the run did not get to this case (a key of CAUSES), or ``None`` for a case that ran or a profile's skip."""
    reason = case["reason"] or ""
    if case["status"] != "skip":
        return None
    return next((name for name, words in CAUSES.items() if words in reason), None)


def not_run(cases: list[dict]) -> dict:
    """results.json's ``summary.not_run``: how many cases did not run, by cause, each with its first reason."""
    causes: dict[str, dict] = {}
    for case in cases:
        if name := cause(case):
            entry = causes.setdefault(name, {"count": 0, "reason": case["reason"].removeprefix(NOT_RUN)})
            entry["count"] += 1
    return {"count": sum(c["count"] for c in causes.values()), "causes": causes}


def describe(cases: list[dict], of_all: bool = False) -> str | None:
    """"196 cases not run: budget (request budget spent (600 of --budget-requests=600))" ("196 of 406 cases …"
    with ``of_all``), or ``None`` when every case ran."""
    found = not_run(cases)
    if not found["count"]:
        return None
    count, several = found["count"], len(found["causes"]) > 1
    why = "; ".join(f"{c['count']} {_named(name, c['reason'])}" if several else _named(name, c["reason"]) for name, c in found["causes"].items())
    return f"{count}{f' of {len(cases)}' if of_all else ''} case{'s' if count != 1 or of_all else ''} not run: {why}"


def _named(cause: str, reason: str) -> str:
    """"budget (request budget spent (…))"; a reason that already names its cause is shown as it is."""
    plain = reason.removeprefix("the ")
    return plain if plain.startswith(cause) else f"{cause} ({reason})"


def verdict_line(cases: list[dict], exit_code: int | None = None) -> str | None:
    """The terminal's last line for an incomplete run, or ``None`` when every selected case ran."""
    described = describe(cases, of_all=True)
    code = f" (exit code {exit_code})" if exit_code is not None else ""
    return described and f"openai-conformance: INCOMPLETE verdict{code}, {described}; only the cases that ran were judged"

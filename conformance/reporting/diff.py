"""``openai-conformance diff BASE.json NEW.json``: what changed between two runs, the nightly regression gate.

Runs are compared check by check within each case, so a new ``should`` failure or a second
failing check in an already failing case is visible too. The gate (exit 1) trips on a new
``must`` failure or a new suite error (a case that could not be judged) in a case that is not a
known failure of the new run's profile; known failures are expected, and a known failure that
now passes shows up as fixed, with a reminder to update the profile.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import jsonschema

from conformance.checks.base import shorten
from conformance.reporting.results import FORMAT_VERSION, SCHEMA

ERROR = "(error)"
"""The pseudo-check of a case in error: the suite could not judge it."""


class DiffInputError(Exception):
    """A file that is not a results.json of this format: one line, exit code 2."""


@dataclass(frozen=True)
class Item:
    case: str
    check: str
    level: str | None
    detail: str
    expected: bool = False
    """The case is a known failure of the new run's profile."""

    def line(self) -> str:
        level = f"[{self.level or 'error'}]"
        note = "  (known failure)" if self.expected else ""
        return f"  {level:<8} {self.case}  {self.check}: {self.detail}{note}"


@dataclass
class Diff:
    new: list[Item] = field(default_factory=list)
    fixed: list[Item] = field(default_factory=list)
    still: list[Item] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    """Cases that ran in the base run and are skipped now: their verdict is unknown, not fixed."""
    stale_known_failures: list[str] = field(default_factory=list)

    @property
    def regressions(self) -> list[Item]:
        return [i for i in self.new if not i.expected and (i.level == "must" or i.check == ERROR)]


def load(path: str) -> dict:
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise DiffInputError(f"cannot read {path}: {error.strerror or error}") from None
    except (ValueError, UnicodeDecodeError) as error:
        raise DiffInputError(f"{path} is not JSON: {error}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT_VERSION:
        raise DiffInputError(f"{path} is not a results.json of format {FORMAT_VERSION} (written by openai-conformance run)")
    if error := jsonschema.exceptions.best_match(_validator().iter_errors(document)):
        where = "/".join(str(p) for p in error.absolute_path)
        raise DiffInputError(f"{path} does not follow the results schema at /{where}: {shorten(error.message, 120)}")
    return document


@cache
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))


def compare(base: dict, new: dict) -> Diff:
    diff = Diff()
    before = {c["id"]: c for c in base["cases"]}
    after = {c["id"]: c for c in new["cases"]}
    diff.added = [case for case in after if case not in before]
    diff.removed = [case for case in before if case not in after]
    for case_id, case in after.items():
        old = before.get(case_id)
        if case["status"] == "skip":
            if old is not None and old["status"] != "skip":
                diff.skipped.append(case_id)
            continue
        if case["known_failure"] and case["known_failure"]["fixed"]:
            diff.stale_known_failures.append(case_id)
        now, then = _failures(case), _failures(old) if old else {}
        for check, item in now.items():
            (diff.still if check in then else diff.new).append(item)
        diff.fixed += [item for check, item in then.items() if check not in now]
    return diff


def _failures(case: dict) -> dict[str, Item]:
    """The case's failed checks (and its error), by check id."""
    expected = bool(case["known_failure"]) and not case["known_failure"]["fixed"]
    failed = {}
    for check in case["checks"]:
        if check["status"] == "fail":
            first = check["failures"][0] if check["failures"] else None
            detail = f"expected {first['expected']}, seen {first['seen']}" if first else "failed"
            failed[check["id"]] = Item(case["id"], check["id"], check["level"], shorten(detail, 160), expected)
    if case["status"] == "error":
        failed[ERROR] = Item(case["id"], ERROR, None, shorten(case["reason"] or "the suite failed", 160), expected)
    return failed


def render(diff: Diff, base: dict, new: dict) -> str:
    def heading(title: str, entries: list) -> list[str]:
        return [f"{title} ({len(entries)}):" if entries else f"{title}: none"]

    lines = [f"openai-conformance diff: {_describe(base)} -> {_describe(new)}"]
    if base["target"]["base_url"] != new["target"]["base_url"]:
        lines.append(f"note: the runs are of different targets ({base['target']['base_url']} / {new['target']['base_url']})")
    for title, items in (("new failures", diff.new), ("fixed", diff.fixed), ("still failing", diff.still)):
        lines += heading(title, items) + [i.line() for i in items]
    for title, cases in (("added cases", diff.added), ("removed cases", diff.removed), ("newly skipped", diff.skipped)):
        lines += heading(title, cases) + [f"  {c}" for c in cases]
    lines += [f"known failure now passes, update the profile: {c}" for c in diff.stale_known_failures]
    count = len(diff.regressions)
    lines.append(f"verdict: {count} new must failure(s) or error(s)" if count else "verdict: no new must failure")
    return "\n".join(lines) + "\n"


def _describe(document: dict) -> str:
    return f"{document['run']['started']} ({len(document['cases'])} cases)"

"""``openai-conformance diff BASE.json NEW.json``: what changed between two runs, the nightly regression gate.

Departures first: the ways the target differs from the reference (conformance/reporting/departures.py)
that are new, fixed or still there, matched by signature, so "new: error.envelope /error/code" says
what to fix whatever the number of cases it breaks. Then case by case, check by check within each
case, so a new ``should`` failure or a second failing check in an already failing case is visible too.
The gate (exit 1) trips on a new ``must`` departure, a new ``must`` failure or a new suite error (a case
that could not be judged), unless it lies in known failures of the new run's profile; a known failure
that now passes shows up as fixed, with a reminder to update the profile. Both files are folded
here with the same rules, so runs of different suite versions compare on equal terms.

Cases a run did not get to (a budget spent, --run-timeout, the target stopped answering: conformance/completeness.py)
are not compared: they are neither newly skipped, fixed nor new, a departure seen only in such cases of the other
run is listed apart, and none of it trips the gate (or keeps it from tripping on the cases both runs judged).
The incomplete run's own exit code, 4, is what fails a job on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from conformance import completeness
from conformance.checks.base import shorten
from conformance.reporting import departures as folding

ERROR = "(error)"
"""The pseudo-check of a case in error: the suite could not judge it."""


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
    not_run: dict[str, list[str]] = field(default_factory=lambda: {"base": [], "new": []})
    """Cases a run did not get to (conformance/completeness.py), by run: their verdicts are not compared,
    so an incomplete run neither adds, fixes nor trips anything; its own exit code (4) says it is incomplete."""
    unjudged_departures: list[dict] = field(default_factory=list)
    """Departures of one run whose every case the other run did not get to: neither new nor fixed."""
    stale_known_failures: list[str] = field(default_factory=list)
    new_departures: list[dict] = field(default_factory=list)
    fixed_departures: list[dict] = field(default_factory=list)
    still_departures: list[dict] = field(default_factory=list)

    @property
    def regressions(self) -> list[Item]:
        return [i for i in self.new if not i.expected and (i.level == "must" or i.check == ERROR)]

    @property
    def departure_regressions(self) -> list[dict]:
        return [d for d in self.new_departures if d["level"] == "must" and d["known_failure"] != "all"]

    @property
    def failed_gate(self) -> bool:
        return bool(self.regressions or self.departure_regressions)


def compare(base: dict, new: dict) -> Diff:
    diff = Diff()
    before = {c["id"]: c for c in base["cases"]}
    after = {c["id"]: c for c in new["cases"]}
    diff.added = [case for case in after if case not in before]
    diff.removed = [case for case in before if case not in after]
    diff.not_run = {"base": [i for i, c in before.items() if completeness.cause(c)], "new": [i for i, c in after.items() if completeness.cause(c)]}
    unknown = set(diff.not_run["base"]) | set(diff.not_run["new"])
    for case_id, case in after.items():
        old = before.get(case_id)
        if case_id in unknown:
            continue
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
    before_departures = {d["signature"]: d for d in folding.fold(base["cases"])}
    after_departures = {d["signature"]: d for d in folding.fold(new["cases"])}
    for key, departure in after_departures.items():
        if key in before_departures:
            diff.still_departures.append(departure)
        else:
            (diff.unjudged_departures if set(departure["cases"]["ids"]) <= unknown else diff.new_departures).append(departure)
    for key, departure in before_departures.items():
        if key not in after_departures:
            (diff.unjudged_departures if set(departure["cases"]["ids"]) <= unknown else diff.fixed_departures).append(departure)
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
    for title, found in (("new departures", diff.new_departures), ("fixed departures", diff.fixed_departures), ("departures still there", diff.still_departures)):
        lines += heading(title, found) + [_departure_line(d) for d in found]
    for title, items in (("new failures", diff.new), ("fixed", diff.fixed), ("still failing", diff.still)):
        lines += heading(title, items) + [i.line() for i in items]
    for title, cases in (("added cases", diff.added), ("removed cases", diff.removed), ("newly skipped", diff.skipped)):
        lines += heading(title, cases) + [f"  {c}" for c in cases]
    for run, document in (("base", base), ("new", new)):
        if not_run := completeness.describe(document["cases"]):
            lines.append(f"incomplete {run} run: {not_run}; their verdicts are not compared")
    if diff.unjudged_departures:
        lines += heading("departures not compared (their cases did not run in one of the runs)", diff.unjudged_departures)
        lines += [_departure_line(d) for d in diff.unjudged_departures]
    lines += [f"known failure now passes, update the profile: {c}" for c in diff.stale_known_failures]
    count, departed = len(diff.regressions), len(diff.departure_regressions)
    if count or departed:
        lines.append(f"verdict: {departed} new must departure(s), {count} new must failure(s) or error(s)")
    else:
        lines.append("verdict: no new must failure")
    return "\n".join(lines) + "\n"


def _departure_line(departure: dict) -> str:
    """Like a failure's line: level, then what differs and on how many cases."""
    d = departure
    known = {"all": "  (known failure)", "some": "  (partly known failures)", "none": ""}[d["known_failure"]]
    return f"  {'[' + d['level'] + ']':<8} {d['check']} {d['summary']}  (on {d['cases']['count']} case(s)){known}"


def _describe(document: dict) -> str:
    return f"{document['run']['started']} ({len(document['cases'])} cases)"

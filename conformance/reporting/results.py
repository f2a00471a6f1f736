"""results.json: the run's metadata and, per case, its status, checks and recorded exchanges.

The document's schema is ``results.schema.json`` beside this module (a test validates produced
results against it). Rows are built from the reports pytest (or each xdist worker) sends to the
controller: the case's section, capability, known-failure reason and verdict travel in
``user_properties``, its exchanges in the report attribute ``conformance_exchanges`` (see ``record``).
The target is described by whoever registers the collector (the plugin), as plain data: reporting
resolves nothing itself. The run's departures (``departures``) are written into the document, shown
by the HTML report and printed as the terminal's last table.
"""

from __future__ import annotations

import json
import platform
import time
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from conformance import __version__, case_ids, completeness, openresponses, spending
from conformance.checks import REGISTRY
from conformance.exchange import KEY_PLACEHOLDER, MIN_REDACTED_LENGTH
from conformance.reporting import broken, departures, html, record
from conformance.reporting.document import FORMAT_VERSION, SCHEMA
from conformance.reporting.aspects import aspect
from conformance.exchange import Exchange
from conformance.steps import STOPPED_PROPERTY

STATUSES = ("pass", "skip", "fail", "error")
"""In order of precedence: a case's status is the worst of its setup, call and teardown."""
NOW_PASSES = "a known failure of the profile now passes: update the profile"


KNOWN_FAILURE_PROPERTY = "known-failure"
"""user_properties key of a case's known-failure reason (from the profile)."""


class Collector:
    def __init__(self, config: pytest.Config, target: dict) -> None:
        """``target``: results.json's ``target`` object (see the schema), already free of credentials."""
        self.config = config
        self.target = target
        self.results_path = config.getoption("conformance_results")
        self.html_path = config.getoption("conformance_html")
        self.rows: dict[str, dict] = {}
        self.started = time.time()
        self.departures: list[dict] | None = None
        self.cases: list[dict] = []
        self.incomplete: str | None = None
        self.openresponses: dict | None = None

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        row = self._row(report.nodeid)
        row["duration"] = round(row["duration"] + report.duration, 6)
        status, reason = _status(report)
        if STATUSES.index(status) > STATUSES.index(row["status"]):
            row["status"], row["reason"] = status, reason
        properties = dict(report.user_properties)
        row["section"] = properties.get("reference", row["section"])
        row["capability"] = properties.get("capability", row["capability"])
        row["cost"] = spending.case_cost(properties) or row["cost"]
        row["known_failure"] = properties.get(KNOWN_FAILURE_PROPERTY, row["known_failure"])
        row["openresponses"] = properties.get(openresponses.PROPERTY, "").split() or row["openresponses"]
        row["exchanges"].extend(getattr(report, record.REPORT_ATTRIBUTE, []))

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        """A module of cases that does not even import is the suite's own failure: an error row."""
        if report.failed:
            row = self._row(report.nodeid)
            row["status"], row["reason"] = "error", _crash(report)

    def _row(self, nodeid: str) -> dict:
        case_id = case_ids.canonical(nodeid)  # the same id whatever the entry point (conformance/case_ids.py)
        return self.rows.setdefault(case_id, _new_row(case_id))

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        document = self.document()
        self.departures = document["departures"] if any(c["section"] for c in document["cases"]) else None
        self.cases = document["cases"]
        self.incomplete = completeness.verdict_line(document["cases"])
        self.openresponses = document.get("openresponses")
        if self.incomplete and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED  # cases that did not run never make a pass
        for path, write in ((self.results_path, lambda: json.dumps(document, indent=2) + "\n"), (self.html_path, lambda: html.render(document))):
            if path:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
                Path(path).write_text(write(), encoding="utf-8")

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        """The departures table, then the cases that broke the suite, after pytest's own summary line: what a maintainer reads first."""
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None and self.departures is not None:
            reporter.write(departures.text(self.departures, max(reporter._tw.fullwidth, 160)))
        if reporter is not None and self.openresponses is not None:
            reporter.write_line(openresponses.line(self.openresponses))
        if reporter is not None:
            reporter.write(broken.text(self.cases, max(reporter._tw.fullwidth, 160)))
        if reporter is not None and self.incomplete and not config.stash.get(completeness.SAID_BY_CALLER, False):
            reporter.write_line(self.incomplete)  # last: the verdict's scope

    def document(self) -> dict:
        finished = time.time()
        cases = [_finish(row) for row in self.rows.values()]
        return {
            "format": FORMAT_VERSION,
            "suite": {"name": "openai-conformance", "version": __version__, "python": platform.python_version()},
            "run": {
                "started": _iso(self.started),
                "finished": _iso(finished),
                "duration": round(finished - self.started, 3),
                "seed": _seed(self.config.getoption("hypothesis_seed", None)),
            },
            "target": self.target,
            "summary": {
                **{s: sum(c["status"] == s for c in cases) for s in STATUSES},
                "warnings": sum(c["status"] == "pass" and c["level"] == "should" for c in cases),
                "not_run": completeness.not_run(cases),
            },
            "cost": spending.run_cost(self.config, cases),
            "departures": departures.fold(cases),
            **({"openresponses": openresponses.fare(cases)} if any(c["openresponses"] for c in cases) else {}),
            "cases": cases,
        }


def case(nodeid: str, exchange: Exchange, checks: list[dict]) -> dict:
    """A case of one judged exchange as results.json holds it (record.check_records gives ``checks``): what
    ``openai-conformance proxy`` folds as it goes, as the reports fold it."""
    row = {**_new_row(nodeid), "capability": exchange.operation.capability if exchange.operation else ""}
    row["exchanges"].append({**record.exchange_record(exchange), "checks": checks})
    return _finish(row)


def _new_row(nodeid: str) -> dict:
    return {"id": nodeid, "status": "pass", "reason": None, "section": None, "capability": None, "duration": 0.0,
            "cost": {"requests": 0, "tokens": 0}, "known_failure": None, "openresponses": [], "exchanges": []}


def _finish(row: dict) -> dict:
    """Aggregate the row's exchanges: a check fails the case if it failed on any exchange."""
    checks: dict[str, dict] = {}
    for index, exchange in enumerate(row["exchanges"]):
        for outcome in exchange["checks"]:
            check = checks.setdefault(outcome["id"], {
                "id": outcome["id"],
                "level": outcome["level"],  # the level in force (a profile may raise it)
                # A check of schemathesis's (conformance/fuzzing/failures.py) is not registered: its failure has the section.
                "section": REGISTRY[outcome["id"]].section if outcome["id"] in REGISTRY else next((f["section"] for f in outcome["failures"]), None),
                "aspect": aspect(outcome["id"], row["capability"]),
                "status": "pass",
                "runs": 0,
                "failures": [],
            })
            check["runs"] += 1
            if outcome["status"] == "fail":
                check["status"] = "fail"
            check["failures"] += [{"exchange": index, **failure} for failure in outcome["failures"]]
        exchange["checks"] = {o["id"]: o["status"] for o in exchange["checks"]}  # the messages live in the row's checks
    failing = {c["level"] for c in checks.values() if c["status"] == "fail"}
    known_failure = row["known_failure"]
    return {
        **{k: v for k, v in row.items() if k != "exchanges"},
        "level": "must" if "must" in failing else ("should" if failing else None),
        "known_failure": None if known_failure is None else {"reason": known_failure, "fixed": row["reason"] == NOW_PASSES},
        "request_ids": [e["request_id"] for e in row["exchanges"] if e["request_id"]],
        "checks": list(checks.values()),
        "exchanges": row["exchanges"],
    }


def _status(report: pytest.TestReport) -> tuple[str, str | None]:
    if hasattr(report, "wasxfail") and report.skipped:
        return "fail", report.wasxfail  # a known failure of the profile: "known failure: <reason>"
    if report.failed and report.when == "call" and "XPASS(strict)" in str(report.longrepr):
        return "fail", NOW_PASSES
    if report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        return "skip", reason.removeprefix("Skipped: ")
    if report.failed:
        if ("verdict", f"fail/{report.when}") in report.user_properties:
            return "fail", dict(report.user_properties).get(STOPPED_PROPERTY)  # a case that did not take all its steps says so
        return "error", _crash(report)
    return "pass", None


def _crash(report: pytest.TestReport | pytest.CollectReport) -> str:
    crash = getattr(report.longrepr, "reprcrash", None)
    return crash.message if crash else (report.longreprtext.strip().splitlines() or ["failed"])[-1]


def public_url(url: str, secret: str) -> str:
    """The URL without credentials: no user info, and the key (should a gateway put it in the path) redacted."""
    parts = urlsplit(url)
    shown = urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))
    # As everywhere else: a key too short to be told from ordinary text (a test key) is not searched for.
    return shown.replace(secret, KEY_PLACEHOLDER) if len(secret) >= MIN_REDACTED_LENGTH else shown


def _seed(value: str | None) -> int | str | None:
    return int(value) if isinstance(value, str) and value.isdigit() else value


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, timezone.utc).isoformat(timespec="seconds")

"""A verdict is complete or says it is not (issue 19, points 2 and 4b): cases a run did not get to (a budget
spent, --run-timeout, a target that stopped answering) make it exit 4, never 0, and every report says so;
the default budgets let a conformant target and one with a dozen faults finish every case; a target that
stops answering ends the run within a few requests' timeouts.

The runs are `openai-conformance run` in a subprocess (its exit code and last line are what a CI job sees),
each shared by the assertions of its module-scoped fixture.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conformance import cli, completeness
from conformance.budget import Spend
from conformance.config import Target
from conformance.transport import Client
from tests.conftest import KEY, closed_port, with_fault
from tests.hostile import HostileServer

DOZEN_FAULTS = ("validation-500+unknown-model-accepted+embeddings-unvalidated+images-unvalidated+moderation-unvalidated+speech-unvalidated"
                "+list-object-wrong+finish-reason-empty+delete-noop+upload-answer-lost+flat-error+no-request-id")
"""Twelve faults that fail most cases, make the generator shrink, leave objects to clean up and answer 500s."""


class Run:
    def __init__(self, folder: Path, *args: str, timeout: float = 600) -> None:
        started = time.monotonic()
        done = subprocess.run([sys.executable, "-m", "conformance.cli", "run", "--report-dir", str(folder), *args],
                              capture_output=True, text=True, timeout=timeout)
        self.seconds = time.monotonic() - started
        self.code, self.folder = done.returncode, folder
        self.last_line = (done.stdout + done.stderr).strip().splitlines()[-1]
        self.results = json.loads((folder / "results.json").read_text())

    @property
    def not_run(self) -> dict:
        return self.results["summary"]["not_run"]

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "conformance.cli", *args], capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="module")
def complete(tmp_path_factory) -> Run:
    """The default run against the embedded emulator: quick depth, default budgets."""
    return Run(tmp_path_factory.mktemp("complete"))


@pytest.fixture(scope="module")
def starved(tmp_path_factory) -> Run:
    return Run(tmp_path_factory.mktemp("starved"), "--budget-requests=50")


def test_the_default_budget_lets_a_conformant_target_finish_every_case(complete):
    assert complete.code == 0 and complete.not_run == {"count": 0, "causes": {}}
    assert complete.results["summary"]["skip"] == 0 and complete.results["cost"]["stopped"] is None


def test_the_default_budget_lets_a_target_with_a_dozen_faults_finish_every_case(emulator, tmp_path):
    run = Run(tmp_path, f"--base-url={with_fault(emulator, DOZEN_FAULTS)}", f"--api-key={KEY}")
    assert run.code == 1 and run.not_run["count"] == 0 and run.results["cost"]["stopped"] is None, run.last_line


def test_a_budget_too_small_for_the_depth_never_exits_0(starved):
    skipped = [c for c in starved.results["cases"] if c["status"] == "skip"]
    reason = "request budget spent (50 of --budget-requests=50)"
    assert starved.code == completeness.INCOMPLETE == 4
    assert starved.not_run == {"count": len(skipped), "causes": {"budget": {"count": len(skipped), "reason": reason}}}
    assert starved.last_line == (f"openai-conformance: INCOMPLETE verdict (exit code 4), {len(skipped)} of {len(starved.results['cases'])} "
                                 f"cases not run: budget ({reason}); only the cases that ran were judged")


def test_the_html_banner_says_the_verdict_is_incomplete(starved):
    page = (starved.folder / "report.html").read_text()
    assert f"<p class='verdict incomplete'>incomplete verdict: {starved.not_run['count']} of " in page
    assert "conformant: every must check passed" not in page


def test_departures_and_compare_say_how_many_cases_did_not_run(starved, complete):
    count = starved.not_run["count"]
    departures = starved.cli("departures", str(starved.folder / "results.json"))
    assert departures.returncode == 0 and departures.stdout.splitlines()[-1].startswith(f"incomplete: {count} cases not run: budget (")
    compared = starved.cli("compare", str(complete.folder / "results.json"), str(starved.folder / "results.json"),
                           "--name", "complete", "--name", "starved", "--format", "markdown")
    assert compared.stdout.startswith(f"Incomplete run of starved: {count} cases not run: budget (") and "Incomplete run of complete" not in compared.stdout


def test_diff_does_not_report_cases_that_did_not_run_as_news(starved, complete):
    """Not "newly skipped", not fixed, not new, and the gate neither trips nor is kept from tripping by them."""
    count = starved.not_run["count"]
    for base, new, run in ((complete, starved, "new"), (starved, complete, "base")):
        diff = starved.cli("diff", str(base.folder / "results.json"), str(new.folder / "results.json"))
        assert diff.returncode == 0
        assert "newly skipped: none" in diff.stdout and "fixed: none" in diff.stdout and "new failures: none" in diff.stdout
        assert f"incomplete {run} run: {count} cases not run: budget (" in diff.stdout


def test_cases_not_run_are_not_compared_but_the_others_still_gate():
    def case(case_id, status, reason=None, failing=False):
        checks = [{"id": "http.status", "level": "must", "status": "fail", "aspect": "errors", "section": None,
                   "failures": [{"message": "m", "section": None, "pointer": "status", "expected": "HTTP 400", "seen": "HTTP 500"}]}] if failing else []
        return {"id": case_id, "status": status, "reason": reason, "known_failure": None, "checks": checks, "exchanges": []}

    def document(*cases):
        return {"cases": list(cases), "target": {"base_url": "x"}, "run": {"started": "t"}}

    budget = "not run: request budget spent (2 of --budget-requests=2)"
    from conformance.reporting import diff

    base = document(case("a", "fail", failing=True), case("b", "skip", budget), case("c", "pass"))
    new = document(case("a", "skip", budget), case("b", "fail", failing=True), case("c", "fail", failing=True))
    changes = diff.compare(base, new)
    assert [i.case for i in changes.new] == ["c"] and changes.fixed == [] and changes.skipped == [] and changes.failed_gate
    assert changes.not_run == {"base": ["b"], "new": ["a"]}


def test_a_run_stopped_by_its_deadline_is_incomplete(tmp_path):
    run = Run(tmp_path, "--run-timeout=0.001", "--", "-k", "test_models")
    assert run.code == 4 and run.not_run["causes"]["run timeout"]["count"] == len(run.results["cases"]) > 0
    assert run.last_line.endswith("cases not run: run timeout (the run's deadline passed (--run-timeout 0.001 s)); only the cases that ran were judged")


def test_profile_skips_are_not_cases_not_run():
    unsupported = {"id": "x", "status": "skip", "reason": "not supported by the target profile 'p': embeddings (no route)"}
    assert completeness.cause(unsupported) is None and completeness.not_run([unsupported])["count"] == 0
    older = {"id": "y", "status": "skip", "reason": "not run: the run's deadline passed (--run-timeout 8 s)"}  # a file of an older suite
    assert completeness.cause(older) == "run timeout"


@pytest.mark.parametrize(("pytest_code", "summary", "ours"), [
    (0, {"error": 0, "not_run": {"count": 3}}, 4),
    (1, {"error": 0, "not_run": {"count": 3}}, 4),  # must failures and cases not run: incomplete wins (3 > 4 > 1)
    (1, {"error": 1, "not_run": {"count": 3}}, 3),  # the suite broke: wins over both
    (1, {"error": 0, "not_run": {"count": 0}}, 1),
    (0, {"error": 0}, 0),  # a results.json of an older suite: no not_run
])
def test_exit_code_of_an_incomplete_run(pytest_code, summary, ours):
    assert cli.exit_code(pytest_code, True, summary) == ours


# The target that stops answering (4b)


def test_one_slow_answer_never_trips_the_breaker_and_a_few_in_a_row_do():
    spend = Spend()
    for _ in range(5):
        spend.count(None, "no response within 30 s (ReadTimeout)")
        spend.count(None)  # answered
    assert spend.stopped_answering(3) is None
    for _ in range(3):
        spend.count(None, "ConnectError: refused")
    assert spend.stopped_answering(3).startswith("the target stopped answering (3 requests in a row without an answer")


def test_the_client_stops_sending_to_a_target_that_stopped_answering():
    url = f"http://127.0.0.1:{closed_port()}/v1"
    client = Client(Target(url, api_key=KEY, request_timeout=1, max_unanswered=3), url)
    try:
        refused = [client.request("GET", "/models") for _ in range(3)]
        started = time.monotonic()
        unsent = client.request("GET", "/models")
    finally:
        client.close()
    assert all(e.response is None for e in refused) and client.spend.requests == 3  # the fourth was not sent
    assert unsent.transport_error.startswith("not sent: the target stopped answering") and time.monotonic() - started < 0.5


@pytest.fixture(scope="module")
def hostile():
    server = HostileServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def trickled(hostile, tmp_path_factory) -> Run:
    """Every answer trickled past the request timeout: the run stops after --max-unanswered of them."""
    return Run(tmp_path_factory.mktemp("trickled"), f"--base-url={hostile.url('trickle-json')}", f"--api-key={KEY}",
               "--request-timeout=0.5", "--max-unanswered=2", timeout=120)


def test_a_trickling_target_ends_the_run_quickly_as_incomplete(trickled):
    stopped = trickled.not_run["causes"]["target stopped answering"]
    assert trickled.code == 4 and trickled.seconds < 60
    assert trickled.results["cost"]["requests"] <= 2 + 1  # the two unanswered and, at most, a clean-up that got through first
    assert stopped["count"] == trickled.not_run["count"] == len(trickled.results["cases"]) - 2
    assert stopped["reason"].startswith("the target stopped answering (2 requests in a row without an answer, --max-unanswered=2; the last: the body was still going after 0.5 s")
    assert trickled.last_line.startswith(f"openai-conformance: INCOMPLETE verdict (exit code 4), {stopped['count']} of ")
    assert "cases not run: target stopped answering (2 requests in a row" in trickled.last_line
    assert "incomplete verdict: " in (trickled.folder / "report.html").read_text() and (trickled.folder / "junit.xml").exists()


def test_generated_requests_stop_when_the_target_stops_answering(hostile, tmp_path):
    run = Run(tmp_path, f"--base-url={hostile.url('trickle-json')}", f"--api-key={KEY}", "--request-timeout=0.5", "--max-unanswered=2",
              "--", "-k", "test_generated and not sequences", timeout=120)
    ran = [c for c in run.results["cases"] if c["status"] != "skip"]
    # 3 until generation stops without Hypothesis' FlakyFailure on an unanswered shrink (issue 19 point 3, the
    # determinism lane's change to conformance/fuzzing/runner.py): then 4, like any run stopped by the breaker.
    assert run.code in (3, 4) and len(ran) == 2 and run.seconds < 60
    assert run.not_run["causes"]["target stopped answering"]["count"] == len(run.results["cases"]) - 2

"""The same server gives the same verdict (issue 19, point 3).

Generated requests are seeded with a fixed, recorded seed unless a run asks for a random one; a generation
stopped by a budget while it shrinks a failure keeps that failure (it was Hypothesis' "flaky" error, exit 3);
a run the suite broke names the broken cases in its last lines; two runs of one faulty server agree.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from types import SimpleNamespace

import pytest

from conformance import cli
from conformance.fuzzing import plugin as generation_plugin
from conformance.fuzzing.runner import SHRINK_REQUESTS, GenerationStopped, Runner, stopped_by
from conformance.reporting import broken, diff
from tests.conftest import KEY, run_cases, with_fault

SEQUENCES = "test_generated.py::test_generated_sequences"


def test_the_default_seed_is_fixed_printed_and_recorded(emulator, tmp_path, capsys):
    code, results = run_cases(tmp_path, emulator, "-k", "test_list_models", "-v")  # -v undoes -q: the header shows
    assert code == 0 and results["run"]["seed"] == 0
    assert "openai-conformance generated requests: seed 0 (replay with --hypothesis-seed=0" in capsys.readouterr().out


def test_a_random_seed_is_drawn_printed_and_recorded(emulator, tmp_path, capsys):
    code, results = run_cases(tmp_path, emulator, "-k", "test_list_models", "-v", "--hypothesis-seed=random")
    seed = results["run"]["seed"]
    assert code == 0 and isinstance(seed, int)
    assert f"seed {seed} (replay with --hypothesis-seed={seed}" in capsys.readouterr().out


def test_an_xdist_worker_takes_its_controllers_seed():
    worker = SimpleNamespace(option=SimpleNamespace(hypothesis_seed="random"), workerinput={"conformance_seed": "1234"})
    generation_plugin._fix_seed(worker)
    assert worker.option.hypothesis_seed == "1234"


def test_generation_draws_no_constants_from_the_modules_imported():
    from hypothesis.internal.conjecture import providers

    generation_plugin._without_local_constants()  # conformance itself is "local" code in a checkout
    assert not any(providers._get_local_constants().set_for_type(kind) for kind in (int, float, bytes, str))


def test_a_seed_that_is_no_number_is_one_line_and_exit_2(tmp_path, capsys):
    assert cli.main(["run", "--hypothesis-seed", "abc", "--report-dir", str(tmp_path)]) == 2
    assert capsys.readouterr().err == "openai-conformance: --hypothesis-seed must be a whole number or 'random', not 'abc'\n"


@pytest.mark.parametrize(("budget", "stop"), [
    # The exit 3: the budget ran out while the sequence's failure was shrunk, the runner called reject(),
    # and Hypothesis raised FlakyStrategyDefinition ("stopped drawing earlier than the first run": budget 20) or,
    # replaying the failure for its report, FlakyFailure ("Inconsistent results": 30; "Unreliable assumption"
    # with the 150 requests shrinking took before it was bounded, budget 40).
    ("--budget-requests=20", "request budget spent"),
    ("--budget-requests=30", "request budget spent"),
    # Within the budget, shrinking alone is bounded (unbounded, it took 150 requests).
    ("--budget-requests=600", f"{SHRINK_REQUESTS} requests sent to shrink it"),
])
def test_a_generation_stopped_while_shrinking_fails_with_the_failure_it_found(budget, stop, emulator, tmp_path, capsys):
    # no-auth: the first sequence fails (schemathesis' ignored_auth check), and Hypothesis goes on to shrink it.
    code, results = run_cases(tmp_path, with_fault(emulator, "no-auth"), "-k", "test_generated_sequences", budget)
    (case,) = results["cases"]
    assert code == 1 and case["status"] == "fail" and results["summary"]["error"] == 0
    assert f"(generation stopped after this failure: {stop}" in capsys.readouterr().out


def test_the_stop_is_found_through_what_hypothesis_wraps_it_in():
    stop = GenerationStopped("request budget spent")
    try:
        try:
            raise stop
        except GenerationStopped:
            raise RuntimeError("Inconsistent data generation!")  # noqa: B904 (Hypothesis raises it while the stop passes)
    except RuntimeError as flaky:
        wrapped = flaky
    assert stopped_by(wrapped) is stop and stopped_by(BaseExceptionGroup("failures", [ValueError(), stop])) is stop
    assert stopped_by(RuntimeError("a bug of the suite")) is None


def test_a_broken_suite_names_each_broken_case_and_its_exception_last(emulator, tmp_path, capsys, monkeypatch):
    def crash(self, case):
        raise RuntimeError("the runner broke\nsecond line")

    monkeypatch.setattr(Runner, "run", crash)
    code, results = run_cases(tmp_path, emulator, "-k", "test_generated and models")
    assert code == 1 and results["summary"]["error"] == 2
    last = capsys.readouterr().out.rstrip("\n").splitlines()[-3:]
    assert last[0] == "openai-conformance: the suite itself broke on 2 case(s), which have no verdict (exit 3):"
    assert sorted(last[1:]) == sorted(f"  test_generated.py::test_generated[{operation}]: RuntimeError: the runner broke"
                                      for operation in ("GET /models", "GET /models/{model}"))


def test_a_run_without_broken_cases_adds_no_line():
    assert broken.text([{"id": "a", "status": "fail", "reason": None}]) == ""


_VARYING = re.compile(r"x-schemathesis-testcaseid: \w+|[0-9a-f]{8}-[0-9a-f-]{27}|\b[a-z]+[-_](?=\w*\d)\w{8,}\b|\b(?=[0-9a-f]*\d)[0-9a-f]{8}\b|\b1[0-9]{9}\b")
"""What differs by itself between two runs of one server: ids, the run's tag on what it creates (conformance/resources.py),
request ids, timestamps, schemathesis' id of a generated case (a header in its curl)."""


def _verdicts(results: dict) -> dict:
    """Per case: its status, skip reason, and each check's status and failure messages, with what varies by itself folded."""
    def plain(text: str | None) -> str | None:
        return text and _VARYING.sub("<id>", text)

    return {c["id"]: (c["status"], plain(c["reason"]), sorted((k["id"], k["status"], tuple(plain(f["message"]) for f in k["failures"])) for k in c["checks"]))
            for c in results["cases"]}


def test_two_runs_of_one_faulty_server_give_the_same_verdict_and_an_empty_diff(emulator, tmp_path):
    base = with_fault(emulator, "assistant-limits-unchecked+validation-500+stream-role-repeated")
    runs = []
    for name in ("first", "second"):
        done = subprocess.run([sys.executable, "-m", "conformance.cli", "run", "--base-url", base, "--api-key", KEY, "--report-dir", str(tmp_path / name),
                               "--", "-q", "-p", "no:unraisableexception", "-k", "test_generated or test_chat_completion or test_auth"],
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 1, done.stdout[-3000:] + done.stderr
        runs.append(json.loads((tmp_path / name / "results.json").read_text()))
    assert _verdicts(runs[0]) == _verdicts(runs[1])
    changes = diff.compare(*runs)
    assert not any(getattr(changes, name) for name in ("new_departures", "fixed_departures", "new", "fixed", "added", "removed", "skipped")), \
        diff.render(changes, *runs)
    assert cli.main(["diff", str(tmp_path / "first" / "results.json"), str(tmp_path / "second" / "results.json")]) == 0

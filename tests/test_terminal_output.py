"""A run's terminal output is readable (issue 19, 8): should findings are not repeated in pytest's warnings
summary (they are in the departures table and the reports), and a generated case's failure prints its checks'
messages, not chained exception groups with their tracebacks."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conformance import plugin
from tests.conftest import CASES, run_cases, with_fault
from tests.test_several_failures import CASE, FAULTS

NOT_GENERATED = f"--ignore={CASES / 'test_generated.py'}"


def test_should_findings_do_not_flood_the_terminal(emulator, tmp_path, capsys):
    # Every answer lacks its x-request-id: a should finding per exchange, ~9 lines each in pytest's summary before.
    _, results = run_cases(tmp_path, with_fault(emulator, "no-request-id+no-openai-meta"), "-k", "test_chat or test_models", NOT_GENERATED)
    out = capsys.readouterr().out
    should = [d for d in results["departures"] if d["level"] == "should"]
    assert len(should) == 2 and all(d["cases"]["count"] >= 10 for d in should)  # still reported, once each
    assert "warnings summary" not in out and "ConformanceWarning" not in out and " warning" not in out.splitlines()[-4]
    assert len(out.splitlines()) <= 30, out


def test_a_generated_failure_prints_its_checks_messages_once(emulator, tmp_path, capsys):
    code, _ = run_cases(tmp_path, with_fault(emulator, FAULTS), "-k", "test_generated and chat", "-rN")
    out = capsys.readouterr().out
    assert code == 1
    section = out[out.index(" test_generated[POST /chat/completions] "):out.index("openai-conformance:")]
    for noise in ("Exception Group Traceback", "During handling of the above exception", "runner.py", "+-+---", "FailureGroup"):
        assert noise not in section, section
    assert "[must] http.status" in section and "reproduce: curl" in section
    assert len(section.splitlines()) < 120, section


def test_a_group_of_verdicts_reads_as_its_messages_numbered():
    """What Hypothesis raises when it finds several distinct failures: each a check's pytest.fail raised while
    handling schemathesis' FailureGroup; pytest would print both groups, each with its traceback."""
    def verdict(message: str) -> BaseException:
        try:
            try:
                raise ValueError("the exception the verdict was raised while handling")
            except ValueError:
                pytest.fail(message, pytrace=False)
        except pytest.fail.Exception as error:
            return error

    group = BaseExceptionGroup("Hypothesis found 2 distinct failures.", [verdict("[must] a"), BaseExceptionGroup("inner", [verdict("[must] b")])])
    assert plugin.verdict_text(group) == "2 distinct failures:\n\n1. [must] a\n\n2. [must] b"
    assert plugin.verdict_text(verdict("[must] a")) == "[must] a"


def test_a_plain_pytest_run_of_the_cases_has_no_warnings_summary(tmp_path):
    """targets/target.sh runs ``pytest --pyargs conformance.cases``: no "cannot rewrite" warning about the suite's own plugin."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    run = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--pyargs", "conformance.cases", "-k", "test_list_models"],
                         cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout
    assert "warning" not in run.stdout, run.stdout

"""Several departures found by Hypothesis in one generated case are still failures (issue 15, item 3).

Hypothesis raises an exception group when a generated case finds two or more distinct failures; the suite
reports such a case as failed (exit 1) with each failure's message, never as its own error (exit 3), and a
profile's known failure (a strict expected failure) applies to it as to any case.
"""

from __future__ import annotations

from tests.conftest import run_cases, with_fault

# A server whose errors are plain-text tracebacks and whose validation crashes: two departures on one request
# (a 500 where a 400 is due, no error object), and others on other generated bodies.
FAULTS = "validation-500+error-plain-traceback"
CASE = "test_generated.py::test_generated[POST /chat/completions]"


def _case(results: dict) -> dict:
    (case,) = [c for c in results["cases"] if c["id"].endswith(CASE)]
    return case


def test_a_generated_case_with_several_departures_is_a_failure_listing_each(emulator, tmp_path):
    code, results = run_cases(tmp_path, with_fault(emulator, FAULTS), "-k", "test_generated and chat")
    assert code == 1
    case = _case(results)
    failing = [check for check in case["checks"] if check["status"] == "fail"]
    assert case["status"] == "fail" and {"http.status", "error.envelope"} <= {check["id"] for check in failing}
    assert all(check["failures"] and check["failures"][0]["message"].startswith(f"[{check['level']}] {check['id']}") for check in failing)


def test_a_known_failure_with_several_departures_is_an_expected_failure(emulator, tmp_path):
    profile = tmp_path / "profile.toml"
    profile.write_text(f'[known-failures]\n"{CASE}" = "http.status: validation crashes; error.envelope: plain-text tracebacks"\n')
    code, results = run_cases(tmp_path, with_fault(emulator, FAULTS), "-k", "test_generated and chat", f"--profile={profile}")
    assert code == 0
    known = _case(results)["known_failure"]
    assert known is not None and not known["fixed"]

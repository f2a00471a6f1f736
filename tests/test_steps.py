"""A case takes every step it can: a step's must failures do not stop it, and it fails once, at its end,
with every step's findings in order (issue 21, point 1; conformance/steps.py)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from tests.conftest import failed_checks, run_cases, with_fault

# A server that keeps no response (every GET of one is 404) and whose Response objects lack status.
NO_STATE = "store-ignored"
BROKEN_OBJECT = "responses-no-status"
RETRIEVE = "test_responses_state.py::test_retrieve_response"
DELETE = "test_responses_state.py::test_delete_response"
TOOL_NAME = "test_function_call_output_answered"
TOOL_TURN = f"test_responses.py::{TOOL_NAME}"


def _case(results: dict, case_id: str) -> dict:
    (case,) = [c for c in results["cases"] if c["id"].endswith(case_id)]
    return case


def _failures(junit: str) -> dict[str, list[str]]:
    """Per case (by name), the text of each failure pytest reported for it (at any phase)."""
    cases = ET.parse(junit).getroot().iter("testcase")
    return {c.get("name"): [f.text or "" for f in (*c.iter("failure"), *c.iter("error"))] for c in cases}


def test_a_server_without_stored_state_shows_the_retrieve_404_beside_the_schema_failure(emulator, tmp_path):
    code, results = run_cases(tmp_path, with_fault(emulator, f"{BROKEN_OBJECT}+{NO_STATE}"), "-k", "test_responses_state and test_retrieve_response")
    assert code == 1
    case = _case(results, RETRIEVE)
    assert [(e["request"]["method"], e["response"]["status"]) for e in case["exchanges"]] == [("POST", 200), ("GET", 404)]
    assert {"body.schema", "responses.stored"} <= failed_checks({"cases": [case]})
    departed = {d["check"]: d["summary"] for d in results["departures"]}
    assert set(departed) == {"body.schema", "responses.stored"} and "GET /responses/{response_id}" in departed["responses.stored"]


def test_the_combined_faults_mask_neither(emulator, tmp_path):
    """What each fault alone makes the stored-state cases fail, the two together make them fail too.

    Not the streamed retrieve: its create is judged by the event checks, so its body.schema finding comes only from
    the retrieved object, which the no-state fault turns into a 404 (responses.stored's finding): replaced, not masked."""
    selection = ("-k", "test_responses_state and not test_retrieve_streamed_response")
    alone = set()
    for fault in (NO_STATE, BROKEN_OBJECT):
        (tmp_path / fault).mkdir()
        alone |= {(case["id"], check) for case in run_cases(tmp_path / fault, with_fault(emulator, fault), *selection)[1]["cases"]
                  for check in failed_checks({"cases": [case]})}
    _, together = run_cases(tmp_path, with_fault(emulator, f"{BROKEN_OBJECT}+{NO_STATE}"), *selection)
    assert alone and alone <= {(case["id"], check) for case in together["cases"] for check in failed_checks({"cases": [case]})}


def test_a_case_reports_every_step_and_fails_once(emulator, tmp_path):
    junit = tmp_path / "junit.xml"
    code, results = run_cases(tmp_path, with_fault(emulator, f"{BROKEN_OBJECT}+{NO_STATE}"), "-k", "test_responses_state and test_delete_response",
                              f"--junitxml={junit}")
    assert code == 1
    case = _case(results, DELETE)
    assert case["status"] == "fail" and len(case["exchanges"]) == 3  # create, delete and the GET after it: all sent
    (failure,) = _failures(junit)["test_delete_response"]
    assert failure.startswith("2 steps departed: body.schema at step 1, http.status at step 2")
    create, delete = failure.index("step 1, POST /responses -> HTTP 200:"), failure.index("step 2, DELETE /responses/")
    assert create < failure.index("[must] body.schema") < delete < failure.index("[must] http.status")


def test_a_step_that_cannot_go_on_ends_the_case_with_the_failures_so_far(emulator, tmp_path):
    """A forced call answered with text: the next turn has no call to answer, and the case stops there, a failure, not the suite's error."""
    junit = tmp_path / "junit.xml"
    code, results = run_cases(tmp_path, with_fault(emulator, "responses-forced-call-ignored"), "-k", TOOL_NAME, f"--junitxml={junit}")
    assert code == 1
    case = _case(results, TOOL_TURN)
    assert case["status"] == "fail" and len(case["exchanges"]) == 1
    assert case["reason"].startswith("not judged past step 1: POST /responses")  # report.html shows it with the case
    (failure,) = _failures(junit)[TOOL_NAME]
    assert failure.startswith("1 step departed: responses.function-call at step 1; not judged past step 1\n")
    assert failure.index("[must] responses.function-call") < failure.index("not judged past step 1: POST /responses")


def test_a_stop_no_must_check_saw_is_a_skip_with_the_reason(emulator, tmp_path):
    profile = tmp_path / "profile.toml"
    profile.write_text('[levels]\n"responses.function-call" = "should"\n')
    code, results = run_cases(tmp_path, with_fault(emulator, "responses-forced-call-ignored"), "-k", TOOL_NAME, f"--profile={profile}")
    assert code == 0
    case = _case(results, TOOL_TURN)
    assert case["status"] == "skip" and case["reason"].startswith("not judged past step 1: POST /responses")
    assert "no function_call item" in case["reason"]


def test_a_target_answering_500_stops_every_stateful_case_as_a_failure(emulator, tmp_path):
    """No 2xx, no id: each case stops at its first step, a failure; never the suite's error (exit 3)."""
    code, results = run_cases(tmp_path, with_fault(emulator, "server-error"), "-k", "test_responses_state or test_files or test_fine_tuning or test_walk_after")
    assert code == 1
    assert {case["status"] for case in results["cases"]} == {"fail"}


def test_a_known_failure_of_several_steps_is_an_expected_failure(emulator, tmp_path):
    profile = tmp_path / "profile.toml"
    profile.write_text(f'[known-failures]\n"{RETRIEVE}" = "no stored state; the created object lacks status"\n'
                       f'"{TOOL_TURN}" = "forced calls answered with text"\n')
    code, results = run_cases(tmp_path, with_fault(emulator, f"{BROKEN_OBJECT}+{NO_STATE}+responses-forced-call-ignored"),
                              "-k", f"(test_responses_state and test_retrieve_response) or {TOOL_NAME}", f"--profile={profile}")
    assert code == 0
    for case_id in (RETRIEVE, TOOL_TURN):
        case = _case(results, case_id)
        assert case["status"] == "fail" and case["known_failure"] == {"reason": case["known_failure"]["reason"], "fixed": False}

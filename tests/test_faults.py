"""Mutation tests of the suite: each emulator fault makes its check fail; the conformant emulator passes them all."""

from __future__ import annotations

import pytest

from conformance.checks import REGISTRY, Level
from conformance.emulator.faults import FAULTS
from tests.conftest import failed_checks, run_cases, with_fault


@pytest.mark.parametrize("fault", FAULTS.values(), ids=lambda f: f.name)
def test_fault_fails_its_check(fault, emulator, tmp_path):
    code, results = run_cases(tmp_path, with_fault(emulator, fault.name), "-k", fault.cases)
    assert results["cases"], f"-k {fault.cases!r} selects no case"
    assert fault.kills in failed_checks(results)
    # must violations fail the run; should violations only warn.
    assert code == (1 if REGISTRY[fault.kills].level is Level.MUST else 0)


def test_conformant_emulator_passes_every_check(emulator, tmp_path):
    code, results = run_cases(tmp_path, emulator)
    assert code == 0
    assert failed_checks(results) == set()
    ran = {c["id"] for case in results["cases"] for c in case["checks"]}
    assert ran == set(REGISTRY), "a check the cases never exercise cannot fail"


def test_target_answering_500_to_everything_never_passes(emulator, tmp_path):
    code, results = run_cases(tmp_path, with_fault(emulator, "server-error"))
    assert code == 1
    assert {case["status"] for case in results["cases"]} == {"fail", "skip"}
    # The derived invalid requests are not judged on a base body the target refuses: the operation's own case fails for it.
    assert all(case["reason"].startswith("not judged: the base body is rejected (HTTP 500") for case in results["cases"] if case["status"] == "skip")


def test_every_check_has_a_fault_and_every_fault_a_check():
    assert set(REGISTRY) <= {f.kills for f in FAULTS.values()}
    assert {f.kills for f in FAULTS.values()} <= set(REGISTRY)


COMBINED = [
    ("test_create_response_streamed", ("responses-lifecycle-repeated", "responses-no-text-done", "responses-delta-dropped", "responses-no-item-done",
                                       "responses-sequence-from-one", "responses-terminal-other-id", "responses-part-added-late")),
    ("test_create_response_streamed", ("responses-no-part-done", "responses-lifecycle-repeated", "responses-delta-other-item", "responses-output-index-from-one")),
    ("test_retrieve", ("streamed-response-unstored", "retrieve-without-output")),
    ("test_cancel", ("cancel-not-background-accepted", "response-cancel-ignored")),
    ("test_completion_logprobs or test_completion_echo", ("completions-chat-logprobs", "completions-chat-id", "echo-ignored", "completions-usage-sum-wrong")),
    ("test_forced_tool_call or test_stream_tool_call", ("tool-choice-ignored", "stream-tool-call-no-index", "usage-sum-wrong", "model-renamed")),
    ("test_forced_tool_call or test_stream_tool_call", ("stream-tool-choice-ignored", "stream-role-changes", "usage-sum-wrong")),
    ("test_upload_in_parts", ("upload-bytes-wrong", "upload-expires-at-creation", "part-upload-id-wrong", "upload-complete-still-pending",
                              "upload-parts-in-added-order")),
    ("test_response_in_conversation or test_add_items or test_delete_item", ("conversation-output-not-appended", "conversation-not-named",
                                                                             "conversation-items-added-all", "conversation-item-delete-answers-item")),
]
"""The faults of issue 21's rules combined with others on the same cases: each still fails its check (none masks another)."""


@pytest.mark.parametrize("selection, faults", COMBINED, ids=["+".join(faults) for _, faults in COMBINED])
def test_combined_faults_each_fail_their_check(selection, faults, emulator, tmp_path):
    _, results = run_cases(tmp_path, with_fault(emulator, "+".join(faults)), "-k", selection)
    assert {FAULTS[f].kills for f in faults} <= failed_checks(results)

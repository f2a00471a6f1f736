"""targets/: the profiles load, and the verdict comparison CI relies on notices every change."""

import importlib.util
import subprocess
from pathlib import Path

import pytest

from conformance.checks import REGISTRY

TARGETS = Path(__file__).resolve().parent.parent / "targets"
_spec = importlib.util.spec_from_file_location("verdicts", TARGETS / "verdicts.py")
verdicts = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(verdicts)

REASON = "known failure: body.schema: omits choices[].logprobs; chat.choices-count: ignores n; returns one"


def case(status, reason=None, must=(), should=()):
    """A results.json row whose listed must/should checks failed."""
    checks = [{"id": i, "level": "must", "status": "fail"} for i in must] + [{"id": i, "level": "should", "status": "fail"} for i in should]
    return {"id": "cases/test_chat.py::t", "status": status, "reason": reason, "checks": checks + [{"id": "http.response", "level": "must", "status": "pass"}]}


def test_reason_clauses_name_checks():
    assert verdicts.clauses(REASON) == {"body.schema": "omits choices[].logprobs", "chat.choices-count": "ignores n; returns one"}


@pytest.mark.parametrize(
    "row, changed",
    [
        (case("fail", REASON, must=["body.schema", "chat.choices-count"]), False),
        # A should check failing too is a warning, not a verdict.
        (case("fail", REASON, must=["body.schema", "chat.choices-count"], should=["headers.request-id"]), False),
        (case("pass", None, should=["headers.request-id"]), False),
        (case("skip", "not supported by the target profile"), False),
        # Fails another way than the profile says: a changed server or a changed check.
        (case("fail", REASON, must=["body.schema"]), True),
        (case("fail", REASON, must=["body.schema", "chat.choices-count", "http.status"]), True),
        (case("fail", None, must=["http.status"]), True),
        (case("fail", "a known failure of the profile now passes: update the profile"), True),
        (case("error", "the suite broke"), True),
    ],
)
def test_mismatches_notice_changed_verdicts(row, changed):
    assert bool(verdicts.mismatches({"cases": [row]})) is changed


@pytest.mark.parametrize("name", verdicts.TARGETS)
def test_profiles_load_and_name_checks_in_every_reason(name):
    profile, description = verdicts.load_profile(name)
    assert profile.name == name and description and profile.base_url.startswith("http://127.0.0.1:")
    for case_id, reason in profile.known_failures.items():
        assert verdicts.clauses(reason), f"{case_id}: the reason names no check"
        assert set(verdicts.clauses(reason)) <= set(REGISTRY), f"{case_id}: unknown check in {reason!r}"


def test_target_script_rejects_an_unknown_target():
    result = subprocess.run(["bash", str(TARGETS / "target.sh"), "start", "nope"], capture_output=True, text=True)
    assert result.returncode == 2 and "unknown target 'nope'" in result.stderr


def _failure(pointer, expected, seen):
    return {"exchange": 0, "message": "", "section": "S", "pointer": pointer, "expected": expected, "seen": seen}


def test_docs_section_has_one_line_per_departure_in_the_profiles_words(tmp_path):
    run = tmp_path / "mockllm"
    run.mkdir()
    (run / "install.txt").write_text("seconds=38 size=59MB")
    (run / "run.txt").write_text("start_seconds=3 run_seconds=10")
    exchange = {"operation": "POST /chat/completions", "request": {"method": "POST", "url": "http://t/v1/chat/completions"}, "curl": "curl x", "request_id": None}
    rows = []
    for name, n in (("t", 2), ("u", 3)):  # two cases, one cause: one line, with the profile's words
        checks = [
            {"id": "chat.choices-count", "level": "must", "section": "S", "aspect": "schema", "status": "fail", "runs": 1,
             "failures": [_failure("/choices", f"{n} choice(s) with indices {list(range(n))}", "indices [0]")]},
            {"id": "headers.request-id", "level": "should", "section": "S", "aspect": "headers", "status": "fail", "runs": 1,
             "failures": [_failure("header:x-request-id", "an x-request-id header", "(absent)")]},
        ]
        rows.append({"id": f"cases/test_chat.py::{name}", "status": "fail", "reason": REASON.replace("body.schema: omits choices[].logprobs; ", ""),
                     "known_failure": {"reason": "…", "fixed": False}, "capability": "chat", "checks": checks, "exchanges": [exchange]})
    text = verdicts.section("mockllm", {"run": {"finished": "2026-01-01T00:00:00+00:00"}, "cases": rows, "target": {"unsupported": {}}}, tmp_path)
    assert "Install 38 s, 59MB; ready 3 s after start; suite run 10 s. 2 cases: 2 known failure" in text
    assert "- [must] `chat.choices-count` on `t`, `u`, /choices: ignores n; returns one" in text
    assert "- [should] `headers.request-id` on `t`, `u`, header:x-request-id: expected an x-request-id header, seen (absent)" in text

"""targets/: the profiles load, and the verdict comparison CI relies on notices every change."""

import importlib.util
import subprocess
from pathlib import Path

import pytest

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
        assert set(verdicts.clauses(reason)) <= set(verdicts.REGISTRY), f"{case_id}: unknown check in {reason!r}"


def test_target_script_rejects_an_unknown_target():
    result = subprocess.run(["bash", str(TARGETS / "target.sh"), "start", "nope"], capture_output=True, text=True)
    assert result.returncode == 2 and "unknown target 'nope'" in result.stderr


def test_docs_section_has_the_matrix_and_one_line_per_departure(tmp_path):
    run = tmp_path / "mockllm"
    run.mkdir()
    (run / "install.txt").write_text("seconds=38 size=59MB")
    (run / "run.txt").write_text("start_seconds=3 run_seconds=10")
    failed = case("fail", REASON, must=["body.schema", "chat.choices-count"], should=["headers.request-id"])
    passed = {**case("pass"), "id": "cases/test_chat.py::u"}
    for row in (failed, passed):
        row["capability"] = "chat"
        for check in row["checks"]:
            check["aspect"] = verdicts.aspect(check["id"], "chat")
    (run / "results.json").write_text(verdicts.json.dumps({"run": {"finished": "2026-01-01T00:00:00+00:00"}, "cases": [failed, passed]}))
    text = verdicts.section("mockllm", tmp_path)
    assert "Install 38 s, 59MB; ready 3 s after start; suite run 10 s. 2 cases: 1 known failure, 1 pass" in text
    assert "| chat | 0/1/0 | 0/0/1 | 2/0/0 |" in text  # schema, headers, errors: passed/must/should
    assert "- `chat.choices-count` [must] on `t`: ignores n; returns one" in text
    assert "- `headers.request-id` [should] on `t`: absent or wrong: " in text

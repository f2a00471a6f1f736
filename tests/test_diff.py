"""`openai-conformance diff`: the nightly regression gate names exactly what changed between two runs."""

from __future__ import annotations

import copy
import json
import re

import pytest

from conformance import cli
from tests.conftest import failed_checks, run_cases, with_fault

SELECTION = "test_models or test_sampling_parameters or test_single_user_message"


@pytest.fixture(scope="module")
def runs(emulator, tmp_path_factory):
    """results.json of a conformant run, of a run with must failures and of one with should failures."""
    tmp_path = tmp_path_factory.mktemp("runs")
    paths = {}
    for name, url in (("good", emulator), ("ignore-n", with_fault(emulator, "ignore-n")), ("renamed", with_fault(emulator, "model-renamed"))):
        _, results = run_cases(tmp_path / name, url, "-k", SELECTION)
        paths[name] = tmp_path / f"{name}.json"
        paths[name].write_text(json.dumps(results))
    return paths


def _diff(capsys, base, new) -> tuple[int, str]:
    code = cli.main(["diff", str(base), str(new)])
    return code, capsys.readouterr().out


def _section(output: str, title: str) -> list[str]:
    """"case check" of each item under the heading that starts with title."""
    lines = output.splitlines()
    start = _heading(lines, title)
    items = []
    for line in lines[start + 1:]:
        if not line.startswith("  "):
            break
        match = re.match(r"  \[\w+\]\s+(.*?)  (\S+?): ", line)
        items.append(f"{match[1]} {match[2]}")
    return items


def test_new_must_failures_are_named_exactly_and_exit_1(runs, capsys):
    code, output = _diff(capsys, runs["good"], runs["ignore-n"])
    assert code == 1, output
    faulty = json.loads(runs["ignore-n"].read_text())
    expected = {f"{case['id']} {check['id']}" for case in faulty["cases"] for check in case["checks"] if check["status"] == "fail"}
    assert expected and set(_section(output, "new failures")) == expected
    assert failed_checks(faulty) == {"chat.choices-count"}
    assert "fixed: none" in output and "still failing: none" in output
    assert "verdict: 1 new must departure(s), 2 new must failure(s)" in output


def test_departures_are_reported_new_fixed_and_still_there(runs, capsys):
    """Two failing cases, one cause: the nightly reader sees one new departure, then one fixed."""
    _, output = _diff(capsys, runs["good"], runs["ignore-n"])
    (line,) = _departures(output, "new departures")
    assert line.startswith("[must]   chat.choices-count /choices: expected 2 choice(s)") and line.endswith("(on 2 case(s))")
    assert "fixed departures: none" in output
    _, output = _diff(capsys, runs["ignore-n"], runs["good"])
    assert len(_departures(output, "fixed departures")) == 1 and "new departures: none" in output
    _, output = _diff(capsys, runs["ignore-n"], runs["ignore-n"])
    assert len(_departures(output, "departures still there")) == 1 and "new departures: none" in output


def test_a_changed_finding_in_the_same_cases_is_a_new_departure_and_trips_the_gate(runs, tmp_path, capsys):
    """The same cases still fail the same check, in another way: case by case nothing is new; the departures say what changed."""
    changed = json.loads(runs["ignore-n"].read_text())
    for case in changed["cases"]:
        for check in case["checks"]:
            for failure in check["failures"]:
                failure.update(pointer="/choices/0/index", expected="chat.completion: type 'integer'", seen="'0'")
    (tmp_path / "changed.json").write_text(json.dumps(changed))
    code, output = _diff(capsys, runs["ignore-n"], tmp_path / "changed.json")
    assert code == 1 and "new failures: none" in output
    assert len(_departures(output, "new departures")) == 1 and len(_departures(output, "fixed departures")) == 1
    assert "verdict: 1 new must departure(s), 0 new must failure(s)" in output


def test_fix_is_reported_and_passes_the_gate(runs, capsys):
    code, output = _diff(capsys, runs["ignore-n"], runs["good"])
    assert code == 0
    assert len(_section(output, "fixed")) == 2 and "new failures: none" in output


def test_new_should_failure_is_reported_but_does_not_trip_the_gate(runs, capsys):
    code, output = _diff(capsys, runs["good"], runs["renamed"])
    assert code == 0
    assert _section(output, "new failures") and all(line.startswith("  [should]") for line in output.splitlines() if "chat.model" in line)


def test_unchanged_failures_are_still_failing(runs, capsys):
    code, output = _diff(capsys, runs["ignore-n"], runs["ignore-n"])
    assert code == 0 and len(_section(output, "still failing")) == 2 and "new failures: none" in output


def test_added_removed_and_skipped_cases(runs, tmp_path, capsys):
    base = json.loads(runs["good"].read_text())
    new = copy.deepcopy(base)
    removed = new["cases"].pop(0)
    new["cases"][0].update(status="skip", reason="not supported", checks=[], exchanges=[])
    added = copy.deepcopy(base["cases"][1]) | {"id": "test_new.py::test_added"}
    new["cases"].append(added)
    (tmp_path / "new.json").write_text(json.dumps(new))
    code, output = _diff(capsys, runs["good"], tmp_path / "new.json")
    assert code == 0
    assert f"removed cases (1):\n  {removed['id']}" in output
    assert "added cases (1):\n  test_new.py::test_added" in output
    assert f"newly skipped (1):\n  {new['cases'][0]['id']}" in output


def test_known_failures_are_expected_and_a_fixed_one_is_named(runs, tmp_path, capsys):
    faulty = json.loads(runs["ignore-n"].read_text())
    for case in faulty["cases"]:
        if case["status"] == "fail":
            case["known_failure"] = {"reason": "ignores n", "fixed": False}
    (tmp_path / "known.json").write_text(json.dumps(faulty))
    code, output = _diff(capsys, runs["good"], tmp_path / "known.json")
    assert code == 0 and "(known failure)" in output and "verdict: no new must failure" in output
    fixed = json.loads(runs["good"].read_text())
    case = next(c for c in fixed["cases"] if "test_sampling_parameters" in c["id"])
    case.update(status="fail", reason="a known failure of the profile now passes: update the profile",
                known_failure={"reason": "ignores n", "fixed": True})
    (tmp_path / "fixed.json").write_text(json.dumps(fixed))
    code, output = _diff(capsys, tmp_path / "known.json", tmp_path / "fixed.json")
    assert code == 0 and f"known failure now passes, update the profile: {case['id']}" in output


def test_new_suite_error_trips_the_gate(runs, tmp_path, capsys):
    broken = json.loads(runs["good"].read_text())
    broken["cases"][0].update(status="error", reason="RuntimeError: the suite broke")
    (tmp_path / "broken.json").write_text(json.dumps(broken))
    code, output = _diff(capsys, runs["good"], tmp_path / "broken.json")
    assert code == 1 and "[error]" in output and "RuntimeError: the suite broke" in output


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "cannot read"), ("{", "is not JSON"), ('{"format": 1}', "is not a results.json of format 2"),
     ("SCHEMA", "does not follow the results schema at /cases/0")],
)
def test_bad_input_is_one_line_and_exit_2(runs, tmp_path, capsys, content, message):
    path = tmp_path / "bad.json"
    if content == "SCHEMA":
        document = json.loads(runs["good"].read_text())
        del document["cases"][0]["status"]
        content = json.dumps(document)
    if content is not None:
        path.write_text(content)
    assert cli.main(["diff", str(runs["good"]), str(path)]) == 2
    error = capsys.readouterr().err
    assert message in error and len(error.strip().splitlines()) == 1


def _departures(output: str, title: str) -> list[str]:
    lines = output.splitlines()
    start = _heading(lines, title)
    return [line.strip() for line in lines[start + 1:start + 1 + int(lines[start].split("(")[1].split(")")[0])]]


def _heading(lines: list[str], title: str) -> int:
    return next(i for i, line in enumerate(lines) if line.startswith((f"{title} (", f"{title}:")))

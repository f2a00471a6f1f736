"""One id per case whatever started the suite (conformance/case_ids.py): the CLI, ``pytest --pyargs
conformance.cases`` from a checkout or elsewhere, xdist or not; results files written before read
the same; a profile's known failures match however they are spelled."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conformance import cli
from conformance.case_ids import canonical
from conformance.profile import Profile
from conformance.reporting import compare, diff, document
from tests.conftest import KEY, with_fault

ROOT = Path(__file__).resolve().parents[1]
SELECTION = "temperature or (test_generated and models and not sequences)"
"""Invalid requests a faulty target accepts (departures folded by the case id) and generated cases."""
FAULTS = "temperature-unbounded+any-key-accepted"
COMMON = ("-k", SELECTION, "--hypothesis-seed=1", "--depth=quick", "-p", "no:cacheprovider", "-W", "ignore::pytest.PytestAssertRewriteWarning")


@pytest.mark.parametrize(("nodeid", "expected"), [
    ("test_chat.py::test_x", "test_chat.py::test_x"),
    ("cases/test_chat.py::test_x[a/b::c]", "test_chat.py::test_x[a/b::c]"),
    ("conformance/cases/test_generated.py::test_generated[GET /models/{model}]", "test_generated.py::test_generated[GET /models/{model}]"),
    ("../../venv/lib/python3.11/site-packages/conformance/cases/test_chat.py::test_x", "test_chat.py::test_x"),
    ("/home/me/suite/cases/test_chat.py::test_x", "test_chat.py::test_x"),
    ("cases/test_chat.py", "test_chat.py"),
])
def test_canonical_id_is_the_file_name_and_the_names_after_it(nodeid, expected):
    assert canonical(nodeid) == expected


def test_known_failures_match_whatever_the_entry_point_and_the_spelling():
    profile = Profile(known_failures={"test_chat.py::test_a": "a", "cases/test_chat.py::test_b[x/y]": "b"})
    for prefix in ("", "cases/", "conformance/cases/", "../../site-packages/conformance/cases/"):
        assert profile.known_failure(f"{prefix}test_chat.py::test_a") == "a"
        assert profile.known_failure(f"{prefix}test_chat.py::test_b[x/y]") == "b"
    assert profile.known_failure("test_chat.py::test_ab") is None


@pytest.fixture(scope="module")
def entry_points(emulator, tmp_path_factory) -> dict[str, Path]:
    """results.json of one faulty target, by how the suite was started."""
    url = with_fault(emulator, FAULTS)
    target = (f"--base-url={url}", f"--api-key={KEY}")
    out = tmp_path_factory.mktemp("runs")
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    commands = {
        "cli": ([sys.executable, "-m", "conformance.cli", "run", *target, "--report-dir", str(out / "cli"), "--", *COMMON], elsewhere),
        "pyargs-checkout": ([sys.executable, "-m", "pytest", "--pyargs", "conformance.cases", *target, *COMMON], ROOT),
        "pytest-checkout": ([sys.executable, "-m", "pytest", "cases", *target, *COMMON], ROOT),
        "pyargs-xdist": ([sys.executable, "-m", "pytest", "--pyargs", "conformance.cases", *target, *COMMON, "-n", "2"], elsewhere),
    }
    found = {}
    for name, (command, cwd) in commands.items():
        results = out / name / "results.json"
        if name != "cli":
            command.append(f"--conformance-results={results}")
        done = subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=300)
        assert done.returncode == 1 and results.exists(), f"{name}: {done.stdout[-2000:]}{done.stderr[-2000:]}"
        found[name] = results
    return found


def test_every_entry_point_names_the_cases_alike(entry_points):
    ids = {name: sorted(c["id"] for c in json.loads(path.read_text())["cases"]) for name, path in entry_points.items()}
    assert ids["cli"] and all(i == canonical(i) for i in ids["cli"])
    assert all(found == ids["cli"] for found in ids.values()), ids


def test_diff_of_two_entry_points_on_one_target_is_empty(entry_points, capsys):
    code = cli.main(["diff", str(entry_points["cli"]), str(entry_points["pyargs-checkout"])])
    output = capsys.readouterr().out
    for heading in ("new departures: none", "fixed departures: none", "new failures: none", "fixed: none",
                    "added cases: none", "removed cases: none"):
        assert heading in output, output
    assert code == 0


def test_a_results_file_written_before_the_fix_reads_like_a_new_one(entry_points, tmp_path, capsys):
    """Files of older suites named the cases of a checkout's pyargs run ``cases/test_x.py::…``."""
    old = json.loads(entry_points["cli"].read_text())
    for case in old["cases"]:
        case["id"] = "cases/" + case["id"]
    old_path = tmp_path / "old.json"
    old_path.write_text(json.dumps(old))
    code = cli.main(["diff", str(old_path), str(entry_points["pyargs-xdist"])])
    output = capsys.readouterr().out
    assert code == 0 and "added cases: none" in output and "removed cases: none" in output and "new departures: none" in output
    before, after = document.load(str(old_path)), document.load(str(entry_points["cli"]))
    changes = diff.compare(before, after)
    assert not (changes.new or changes.fixed or changes.new_departures or changes.fixed_departures)
    departures = compare.rows(compare.targets([before, after], ["before", "after"]))
    assert departures and all(row.departing == 2 for row in departures)  # not "departs before, not run after"

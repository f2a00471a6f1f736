"""POST /responses/compact and Open Responses side by side: legal variants pass, the ids are reported as they fared.

The faults of compact are proven by tests/test_faults.py (each one fails its check); here: what the reference
allows passes every check, and the Open Responses line says what ran, what failed and what did not run.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conformance import openresponses
from conformance.reporting.document import SCHEMA
from tests.conftest import CASES, KEY, failed_checks, run_cases, with_fault

DOC = Path(__file__).resolve().parents[1] / "docs" / "openresponses.md"
COMPACT_CASES = "test_compact or test_compacted or test_assistant_phase"
VARIANTS = {
    # What each variant changes, seen in the answers, so that one that silently did nothing cannot pass.
    "compact-only-item": lambda ex: ex["request"]["url"].endswith("/compact") and '"output":[{"id":"cmp_' in ex["response"]["body"],
    "responses-extra-fields": lambda ex: ex["request"]["url"].endswith("/compact") and '"x_emulator"' in ex["response"]["body"],
    "responses-output-phase": lambda ex: '"phase":"final_answer"' in ex["response"]["body"],
}


@pytest.mark.parametrize("variant", VARIANTS)
def test_legal_variant_passes_every_check(variant, emulator, tmp_path):
    code, results = run_cases(tmp_path, emulator.replace("/v1", f"/variant/{variant}/v1"), "-k", COMPACT_CASES)
    assert code == 0 and failed_checks(results) == set()
    exchanges = [e for case in results["cases"] for e in case["exchanges"]]
    assert any(VARIANTS[variant](e) for e in exchanges), "the variant changed nothing the cases saw"


def test_compacted_output_is_judged_on_its_schema_checks_and_use(emulator, tmp_path):
    _, results = run_cases(tmp_path, emulator, "-k", "test_compact_round_trip")
    ran = {c["id"] for case in results["cases"] for c in case["checks"]}
    assert {"body.schema", "responses.compaction", "responses.compact-usage", "responses.compact-context", "responses.input-items"} <= ran


def _fared(results: dict) -> dict[str, str]:
    return {test: v["status"] for test, v in results["openresponses"]["tests"].items()}


def test_open_responses_ids_fare_as_their_cases(emulator, tmp_path):
    # One failing fault, the rest conformant; the WebSocket tests have no case in this selection: not run, never passed.
    code, results = run_cases(tmp_path, with_fault(emulator, "compact-missing-model-404"), "-m", "openresponses")
    fared = _fared(results)
    assert code == 1 and fared["compact-missing-model"] == "failed" and fared["basic-response"] == "passed"
    assert fared["response-output-phase-schema"] == "no request"
    assert set(fared) == set(openresponses.TESTS)
    summary = results["openresponses"]
    assert summary["passed"] + summary["failed"] + summary["not run"] == summary["of"] == len(openresponses.TESTS) - 1
    assert all(case["openresponses"] for case in results["cases"])  # -m openresponses selects only the covering cases
    line = openresponses.line(summary)
    assert line.startswith(f"Open Responses acceptance tests: {summary['passed']} of {summary['of']} passed (failed: compact-missing-model")


def test_a_skipped_case_leaves_its_id_not_run(emulator, tmp_path):
    profile = tmp_path / "no-compact.toml"
    profile.write_text('[unsupported]\nresponses-compact = "not served"\n')
    _, results = run_cases(tmp_path, emulator, "-m", "openresponses", f"--profile={profile}")
    fared = _fared(results)
    assert fared["compact-response"] == fared["compact-missing-model"] == "not run" and fared["multi-turn"] == "passed"


def test_terminal_and_html_say_how_the_target_fares(emulator, tmp_path, capsys):
    html = tmp_path / "report.html"
    run_cases(tmp_path, emulator, "-k", "test_create_response", f"--conformance-html={html}")
    assert "Open Responses acceptance tests: " in capsys.readouterr().out
    assert "<section id='openresponses'>" in html.read_text()


def test_a_run_without_covering_cases_has_no_open_responses_line(emulator, tmp_path, capsys):
    _, results = run_cases(tmp_path, emulator, "-k", "test_list_models")
    assert "openresponses" not in results and "Open Responses" not in capsys.readouterr().out


def test_results_schema_describes_the_open_responses_summary():
    assert '"openresponses"' in SCHEMA.read_text()


def test_an_unknown_id_is_the_suites_error():
    class Item:
        nodeid = "cases/test_x.py::test_y"

        def iter_markers(self, name):
            return [pytest.mark.openresponses("basic-response", "no-such-test").mark]

    with pytest.raises(ValueError, match="no-such-test"):
        openresponses.ids(Item())


class _Collected:
    items: list = []

    def pytest_collection_finish(self, session):
        self.items = list(session.items)


def test_every_http_test_is_covered_and_the_doc_names_the_cases_that_carry_it(emulator):
    """docs/openresponses.md's table: each row's cases carry its id. The WebSocket rows name the socket cases of another
    module, wherever their markers are: only the ids carried by collected cases are held to the letter."""
    collected = _Collected()
    pytest.main([str(CASES), "--rootdir", str(CASES), "--collect-only", "-q", "-p", "no:cacheprovider", f"--base-url={emulator}", f"--api-key={KEY}"],
                plugins=[collected])
    carried: dict[str, set[str]] = {test: set() for test in openresponses.TESTS}
    for item in collected.items:
        for test in openresponses.ids(item):
            carried[test].add(item.name)
    rows = dict(re.findall(r"^\| `([\w-]+)` \|[^|]*\|([^|]*)\|", DOC.read_text(), re.M))
    assert set(rows) == set(openresponses.TESTS)
    for test, transport in openresponses.TESTS.items():
        named = set(re.findall(r"`(test_\w+)`", rows[test]))
        if transport == openresponses.HTTP:
            assert carried[test], f"{test}: no case carries it"
        if carried[test]:
            assert named == carried[test], f"{test}: the doc names {sorted(named)}, the markers {sorted(carried[test])}"


def test_a_listing_without_has_more_is_still_judged_for_what_it_lists(emulator, tmp_path):
    # As OGX answers input_items: no has_more, and the compaction item left out. Both are reported, neither masks the other.
    _, results = run_cases(tmp_path, with_fault(emulator, "has-more-absent+input-items-without-compaction"), "-k", "test_compact_round_trip")
    assert {"list.has-more", "responses.input-items"} <= failed_checks(results)

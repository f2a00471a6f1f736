"""A generated case that fails on one of schemathesis's own checks is reported like any failure:
in departures, in the HTML report (message and curl), in the matrix and in ``diff``; the curls of
generated requests carry the values sent."""

from __future__ import annotations

import json
import re

import httpx
import pytest
from schemathesis.core.failures import ServerError
from schemathesis.openapi.checks import IgnoredAuth, UndefinedStatusCode

from conformance.exchange import Exchange
from conformance.fuzzing import failures
from conformance.reporting import diff, html
from tests.conftest import KEY, run_cases, with_fault

GENERATED_MODELS = ("-k", "test_generated and models and not sequences")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@pytest.fixture(scope="module")
def runs(emulator, tmp_path_factory) -> tuple[dict, dict]:
    """Results of the same generated cases against the emulator, conformant and accepting any key."""
    clean_code, clean = run_cases(tmp_path_factory.mktemp("clean"), emulator, *GENERATED_MODELS)
    code, faulty = run_cases(tmp_path_factory.mktemp("faulty"), with_fault(emulator, "any-key-accepted"), *GENERATED_MODELS)
    assert (clean_code, code) == (0, 1)
    return clean, faulty


def test_a_schemathesis_check_failure_is_a_departure(runs):
    _, faulty = runs
    departure = next(d for d in faulty["departures"] if d["check"] == "schemathesis.ignored_auth")
    assert departure["level"] == "must" and departure["section"] == "Authentication" and departure["aspect"] == "generated"
    assert "401" in departure["expected"] and departure["seen"].startswith("HTTP 200")
    assert departure["cases"]["count"] == 2  # GET /models and GET /models/{model}: one departure, not one per operation
    assert "Bearer SCHEMATHESIS-INVALID-VALUE" in departure["curl"]  # the request that was accepted, as sent


def test_a_schemathesis_check_failure_shows_in_the_html_report_and_the_matrix(runs):
    _, faulty = runs
    report = html.render(faulty)
    failures_section = report[report.index("id='failures'"):report.index("id='cases'")]
    assert "schemathesis.ignored_auth" in failures_section and "reproduce: curl" in failures_section
    matrix = report[report.index("id='matrix'"):report.index("id='failures'")]
    assert "✗" in matrix


def test_diff_reports_a_schemathesis_check_failure_as_new_and_then_as_fixed(runs):
    clean, faulty = runs
    regressed = diff.compare(clean, faulty)
    assert [d["check"] for d in regressed.new_departures] == ["schemathesis.ignored_auth"] and regressed.failed_gate
    assert {i.check for i in regressed.new} == {"schemathesis.ignored_auth"}
    repaired = diff.compare(faulty, clean)
    assert [d["check"] for d in repaired.fixed_departures] == ["schemathesis.ignored_auth"] and not repaired.failed_gate


def test_curls_of_generated_requests_carry_what_was_sent_without_the_key(runs):
    for results in runs:
        text = json.dumps(results)
        assert KEY not in text and "[Filtered]" not in text
        for case in results["cases"]:
            for exchange in case["exchanges"]:
                assert not CONTROL.search(exchange["curl"]), exchange["curl"]
                if exchange["request"]["headers"].get("authorization") == "Bearer $OPENAI_API_KEY":
                    assert '-H "authorization: Bearer $OPENAI_API_KEY"' in exchange["curl"]


@pytest.mark.parametrize(("failure", "expected", "seen"), [
    (IgnoredAuth(operation="GET /models", message="Expected 401 or 403, got `200 OK` for `GET /models` (invalid credentials provided)",
                 scenario=None, title="API accepts invalid authentication"),
     "HTTP 401 or 403 (invalid credentials provided)", "HTTP 200 OK"),
    (UndefinedStatusCode(operation="GET /models", status_code=418, defined_status_codes=["200"], allowed_status_codes=[200],
                         message="Received: 418\nDocumented: 200, 4XX"), "200, 4XX", "418"),
    (ServerError(operation="GET /models", status_code=500), "no server error", "HTTP 500: Server error"),
])
def test_a_schemathesis_failure_becomes_a_must_outcome_with_expected_and_seen(failure, expected, seen):
    answer = httpx.Response(int(re.findall(r"\d{3}", seen)[0]), request=httpx.Request("GET", "http://127.0.0.1:1/v1/models"))
    exchange = Exchange(answer.request, "/models", answer)
    outcome = failures.outcome(failure, exchange, "Models > List models")
    finding = outcome.violations[0].finding
    assert outcome.check.level == "must" and outcome.check.id.startswith("schemathesis.")
    assert (finding.expected, finding.seen) == (expected, seen)

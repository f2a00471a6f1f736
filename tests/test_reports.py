"""Reports: results.json follows its schema, exchanges are recorded redacted, the HTML report is self-contained."""

from __future__ import annotations

import json

import httpx
import jsonschema
import pytest

from conformance.checks import Expect, evaluate
from conformance.exchange import Exchange
from conformance.reporting import html, record
from conformance.reporting.aspects import ASPECTS, aspect
from conformance.reporting.results import SCHEMA, public_url
from tests.conftest import CASES, KEY, run_cases, with_fault

SECRET = "conformance-secret-7f3a9c2e5b1d4e6a"


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def test_results_of_every_kind_of_case_follow_the_schema(emulator, tmp_path, validator):
    profile = tmp_path / "profile.toml"
    profile.write_text(
        'name = "partial"\ncapabilities = ["models", "chat"]\n'
        '[known-failures]\n"test_chat.py::test_json_object_response_format" = "ignores JSON mode"\n'
    )
    # ignore-n fails test_sampling_parameters; the known failure passes (strict: fails); embeddings are skipped.
    code, results = run_cases(
        tmp_path, with_fault(emulator, "ignore-n"), f"--profile={profile}", "--hypothesis-seed=1234",
        "-k", "test_models or test_sampling_parameters or json_object or test_embeddings", "-n", "2",
        f"--ignore={CASES / 'test_generated.py'}",  # each worker would load the OpenAPI document for nothing
    )
    assert code == 1
    assert list(validator.iter_errors(results)) == []
    assert results["run"]["seed"] == 1234 and results["target"]["profile"] == "partial"
    statuses = {case["status"] for case in results["cases"]}
    assert statuses == {"pass", "fail", "skip"}
    stale = next(c for c in results["cases"] if c["id"].endswith("test_json_object_response_format"))
    assert stale["known_failure"] == {"reason": "ignores JSON mode", "fixed": True}
    failed = next(c for c in results["cases"] if c["status"] == "fail" and c["known_failure"] is None)
    assert failed["level"] == "must" and failed["capability"] == "chat" and failed["section"] == "Chat > Create chat completion"
    check = next(c for c in failed["checks"] if c["status"] == "fail")
    assert check["id"] == "chat.choices-count" and check["aspect"] == "schema"
    failure = check["failures"][0]
    exchange = failed["exchanges"][failure["exchange"]]  # recorded on an xdist worker, carried to the controller
    assert "reproduce: curl" in failure["message"] and exchange["request_id"] in failed["request_ids"]
    assert exchange["request"]["headers"]["authorization"] == "Bearer $OPENAI_API_KEY"
    assert exchange["checks"]["chat.choices-count"] == "fail" and exchange["response"]["status"] == 200
    assert exchange["operation"] == "POST /chat/completions"
    (departure,) = (d for d in results["departures"] if d["check"] == "chat.choices-count")
    assert departure["cases"]["ids"] == sorted(c["id"] for c in results["cases"] if "chat.choices-count" in {k["id"] for k in c["checks"] if k["status"] == "fail"})
    assert KEY not in json.dumps(results)


def _exchange(request_body: bytes, response_body: bytes, content_type: str = "application/json") -> Exchange:
    request = httpx.Request(
        "POST", "http://127.0.0.1:1/v1/chat/completions", content=request_body,
        headers={"Authorization": f"Bearer {SECRET}", "content-type": "application/json", "api-key": SECRET},
    )
    response = httpx.Response(
        400, content=response_body, request=request,
        headers={"content-type": content_type, "x-echo": f"key={SECRET}", "set-cookie": "session=abc"},
    )
    return Exchange(request, "/chat/completions", response, secrets=(SECRET,))


def test_recorded_exchange_is_redacted_and_truncated():
    long_body = json.dumps({"error": {"message": "x" * (record.BODY_LIMIT - 20) + SECRET}}).encode()
    entry = record.exchange_record(_exchange(f'{{"user": "{SECRET}"}}'.encode(), long_body))
    assert SECRET not in json.dumps(entry) and SECRET[:12] not in json.dumps(entry)
    assert entry["request"]["headers"]["authorization"] == "Bearer $OPENAI_API_KEY"
    assert entry["request"]["headers"]["api-key"] == "$OPENAI_API_KEY"
    assert entry["response"]["headers"]["set-cookie"] == "<11 characters, redacted>"
    assert entry["request"]["body"] == '{"user": "$OPENAI_API_KEY"}'
    assert entry["response"]["body"].endswith(f"… ({len(long_body) - len(SECRET) + len('$OPENAI_API_KEY')} chars)")
    assert "$OPENAI_API_KEY" in entry["curl"]


def test_key_in_the_target_url_is_redacted_everywhere():
    request = httpx.Request("GET", f"http://127.0.0.1:1/{SECRET}/v1/models", headers={"Authorization": f"Bearer {SECRET}"})
    exchange = Exchange(request, "/models", None, transport_error="ConnectError", secrets=(SECRET,))
    (outcome,) = (o for o in evaluate(exchange, Expect(200)) if not o.passed)
    entry = {**record.exchange_record(exchange), "message": outcome.violations[0].message()}
    assert SECRET not in json.dumps(entry) and "/$OPENAI_API_KEY/v1/models" in entry["curl"]


def test_binary_bodies_are_summarised_not_stored():
    entry = record.exchange_record(_exchange(b"{}", b"\x00\x01ID3" * 100, content_type="audio/mpeg"))
    assert entry["response"]["body"] == "<500 bytes of audio/mpeg>"


def test_public_url_has_no_credentials():
    assert public_url(f"https://user:{SECRET}@gateway.example/{SECRET}/v1", SECRET) == "https://gateway.example/$OPENAI_API_KEY/v1"


@pytest.mark.parametrize(
    ("check_id", "expected"),
    [("body.schema", "schema"), ("chat.choices-count", "schema"), ("headers.request-id", "headers"),
     ("http.content-type", "headers"), ("error.envelope", "errors"), ("http.status", "errors"),
     ("stream.role", "streaming"), ("pagination.cursor", "pagination"), ("openapi.response-schema", "generated")],
)
def test_aspect_of_a_check_follows_its_id(check_id, expected):
    assert aspect(check_id) == expected


def test_generated_requests_count_under_generated(emulator, tmp_path):
    _, results = run_cases(tmp_path, emulator, "-k", "test_generated and models")
    assert results["cases"] and {c["aspect"] for case in results["cases"] for c in case["checks"]} == {"generated"}
    page = html.render(results)  # in the models row, not a row of their own
    assert "<th>models</th>" in page and "<th>generated</th>" not in page


def test_html_report_is_self_contained_with_matrix_and_failures(emulator, tmp_path):
    report = tmp_path / "report.html"
    run_cases(tmp_path, with_fault(emulator, "ignore-n"), "-k", "test_models or test_sampling_parameters", f"--conformance-html={report}")
    page = report.read_text()
    for external in ("src=", "<link", "@import", "url(", "<script"):
        assert external not in page, f"the report must not load anything: found {external!r}"
    assert "<th>chat</th>" in page and "<th>models</th>" in page
    assert all(f">{a}</th>" in page for a in ASPECTS)
    assert "chat.choices-count" in page and "reproduce: curl -X POST" in page and KEY not in page


def test_html_escapes_what_the_target_sent():
    case = {
        "id": "test_x.py::test_y", "status": "fail", "reason": None, "section": "S", "capability": "chat", "duration": 0.1,
        "level": "must", "known_failure": None, "request_ids": [], "exchanges": [],
        "checks": [{"id": "body.schema", "level": "must", "section": "S", "aspect": "schema", "status": "fail", "runs": 1,
                    "failures": [{"exchange": 0, "message": "seen: <script>alert(1)</script>", "section": "S", "pointer": "", "expected": "", "seen": ""}]}],
    }
    document = {
        "suite": {"name": "openai-conformance", "version": "0", "python": "3"},
        "run": {"started": "a", "finished": "b", "duration": 1, "seed": None},
        "target": {"base_url": "http://t/v1", "profile": "default", "capabilities": ["chat"], "models": {}},
        "summary": {"pass": 0, "fail": 1, "skip": 0, "error": 0, "warnings": 0}, "cases": [case],
    }
    page = html.render(document)
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page

"""Generated requests (cases/test_generated.py): they find the emulator's request-validation faults,
stop when a budget is spent, run against a user-supplied document, and the suite's checks work as a
schemathesis check. Every fault declared for test_generated is also run by tests/test_faults.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import schemathesis
from schemathesis.core.failures import FailureGroup

from conformance import openapi
from conformance.fuzzing.adapter import openai_conformance
from conformance.fuzzing.spec import ERROR_COMPONENT, normalise
from conformance.operations import OPERATIONS
from tests.conftest import CASES, KEY, failed_checks, run_cases, with_fault

ROOT = Path(__file__).resolve().parents[1]
REFERENCE_SPEC = Path(os.environ.get("OPENAI_CONFORMANCE_REFERENCE_SPEC") or ROOT.parent / "shared" / "reference" / "openai-openapi.yaml")
"""The official OpenAPI document: CI points the variable at it; the project does not vendor it."""


@pytest.mark.parametrize("fault", ["validation-500", "validation-422"])
def test_generated_bodies_find_request_validation_faults(fault, emulator, tmp_path):
    """Faults declared for hand-written cases; the faults declared for test_generated run in test_faults.py."""
    code, results = run_cases(tmp_path, with_fault(emulator, fault), "-k", "test_generated and chat")
    assert code == 1 and "http.status" in failed_checks(results)
    failure = next(f for c in results["cases"][0]["checks"] if c["id"] == "http.status" for f in c["failures"])
    assert "reproduce: curl -X POST" in failure["message"] and KEY not in json.dumps(results)


@pytest.mark.parametrize(("option", "reason"), [
    ("--budget-requests=3", "request budget spent"),
    ("--budget-tokens=1", "token budget spent"),  # embeddings: the cheapest operation whose answers report usage
    ("--budget-seconds=0.001", "time budget spent"),
])
def test_a_spent_budget_skips_the_rest_of_the_generation(option, reason, emulator, tmp_path):
    code, results = run_cases(tmp_path, emulator, "-k", "test_generated and (embeddings or models) and not sequences", option)
    skipped = [c for c in results["cases"] if c["status"] == "skip"]
    assert code == 1 and skipped and all(c["reason"].startswith("not run: ") and reason in c["reason"] for c in skipped)
    assert results["summary"]["not_run"]["count"] == len(skipped)


@pytest.mark.skipif(not REFERENCE_SPEC.is_file(), reason=f"the official OpenAPI document is not at {REFERENCE_SPEC} (set OPENAI_CONFORMANCE_REFERENCE_SPEC)")
def test_official_document_runs_normalised_and_unimplemented_operations_are_skips(emulator, tmp_path):
    code, results = run_cases(tmp_path, emulator, "-k", "test_generated and not sequences", f"--spec={REFERENCE_SPEC}",
                              "--operations=^/(models|models/\\{model\\}|moderations|containers)$")
    rows = {c["id"].split("[", 1)[1].rstrip("]"): c for c in results["cases"]}
    assert code == 0, results
    assert {rows[k]["status"] for k in ("GET /models", "GET /models/{model}", "POST /moderations")} == {"pass"}
    assert rows["POST /containers"]["status"] == "skip" and "does not implement" in rows["POST /containers"]["reason"]


def test_a_bad_spec_is_one_line_and_exit_code_2(tmp_path, capsys):
    bad = tmp_path / "spec.yaml"
    bad.write_text("openapi: [unclosed\n")
    code = pytest.main([str(CASES), "--rootdir", str(CASES), "-p", "no:cacheprovider", f"--spec={bad}"])
    error = capsys.readouterr().err.strip()
    assert code == 2 and error.count("\n") == 0 and error.startswith("openai-conformance: --spec")


def test_normalisation_makes_a_published_document_usable():
    chunk = {"type": "object", "properties": {"id": {"type": "string"}}}
    document = normalise({
        "openapi": "3.1.0",
        "paths": {"/x": {"post": {"responses": {
            "200": {"content": {"text/event-stream": {"schema": chunk}}},
            "429": {"description": "rate limited"},
        }}}},
        "components": {"schemas": {
            "Nullable": {"type": "string", "enum": ["a"], "nullable": True},
            "NullableRef": {"$ref": "#/components/schemas/Nullable", "nullable": True},
            "Choice": {"oneOf": [{"type": "string"}, {"type": "integer"}], "discriminator": {"propertyName": "type"}},
            "HasNullableProperty": {"properties": {"nullable": {"type": "boolean"}}},
        }},
    })
    schemas = document["components"]["schemas"]
    assert schemas["Nullable"] == {"type": ["string", "null"], "enum": ["a", None]}
    assert schemas["NullableRef"] == {"anyOf": [{"$ref": "#/components/schemas/Nullable"}, {"type": "null"}]}
    assert "discriminator" not in schemas["Choice"]
    assert schemas["HasNullableProperty"]["properties"]["nullable"] == {"type": "boolean"}
    responses = document["paths"]["/x"]["post"]["responses"]
    event = responses["200"]["content"]["text/event-stream"]["itemSchema"]
    assert event["properties"]["data"]["anyOf"][1]["contentSchema"] == chunk
    assert responses["4XX"]["content"]["application/json"]["schema"]["$ref"].endswith(ERROR_COMPONENT)


def test_the_document_covers_the_operations_table_and_loads():
    document = openapi.document()
    for operation in OPERATIONS:
        entry = document["paths"][operation.template][operation.method.lower()]
        assert ("requestBody" in entry) == bool(operation.request), operation.key
        assert entry["responses"]["4XX"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/error"}
    loaded = list(schemathesis.openapi.from_dict(document).get_all_operations())
    assert all(result.ok() for result in loaded) and len(loaded) == len(OPERATIONS)


def test_openapi_command_prints_the_document():
    done = subprocess.run([sys.executable, "-m", "conformance.cli", "openapi"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and json.loads(done.stdout) == openapi.document()


def test_suite_checks_run_as_a_schemathesis_check(emulator):
    """Any schemathesis run can use the suite's checks: here an integer error.code fails error.envelope."""
    operation = schemathesis.openapi.from_dict(openapi.document())["/models/{model}"]["GET"]
    case = operation.Case(path_parameters={"model": "no-such-model"})
    headers = {"Authorization": f"Bearer {KEY}"}
    case.validate_response(case.call(base_url=emulator, headers=headers), checks=[openai_conformance])
    faulty = case.call(base_url=with_fault(emulator, "error-code-integer"), headers=headers)
    with pytest.raises(FailureGroup, match="error.envelope"):
        case.validate_response(faulty, checks=[openai_conformance])


def test_sequences_only_touch_what_they_created(emulator, tmp_path):
    headers = {"Authorization": f"Bearer {KEY}", "OpenAI-Beta": "assistants=v2"}

    def listed() -> set[str]:
        return {a["id"] for a in httpx.get(f"{emulator}/assistants", params={"limit": 100}, headers=headers).json()["data"]}

    theirs = httpx.post(f"{emulator}/assistants", json={"model": "gpt-4o-mini", "name": "not the suite's"}, headers=headers).json()["id"]
    before = listed()
    code, results = run_cases(tmp_path, emulator, "-k", "test_generated_sequences")
    assert code == 0 and [c["status"] for c in results["cases"]] == ["pass"]
    assert httpx.get(f"{emulator}/assistants/{theirs}", headers=headers).json()["name"] == "not the suite's"
    assert listed() == before, "a sequence deleted an assistant it did not create, or left one behind"


def test_a_target_that_stops_answering_fails_on_http_response(emulator, tmp_path):
    code, results = run_cases(tmp_path, with_fault(emulator, "stall"), "-k", "test_generated and chat")
    assert code == 1 and "http.response" in failed_checks(results)


@pytest.mark.parametrize("variant", ["sse-crlf"])
def test_legal_variations_pass_generated_requests(variant, emulator, tmp_path):
    code, results = run_cases(tmp_path, emulator.replace("/v1", f"/variant/{variant}/v1"), "-k", "test_generated and POST and completions and not chat")
    assert code == 0 and failed_checks(results) == set()

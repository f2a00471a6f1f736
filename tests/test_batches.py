"""Batches: the reference's own batch objects pass every batch check; legal variations of a batch (a long validation,
fields the reference does not list) pass the cases; a result line is judged as its endpoint's answer, and a file's
one JSON line is no object of the API."""

from __future__ import annotations

import json

import httpx
import pytest

from conformance.batches import BatchRun, line_exchange
from conformance.checks import Expect, evaluate
from conformance.exchange import Exchange
from tests.conftest import failed_checks, run_cases

# The official document's examples (Batch > Create, List, Retrieve, Cancel batch), trailing commas aside.
CREATED = {"id": "batch_abc123", "object": "batch", "endpoint": "/v1/chat/completions", "errors": None, "input_file_id": "file-abc123",
           "completion_window": "24h", "status": "validating", "output_file_id": None, "error_file_id": None, "created_at": 1711471533,
           "in_progress_at": None, "expires_at": None, "finalizing_at": None, "completed_at": None, "failed_at": None, "expired_at": None,
           "cancelling_at": None, "cancelled_at": None, "request_counts": {"total": 0, "completed": 0, "failed": 0},
           "metadata": {"customer_id": "user_123456789", "batch_description": "Nightly eval job"}}
COMPLETED = {**CREATED, "endpoint": "/v1/completions", "model": "gpt-5-2025-08-07", "status": "completed", "output_file_id": "file-cvaTdG",
             "error_file_id": "file-HOWS94", "in_progress_at": 1711471538, "expires_at": 1711557933, "finalizing_at": 1711493133,
             "completed_at": 1711493163, "request_counts": {"total": 100, "completed": 95, "failed": 5},
             "usage": {"input_tokens": 1500, "input_tokens_details": {"cached_tokens": 1024}, "output_tokens": 500,
                       "output_tokens_details": {"reasoning_tokens": 300}, "total_tokens": 2000}}
CANCELLING = {**CREATED, "status": "cancelling", "in_progress_at": 1711471538, "expires_at": 1711557933, "cancelling_at": 1711475133,
              "request_counts": {"total": 100, "completed": 23, "failed": 1}}
EXAMPLES = {"POST /batches": CREATED, "GET /batches/batch_abc123": COMPLETED, "POST /batches/batch_abc123/cancel": CANCELLING}


def _exchange(method: str, path: str, answer: object, sent: dict | None = None, content: bytes | None = None) -> Exchange:
    request = httpx.Request(method, f"http://target/v1{path}", json=sent)
    body = content if content is not None else json.dumps(answer).encode()
    return Exchange(request, path, httpx.Response(200, headers={"content-type": "application/json"}, content=body, request=request))


@pytest.mark.parametrize("operation", EXAMPLES)
def test_reference_examples_pass_every_check(operation):
    method, path = operation.split(" ")
    sent = {"input_file_id": "file-abc123", "endpoint": "/v1/chat/completions", "completion_window": "24h"} if path == "/batches" else None
    run = BatchRun(tuple({"custom_id": f"request-{n}"} for n in range(100)), batch=CREATED)  # the examples' 100 requests
    outcomes = list(evaluate(_exchange(method, path, EXAMPLES[operation], sent), Expect(200, batch=run)))
    assert any(o.check.id.startswith("batches.") for o in outcomes)
    assert [v.message() for o in outcomes if o.check.id.startswith(("batches.", "body.")) for v in o.violations] == []


def test_reference_list_example_passes_the_schema():
    page = {"object": "list", "data": [COMPLETED], "first_id": "batch_abc123", "last_id": "batch_abc456", "has_more": True}
    outcomes = evaluate(_exchange("GET", "/batches?limit=2", page), Expect(200))
    assert [v.message() for o in outcomes if o.check.id == "body.schema" for v in o.violations] == []


LINES = ({"custom_id": "r1", "method": "POST", "url": "/v1/chat/completions", "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}]}},)
CHAT = {"id": "chatcmpl-1", "object": "chat.completion", "created": 1711471533, "model": "gpt-4o-mini",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hi", "refusal": None}, "logprobs": None, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 8, "completion_tokens": 1, "total_tokens": 9}}


@pytest.mark.parametrize("body", [CHAT, json.dumps(CHAT)], ids=["object", "json-string"])
def test_result_line_is_the_endpoints_answer_to_its_request(body):
    run = BatchRun(LINES, batch={**CREATED, "status": "completed", "output_file_id": "file-out", "request_counts": {"total": 1, "completed": 1, "failed": 0}})
    line = {"id": "batch_req_1", "custom_id": "r1", "response": {"status_code": 200, "request_id": "req_1", "body": body}, "error": None}
    content = _exchange("GET", "/files/file-out/content", None, content=json.dumps(line).encode())
    exchange = line_exchange(run, content, 1, line)
    assert exchange.operation.key == "POST /chat/completions" and exchange.request_json == LINES[0]["body"] and exchange.data == CHAT
    assert exchange.source["file"] == "output file of batch batch_abc123"
    # The string is batches.output-line's finding, once: the answer inside it is judged as any other.
    findings = [o.check.id for o in evaluate(content, Expect(200, batch=run)) if o.check.id.startswith("batches.") for _ in o.violations]
    assert findings == ([] if isinstance(body, dict) else ["batches.output-line"])


EXPIRED = {"id": "batch_req_2", "custom_id": "r1", "response": None,
           "error": {"code": "batch_expired", "message": "This request could not be executed before the completion window expired."}}


@pytest.mark.parametrize(("line", "departs"), [(EXPIRED, False), ({**EXPIRED, "error": {"type": "request_failed", "message": "failed"}}, True),
                                               ({**EXPIRED, "error": None}, True)], ids=["expired", "error-without-code", "nothing"])
def test_error_file_lines(line, departs):
    run = BatchRun(LINES, batch={**CREATED, "status": "expired", "error_file_id": "file-err", "request_counts": {"total": 1, "completed": 0, "failed": 1}})
    content = _exchange("GET", "/files/file-err/content", None, content=json.dumps(line).encode())
    outcomes = {o.check.id: o for o in evaluate(content, Expect(200, batch=run))}
    assert outcomes["batches.output-coverage"].passed and outcomes["batches.output-line"].passed is not departs
    assert "error.as-success" not in outcomes  # a file's content, not an answer of the API


def test_a_files_one_json_line_is_no_object_of_the_api():
    # Seen: a result file of one line (a JSON object with its own id) failed resource.id against the file's id.
    content = _exchange("GET", "/files/file-out/content", {"id": "batch_req_1", "custom_id": "r1"})
    assert "resource.id" not in {o.check.id for o in evaluate(content, Expect(200))}


SEEN = {
    "batch-slow-validation": lambda bodies: sum(b.get("status") == "validating" for b in bodies) >= 3,
    "batch-extra-fields": lambda bodies: any("x_emulator" in b for b in bodies),
}
"""What each variant changes in the batches the cases saw, so that a variant that silently did nothing cannot pass."""


@pytest.mark.parametrize("variant", SEEN)
def test_legal_batch_variation_passes(variant, emulator, tmp_path):
    base_url = emulator.replace("/v1", f"/variant/{variant}/v1")
    code, results = run_cases(tmp_path, base_url, "-k", "test_batch_lifecycle and chat or test_cancel_batch")
    assert (code, failed_checks(results)) == (0, set())
    bodies = [json.loads(e["response"]["body"]) for case in results["cases"] for e in case["exchanges"]
              if (e["operation"] or "").endswith("/batches/{batch_id}") or e["operation"] == "POST /batches"]
    assert SEEN[variant](bodies)

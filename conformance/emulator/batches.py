"""The /batches routes: batches of requests from an uploaded JSON Lines file, run by the emulator itself.

A batch moves on with time, as a real one does, but in a short, bounded delay: each of ``validating``,
``in_progress`` and ``finalizing`` lasts STAGE_SECONDS (``batch-slow-validation``: validating lasts
longer), and any read (retrieve, list, cancel) brings it up to date. Its lines are answered by this same
emulator (conformant: faults are the batch's own), so each output line is the answer the endpoint gives.
"""

from __future__ import annotations

import json
import time

import httpx
from starlette.requests import Request

from conformance.emulator.errors import APIError, invalid
from conformance.emulator.faults import active, declare
from conformance.emulator.pagination import page
from conformance.emulator.replies import reply
from conformance.emulator.store import store
from conformance.emulator.validation import json_object, require
from conformance.emulator.variants import chosen

INPUT_FILE_WRONG = declare("batch-input-file-wrong", "batches.echo", "test_batch_lifecycle", "a created batch names another input file")
STAMP_MISSING = declare("batch-completed-at-missing", "batches.timestamps", "test_batch_lifecycle", "a completed batch has completed_at null")
COUNTS_WRONG = declare("batch-counts-wrong", "batches.request-counts", "test_batch_lifecycle", "a completed batch counts one request more completed than it holds")
STATUS_REGRESSES = declare("batch-status-regresses", "batches.transition", "test_batch_lifecycle",
                           "a retrieve after the batch completed answers it in_progress again")
CANCEL_IGNORED = declare("batch-cancel-ignored", "batches.cancelled", "test_cancel_batch", "cancel answers the batch unchanged, and it runs on")
BODY_STRING = declare("batch-output-body-string", "batches.output-line", "test_batch_lifecycle",
                      "each output line's response.body is the answer as a JSON string, not an object (OGX)")
LINE_DROPPED = declare("batch-output-line-dropped", "batches.output-coverage", "test_batch_lifecycle",
                       "the output file lacks the last request's line (the counts still say it completed)")
LINE_USAGE_WRONG = declare("batch-output-usage-wrong", "chat.usage-total", "test_batch_lifecycle and chat",
                           "a chat output line's usage.total_tokens is one more than prompt plus completion tokens")
FAILED_IN_OUTPUT = declare("batch-failed-line-in-output", "batches.output-line", "test_batch_with_a_rejected_request",
                           "a request the endpoint rejected is written to the output file, not the error file")
REQUESTS_UNCHECKED = declare("batch-requests-unchecked", "http.status", "test_batch_with_a_rejected_request",
                             "a batched chat request without messages is answered as if it had one (a canned answer, as aimock's)")
INPUT_UNCHECKED = declare("batch-input-unchecked", "batches.rejected", "test_invalid_input_file",
                          "an input file with a line for another endpoint, or a repeated custom_id, is run to completion")
CREATE_UNCHECKED = declare("batch-create-unchecked", "http.status", "test_invalid_batch", "a batch for an unknown endpoint or another completion_window is created")

KIND, RUNS = "batch", "batch run"
ENDPOINTS = ("/v1/responses", "/v1/chat/completions", "/v1/embeddings", "/v1/completions", "/v1/moderations", "/v1/images/generations",
             "/v1/images/edits", "/v1/videos")
"""The reference's endpoints a batch may name (CreateBatchRequest.endpoint)."""
WINDOW = "24h"
STAGE_SECONDS = 0.2
SLOW_VALIDATION_SECONDS = 2.0
"""How long a batch stays validating under the ``batch-slow-validation`` variant."""
EXPIRES_AFTER = 24 * 3600
MAX_METADATA_PAIRS = 16
STAMPS = ("in_progress_at", "expires_at", "finalizing_at", "completed_at", "failed_at", "expired_at", "cancelling_at", "cancelled_at")
TERMINAL = {"completed", "failed", "expired", "cancelled"}


async def create(request: Request):
    body = await json_object(request)
    for name in ("input_file_id", "endpoint", "completion_window"):
        require(body, name, str)
    if not active(request, CREATE_UNCHECKED):
        if body["endpoint"] not in ENDPOINTS:
            raise invalid("endpoint", f"Invalid 'endpoint': expected one of {', '.join(ENDPOINTS)}.")
        if body["completion_window"] != WINDOW:
            raise invalid("completion_window", f"Invalid 'completion_window': only {WINDOW!r} is supported.")
    metadata = body.get("metadata")
    if metadata is not None and (not isinstance(metadata, dict) or len(metadata) > MAX_METADATA_PAIRS):
        raise invalid("metadata", f"Invalid 'metadata': an object of at most {MAX_METADATA_PAIRS} pairs.")
    batches = store(request)
    source = next((f for f in batches.all("file") if f["id"] == body["input_file_id"]), None)
    if source is None or source["purpose"] != "batch":
        raise invalid("input_file_id", f"Invalid 'input_file_id': {body['input_file_id']!r} is not a file uploaded with purpose 'batch'.", "invalid_file")
    created = batches.now()
    batch = batches.add(KIND, {
        "id": batches.new_id("batch_"),
        "object": "batch",
        "endpoint": body["endpoint"],
        "errors": None,
        "input_file_id": body["input_file_id"],
        "completion_window": body["completion_window"],
        "status": "validating",
        "output_file_id": None,
        "error_file_id": None,
        "created_at": created,
        **dict.fromkeys(STAMPS),
        "expires_at": created + EXPIRES_AFTER,
        "request_counts": {"total": 0, "completed": 0, "failed": 0},
        "metadata": metadata,
    })
    lines, errors = _read(batches.blobs.get(source["id"], b""), body["endpoint"], unchecked=active(request, INPUT_UNCHECKED))
    validating = SLOW_VALIDATION_SECONDS if chosen(request, "batch-slow-validation") else STAGE_SECONDS
    batches.add(RUNS, {"id": batch["id"], "since": time.monotonic(), "validating": validating, "lines": lines, "errors": errors, "results": None})
    return _reply(request, batch)


def _read(content: bytes, endpoint: str, unchecked: bool) -> tuple[list[dict], list[dict]]:
    """The input file's requests, and the errors that fail the batch (each naming its line), as the reference reports them."""
    lines, errors, seen = [], [], set()

    def error(code: str, message: str, line: int, param: str | None = None) -> None:
        errors.append({"code": code, "message": message, "param": param, "line": line})

    for number, text in enumerate(content.decode("utf-8", "replace").splitlines(), 1):
        if not text.strip():
            continue
        try:
            line = json.loads(text)
        except ValueError:
            error("invalid_json_line", "This line is not parseable as valid JSON.", number)
            continue
        if not isinstance(line, dict) or not all(isinstance(line.get(k), str) for k in ("custom_id", "method", "url")) or not isinstance(line.get("body"), dict):
            error("invalid_request", "Each line is an object with custom_id, method and url strings and a body object.", number)
            continue
        if not unchecked and line["custom_id"] in seen:
            error("duplicate_custom_id", "The custom_id for this request is a duplicate of another request. The custom_id parameter must be unique for each request in a batch.", number, "custom_id")
        elif not unchecked and line["url"] != endpoint:
            error("url_mismatch", "The URL provided for this request does not match the batch endpoint.", number, "url")
        seen.add(line["custom_id"])
        lines.append(line)
    if not lines and not errors:
        error("empty_file", "The batch input file is empty. Please ensure that the batch contains at least one request.", 1)
    return lines, errors


def _batch(request: Request) -> dict:
    return store(request).get(KIND, request.path_params["batch_id"], "batch", "batch_id")


def _run(request: Request, batch: dict) -> dict:
    return store(request).get(RUNS, batch["id"], "batch", "batch_id")


async def _advance(request: Request, batch: dict) -> None:
    """Bring a batch up to date: each stage it has outlasted is entered, its timestamp stamped."""
    run = _run(request, batch)
    elapsed = time.monotonic() - run["since"]
    if batch["status"] == "validating" and elapsed >= run["validating"]:
        if run["errors"]:
            _enter(request, batch, "failed", errors={"object": "list", "data": run["errors"]})
            return
        _enter(request, batch, "in_progress", request_counts={"total": len(run["lines"]), "completed": 0, "failed": 0})
        run["results"] = [await _answer(request, line) for line in run["lines"]]
    if batch["status"] == "in_progress" and elapsed >= run["validating"] + STAGE_SECONDS:
        failed = sum(1 for result in run["results"] if not 200 <= result["response"]["status_code"] < 300)
        _enter(request, batch, "finalizing", request_counts={"total": len(run["results"]), "completed": len(run["results"]) - failed, "failed": failed})
    if batch["status"] == "finalizing" and elapsed >= run["validating"] + 2 * STAGE_SECONDS:
        _write_results(request, batch, run["results"])
        _enter(request, batch, "completed")
    if batch["status"] == "cancelling" and time.monotonic() - run["cancelling"] >= STAGE_SECONDS:
        _enter(request, batch, "cancelled")


def _enter(request: Request, batch: dict, status: str, **changes) -> None:
    batch.update(status=status, **{f"{status}_at": store(request).now()}, **changes)


async def _answer(request: Request, line: dict) -> dict:
    """One line answered by this emulator, as the output file holds it."""
    transport = httpx.ASGITransport(app=request.app)
    headers = {"authorization": request.headers.get("authorization", "")}
    body = line["body"]
    if active(request, REQUESTS_UNCHECKED) and not body.get("messages", True):
        body = {**body, "messages": [{"role": "user", "content": "Hi"}]}
    async with httpx.AsyncClient(transport=transport, base_url="http://emulator") as client:
        answer = await client.request(line["method"], line["url"], json=body, headers=headers)
    try:
        body = answer.json()
    except ValueError:  # an endpoint whose answer is not JSON (speech) is not one a batch serves
        status, body = 400, {"error": {"message": f"{line['url']} is not served in batches.", "type": "invalid_request_error", "param": "url", "code": None}}
    else:
        status = answer.status_code
    return {"id": store(request).new_id("batch_req_"), "custom_id": line["custom_id"],
            "response": {"status_code": status, "request_id": answer.headers.get("x-request-id", ""), "body": body}, "error": None}


def _write_results(request: Request, batch: dict, results: list[dict]) -> None:
    succeeded = [r for r in results if 200 <= r["response"]["status_code"] < 300]
    failed = [r for r in results if r not in succeeded]
    if active(request, FAILED_IN_OUTPUT):
        succeeded, failed = results, []
    if active(request, LINE_DROPPED):
        succeeded = succeeded[:-1]
    if active(request, COUNTS_WRONG):
        batch["request_counts"]["completed"] += 1
    lines = [_output_line(request, r) for r in succeeded]
    batch["output_file_id"] = _file(request, batch, "output", lines) if lines else None
    batch["error_file_id"] = _file(request, batch, "error", failed) if failed else None


def _output_line(request: Request, result: dict) -> dict:
    body = result["response"]["body"]
    if active(request, LINE_USAGE_WRONG) and isinstance(body.get("usage"), dict) and "total_tokens" in body["usage"]:
        body = {**body, "usage": {**body["usage"], "total_tokens": body["usage"]["total_tokens"] + 1}}
    if chosen(request, "batch-extra-fields"):
        result = {**result, "x_emulator": "unknown fields are backward-compatible"}
    return {**result, "response": {**result["response"], "body": json.dumps(body) if active(request, BODY_STRING) else body}}


def _file(request: Request, batch: dict, kind: str, lines: list[dict]) -> str:
    files = store(request)
    content = "".join(json.dumps(line) + "\n" for line in lines).encode()
    obj = files.add("file", {"id": files.new_id("file-"), "object": "file", "bytes": len(content), "created_at": files.now(),
                             "filename": f"{batch['id']}_{kind}.jsonl", "purpose": "batch_output", "status": "processed",
                             "status_details": None, "expires_at": None})
    files.blobs[obj["id"]] = content
    return obj["id"]


def _reply(request: Request, batch: dict):
    body = dict(batch)
    if active(request, INPUT_FILE_WRONG):
        body["input_file_id"] = "file-openai-conformance-other"
    if active(request, STAMP_MISSING) and body["status"] == "completed":
        body["completed_at"] = None
    if active(request, STATUS_REGRESSES) and body["status"] == "completed" and request.method == "GET":
        run = _run(request, batch)
        if run.setdefault("completed_answers", 0) > 0:  # the first answer says completed, so that a poll stops
            body["status"] = "in_progress"
        run["completed_answers"] += 1
    if chosen(request, "batch-extra-fields"):
        body.update(model="gpt-4o-mini-2024-07-18", x_emulator="unknown fields are backward-compatible")
    return reply(request, 200, body)


async def retrieve(request: Request):
    batch = _batch(request)
    await _advance(request, batch)
    return _reply(request, batch)


async def cancel(request: Request):
    batch = _batch(request)
    await _advance(request, batch)
    if batch["status"] in TERMINAL:
        raise APIError(400, f"Cannot cancel a batch with status '{batch['status']}'.", param="batch_id")
    if batch["status"] != "cancelling" and not active(request, CANCEL_IGNORED):
        _enter(request, batch, "cancelling")
        _run(request, batch)["cancelling"] = time.monotonic()
    return _reply(request, batch)


async def list_batches(request: Request):
    batches = store(request).all(KIND)
    for batch in batches:
        await _advance(request, batch)
    return reply(request, 200, page(request, batches))


ROUTES = [
    ("batches", "POST", "/batches", create),
    ("batches", "GET", "/batches", list_batches),
    ("batches", "GET", "/batches/{batch_id}", retrieve),
    ("batches", "POST", "/batches/{batch_id}/cancel", cancel),
]

"""Every emulator response is built here, so headers and response-level faults apply to all of them."""

from __future__ import annotations

import json
import time
import uuid

from starlette.requests import Request
from starlette.responses import Response

from conformance.emulator.faults import active, declare

SERVER_ERROR_FAULT = declare("server-error", "http.status", "test_list_models", "every request answers 500 with an error object")
CONTENT_TYPE_TEXT = declare("content-type-text", "http.content-type", "test_list_models", "JSON bodies sent as text/plain")
TRUNCATED_JSON = declare("truncated-json", "body.json", "test_list_models", "success bodies cut in the middle of the JSON")
FLAT_ERROR = declare("flat-error", "error.envelope", "test_missing_api_key", 'vLLM-style {"object": "error", "message", "code": 401} error body')
ERROR_CODE_INTEGER = declare("error-code-integer", "error.envelope", "test_unknown_model", "error.code is an integer (the HTTP status)")
NO_REQUEST_ID = declare("no-request-id", "headers.request-id", "test_list_models", "no x-request-id header")
VALIDATION_500 = declare("validation-500", "http.status", "test_missing_messages", "a body missing a required field crashes with 500")
VALIDATION_422 = declare("validation-422", "http.status", "test_missing_messages", "validation errors answered 422 instead of 400")

API_VERSION = "2020-10-01"
RATE_LIMITS = {
    "x-ratelimit-limit-requests": "10000",
    "x-ratelimit-limit-tokens": "2000000",
    "x-ratelimit-remaining-requests": "9999",
    "x-ratelimit-remaining-tokens": "1999950",
    "x-ratelimit-reset-requests": "6ms",
    "x-ratelimit-reset-tokens": "1ms",
}

SERVER_ERROR = {"error": {"message": "The server had an error while processing your request.", "type": "server_error", "param": None, "code": None}}


def reply(request: Request, status: int, body: dict) -> Response:
    """A JSON response with the reference's headers, after any response-level fault."""
    if active(request, SERVER_ERROR_FAULT) or (status == 400 and active(request, VALIDATION_500)):
        status, body = 500, SERVER_ERROR
    if status == 400 and active(request, VALIDATION_422):
        status = 422  # FastAPI's default for validation errors
    if status >= 400:
        body = _faulty_error(request, status, body)
    text = json.dumps(body, separators=(",", ":"))
    if status < 300 and active(request, TRUNCATED_JSON):
        text = text[: len(text) // 2]
    media_type = "text/plain" if active(request, CONTENT_TYPE_TEXT) else "application/json"
    return Response(text, status_code=status, media_type=media_type, headers=_headers(request))


def _faulty_error(request: Request, status: int, body: dict) -> dict:
    if active(request, FLAT_ERROR):
        return {"object": "error", "message": body["error"]["message"], "type": body["error"]["type"], "param": None, "code": status}
    if active(request, ERROR_CODE_INTEGER):
        return {"error": {**body["error"], "code": status}}
    return body


def _headers(request: Request) -> dict[str, str]:
    started = request.scope.get("state", {}).get("started", time.perf_counter())
    headers = {
        "openai-version": API_VERSION,
        "openai-processing-ms": str(round((time.perf_counter() - started) * 1000)),
        **RATE_LIMITS,
    }
    if not active(request, NO_REQUEST_ID):
        headers["x-request-id"] = f"req_{uuid.uuid4().hex}"
    if organization := request.headers.get("openai-organization"):
        headers["openai-organization"] = organization
    return headers

"""Every HTTP reply of the emulator is built here (the Responses API itself is responses_api/), so headers and response-level faults apply to all of them."""

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
VALIDATION_500 = declare("validation-500", "http.status", "test_invalid_request and chat and messages and missing", "a body missing a required field crashes with 500")
VALIDATION_422 = declare("validation-422", "http.status", "test_invalid_request and chat and messages and missing", "validation errors answered 422 instead of 400")
ERROR_AS_200 = declare("error-as-200", "error.as-success", "test_invalid_request and chat and messages and missing", "rejections answered HTTP 200 with the error object")
PARAM_NULL = declare("error-param-null", "error.param", "test_invalid_request and chat", "validation errors name no parameter (param null)")
BARE_401 = declare("bare-401", "error.envelope", "test_missing_api_key", "401 answered with a plain-text 'Unauthorized', no error object")
DUPLICATE_REQUEST_ID = declare("duplicate-request-id", "headers.request-id-unique", "test_request_ids_differ", "the same x-request-id on every response")
NO_META = declare("no-openai-meta", "headers.meta-present", "test_list_models", "no openai-version or openai-processing-ms header")
PROCESSING_MS_FLOAT = declare("processing-ms-float", "headers.processing-ms", "test_list_models", "openai-processing-ms with a fraction (12.345)")
VERSION_NOT_DATE = declare("openai-version-not-date", "headers.openai-version", "test_list_models", 'openai-version "v1" instead of a date')
ORGANIZATION_NOT_ECHOED = declare("organization-not-echoed", "headers.organization", "test_organization_header", "no openai-organization when the request names one")
NO_RATE_LIMITS = declare("no-rate-limits", "headers.rate-limits-present", "test_single_user_message", "no x-ratelimit-* headers")
RATE_LIMITS_MALFORMED = declare("rate-limits-malformed", "headers.rate-limits", "test_list_models", "x-ratelimit-reset-* in bare seconds (0.006), remaining tokens as a float")
RATE_LIMITED_BARE = declare("rate-limited-bare", "headers.rate-limited", "test_rate_limited", "a 429 without the x-ratelimit-* headers")
PLAIN_TRACEBACK = declare("error-plain-traceback", "error.envelope", "test_unknown_model",
                          "errors answered as a plain-text Python traceback (an unhandled exception page), no error object")
RETRY_AFTER_MALFORMED = declare("retry-after-malformed", "headers.rate-limited", "test_rate_limited", 'retry-after "soon" on a 429')

API_VERSION = "2020-10-01"
RATE_LIMITS = {
    "x-ratelimit-limit-requests": "10000",
    "x-ratelimit-limit-tokens": "2000000",
    "x-ratelimit-remaining-requests": "9999",
    "x-ratelimit-remaining-tokens": "1999950",
    "x-ratelimit-reset-requests": "6ms",
    "x-ratelimit-reset-tokens": "1ms",
}

RETRY_AFTER_SECONDS = 1

SERVER_ERROR = {"error": {"message": "The server had an error while processing your request.", "type": "server_error", "param": None, "code": None}}


def reply(request: Request, status: int, body: dict) -> Response:
    """A JSON response with the reference's headers, after any response-level fault."""
    if active(request, SERVER_ERROR_FAULT) or (status == 400 and active(request, VALIDATION_500)):
        status, body = 500, SERVER_ERROR
    if status == 400 and active(request, VALIDATION_422):
        status = 422  # FastAPI's default for validation errors
    if status == 401 and active(request, BARE_401):
        return Response("Unauthorized", status_code=401, media_type="text/plain", headers=_headers(request, status))
    if status >= 400 and active(request, PLAIN_TRACEBACK):
        trace = f'Traceback (most recent call last):\n  File "server.py", line 42, in handle\nValueError: {body["error"]["message"]}\n'
        return Response(trace, status_code=status, media_type="text/plain", headers=_headers(request, status))
    if status >= 400:
        body = _faulty_error(request, status, body)
        if active(request, ERROR_AS_200):
            status = 200
    text = json.dumps(body, separators=(",", ":"))
    if status < 300 and active(request, TRUNCATED_JSON):
        text = text[: len(text) // 2]
    media_type = "text/plain" if active(request, CONTENT_TYPE_TEXT) else "application/json"
    return Response(text, status_code=status, media_type=media_type, headers=_headers(request, status))


def _faulty_error(request: Request, status: int, body: dict) -> dict:
    if active(request, FLAT_ERROR):
        return {"object": "error", "message": body["error"]["message"], "type": body["error"]["type"], "param": None, "code": status}
    if active(request, ERROR_CODE_INTEGER):
        return {"error": {**body["error"], "code": status}}
    if status == 400 and active(request, PARAM_NULL):
        return {"error": {**body["error"], "param": None}}
    return body


def _headers(request: Request, status: int = 200) -> dict[str, str]:
    started = request.scope.get("state", {}).get("started", time.perf_counter())
    milliseconds = (time.perf_counter() - started) * 1000
    headers = {} if active(request, NO_META) else {
        "openai-version": "v1" if active(request, VERSION_NOT_DATE) else API_VERSION,
        "openai-processing-ms": f"{milliseconds:.3f}" if active(request, PROCESSING_MS_FLOAT) else str(round(milliseconds)),
    }
    headers.update(_rate_limits(request, status))
    if not active(request, NO_REQUEST_ID):
        headers["x-request-id"] = "req_emulator" if active(request, DUPLICATE_REQUEST_ID) else f"req_{uuid.uuid4().hex}"
    organization = request.headers.get("openai-organization")
    if organization and not active(request, ORGANIZATION_NOT_ECHOED):
        headers["openai-organization"] = organization
    return headers


def _rate_limits(request: Request, status: int) -> dict[str, str]:
    if active(request, NO_RATE_LIMITS) or (status == 429 and active(request, RATE_LIMITED_BARE)):
        return {}
    if active(request, RATE_LIMITS_MALFORMED):
        return {**RATE_LIMITS, "x-ratelimit-remaining-tokens": "1999950.0", "x-ratelimit-reset-requests": "0.006", "x-ratelimit-reset-tokens": "0.001"}
    if status == 429:  # the request limit is reached: nothing remains until it resets
        retry_after = "soon" if active(request, RETRY_AFTER_MALFORMED) else str(RETRY_AFTER_SECONDS)
        return {**RATE_LIMITS, "x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": f"{RETRY_AFTER_SECONDS}s", "retry-after": retry_after}
    return dict(RATE_LIMITS)


def raw(request: Request, body: bytes | str, media_type: str) -> Response:
    """A non-JSON success body (audio, transcript text, file content) with the reference's headers."""
    if active(request, SERVER_ERROR_FAULT):
        return reply(request, 500, SERVER_ERROR)
    return Response(body, status_code=200, media_type=media_type, headers=_headers(request))

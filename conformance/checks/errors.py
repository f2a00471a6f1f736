"""Error checks: every non-2xx answer carries the reference's error object."""

import re

from conformance import validation
from conformance.checks.base import Finding, Level, check, shorten
from conformance.checks.body import schema_findings


@check("error.envelope", Level.MUST, "Error object (ErrorResponse)", applies=lambda ex: ex.failed)
def error_envelope(ex, expect):
    """A non-2xx body is {"error": {"message", "type", "param", "code"}} with string/null code and param."""
    if not isinstance(ex.data, dict):
        yield Finding('{"error": {...}}', shorten(ex.response.text) or "(empty body)")
        return
    yield from schema_findings(validation.validator("error"), [("", ex.data)], "error")


def _success_body_with_error(ex) -> bool:
    # Not a file's content (any bytes): a batch's error file of one line is a JSON object with an error of its own, no answer of the API.
    file_content = ex.media is not None and not ex.media.types
    return ex.ok and not file_content and isinstance(ex.data, dict) and ("error" in ex.data or ex.data.get("object") == "error")


@check("error.as-success", Level.MUST, "Error object (ErrorResponse)", applies=_success_body_with_error)
def error_as_success(ex, expect):
    """A rejection is never HTTP 2xx: a 2xx body is never an error object."""
    # Response objects may carry an `error` field of their own (a failed fine-tuning job, a failed
    # response) next to their `object`; an `error` with no `object`, or object "error", is a rejection.
    if ex.data.get("object") == "error" or ("object" not in ex.data and ex.data.get("error") is not None):
        yield Finding("a 4xx/5xx status with an error body, or a response object with a 2xx", f"HTTP {ex.status}: {shorten(ex.response.text)}", "/error")


MAX_ERROR_BYTES = 16 * 1024
"""The real API's error bodies are a few hundred bytes; this leaves room for long messages, not for the input."""


@check("error.small", Level.SHOULD, "Error object (ErrorResponse)", applies=lambda ex: ex.failed)
def error_small(ex, expect):
    """An error body stays small, however large the request: it does not echo the input back."""
    size = len(ex.response.content)
    if size > MAX_ERROR_BYTES:
        yield Finding(f"an error body of at most {MAX_ERROR_BYTES} bytes", f"{size} bytes (request body: {len(ex.request.content)} bytes): {shorten(ex.response.text)}")


def _names(param: object) -> list[str]:
    """A parameter path as its names and indices: "messages[0].role", "messages.[0].role" and "messages.0.role" alike."""
    return re.findall(r"[^\s.\[\]'\"]+", param) if isinstance(param, str) else []


@check("error.param", Level.SHOULD, "Error object (ErrorResponse)", applies=lambda ex: ex.status == 400 and isinstance(ex.data, dict),
       within=lambda expect: expect.param is not None)
def error_param(ex, expect):
    """A request rejected for one invalid parameter names it in error.param (judged when the rejection is for it: param or message names it)."""
    # should: the real API names the parameter for most validation errors, not all (a missing model gives param null).
    # The parameter itself, one that contains it or one inside it all name the place to fix ("tools[0]" for tools[0].type).
    error = ex.data.get("error") if isinstance(ex.data.get("error"), dict) else {}
    seen, wanted = _names(error.get("param")), _names(expect.param)
    common = min(len(seen), len(wanted))
    named = bool(seen) and seen[:common] == wanted[:common]
    if not named and _for_the_parameter(error, wanted):
        yield Finding(f"param {expect.param!r} (or a parameter containing it)", f"param {error.get('param')!r}", "/error/param")


def _for_the_parameter(error: dict, wanted: list[str]) -> bool:
    """The rejection is for the changed parameter when its message names it (its last name: "role" of messages[0].role).
    One that names neither in param nor in message is for something else (another parameter, the model, the key):
    not judged, since nothing says which parameter it is about."""
    last = next((name for name in reversed(wanted) if not name.isdigit()), None)
    message = error.get("message")
    return last is not None and isinstance(message, str) and last in message


@check("error.code", Level.MUST, "Error object (ErrorResponse)", applies=lambda ex: ex.failed and isinstance(ex.data, dict),
       within=lambda expect: expect.code is not None)
def error_code(ex, expect):
    """A refusal the reference names by its code carries that code in error.code (previous_response_not_found, ...)."""
    error = ex.data.get("error") if isinstance(ex.data.get("error"), dict) else {}
    if error.get("code") != expect.code:
        yield Finding(f"code {expect.code!r}: the reason a client tells this refusal by", f"code {error.get('code')!r}: {shorten(error.get('message'), 160)}", "/error/code")

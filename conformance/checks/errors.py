"""Error checks: every non-2xx answer carries the reference's error object."""

from conformance import validation
from conformance.checks.base import Finding, Level, check, shorten
from conformance.checks.body import MAX_SCHEMA_FINDINGS, schema_finding


@check("error.envelope", Level.MUST, "Error object (ErrorResponse)", applies=lambda ex: ex.failed)
def error_envelope(ex, expect):
    """A non-2xx body is {"error": {"message", "type", "param", "code"}} with string/null code and param."""
    if not isinstance(ex.data, dict):
        yield Finding('{"error": {...}}', shorten(ex.response.text) or "(empty body)")
        return
    errors = sorted(validation.validator("error").iter_errors(ex.data), key=lambda e: list(e.absolute_path))
    for error in errors[:MAX_SCHEMA_FINDINGS]:
        yield schema_finding(error, "error")

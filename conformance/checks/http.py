"""Transport-level checks: an answer arrives, with the expected status and media type."""

from conformance.checks.base import Finding, Level, check, expects_json


@check("http.response", Level.MUST, "Making requests")
def response_arrives(ex, expect):
    """The target answers every request within the request timeout, with a whole, readable body."""
    if ex.response is None:
        yield Finding("an HTTP response", ex.transport_error or "no response")
    elif ex.transport_error:
        yield Finding("a complete response body", f"HTTP {ex.status}, then {ex.transport_error}")


@check("http.status", Level.MUST, "Making requests", applies=lambda ex: ex.response is not None)
def status_as_expected(ex, expect):
    """The response status is the one the reference gives for this request."""
    if ex.status not in expect.statuses:
        wanted = " or ".join(map(str, expect.statuses))
        # The suite never follows a redirect: it would carry the key to wherever the target points.
        location = f" to {ex.response.headers['location']} (not followed)" if "location" in ex.response.headers else ""
        yield Finding(f"HTTP {wanted}", f"HTTP {ex.status}{location}: {ex.response.text[:300]!r}", "status")


@check("http.content-type", Level.MUST, "Making requests", applies=expects_json)
def json_content_type(ex, expect):
    """JSON bodies are sent with Content-Type: application/json."""
    content_type = ex.response.headers.get("content-type", "")
    if content_type.split(";")[0].strip().lower() != "application/json":
        yield Finding("application/json", content_type or "(no Content-Type)", "header:content-type")

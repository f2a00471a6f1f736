"""Response header checks that apply to every exchange."""

from conformance.checks.base import Finding, Level, check


@check("headers.request-id", Level.SHOULD, "Debugging requests", applies=lambda ex: ex.response is not None)
def request_id(ex, expect):
    """Every response carries a non-empty x-request-id (used in troubleshooting)."""
    if not ex.request_id:
        yield Finding("an x-request-id header", "(absent)", "header:x-request-id")

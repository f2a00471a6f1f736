"""Models endpoint semantics beyond the schema."""

from conformance.checks.base import Finding, Level, check, succeeded


@check("models.retrieve-id", Level.MUST, "Models > Retrieve model", applies=succeeded("GET /models/{model}"))
def retrieve_returns_requested(ex, expect):
    """Retrieving a model returns the model that was asked for."""
    wanted = ex.path_params["model"]
    if ex.data.get("id") != wanted:
        yield Finding(f"id {wanted!r}", repr(ex.data.get("id")), "/id")

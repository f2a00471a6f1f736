"""Assistants semantics beyond the schema: what was set on create or modify is what the assistant says."""

from conformance import validation
from conformance.checks.base import Finding, Level, check, shorten

ECHOED = ("model", "name", "description", "instructions", "metadata", "temperature", "top_p")


def _saved(ex) -> bool:
    return ex.ok and ex.operation is not None and ex.operation.key in ("POST /assistants", "POST /assistants/{assistant_id}") and isinstance(ex.data, dict)


@check("assistants.echo", Level.MUST, "Assistants > Create assistant", applies=_saved)
def fields_saved(ex, expect):
    """A created or modified assistant has the name, description, instructions, model, metadata and tools sent."""
    sent = ex.params
    for name in ECHOED:
        # null asks for the default (metadata {}, temperature 1), which the answer states instead
        missing = name not in ex.data and name in validation.required("assistant")  # body.schema's finding
        if sent.get(name) is not None and not missing and ex.data.get(name) != sent[name]:
            yield Finding(f"{name} {shorten(sent[name], 80)}", shorten(ex.data.get(name), 80), f"/{name}", ex.operation.section)
    if isinstance(sent.get("tools"), list):
        wanted = [t.get("type") for t in sent["tools"] if isinstance(t, dict)]
        tools = ex.data.get("tools")
        seen = [t.get("type") for t in tools if isinstance(t, dict)] if isinstance(tools, list) else tools
        if seen != wanted:
            yield Finding(f"tools of types {shorten(wanted, 80)}", shorten(seen, 80), "/tools", ex.operation.section)

"""POST /responses/compact: what the compacted response holds, what it counts, and what it compacted.

The schema (body.schema, schemas/response.compaction.json) fixes the object and its items; these fix
what makes it a compaction. That its output is accepted as the input of a new response, and listed by
that response's input_items, is judged on those exchanges (http.status, responses.input-items).
"""

from __future__ import annotations

from conformance.checks.base import Finding, Level, check, shorten, succeeded
from conformance.checks.responses_state import CREATE, _earlier, _usage, previous_counted

SECTION = "Responses > Compact a response"
COMPACT = "POST /responses/compact"
_compacted = succeeded(COMPACT)


@check("responses.compaction", Level.MUST, SECTION, applies=_compacted)
def compaction_item(ex, expect):
    """The compacted output holds a compaction item: the opaque summary that stands for what was compacted."""
    output = ex.data.get("output")
    if not isinstance(output, list):
        return  # the schema's finding
    if not any(isinstance(item, dict) and item.get("type") == "compaction" for item in output):
        kinds = [item.get("type") if isinstance(item, dict) else type(item).__name__ for item in output]
        yield Finding("an item of type compaction among the output (with its encrypted_content)", f"items of types {shorten(kinds, 160)}", "/output")


@check("responses.compact-usage", Level.MUST, SECTION, applies=_compacted)
def compact_usage(ex, expect):
    """usage.total_tokens is input_tokens + output_tokens, and input_tokens counts the conversation compacted (not 0)."""
    counts = [_usage(ex, name) for name in ("input_tokens", "output_tokens", "total_tokens")]
    if None in counts:
        return  # the schema's finding
    if counts[0] + counts[1] != counts[2]:
        yield Finding(f"total_tokens {counts[0] + counts[1]} (input + output)", str(counts[2]), "/usage/total_tokens")
    if counts[0] == 0:
        yield Finding("the input tokens of the conversation compacted", "input_tokens 0", "/usage/input_tokens")


@check("responses.compact-context", Level.MUST, SECTION,
       applies=lambda ex: _compacted(ex) and isinstance(ex.params.get("previous_response_id"), str), within=_earlier(CREATE))
def compact_context(ex, expect):
    """Compacting with previous_response_id compacts that response's context: input_tokens count at least its input and output."""
    yield from previous_counted(ex, expect.same_as, "plus any input sent")

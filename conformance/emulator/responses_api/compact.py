"""POST /responses/compact: a conversation compacted into the input of its next response, and the faults of it.

The context compacted is previous_response_id's chain (a stored response's context and output) and the
request's input. The answer keeps the user's messages as they were and puts everything else into one
compaction item, whose encrypted_content is opaque to a client; given back as input to a new response,
it stands for those items again (their tokens are billed: output.item_tokens). Nothing is stored.
"""

from __future__ import annotations

from starlette.requests import Request

from conformance.emulator import models
from conformance.emulator.errors import APIError, invalid
from conformance.emulator.faults import active, declare
from conformance.emulator.replies import reply
from conformance.emulator.responses_api import output, request as body_rules, state
from conformance.emulator.responses_api.items import input_items
from conformance.emulator.store import store
from conformance.emulator.validation import json_object
from conformance.emulator.variants import chosen

_CASE = "test_compact_conversation"
OBJECT_RESPONSE = declare("compact-object-response", "body.schema", _CASE, 'the compacted response answered with object "response"')
NO_COMPACTION_ITEM = declare("compact-no-compaction-item", "responses.compaction", _CASE,
                             "the compacted output is the input as it came, without a compaction item (nothing compacted)")
USAGE_TOTAL_WRONG = declare("compact-usage-total-wrong", "responses.compact-usage", _CASE, "usage.total_tokens is input_tokens + output_tokens + 1")
USAGE_ZERO = declare("compact-usage-zero", "responses.compact-usage", _CASE, "usage all zero although a conversation was compacted")
MISSING_MODEL_404 = declare("compact-missing-model-404", "http.status", "test_compact_without_model",
                            "a compact request without model looked up as model None: 404 model_not_found instead of 400")
MISSING_MODEL_500 = declare("compact-missing-model-500", "http.status", "test_compact_without_model", "a compact request without model crashes the server (500)")
PREVIOUS_IGNORED = declare("compact-previous-ignored", "responses.compact-context", "test_compact_round_trip",
                           "previous_response_id is accepted and ignored: only the request's input is compacted")


async def compact(request: Request):
    body = await json_object(request)
    if "model" not in body and active(request, MISSING_MODEL_500):
        raise APIError(500, "The server had an error while processing your request.", "server_error")
    if "model" not in body and active(request, MISSING_MODEL_404):
        raise models.model_not_found(None)
    body_rules.validate(body, request)
    if isinstance(body.get("prompt_cache_key"), str) and len(body["prompt_cache_key"]) > 64:
        raise invalid("prompt_cache_key", "Invalid 'prompt_cache_key': string too long. Expected a string with maximum length 64.", "string_above_max_length")
    models.find(body["model"], "chat", request)
    kept = store(request)
    previous = None if active(request, PREVIOUS_IGNORED) else body.get("previous_response_id")
    context = [*state.context_before(request, previous), *input_items(body, kept.new_id)]
    if not context:
        raise invalid("input", "Nothing to compact: give input, previous_response_id or both.")
    compacted = [item for item in context if not _users(item)]
    if active(request, NO_COMPACTION_ITEM):
        items = context
    elif chosen(request, "compact-only-item"):
        items = [_compaction(kept.new_id, context)]
    else:
        items = [*filter(_users, context), _compaction(kept.new_id, compacted)]
    spent = output.input_tokens(body.get("instructions"), context)
    summary = max(1, sum(output.item_tokens(item) for item in compacted))  # the summary is as long as what it stands for
    usage = {"input_tokens": spent, "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
             "output_tokens": summary, "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": spent + summary}
    if active(request, USAGE_TOTAL_WRONG):
        usage["total_tokens"] += 1
    if active(request, USAGE_ZERO):
        usage.update(input_tokens=0, output_tokens=0, total_tokens=0)
    answer = {"id": kept.new_id("resp_"), "object": "response" if active(request, OBJECT_RESPONSE) else "response.compaction",
              "created_at": kept.now(), "output": items, "usage": usage}
    if chosen(request, "responses-extra-fields"):  # copies: the kept items are a stored response's too
        answer.update(x_emulator={"region": "local"}, output=[{**item, "x_emulator": True} for item in items])
    return reply(request, 200, answer)


def _users(item: dict) -> bool:
    """A message of the user's, kept as it was (as the reference's example keeps them)."""
    return item.get("type") == "message" and item.get("role") == "user"


def _compaction(new_id, items: list[dict]) -> dict:
    return {"id": new_id("cmp_"), "type": "compaction", "encrypted_content": output.compaction_content(items)}


ROUTES = (("responses-compact", "POST", "/responses/compact", compact),)

"""POST /responses/compact: the compacted response, its output as the input of a new response, its errors, and
the round trip through stored state (compacting a stored response by previous_response_id, then listing what
the next response was given).

Compacting creates nothing (the compacted response is not stored); the responses these cases create are not
stored (test_compacted_input) or are deleted when the case ends (the round trip's). A compaction has no output
limit (the reference's example spends 438 output tokens): quick depth makes four (the conversation, the round
trip, the derived invalid requests' base body and a generated request), deep one more. The checks are
conformance/checks/responses_compact.py's, and on the new response every Responses check.
"""

import pytest

from .test_responses import answer, create, response

pytestmark = [pytest.mark.capability("responses"), pytest.mark.capability("responses-compact")]

COMPACT = "Responses > Compact a response"
CONVERSATION = [
    {"role": "user", "content": "We agreed to launch on Tuesday and notify support first."},
    {"role": "assistant", "content": "Understood: the launch is on Tuesday, and support hears of it first."},
]
"""A short conversation to compact, given in the input (stateless); Open Responses' compact-response sends the like."""
NEXT = {"role": "user", "content": "Say this is a test!"}
"""The new turn after the compacted context."""


def compact(api, body: dict, expect=200, same_as=None):
    return api.request("POST", "/responses/compact", json=body, expect=expect, same_as=same_as)


@pytest.mark.openresponses("compact-response")
@pytest.mark.reference(COMPACT)
def test_compact_conversation(api, models):
    compact(api, {"model": models.chat, "input": CONVERSATION, "prompt_cache_key": "openai-conformance-compact"})


@pytest.mark.openresponses("compact-missing-model")
@pytest.mark.reference(COMPACT)
def test_compact_without_model(api):
    """model is required: its absence is the client's error (400 with the error object naming model), not an unknown model (404) nor a crash."""
    api.post("/responses/compact", json={"input": CONVERSATION}, expect=400, param="model")


@pytest.mark.deep
@pytest.mark.reference(COMPACT)
def test_compacted_input(api, models, resources):
    """The compacted output, given back as it came and followed by a new turn, is the input of a new response.
    Deep: the round trip's second turn does the same in quick depth, and a compaction may spend hundreds of tokens."""
    compacted = compact(api, {"model": models.chat, "input": CONVERSATION})
    create(api, answer(models, resources, input=[*compacted.needed("output", list), NEXT]))


@pytest.mark.capability("responses-store")
@pytest.mark.reference(COMPACT)
def test_compact_round_trip(api, models, resources):
    """A stored response compacted by previous_response_id (its context counted), the result continued in a new
    stored response, whose input_items list the compacted items it was given."""
    first = create(api, response(models, resources))
    asked = {"model": models.chat, "previous_response_id": first.needed("id"), "input": "Compress this conversation for later."}
    compacted = compact(api, asked, same_as=first)
    second = create(api, response(models, resources, input=[*compacted.needed("output", list), NEXT]))
    api.get(f"/responses/{second.needed('id')}/input_items", expect=200, same_as=second)

"""The Conversations API: a conversation (create, retrieve, update, delete), its items (add, list, retrieve,
delete), and POST /responses with ``conversation``.

Every conversation a case creates carries the run's marker in its metadata and is deleted when the
case ends (Operation.undo), and so is every response created in one. Reads that the checks judge
against an earlier answer name it (``same_as``: conformance/checks/conversations.py). The walks over
a conversation's items are cases/test_pagination.py's (the ``conversation-items`` listing). Only the
cases that ask for a response cost tokens (16 output tokens at most each); the costlier ones are ``deep``.
"""

import pytest

from conformance.steps import CannotContinue

from .test_responses import response

pytestmark = pytest.mark.capability("conversations")

CREATE, RETRIEVE, UPDATE, DELETE = ("Conversations > Create a conversation", "Conversations > Retrieve a conversation",
                                    "Conversations > Update a conversation", "Conversations > Delete a conversation")
ADD_ITEMS, LIST_ITEMS, RETRIEVE_ITEM, DELETE_ITEM = ("Conversations > Create items", "Conversations > List items",
                                                     "Conversations > Retrieve an item", "Conversations > Delete an item")
RESPONSE = "Responses > Create a model response"
MAX_ITEMS = 20
"""Items a create (of the conversation, or of items in it) may add at a time."""
UNKNOWN_CONVERSATION = "conv_openai-conformance-no-such-conversation"
WHOLE = "?order=asc&limit=100"
"""A listing of every item of a small conversation, oldest first."""


def message(text: str, role: str = "user") -> dict:
    part = "output_text" if role == "assistant" else "input_text"  # an assistant's message replays output parts
    return {"type": "message", "role": role, "content": [{"type": part, "text": text}]}


def items(count: int) -> list[dict]:
    return [message(f"Item {k} of a conversation.") for k in range(count)]


def conversation(resources, **fields) -> dict:
    return {"metadata": dict(resources.metadata), **fields}


def create(api, body: dict, expect: int = 200):
    return api.post("/conversations", json=body, expect=expect)


def add(api, conversation_id: str, added: list[dict], expect: int = 200):
    return api.post(f"/conversations/{conversation_id}/items", json={"items": added}, expect=expect)


def in_conversation(api, models, resources, conversation_id: str, prompt: str = "Say this is a test!", expect=200, same_as=None, **parameters):
    body = response(models, resources, prompt, conversation=conversation_id, **parameters)
    return api.request("POST", "/responses", json=body, expect=expect, same_as=same_as)


def _last_item(added) -> str:
    """The id of the last item added (not the conversation's first: a server answering that one for any id shows)."""
    data = added.needed("data", list)
    if not data or not isinstance(data[-1], dict) or not isinstance(data[-1].get("id"), str):
        raise CannotContinue(f"{added.description} listed no item with an id, and the case's next step needs one")
    return data[-1]["id"]


@pytest.mark.reference(CREATE)
def test_create_conversation(api, resources):
    """Created with items and metadata: the items are kept, listed newest first by default."""
    created = create(api, conversation(resources, items=[message("Hello!"), message("How are you?")]))
    api.get(f"/conversations/{created.needed('id')}/items", expect=200, same_as=created)


@pytest.mark.reference(RETRIEVE)
def test_retrieve_conversation(api, resources):
    created = create(api, conversation(resources))
    api.get(f"/conversations/{created.needed('id')}", expect=200, same_as=created)


@pytest.mark.reference(UPDATE)
def test_update_conversation(api, resources):
    conversation_id = create(api, conversation(resources)).needed("id")
    updated = api.post(f"/conversations/{conversation_id}", json={"metadata": {**resources.metadata, "topic": "project-x"}}, expect=200)
    api.get(f"/conversations/{conversation_id}", expect=200, same_as=updated)


@pytest.mark.reference(DELETE)
def test_delete_conversation(api, resources):
    conversation_id = create(api, conversation(resources)).needed("id")
    api.delete(f"/conversations/{conversation_id}", expect=200)
    api.get(f"/conversations/{conversation_id}", expect=404)


@pytest.mark.deep
@pytest.mark.capability("responses")
@pytest.mark.capability("responses-store")
@pytest.mark.reference(DELETE)
def test_delete_conversation_keeps_items(api, models, resources):
    """"Items in the conversation will not be deleted": a response made in it keeps its input items after the conversation is gone."""
    conversation_id = create(api, conversation(resources)).needed("id")
    response_id = in_conversation(api, models, resources, conversation_id).needed("id")
    api.delete(f"/conversations/{conversation_id}", expect=200)
    api.get(f"/responses/{response_id}/input_items", expect=200)


@pytest.mark.deep
@pytest.mark.reference(CREATE)
def test_conversation_items_at_limit(api, resources):
    """21 items is test_invalid_requests.py's (derived from schemas/conversation.request.json: items items>20)."""
    create(api, conversation(resources, items=items(MAX_ITEMS)))


@pytest.mark.reference(ADD_ITEMS)
def test_add_items(api, resources):
    """Items added come after those the conversation holds: the answer lists them, the conversation's list ends with them."""
    conversation_id = create(api, conversation(resources, items=[message("Hello!")])).needed("id")
    added = add(api, conversation_id, [message("How are you?"), message("Fine, thanks.", "assistant")])
    api.get(f"/conversations/{conversation_id}/items{WHOLE}", expect=200, same_as=added)


@pytest.mark.deep
@pytest.mark.reference(ADD_ITEMS)
def test_add_items_at_limit(api, resources):
    add(api, create(api, conversation(resources)).needed("id"), items(MAX_ITEMS))


@pytest.mark.deep
@pytest.mark.reference(ADD_ITEMS)
def test_add_items_over_limit(api, resources):
    add(api, create(api, conversation(resources)).needed("id"), items(MAX_ITEMS + 1), expect=400)


@pytest.mark.deep
@pytest.mark.reference(LIST_ITEMS)
def test_list_items_default_limit(api, resources):
    """Without limit, a page holds 20 items (list.limit), and says more follow (list.has-more)."""
    conversation_id = create(api, conversation(resources, items=items(MAX_ITEMS))).needed("id")
    add(api, conversation_id, [message("One more item.")])
    api.get(f"/conversations/{conversation_id}/items", expect=200)


@pytest.mark.reference(RETRIEVE_ITEM)
def test_retrieve_item(api, resources):
    conversation_id = create(api, conversation(resources)).needed("id")
    added = add(api, conversation_id, [message("Hello!"), message("How are you?")])
    api.get(f"/conversations/{conversation_id}/items/{_last_item(added)}", expect=200)


@pytest.mark.reference(DELETE_ITEM)
def test_delete_item(api, resources):
    """Deleting an item answers the conversation; the item is gone."""
    conversation_id = create(api, conversation(resources)).needed("id")
    item_id = _last_item(add(api, conversation_id, [message("Hello!"), message("How are you?")]))
    api.delete(f"/conversations/{conversation_id}/items/{item_id}", expect=200)
    api.get(f"/conversations/{conversation_id}/items/{item_id}", expect=404)


@pytest.mark.capability("responses")
@pytest.mark.reference(RESPONSE)
def test_response_in_conversation(api, models, resources):
    """The response's input and output are appended to the conversation's items."""
    conversation_id = create(api, conversation(resources, items=[message("You answer in one short sentence.")])).needed("id")
    answered = in_conversation(api, models, resources, conversation_id)
    api.get(f"/conversations/{conversation_id}/items{WHOLE}", expect=200, same_as=answered)


@pytest.mark.deep
@pytest.mark.capability("responses")
@pytest.mark.reference(RESPONSE)
def test_conversation_second_turn(api, models, resources):
    """The conversation's items come before a response's input: a second turn is answered with the first as context."""
    conversation_id = create(api, conversation(resources)).needed("id")
    first = in_conversation(api, models, resources, conversation_id)
    in_conversation(api, models, resources, conversation_id, "Say it once more.", same_as=first)


@pytest.mark.deep
@pytest.mark.capability("responses")
@pytest.mark.reference(RESPONSE)
def test_conversation_with_previous_response(api, models, resources):
    """conversation and previous_response_id cannot be used together: 400, though both name objects that exist
    (test_responses.py's test_invalid_response sends both made up)."""
    conversation_id = create(api, conversation(resources)).needed("id")
    previous = in_conversation(api, models, resources, conversation_id).needed("id")
    in_conversation(api, models, resources, conversation_id, "Say it once more.", previous_response_id=previous, expect=400)


@pytest.mark.capability("responses")
@pytest.mark.reference(RESPONSE)
def test_unknown_conversation(api, models, resources):
    in_conversation(api, models, resources, UNKNOWN_CONVERSATION, expect=(400, 404))

"""The /conversations routes: a conversation (metadata) and its items, and what POST /responses with
``conversation`` reads from and adds to them. The faults of the Conversations API are declared here.

A conversation is one record in the app's Store: the object its routes answer and its items, oldest
first. A response created in a conversation is answered with the conversation's items before its
own input (``context``), and its input and output are then appended to them (``append``). Deleting
a conversation deletes it alone: the responses made in it keep their items.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import Request

from conformance.emulator.errors import APIError, invalid
from conformance.emulator.faults import active, declare
from conformance.emulator.pagination import list_object, page
from conformance.emulator.replies import reply
from conformance.emulator.responses_api import request as item_rules, state
from conformance.emulator.responses_api.items import input_items
from conformance.emulator.store import store
from conformance.emulator.validation import json_object, metadata
from conformance.emulator.variants import chosen

KIND = "conversations"
MAX_ITEMS = 20
"""Items a create (of the conversation, or of items in it) may add at a time."""

NO_CREATED_AT = declare("conversation-no-created-at", "body.schema", "test_create_conversation", "a conversation without created_at")
METADATA_DROPPED = declare("conversation-metadata-dropped", "conversations.created", "test_create_conversation",
                           "a conversation is created without the metadata sent (answered {})")
ITEMS_DROPPED = declare("conversation-items-dropped", "conversations.items-listed", "test_create_conversation",
                        "the items a conversation is created with are not kept: its list is empty")
ITEMS_UNBOUNDED = declare("conversation-items-unbounded", "http.status", "test_add_items_over_limit or (test_invalid_request and conversations)",
                          "more than 20 items at a time accepted (creating the conversation, or adding items)")
ITEMS_LIMIT_EXCLUSIVE = declare("conversation-items-limit-exclusive", "http.status", "test_conversation_items_at_limit or test_add_items_at_limit",
                                "exactly 20 items at a time rejected")
UPDATE_IGNORED = declare("conversation-update-ignored", "conversations.updated", "test_update_conversation",
                         "an update answers the conversation with its old metadata")
UPDATE_NOT_KEPT = declare("conversation-update-not-kept", "conversations.retrieved", "test_update_conversation",
                          "an update answers the new metadata, but GET still answers the old")
DELETE_UNCONFIRMED = declare("conversation-delete-unconfirmed", "resource.deleted", "test_delete_conversation",
                             "DELETE /conversations/{id} removes it but answers deleted: false")
DELETE_NOOP = declare("conversation-delete-noop", "http.status", "test_delete_conversation",
                      "DELETE /conversations/{id} confirms, but the conversation stays retrievable")
DELETED_OBJECT_WRONG = declare("conversation-deleted-object-wrong", "body.schema", "test_delete_conversation",
                               'DELETE /conversations/{id} answers object "conversation" instead of "conversation.deleted"')
DELETE_CASCADES = declare("conversation-delete-cascades", "http.status", "test_delete_conversation_keeps_items",
                          "deleting a conversation deletes the responses made in it, their items with them")
ITEMS_ADDED_ALL = declare("conversation-items-added-all", "conversations.items-added", "test_add_items",
                          "adding items answers every item of the conversation, not only those added")
ITEM_OTHER = declare("conversation-item-other", "resource.id", "test_retrieve_item", "GET of one item answers the conversation's first item")
ITEM_DELETE_ANSWERS_ITEM = declare("conversation-item-delete-answers-item", "conversations.item-deleted", "test_delete_item",
                                   "deleting an item answers a deletion object of the item, not the conversation")
ITEM_DELETE_NOOP = declare("conversation-item-delete-noop", "http.status", "test_delete_item", "deleting an item confirms, but the item stays")
UNKNOWN_ACCEPTED = declare("conversation-unknown-accepted", "http.status", "test_unknown_conversation",
                           "a response naming a conversation no one has is answered (200) as if none was named")
CONTEXT_IGNORED = declare("conversation-context-ignored", "conversations.response-context", "test_conversation_second_turn",
                          "a response in a conversation is answered without the conversation's items")
NOT_NAMED = declare("conversation-not-named", "conversations.response-named", "test_response_in_conversation",
                   "a response created in a conversation does not name it (no conversation field)")
OUTPUT_NOT_APPENDED = declare("conversation-output-not-appended", "conversations.response-appended", "test_response_in_conversation",
                              "a response's input is appended to its conversation, its output is not")


@dataclass
class Conversation:
    id: str
    object: dict
    """The conversation as its routes answer it."""
    items: list[dict] = field(default_factory=list)
    """Its items, oldest first."""

    def __getitem__(self, key: str):  # Store lists and looks objects up by "id"
        return getattr(self, key)


def _items(request: Request, body: dict, required: bool) -> list[dict]:
    """The ``items`` of a body as stored items (ids given), by the rules of a response's input items."""
    given = body.get("items")
    if given is None and not required:
        return []
    if not isinstance(given, list):
        raise invalid("items", "Invalid type for 'items': expected an array of items.", "invalid_type")
    limit = MAX_ITEMS - 1 if active(request, ITEMS_LIMIT_EXCLUSIVE) else None if active(request, ITEMS_UNBOUNDED) else MAX_ITEMS
    if limit is not None and len(given) > limit:
        raise invalid("items", f"Invalid 'items': array too long. Expected an array with maximum length {MAX_ITEMS}, but got an array with length {len(given)} instead.",
                      "array_above_max_length")
    for i, item in enumerate(given):
        item_rules.item(f"items[{i}]", item, request)
    return input_items({"input": given}, store(request).new_id)


def _answer(request: Request, body: dict):
    """A 200 with ``body``; the extra-fields variant adds an unknown field to it and to each item it lists."""
    if chosen(request, "conversations-extra-fields"):
        body = {**body, "x_emulator": {"region": "local"}}
        if isinstance(body.get("data"), list):
            body["data"] = [{**item, "x_emulator": True} for item in body["data"]]
    return reply(request, 200, body)


def _find(request: Request, conversation_id: str, param: str = "conversation_id") -> Conversation:
    return store(request).get(KIND, conversation_id, "conversation", param)


def _item_list(request: Request, items: list[dict]) -> dict:
    """The list envelope of items a create added (all of them: no page)."""
    first, last = (items[0]["id"], items[-1]["id"]) if items else (None, None)
    return {"object": list_object(request), "data": items, "first_id": first, "last_id": last, "has_more": False}


async def create(request: Request):
    body = await json_object(request) if await request.body() else {}  # the reference makes the body optional
    metadata(body)
    items = _items(request, body, required=False)
    kept = store(request)
    obj = {"id": kept.new_id("conv_"), "object": "conversation", "created_at": kept.now(),
           "metadata": {} if active(request, METADATA_DROPPED) else body.get("metadata") or {}}
    if active(request, NO_CREATED_AT):
        del obj["created_at"]
    kept.add(KIND, Conversation(obj["id"], obj, [] if active(request, ITEMS_DROPPED) else items))
    return _answer(request, obj)


async def retrieve(request: Request):
    return _answer(request, _find(request, request.path_params["conversation_id"]).object)


async def update(request: Request):
    conversation = _find(request, request.path_params["conversation_id"])
    body = await json_object(request)
    if not isinstance(body.get("metadata"), dict):
        raise invalid("metadata", "Missing required parameter: 'metadata'.", "missing_required_parameter")
    metadata(body)
    updated = {**conversation.object, "metadata": body["metadata"]}
    if active(request, UPDATE_IGNORED):
        return _answer(request, conversation.object)
    if not active(request, UPDATE_NOT_KEPT):
        conversation.object = updated
    return _answer(request, updated)


async def delete(request: Request):
    conversation = _find(request, request.path_params["conversation_id"])
    if not active(request, DELETE_NOOP):
        store(request).remove(KIND, conversation.id)
    if active(request, DELETE_CASCADES):
        for record in store(request).all(state.KIND):
            if (record.response.get("conversation") or {}).get("id") == conversation.id:
                store(request).remove(state.KIND, record.id)
    kind = "conversation" if active(request, DELETED_OBJECT_WRONG) else "conversation.deleted"
    return _answer(request, {"id": conversation.id, "object": kind, "deleted": not active(request, DELETE_UNCONFIRMED)})


async def create_items(request: Request):
    conversation = _find(request, request.path_params["conversation_id"])
    added = _items(request, await json_object(request), required=True)
    conversation.items.extend(added)
    return _answer(request, _item_list(request, conversation.items if active(request, ITEMS_ADDED_ALL) else added))


async def list_items(request: Request):
    return _answer(request, page(request, _find(request, request.path_params["conversation_id"]).items))


def _item(request: Request) -> tuple[Conversation, dict]:
    conversation = _find(request, request.path_params["conversation_id"])
    item_id = request.path_params["item_id"]
    found = next((item for item in conversation.items if item["id"] == item_id), None)
    if found is None:
        raise APIError(404, f"No item found with id '{item_id}' in conversation '{conversation.id}'.", param="item_id")
    return conversation, found


async def retrieve_item(request: Request):
    conversation, item = _item(request)
    return _answer(request, conversation.items[0] if active(request, ITEM_OTHER) else item)


async def delete_item(request: Request):
    conversation, item = _item(request)
    if not active(request, ITEM_DELETE_NOOP):
        conversation.items.remove(item)
    if active(request, ITEM_DELETE_ANSWERS_ITEM):
        return _answer(request, {"id": item["id"], "object": "conversation.item.deleted", "deleted": True})
    return _answer(request, conversation.object)


def shown(request: Request, body: dict) -> dict | None:
    """The ``conversation`` field of a response created in one (``None``: not in one, or the fault leaves it out)."""
    return None if named(body) is None or active(request, NOT_NAMED) else {"id": named(body)}


def named(body: dict) -> str | None:
    """The id of the conversation a Responses body names (an id, or an object with its id)."""
    given = body.get("conversation")
    return given.get("id") if isinstance(given, dict) else given


def context(request: Request, body: dict) -> list[dict]:
    """The items of the conversation a response is created in, which come before its input; the reference's 404 for an unknown one."""
    conversation_id = named(body)
    if conversation_id is None:
        return []
    found = next((c for c in store(request).all(KIND) if c.id == conversation_id), None)
    if found is None:
        if active(request, UNKNOWN_ACCEPTED):
            return []
        raise APIError(404, f"Conversation with id '{conversation_id}' not found.", param="conversation")
    return [] if active(request, CONTEXT_IGNORED) else list(found.items)


def append(request: Request, body: dict, items: list[dict], output: list[dict]) -> None:
    """A response's input items and output items, appended to the conversation it was created in."""
    found = next((c for c in store(request).all(KIND) if c.id == named(body)), None)
    if found is not None:
        found.items.extend([*items, *([] if active(request, OUTPUT_NOT_APPENDED) else output)])


ROUTES = (
    ("conversations", "POST", "/conversations", create),
    ("conversations", "GET", "/conversations/{conversation_id}/items/{item_id}", retrieve_item),
    ("conversations", "DELETE", "/conversations/{conversation_id}/items/{item_id}", delete_item),
    ("conversations", "POST", "/conversations/{conversation_id}/items", create_items),
    ("conversations", "GET", "/conversations/{conversation_id}/items", list_items),
    ("conversations", "GET", "/conversations/{conversation_id}", retrieve),
    ("conversations", "POST", "/conversations/{conversation_id}", update),
    ("conversations", "DELETE", "/conversations/{conversation_id}", delete),
)

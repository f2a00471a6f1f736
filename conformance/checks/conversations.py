"""The Conversations API: what a conversation and its items say about what was sent to them, and what
POST /responses with ``conversation`` reads from them and adds to them.

Checks that compare need the earlier exchange, which the case passes as ``same_as``: the create or the
update of the conversation (for GET), the create of the conversation or of items in it, or a response
created in it (for the list of its items), an earlier response in the same conversation (for a second
turn). Items are compared as a client tells them apart (their type and text, call or output:
``responses_state.what``). The statuses (a conversation or an item gone after DELETE, more than 20 items
at a time, a conversation together with previous_response_id) are http.status's; the ids, resource.id's
and resource.deleted's.
"""

from __future__ import annotations

from conformance import pagination as pg
from conformance.checks.base import Finding, Level, check, shorten
from conformance.checks.responses_state import what
from conformance.exchange import Exchange

CREATE = "POST /conversations"
GET = "GET /conversations/{conversation_id}"
UPDATE = "POST /conversations/{conversation_id}"
ADD_ITEMS = "POST /conversations/{conversation_id}/items"
LIST_ITEMS = "GET /conversations/{conversation_id}/items"
DELETE_ITEM = "DELETE /conversations/{conversation_id}/items/{item_id}"
RESPONSE = "POST /responses"


def _answered(*keys: str):
    """A 2xx JSON object answer to one of the operations."""
    return lambda ex: ex.ok and ex.operation is not None and ex.operation.key in keys and isinstance(ex.data, dict)


def _earlier(*keys: str):
    """The case passed, as ``same_as``, a 2xx JSON object answer to one of the operations."""
    return lambda expect: expect.same_as is not None and _answered(*keys)(expect.same_as)


def _in_conversation(ex: Exchange) -> str | None:
    """The conversation a Responses request names (an id, or an object with its id)."""
    given = ex.params.get("conversation")
    given = given.get("id") if isinstance(given, dict) else given
    return given if isinstance(given, str) else None


def _sent(items: object) -> list[tuple]:
    """Items sent, as a client tells them apart (a string is one user message, as a response's input)."""
    items = [{"type": "message", "content": items}] if isinstance(items, str) else items if isinstance(items, list) else []
    return [what(item) for item in items if isinstance(item, dict)]


def _metadata(value: object) -> object:
    """Metadata as compared: none sent and an empty object are one."""
    return value or {}


@check("conversations.created", Level.MUST, "Conversations > Create a conversation", applies=_answered(CREATE))
def created(ex, expect):
    """A conversation is created with the metadata sent (none: empty)."""
    if "metadata" in ex.data and _metadata(ex.data["metadata"]) != _metadata(ex.params.get("metadata")):
        yield Finding(f"metadata {shorten(_metadata(ex.params.get('metadata')), 160)}, as sent", shorten(ex.data["metadata"], 160), "/metadata")


@check("conversations.updated", Level.MUST, "Conversations > Update a conversation", applies=_answered(UPDATE))
def updated(ex, expect):
    """An update answers the conversation with the metadata sent, which replaces the old."""
    if "metadata" in ex.data and _metadata(ex.data["metadata"]) != _metadata(ex.params.get("metadata")):
        yield Finding(f"metadata {shorten(ex.params.get('metadata'), 160)}, as sent", f"{shorten(ex.data['metadata'], 160)}: the update seems ignored", "/metadata")


@check("conversations.retrieved", Level.MUST, "Conversations > Retrieve a conversation", applies=_answered(GET), within=_earlier(CREATE, UPDATE))
def retrieved(ex, expect):
    """A conversation is retrieved as it was created or last updated: the same created_at and metadata."""
    before = expect.same_as
    if ex.path_params.get("conversation_id") != before.data.get("id"):
        return
    how = "updated" if before.operation.key == UPDATE else "created"
    for name in ("created_at", "metadata"):
        if name in before.data and name in ex.data and ex.data[name] != before.data[name]:
            yield Finding(f"{name} {shorten(before.data[name], 160)}, as {how}", shorten(ex.data[name], 160), f"/{name}")


@check("conversations.items-added", Level.MUST, "Conversations > Create items", applies=_answered(ADD_ITEMS))
def items_added(ex, expect):
    """Adding items answers the list of the items added, in the order sent, and no other."""
    sent, listed = _sent(ex.params.get("items")), [what(item) for item in pg.items(ex)]
    if listed != sent:
        yield Finding(f"the {len(sent)} item(s) sent, in order: {shorten(sent, 200)}", f"{len(listed)} item(s): {shorten(listed, 200)}", "/data")


def _whole(ex: Exchange, conversation: str | None) -> list[tuple] | None:
    """The items of a whole listing of ``conversation`` (no cursor, nothing more), oldest first; ``None`` for any other listing."""
    if "after" in ex.request.url.params or ex.data.get("has_more") is not False or ex.path_params.get("conversation_id") != conversation:
        return None
    listed = [what(item) for item in pg.items(ex)]
    return listed if pg.order_of(ex, pg.paging(ex)) == "asc" else listed[::-1]


def _order(ex: Exchange) -> str:
    return f"order={ex.request.url.params['order']}" if "order" in ex.request.url.params else "desc, the default order"


@check("conversations.items-listed", Level.MUST, "Conversations > List items", applies=_answered(LIST_ITEMS), within=_earlier(CREATE, ADD_ITEMS))
def items_listed(ex, expect):
    """A conversation's items are kept and listed in the order they were added (asc), newest first by default (desc)."""
    before = expect.same_as
    created = before.operation.key == CREATE
    conversation = before.data.get("id") if created else before.path_params.get("conversation_id")
    oldest_first = _whole(ex, conversation)
    sent = _sent(before.params.get("items"))
    if oldest_first is None or not sent:
        return
    shown = oldest_first[: len(sent)] if created else oldest_first[-len(sent):]
    if shown == sent:
        return
    where = "first (oldest)" if created else "last (newest)"
    reversed_ = "; they are there in the reverse order" if shown == sent[::-1] and len(sent) > 1 else ""
    yield Finding(f"the {len(sent)} item(s) {'the conversation was created with' if created else 'added'} {where}, in the order sent ({_order(ex)}): {shorten(sent, 200)}",
                  f"{len(oldest_first)} item(s), oldest first: {shorten(oldest_first, 200)}{reversed_}", "/data")


@check("conversations.item-deleted", Level.MUST, "Conversations > Delete an item", applies=_answered(DELETE_ITEM))
def item_deleted(ex, expect):
    """Deleting an item answers the conversation it was deleted from (the Conversation object, not a deletion object)."""
    conversation = ex.path_params.get("conversation_id")
    if ex.data.get("object") != "conversation" or ex.data.get("id") != conversation:
        yield Finding(f'the conversation: object "conversation", id {conversation!r}',
                      f"object {ex.data.get('object')!r}, id {ex.data.get('id')!r}", "/object" if ex.data.get("object") != "conversation" else "/id")


@check("conversations.response-appended", Level.MUST, "Responses > Create a model response", applies=_answered(LIST_ITEMS),
       within=lambda expect: _earlier(RESPONSE)(expect) and _in_conversation(expect.same_as) is not None)
def response_appended(ex, expect):
    """A response created in a conversation has its input items, then its output items, appended to the conversation's items."""
    response = expect.same_as
    oldest_first = _whole(ex, _in_conversation(response))
    output = response.data.get("output")
    if oldest_first is None or not isinstance(output, list):
        return
    wanted = _sent(response.params.get("input")) + [what(item) for item in output if isinstance(item, dict)]
    shown = oldest_first[-len(wanted):] if wanted else []
    if shown != wanted:
        yield Finding(f"the conversation's items ending with the response's {len(wanted) - len(output)} input and {len(output)} output item(s), in that order: {shorten(wanted, 200)}",
                      f"{len(oldest_first)} item(s), oldest first: {shorten(oldest_first, 200)}", "/data")


@check("conversations.response-named", Level.SHOULD, "Responses > Create a model response",
       applies=lambda ex: _answered(RESPONSE)(ex) and _in_conversation(ex) is not None)
def response_named(ex, expect):
    """A response created in a conversation names it: conversation.id (optional in the Response object, which the real API fills)."""
    named = ex.data.get("conversation")
    if not isinstance(named, dict) or named.get("id") != _in_conversation(ex):
        yield Finding(f"conversation {{'id': {_in_conversation(ex)!r}}}", shorten(named) if "conversation" in ex.data else "(absent)", "/conversation")


def _tokens(ex: Exchange, name: str) -> int | None:
    usage = ex.data.get("usage")
    value = usage.get(name) if isinstance(usage, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@check("conversations.response-context", Level.MUST, "Responses > Create a model response",
       applies=lambda ex: _answered(RESPONSE)(ex) and _in_conversation(ex) is not None,
       within=lambda expect: _earlier(RESPONSE)(expect) and _in_conversation(expect.same_as) is not None)
def response_context(ex, expect):
    """A response in a conversation is answered with the conversation's items before its input: a second turn's input_tokens count at least the first turn's input and output."""
    first = expect.same_as
    if _in_conversation(first) != _in_conversation(ex):
        return
    before, now = [_tokens(first, "input_tokens"), _tokens(first, "output_tokens")], _tokens(ex, "input_tokens")
    if None in before or now is None:
        return  # no usage to compare: body.schema reports it
    if now < sum(before):
        yield Finding(f"usage.input_tokens >= {sum(before)} (the earlier turn's {before[0]} input + {before[1]} output tokens, which the conversation holds, plus this input)",
                      f"{now}: the conversation {_in_conversation(ex)!r} seems ignored", "/usage/input_tokens")

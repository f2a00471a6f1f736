"""The Responses API's typed event stream: event shapes, order, item lifecycle and the integrity of text and arguments.

They apply to a streamed POST /responses (``Operation.dialect`` EVENTS) that arrived in full as an
event stream; the framing (blank lines, one JSON object per data, incremental delivery) is
conformance/checks/streaming.py's, shared with chat. An optional trailing ``data: [DONE]`` is
legal (Open Responses sends one). Event types the reference does not define (vendor events such
as ``vendor:trace``) are skipped by every structure check: new event types are backward compatible.
Pointers ``/events/<i>/...`` point into the stream's events, counted from 0.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from conformance import validation
from conformance.checks.base import Finding, Level, check, shorten
from conformance.checks.body import schema_findings
from conformance.checks.streaming import readable
from conformance.operations import EVENTS
from conformance.sse import DONE

SECTION = "Responses > Streaming events"
SCHEMA = "response.stream.event"
LIFECYCLE = ("response.created", "response.queued", "response.in_progress")
TERMINAL = {"response.completed": "completed", "response.incomplete": "incomplete", "response.failed": "failed"}
ITEM_ADDED, ITEM_DONE = "response.output_item.added", "response.output_item.done"
PART_ADDED, PART_DONE = "response.content_part.added", "response.content_part.done"
TEXT_DELTA, TEXT_DONE = "response.output_text.delta", "response.output_text.done"
ARGS_DELTA, ARGS_DONE = "response.function_call_arguments.delta", "response.function_call_arguments.done"
PART_DELTAS = (TEXT_DELTA, "response.refusal.delta", "response.reasoning_text.delta")
"""The deltas of a content part (others, as a reasoning summary's, have no content_index)."""
INDEX, ITEM_ID = "output_index", "item_id"
"""The two ways an event names its output item (``_named_by``)."""


def _responses_stream(ex) -> bool:
    return readable(ex) and ex.operation.dialect == EVENTS


def documented(payload: object) -> bool:
    """An event of a type the reference defines: ``error`` or ``response.*`` (a vendor's own types are skipped)."""
    return isinstance(payload, dict) and isinstance(payload.get("type"), str) and (payload["type"] == "error" or payload["type"].startswith("response."))


def _all(ex) -> list[tuple[int, dict]]:
    """The documented events, with their index in the stream."""
    return [(i, p) for i, p in enumerate(ex.stream.payloads) if documented(p)]


def _events(ex) -> list[tuple[int, dict]]:
    """The documented events up to the first terminal event: what follows it is responses.terminal's finding alone."""
    events = _all(ex)
    end = next((k for k, (_, e) in enumerate(events) if e["type"] in TERMINAL), len(events))
    return events[:end + 1]


def _of(ex, *types: str) -> list[tuple[int, dict]]:
    return [(i, e) for i, e in _events(ex) if e["type"] in types]


def _terminal(ex) -> tuple[int, dict] | None:
    found = _of(ex, *TERMINAL)
    return found[-1] if found else None


def terminal_response(ex) -> tuple[str, dict] | None:
    """The response the stream's terminal event carries, with its pointer (for the object checks)."""
    found = _terminal(ex) if _responses_stream(ex) else None
    if found is None or not isinstance(found[1].get("response"), dict):
        return None
    return f"/events/{found[0]}/response", found[1]["response"]


def _clean(ex) -> bool:
    """A stream without an error: its content can be judged as a whole."""
    return _responses_stream(ex) and not _of(ex, "error") and not any(_error_frame(p) for p in ex.stream.payloads)


def _error_frame(payload: object) -> bool:
    return isinstance(payload, dict) and "error" in payload and "type" not in payload


# --- event shape and order -----------------------------------------------------------------


@check("responses.event-type", Level.MUST, SECTION, applies=_responses_stream)
def event_type(ex, expect):
    """Every event's data is a JSON object with a string type."""
    for i, payload in enumerate(ex.stream.payloads):
        if isinstance(payload, dict) and not isinstance(payload.get("type"), str) and not _error_frame(payload):
            yield Finding("a string type", shorten(payload), f"/events/{i}/type")


@check("responses.event-name", Level.MUST, SECTION, applies=_responses_stream)
def event_name(ex, expect):
    """An event: line, when sent, names the type of the event's data."""
    for i, (event, payload) in enumerate(zip(ex.stream.events, ex.stream.payloads)):
        # "message" is what a reader sees when there is no event: line (data-only frames are legal).
        if event.type != "message" and isinstance(payload, dict) and event.type != payload.get("type"):
            yield Finding(f"event: {payload.get('type')}", f"event: {event.type}", f"/events/{i}")


@check("responses.event-schema", Level.MUST, "Responses > Streaming events (schemas/)", applies=_responses_stream)
def event_schema(ex, expect):
    """Every documented event validates against the JSON Schema of its type (the response it carries included)."""
    yield from schema_findings(validation.validator(SCHEMA), [(f"/events/{i}", event) for i, event in _events(ex)], SCHEMA, SECTION)


def _numbered(ex) -> list[tuple[int, dict]]:
    """The documented events, and a vendor's events that carry a sequence_number (they share the count)."""
    return [(i, p) for i, p in enumerate(ex.stream.payloads) if documented(p) or (isinstance(p, dict) and "sequence_number" in p)]


@check("responses.sequence-number", Level.MUST, SECTION, applies=_responses_stream)
def sequence_number(ex, expect):
    """Every event has an integer sequence_number, strictly increasing through the stream."""
    last = None
    for i, event in _numbered(ex):
        number = event.get("sequence_number")
        if not isinstance(number, int) or isinstance(number, bool):
            yield Finding("an integer sequence_number", shorten(number), f"/events/{i}/sequence_number")
            return  # one missing number usually means none: once is enough
        if last is not None and number <= last:
            yield Finding(f"a sequence_number above {last} (the previous event's)", str(number), f"/events/{i}/sequence_number")
            return
        last = number


@check("responses.sequence-start", Level.SHOULD, SECTION, applies=_responses_stream)
def sequence_start(ex, expect):
    """Sequence numbers start at 0 and rise by 1, as the real API's do."""
    numbers = [(i, e.get("sequence_number")) for i, e in _numbered(ex)]
    for k, (i, number) in enumerate(numbers):
        if isinstance(number, int) and number != k:
            yield Finding(f"sequence_number {k}", str(number), f"/events/{i}/sequence_number")
            return


@check("responses.first-created", Level.MUST, SECTION, applies=_responses_stream)
def first_created(ex, expect):
    """The first event is response.created."""
    events = _events(ex)
    if not events or events[0][1]["type"] != "response.created":
        yield Finding("response.created first", events[0][1]["type"] if events else "(no event)", f"/events/{events[0][0]}" if events else "/events")


@check("responses.lifecycle", Level.MUST, SECTION, applies=_responses_stream)
def lifecycle(ex, expect):
    """response.created, response.queued and response.in_progress come at most once each, in that order, before the output's events."""
    seen, output_started = [], None
    for i, event in _events(ex):
        kind = event["type"]
        if kind not in LIFECYCLE:
            if output_started is None and kind != "error":  # an error event is responses.terminal's
                output_started = (i, kind)
            continue
        if kind in seen:
            yield Finding(f"one {kind} (the response's lifecycle is announced once)", f"another {kind}", f"/events/{i}")
        elif output_started is not None:
            yield Finding(f"{kind} before the output's events", f"{kind} after {output_started[1]} (event {output_started[0]})", f"/events/{i}")
        elif seen and LIFECYCLE.index(kind) < LIFECYCLE.index(seen[-1]):
            yield Finding(f"{kind} before {seen[-1]} (order: {', '.join(LIFECYCLE)})", f"{kind} after {seen[-1]}", f"/events/{i}")
        else:
            seen.append(kind)
            continue
        return  # the first misplaced announcement explains the rest


@check("responses.terminal", Level.MUST, SECTION, applies=_responses_stream)
def one_terminal_last(ex, expect):
    """Exactly one terminal event (completed, incomplete or failed), and it is last (a data: [DONE] after it aside)."""
    terminals = [(i, e) for i, e in _all(ex) if e["type"] in TERMINAL]
    errors = _of(ex, "error")
    if errors:
        i, error = errors[0]
        yield Finding("a complete answer ending with a terminal event", f"the stream broke off with an error event: {shorten(error, 160)}", f"/events/{i}")
        return
    if not terminals:
        yield Finding("a terminal event (response.completed, .incomplete or .failed)", f"none in {len(ex.stream.payloads)} event(s)", "/events")
        return
    for i, event in terminals[1:]:
        yield Finding("one terminal event", f"another {event['type']}", f"/events/{i}")
    last, payloads = terminals[-1][0], ex.stream.payloads
    for i in range(last + 1, len(payloads)):
        trailing_done = payloads[i] is DONE and i == len(payloads) - 1
        vendor = isinstance(payloads[i], dict) and not documented(payloads[i]) and not _error_frame(payloads[i])
        if not (trailing_done or vendor):
            yield Finding("nothing after the terminal event but an optional data: [DONE]", shorten(ex.stream.events[i].data, 120), f"/events/{i}")
            return


@check("responses.terminal-status", Level.MUST, SECTION, applies=_responses_stream)
def terminal_status(ex, expect):
    """The terminal event's response.status agrees with its type (response.completed: completed, ...)."""
    for i, event in _of(ex, *TERMINAL):
        status = (event.get("response") or {}).get("status") if isinstance(event.get("response"), dict) else None
        if status != TERMINAL[event["type"]]:
            yield Finding(f"status {TERMINAL[event['type']]!r} in {event['type']}", repr(status), f"/events/{i}/response/status")


@check("responses.same-id", Level.MUST, SECTION, applies=_responses_stream)
def same_id(ex, expect):
    """The response of created, queued, in_progress and the terminal event keeps one id."""
    # A response without an id is the schema's finding: there is nothing to compare.
    carried = [(i, e["response"]["id"]) for i, e in _of(ex, *LIFECYCLE, *TERMINAL) if isinstance(e.get("response"), dict) and isinstance(e["response"].get("id"), str)]
    for i, response_id in carried[1:]:
        if response_id != carried[0][1]:
            yield Finding(f"id {carried[0][1]!r} as in the first event", repr(response_id), f"/events/{i}/response/id")


@check("responses.error-event", Level.MUST, "Responses > Streaming events (error)", applies=_responses_stream)
def error_event(ex, expect):
    """An error after the stream started is the flat error event or response.failed with response.error, never an {"error": {...}} frame."""
    for i, payload in enumerate(ex.stream.payloads):
        if _error_frame(payload):
            yield Finding('{"type": "error", "code", "message", "param", "sequence_number"} (the SDK raises on {"error": ...})', shorten(payload), f"/events/{i}")
    for i, event in _of(ex, "response.failed"):
        response = event.get("response") if isinstance(event.get("response"), dict) else {}
        if not isinstance(response.get("error"), dict):
            yield Finding("response.error saying why the response failed", shorten(response.get("error")), f"/events/{i}/response/error")
    # The flat event's fields (code, message, param) are the schema's: responses.event-schema.


# --- item lifecycle ------------------------------------------------------------------------


def _scoped(event: dict) -> bool:
    """An event about one output item (its parts, deltas, done), other than the item's added event."""
    return "item_id" in event or (event["type"] == ITEM_DONE)


def _item_id(event: dict) -> object:
    return event.get("item_id") if "item_id" in event else (event.get("item") or {}).get("id") if isinstance(event.get("item"), dict) else None


def _where(event: dict, field: str) -> object:
    """The item an event is about, named by ``field``: its output_index, or its item id."""
    return event.get("output_index") if field == INDEX else _item_id(event)


def _named_by(events: list[tuple[int, dict]]) -> str | None:
    """How these events name their item: by output_index when every one carries it, else by item id (llama.cpp's
    server sends no index); None when some carry neither. A check that joins events by their item says nothing
    then: which event belongs to which item would be a guess, and what is missing is responses.event-schema's
    finding (and responses.output-index's), not a second departure."""
    for field, kind in ((INDEX, int), (ITEM_ID, str)):
        if all(type(_where(e, field)) is kind for _, e in events):  # type is: a bool is no index
            return field
    return None


def _name(field: str, key: object) -> str:
    """An item as a finding names it: ``output 0``, or ``item 'msg_1'`` when the events name it by id."""
    return f"output {key}" if field == INDEX else f"item {key!r}"


@check("responses.item-scope", Level.MUST, SECTION, applies=_responses_stream)
def item_scope(ex, expect):
    """Every item event refers to an item added earlier by output_item.added (same output_index and item_id) and not yet done."""
    scoped = [(i, e) for i, e in _events(ex) if e["type"] == ITEM_ADDED or _scoped(e)]
    field = _named_by(scoped)
    if field is None:
        return
    # By position, the item's id must be the one added there; without positions (field ITEM_ID), the id names the item.
    open_items, done = {}, set()
    for i, event in scoped:
        key, item_id = _where(event, field), _item_id(event)
        if event["type"] == ITEM_ADDED:
            open_items[key] = item_id
            continue
        name = _name(field, key)
        if key in done:
            yield Finding(f"no event for {name} after its output_item.done", event["type"], f"/events/{i}")
        elif key not in open_items or open_items[key] != item_id:
            yield Finding(f"an item added earlier: output_index {key} is {open_items.get(key)!r}" if field == INDEX else "an item_id added earlier",
                          f"item_id {item_id!r}", f"/events/{i}")
        else:
            if event["type"] == ITEM_DONE:
                done.add(key)
            continue
        return  # the first wrong reference explains the rest


UNFINISHED = "mcp_list_tools"
"""The item type the reference itself may add and never finish: with several MCP servers, only the last
mcp_list_tools item gets its output_item.done (its terminal output holds them all)."""


def _unfinished(ex, field: str) -> set:
    """The mcp_list_tools items added and never done (named by ``field``): the reference's own departure, not judged."""
    dones = {_where(e, field) for _, e in _of(ex, ITEM_DONE)}
    return {_where(e, field) for _, e in _of(ex, ITEM_ADDED)
            if isinstance(e.get("item"), dict) and e["item"].get("type") == UNFINISHED and _where(e, field) not in dones}


@check("responses.item-done", Level.MUST, SECTION, applies=_clean)
def item_done(ex, expect):
    """Each added item gets exactly one output_item.done (an mcp_list_tools item: at most one)."""
    field = _named_by(_of(ex, ITEM_ADDED, ITEM_DONE))
    if field is None:
        return
    added = [_where(e, field) for _, e in _of(ex, ITEM_ADDED)]
    dones = [_where(e, field) for _, e in _of(ex, ITEM_DONE)]
    unfinished = _unfinished(ex, field)
    for key in added:
        if dones.count(key) != 1 and key not in unfinished:
            yield Finding(f"one output_item.done for {_name(field, key)}", f"{dones.count(key)}", "/events")


@check("responses.output-index", Level.MUST, SECTION, applies=_responses_stream)
def output_index(ex, expect):
    """output_index counts 0..n-1 in the order items are added."""
    for k, (i, event) in enumerate(_of(ex, ITEM_ADDED)):
        if event.get("output_index") != k:
            yield Finding(f"output_index {k}", repr(event.get("output_index")), f"/events/{i}/output_index")
            return


@check("responses.content-index", Level.MUST, SECTION, applies=_responses_stream)
def content_index(ex, expect):
    """content_index counts from 0 within each item: each content_part.added takes the item's next index."""
    field, parts = _named_by(_of(ex, PART_ADDED)), {}
    if field is None:
        return  # the parts cannot be told apart by item
    for i, event in _of(ex, PART_ADDED):
        index = _where(event, field)
        expected = parts.get(index, 0)
        if event.get("content_index") != expected:
            yield Finding(f"content_index {expected} (the parts of {_name(field, index)} count from 0)", repr(event.get("content_index")), f"/events/{i}/content_index")
            return
        parts[index] = expected + 1


@check("responses.part-order", Level.MUST, SECTION, applies=_responses_stream)
def part_order(ex, expect):
    """A part's content_part.added precedes its deltas and content_part.done follows them."""
    # By position (not item_id: an event naming an unknown item is responses.item-scope's finding), else by item id;
    # without content_index, a part is its item's only one.
    events = [(i, e) for i, e in _events(ex) if e["type"] in (PART_ADDED, PART_DONE, *PART_DELTAS) or (e["type"].endswith(".delta") and "content_index" in e)]
    field, indexed = _named_by(events), all(type(e.get("content_index")) is int for _, e in events)
    if field is None:
        return
    if field == ITEM_ID:
        added = _added(ex)
        events = [(i, e) for i, e in events if _where(e, ITEM_ID) in added]
    state: dict[tuple, str] = {}
    for i, event in events:
        kind, key = event["type"], (_where(event, field), event.get("content_index") if indexed else None)
        if kind == PART_ADDED:
            state[key] = "open"
        elif kind == PART_DONE:
            if state.get(key) != "open":
                yield Finding("content_part.done after the part's content_part.added", f"content_part.done of part {key} not open", f"/events/{i}")
                return
            state[key] = "done"
        elif kind.endswith(".delta") and state.get(key) != "open":
            reason = "after its content_part.done" if state.get(key) == "done" else "before its content_part.added"
            yield Finding("deltas between content_part.added and content_part.done", f"{kind} of part {key} {reason}", f"/events/{i}")
            return


def _part_event(event: dict) -> tuple | None:
    """A part's position, when the event gives both indices (else responses.output-index and .content-index speak)."""
    key = event.get("output_index"), event.get("content_index")
    return key if all(isinstance(k, int) and not isinstance(k, bool) for k in key) else None


@check("responses.part-done", Level.MUST, SECTION, applies=_clean)
def part_done(ex, expect):
    """Each added content part gets exactly one content_part.done, and an output_text part exactly one output_text.done."""
    parts_done = [_part_event(e) for _, e in _of(ex, PART_DONE)]
    texts_done = [_part_event(e) for _, e in _of(ex, TEXT_DONE)]
    for i, event in _of(ex, PART_ADDED):
        key, part = _part_event(event), event.get("part")
        if key is None:
            continue
        ends = [(PART_DONE, parts_done)] + ([(TEXT_DONE, texts_done)] if isinstance(part, dict) and part.get("type") == "output_text" else [])
        for name, done in ends:
            if done.count(key) != 1:
                yield Finding(f"one {name} for the part added here (output {key[0]} part {key[1]})", f"{done.count(key)}", f"/events/{i}")


@check("responses.terminal-output", Level.MUST, SECTION, applies=_clean)
def terminal_output(ex, expect):
    """The terminal response's output is the done items, in order, with the same ids (an item never done aside: responses.item-done's finding)."""
    found = terminal_response(ex)
    if found is None:
        return
    pointer, response = found
    dones = _of(ex, ITEM_DONE)
    if _named_by(dones) == INDEX:  # in the order of their positions; without them, in the order they were done
        dones = sorted(dones, key=lambda pair: pair[1]["output_index"])
    done = [(e.get("item") or {}).get("id") for _, e in dones if isinstance(e.get("item"), dict)]
    output = response.get("output")
    ids = [item.get("id") for item in output if isinstance(item, dict)] if isinstance(output, list) else None
    if ids is not None:  # an item added and never done is responses.item-done's finding (or, mcp_list_tools, the reference's way)
        never_done = _added(ex) - set(done)
        ids = [i for i in ids if i not in never_done]
    if ids != done:
        yield Finding(f"output item ids {done} (the output_item.done items)", repr(ids), f"{pointer}/output")


# --- text and arguments integrity ----------------------------------------------------------


def _item(items: list, index: object) -> dict:
    return items[index] if isinstance(items, list) and isinstance(index, int) and 0 <= index < len(items) and isinstance(items[index], dict) else {}


def _output_item(output: object, field: str, key: object) -> tuple[int, dict] | None:
    """(position, item) of the output item an event names (by position or by id); None when the output has no such item:
    the output's items are responses.terminal-output's finding."""
    if field == INDEX:
        return (key, output[key]) if _item(output, key) else None
    return next(((k, item) for k, item in enumerate(output) if isinstance(item, dict) and item.get("id") == key), None) if isinstance(output, list) else None


def _part(item: dict, content_index: object) -> tuple[object, object] | None:
    """(position, text) of a part of ``item``: at content_index, or without one, the item's only output_text part
    (None when it has several: which one is meant would be a guess)."""
    parts = item.get("content") if isinstance(item.get("content"), list) else []
    if content_index is not None:
        return content_index, _item(parts, content_index).get("text")
    texts = [k for k, part in enumerate(parts) if isinstance(part, dict) and part.get("type") == "output_text"]
    return (texts[0], parts[texts[0]].get("text")) if len(texts) == 1 else (0, None) if not texts else None


def _joined(ex, events: list[tuple[int, dict]]) -> str | None:
    """How the deltas and done events of a part or a call name their item (_named_by); by item id, only when every
    item they name was added: a delta naming another is responses.item-scope's finding, and whose text it is a guess."""
    field = _named_by(events)
    return field if field == INDEX or {_where(e, ITEM_ID) for _, e in events} <= _added(ex) else None


def _added(ex) -> set:
    """The ids of the items output_item.added announced."""
    return {_where(e, ITEM_ID) for _, e in _of(ex, ITEM_ADDED)}


def _pieces(events: list[tuple[int, dict]], key) -> dict:
    joined: dict[object, list[str]] = {}
    for _, event in events:
        joined.setdefault(key(event), []).append(event.get("delta") if isinstance(event.get("delta"), str) else "")
    return {k: "".join(v) for k, v in joined.items()}


def _texts(ex) -> Iterator[tuple[str, str, str, object]]:
    """For each text part (its output_text.done, or its deltas when no done came: responses.part-done's finding, the
    text is still compared): (its name, the joined deltas, where else its text is given, that text).

    A part is its item (by output_index, else by item id: _named_by) and its content_index; text events without
    content_index are about their item's only text part. Where that does not name one part, nothing is compared:
    the missing index is another check's finding, and the text a guess.
    """
    field = _joined(ex, _of(ex, TEXT_DELTA, TEXT_DONE))
    if field is None:
        return
    indexed = all(type(e.get("content_index")) is int for _, e in _of(ex, TEXT_DELTA, TEXT_DONE))
    def part_key(event: dict) -> tuple:
        return _where(event, field), event.get("content_index") if indexed else None
    deltas = _pieces(_of(ex, TEXT_DELTA), part_key)
    dones = [(i, part_key(e), e.get("text")) for i, e in _of(ex, TEXT_DONE)]
    keys = [key for _, key, _ in dones]
    undone = [(None, key, None) for key in deltas if key not in keys]
    items_done = {_where(e, field): (i, e.get("item") or {}) for i, e in _of(ex, ITEM_DONE)}
    found = terminal_response(ex)
    for i, key, text in dones + undone:
        if keys.count(key) > 1:
            continue  # two parts of one item without content_index: which deltas are whose is not said
        item_key, content = key
        joined = deltas.get(key, "")
        name = _name(field, item_key) + (f" part {content}" if indexed else "")
        if i is not None:
            yield name, joined, f"/events/{i}/text", text
        for j, part_done in _of(ex, PART_DONE):
            if (_where(part_done, field), part_done.get("content_index") if indexed else None) == key:
                yield name, joined, f"/events/{j}/part/text", (part_done.get("part") or {}).get("text")
        if item_key in items_done and (part := _part(items_done[item_key][1], content)) is not None:
            yield name, joined, f"/events/{items_done[item_key][0]}/item/content/{part[0]}/text", part[1]
        placed = _output_item(found[1].get("output"), field, item_key) if found is not None and found[1].get("status") != "failed" else None
        if placed is not None and (part := _part(placed[1], content)) is not None:
            yield name, joined, f"{found[0]}/output/{placed[0]}/content/{part[0]}/text", part[1]


@check("responses.text-integrity", Level.MUST, SECTION, applies=_clean)
def text_integrity(ex, expect):
    """A part's joined output_text deltas equal its output_text.done text, content_part.done, output_item.done and terminal text."""
    for name, joined, pointer, text in _texts(ex):
        if text != joined:
            yield Finding(f"{name}: the joined deltas {shorten(joined, 100)!r}", shorten(text, 100), pointer)


@check("responses.arguments-integrity", Level.MUST, SECTION, applies=lambda ex: _clean(ex) and bool(_of(ex, ARGS_DONE)))
def arguments_integrity(ex, expect):
    """A call's joined function_call_arguments deltas equal .done.arguments and the item's arguments, a JSON object."""
    field = _joined(ex, _of(ex, ARGS_DELTA, ARGS_DONE))
    if field is None:
        return  # which deltas are whose is not said: the missing output_index and item_id are other checks' findings
    deltas = _pieces(_of(ex, ARGS_DELTA), lambda event: _where(event, field))
    items_done = {_where(e, field): (i, e.get("item") or {}) for i, e in _of(ex, ITEM_DONE)}
    found = terminal_response(ex)
    for i, event in _of(ex, ARGS_DONE):
        key = _where(event, field)
        joined = deltas.get(key, "")
        given = [(f"/events/{i}/arguments", event.get("arguments"))]
        if key in items_done:
            given.append((f"/events/{items_done[key][0]}/item/arguments", items_done[key][1].get("arguments")))
        placed = _output_item(found[1].get("output"), field, key) if found is not None else None
        if placed is not None:
            given.append((f"{found[0]}/output/{placed[0]}/arguments", placed[1].get("arguments")))
        name = _name(field, key)
        for pointer, arguments in given:
            if arguments != joined:
                yield Finding(f"{name}: the joined deltas {shorten(joined, 100)!r}", shorten(arguments, 100), pointer)
        try:
            parsed = json.loads(joined)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict) and (found is None or found[1].get("status") != "incomplete"):
            yield Finding("arguments that parse as a JSON object", shorten(joined, 100), f"/events/{i}/arguments")


def content(response: dict) -> list[tuple[str, object]]:
    """What a response says: each output item's type and its text (messages) or arguments (calls)."""
    said = []
    for item in response.get("output") or ():
        if isinstance(item, dict) and item.get("type") == "message":
            said.append(("message", [p.get("text") for p in item.get("content") or () if isinstance(p, dict)]))
        elif isinstance(item, dict) and item.get("type") == "function_call":
            said.append(("function_call", (item.get("name"), item.get("arguments"))))
    return said


@check("responses.same-content", Level.SHOULD, SECTION, applies=_clean, within=lambda expect: expect.same_as is not None)
def same_content(ex, expect):
    """A deterministic target streams the same output it answers without streaming."""
    baseline, found = expect.same_as.data, terminal_response(ex)
    if not isinstance(baseline, dict) or found is None:
        return
    if content(found[1]) != content(baseline):
        yield Finding(f"the unstreamed output {shorten(content(baseline), 160)}", shorten(content(found[1]), 160), f"{found[0]}/output")

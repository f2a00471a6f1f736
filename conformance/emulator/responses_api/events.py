"""A finished response as the Responses API streams it: typed events numbered from 0.

The stream is cut from the complete response (as chat's chunks are), so it carries exactly the
unstreamed answer: response.created and response.in_progress (the response without output), then
for each output item its added event, its parts and deltas, its done event, and last the terminal
event (response.completed or response.incomplete) carrying the whole response.

The stream's faults (real servers' departures) and legal variants are applied here, one at a time.
"""

from __future__ import annotations

import copy

from starlette.requests import Request

from conformance.emulator.faults import active, declare
from conformance.emulator.variants import chosen

FRAGMENT = 8
"""Characters of function-call arguments per delta."""
TERMINAL = {"completed": "response.completed", "incomplete": "response.incomplete", "failed": "response.failed"}
TEXT_DELTA, ARGUMENTS_DELTA = "response.output_text.delta", "response.function_call_arguments.delta"
ERROR_EVENT = {"type": "error", "code": "server_error", "message": "The server had an error while processing your request.", "param": None}

_CASE = "test_create_response_streamed"
_CALL = "test_response_stream_function_call"
NO_SEQUENCE = declare("responses-no-sequence-number", "responses.sequence-number", _CASE, "events without sequence_number (LiteLLM before PR 28899)")
TWO_COUNTERS = declare("responses-sequence-two-counters", "responses.sequence-number", _CASE,
                       "deltas and the other events numbered by two counters (llama.cpp before PR 24957)")
FROM_ONE = declare("responses-sequence-from-one", "responses.sequence-start", _CASE, "sequence numbers start at 1")
NO_CREATED = declare("responses-no-created", "responses.first-created", _CASE, "the stream starts with response.in_progress: no response.created")
LIFECYCLE_REPEATED = declare("responses-lifecycle-repeated", "responses.lifecycle", _CASE,
                             "response.created and response.in_progress sent again before every output_text.delta")
NO_TERMINAL = declare("responses-no-terminal", "responses.terminal", _CASE, "the stream ends after the last output_item.done: no terminal event")
AFTER_TERMINAL = declare("responses-event-after-terminal", "responses.terminal", _CASE, "a delta is sent after the terminal event")
COMPLETED_INCOMPLETE = declare("responses-completed-incomplete", "responses.terminal-status", _CASE,
                               "a cut answer's terminal event is response.completed with status incomplete (vLLM, agentic-api#273)")
OTHER_ID = declare("responses-terminal-other-id", "responses.same-id", _CASE, "the terminal event's response has another id than response.created's")
ERROR_FRAME = declare("responses-error-frame", "responses.error-event", _CASE,
                      'a mid-stream error sent as {"error": {...}}, not the flat error event (llama-stack before ogx PR 5224)')
NAME_MISMATCH = declare("responses-event-name-mismatch", "responses.event-name", _CASE, "each event: line names the next event's type")
NO_TYPE = declare("responses-delta-no-type", "responses.event-type", _CASE, "output_text.delta events without type")
LOGPROBS_NULL = declare("responses-delta-logprobs-null", "responses.event-schema", _CASE, "output_text.delta with logprobs null")
NO_LOGPROBS = declare("responses-text-no-logprobs", "responses.event-schema", _CASE, "output_text.delta and .done without logprobs")
BARE_PENDING = declare("responses-pending-bare", "responses.event-schema", _CASE,
                       "response.created and .in_progress carry a response of id, object and status only: a dozen findings in the first event")
OTHER_ITEM = declare("responses-delta-other-item", "responses.item-scope", _CASE, "deltas name an item_id no output_item.added announced")
NO_TEXT_DONE = declare("responses-no-text-done", "responses.part-done", _CASE, "no output_text.done for the text part (its content_part.done is sent)")
NO_PART_DONE = declare("responses-no-part-done", "responses.part-done", _CASE, "no content_part.done for the text part (its output_text.done is sent)")
NO_ITEM_DONE = declare("responses-no-item-done", "responses.item-done", _CASE, "no output_item.done for the message")
NO_INDICES = declare("responses-no-indices", "responses.output-index", _CASE,
                     "no output_index nor content_index on any event: items and parts named by item_id alone (llama.cpp's server)")
INDEX_FROM_ONE = declare("responses-output-index-from-one", "responses.output-index", _CASE, "output_index counts from 1")
CONTENT_NOT_RESET = declare("responses-content-index-not-reset", "responses.content-index", _CASE,
                            "a reasoning item's part first, then the message's part numbered content_index 1 (vLLM #45742)")
PART_LATE = declare("responses-part-added-late", "responses.part-order", _CASE, "content_part.added sent after the part's deltas")
TERMINAL_OTHER_ITEMS = declare("responses-terminal-output-other-ids", "responses.terminal-output", _CASE,
                               "the terminal response's output items have other ids than the done items")
DELTA_DROPPED = declare("responses-delta-dropped", "responses.text-integrity", _CASE, "one text delta is missing: the deltas do not join into the done text (LiteLLM #36327)")
ARGUMENTS_DIFFER = declare("responses-arguments-done-differs", "responses.arguments-integrity", _CALL, "function_call_arguments.done differs from its joined deltas")
OTHER_TEXT = declare("responses-stream-other-text", "responses.same-content", "test_response_stream_matches_unstreamed",
                     "the streamed answer is another text than the unstreamed one (consistent within the stream)")


def events(request: Request, response: dict) -> list[dict]:
    """The events of ``response``, numbered, after the request's fault or variant."""
    response = copy.deepcopy(response)
    if active(request, OTHER_TEXT):
        for part in _parts(response):
            part["text"] = part["text"].upper()
    if active(request, CONTENT_NOT_RESET):
        response["output"].insert(0, {"id": response["output"][0]["id"].replace("msg_", "rs_"), "type": "reasoning", "summary": [],
                                      "content": [{"type": "reasoning_text", "text": "Thinking."}]})
    pending = {**copy.deepcopy(response), "status": "in_progress", "output": [], "usage": None, "completed_at": None, "incomplete_details": None}
    if active(request, BARE_PENDING):
        pending = {key: pending[key] for key in ("id", "object", "status")}
    out = [{"type": "response.created", "response": pending}]
    if chosen(request, "responses-queued"):
        out.append({"type": "response.queued", "response": {**copy.deepcopy(pending), "status": "queued"}})
    out.append({"type": "response.in_progress", "response": copy.deepcopy(pending)})
    content_base = 0
    for index, item in enumerate(response["output"]):
        item_events, parts = _item_events(request, index + active(request, INDEX_FROM_ONE), item, content_base)
        out += item_events
        content_base += parts if active(request, CONTENT_NOT_RESET) else 0
    terminal = {"type": TERMINAL.get(response.get("status"), "response.completed"), "response": response}
    if active(request, COMPLETED_INCOMPLETE):
        terminal["type"] = "response.completed"
    out.append(terminal)
    out = _structure_faults(request, out)
    return _numbered(request, _variant(request, out))


def _parts(response: dict) -> list[dict]:
    return [part for item in response["output"] if item["type"] == "message" for part in item["content"]]


def _item_events(request: Request, index: int, item: dict, content_base: int) -> tuple[list[dict], int]:
    """The events of one output item, and how many content parts it streamed."""
    scope = {"item_id": item["id"], "output_index": index}
    added = {**item, "status": "in_progress"}
    content = item.get("content") if item["type"] in ("message", "reasoning") else None
    if content is not None:
        added["content"] = []
    if item["type"] == "function_call":
        added["arguments"] = ""
    out = [{"type": "response.output_item.added", "output_index": index, "item": added}]
    for k, part in enumerate(content or ()):
        where = {**scope, "content_index": content_base + k}
        kind = "output_text" if part["type"] == "output_text" else "reasoning_text"
        deltas = [{"type": f"response.{kind}.delta", **where, "delta": piece if n == 0 else " " + piece}
                  for n, piece in enumerate(part["text"].split(" ")) if part["text"]]
        done = {"type": f"response.{kind}.done", **where, "text": part["text"]}
        if kind == "output_text" and not active(request, NO_LOGPROBS):
            deltas = [{**delta, "logprobs": []} for delta in deltas]
            done["logprobs"] = []
        if active(request, DELTA_DROPPED) and len(deltas) > 1:
            del deltas[1]
        part_added = {"type": "response.content_part.added", **where, "part": {**part, "text": ""}}
        out += [*deltas, part_added] if active(request, PART_LATE) else [part_added, *deltas]
        out += [] if active(request, NO_TEXT_DONE) and kind == "output_text" else [done]
        out += [] if active(request, NO_PART_DONE) else [{"type": "response.content_part.done", **where, "part": part}]
    if item["type"] == "function_call":
        arguments = item["arguments"]
        out += [{"type": ARGUMENTS_DELTA, **scope, "delta": arguments[k:k + FRAGMENT]} for k in range(0, len(arguments), FRAGMENT)]
        done_arguments = arguments[:-1] if active(request, ARGUMENTS_DIFFER) else arguments
        out.append({"type": "response.function_call_arguments.done", **scope, "name": item["name"], "arguments": done_arguments})
    if not (active(request, NO_ITEM_DONE) and item["type"] == "message"):
        out.append({"type": "response.output_item.done", "output_index": index, "item": item})
    return out, len(content or ())


def _structure_faults(request: Request, out: list[dict]) -> list[dict]:
    if active(request, LIFECYCLE_REPEATED):
        announced = [e for e in out if e["type"] in ("response.created", "response.in_progress")]
        out = [each for e in out for each in ([*map(dict, announced), e] if e["type"] == TEXT_DELTA else [e])]
    if active(request, NO_CREATED):
        out = out[1:]
    if active(request, NO_TERMINAL):
        out = out[:-1]
    if active(request, AFTER_TERMINAL):
        out.append(next(e for e in out if e["type"] == TEXT_DELTA))
    if active(request, OTHER_ID):
        out[-1] = {**out[-1], "response": {**out[-1]["response"], "id": out[-1]["response"]["id"] + "x"}}
    if active(request, TERMINAL_OTHER_ITEMS):
        out[-1] = {**out[-1], "response": {**out[-1]["response"], "output": [{**item, "id": item["id"] + "x"} for item in out[-1]["response"]["output"]]}}
    if active(request, ERROR_FRAME):
        out = [*out[:2], {"error": {k: v for k, v in ERROR_EVENT.items() if k != "type"}}]
    elif chosen(request, "mid-stream-error"):
        out = [*out[:2], dict(ERROR_EVENT)]  # the conformant way to fail after the stream started
    for event in out:
        if active(request, NO_INDICES):
            event.pop("output_index", None)
            event.pop("content_index", None)
        if event.get("type") == TEXT_DELTA:
            if active(request, OTHER_ITEM):
                event["item_id"] += "x"
            if active(request, LOGPROBS_NULL):
                event["logprobs"] = None
    return out


def _variant(request: Request, out: list[dict]) -> list[dict]:
    """The legal variations of a Responses stream (conformance/emulator/variants.py)."""
    if chosen(request, "responses-vendor-events"):
        trace = {"type": "vendor:trace", "span": "emulator"}
        out = [dict(trace), *out[:3], dict(trace), *out[3:-1], dict(trace), out[-1]]
    if chosen(request, "responses-extra-fields"):
        for event in out:
            event["x_emulator"] = {"shard": 1}
            for key in ("response", "item", "part"):
                if isinstance(event.get(key), dict):
                    event[key] = {**event[key], "x_emulator": True}
    if chosen(request, "responses-args-done-no-name"):
        out = [{k: v for k, v in e.items() if k != "name"} if e.get("type") == "response.function_call_arguments.done" else e for e in out]
    if chosen(request, "responses-obfuscation"):
        for event in out:
            if event.get("type", "").endswith(".delta"):
                event["obfuscation"] = "x7Rq"
    return out


def _numbered(request: Request, out: list[dict]) -> list[dict]:
    if active(request, NO_SEQUENCE):
        return out
    numbered, partial = [], 0
    for seq, event in enumerate(out):
        if "error" in event and "type" not in event:
            numbered.append(event)  # the faulty {"error": ...} frame carries nothing else
            continue
        number = seq + active(request, FROM_ONE)
        if active(request, TWO_COUNTERS):
            number, partial = (partial, partial + 1) if event["type"].endswith(".delta") else (seq - partial, partial)
        event = {**event, "sequence_number": number}
        if active(request, NO_TYPE) and event["type"] == TEXT_DELTA:
            del event["type"]
        numbered.append(event)
    return numbered

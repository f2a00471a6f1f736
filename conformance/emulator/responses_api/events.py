"""A finished response as the Responses API streams it: typed events numbered from 0.

The stream is cut from the complete response (as chat's chunks are), so it carries exactly the
unstreamed answer: response.created and response.in_progress (the response without output), then
for each output item its added event, its parts and deltas, its done event, and last the terminal
event (response.completed or response.incomplete) carrying the whole response.
"""

from __future__ import annotations

import copy

FRAGMENT = 8
"""Characters of function-call arguments per delta."""
TERMINAL = {"completed": "response.completed", "incomplete": "response.incomplete", "failed": "response.failed"}


def events(response: dict) -> list[dict]:
    pending = {**copy.deepcopy(response), "status": "in_progress", "output": [], "usage": None,
               "completed_at": None, "incomplete_details": None}
    out = [{"type": "response.created", "response": pending}, {"type": "response.in_progress", "response": copy.deepcopy(pending)}]
    for index, item in enumerate(response["output"]):
        out += _item_events(index, item)
    out.append({"type": TERMINAL[response["status"]], "response": response})
    return [{**event, "sequence_number": seq} for seq, event in enumerate(out)]


def _item_events(index: int, item: dict) -> list[dict]:
    scope = {"item_id": item["id"], "output_index": index}
    added = {**item, "status": "in_progress"}
    out = []
    if item["type"] == "message":
        added["content"] = []
        out.append({"type": "response.output_item.added", "output_index": index, "item": added})
        for content_index, part in enumerate(item["content"]):
            where = {**scope, "content_index": content_index}
            out.append({"type": "response.content_part.added", **where, "part": {**part, "text": ""}})
            pieces = part["text"].split(" ")
            out += [{"type": "response.output_text.delta", **where, "delta": piece if k == 0 else " " + piece, "logprobs": []}
                    for k, piece in enumerate(pieces) if part["text"]]
            out.append({"type": "response.output_text.done", **where, "text": part["text"], "logprobs": []})
            out.append({"type": "response.content_part.done", **where, "part": part})
    elif item["type"] == "function_call":
        added["arguments"] = ""
        out.append({"type": "response.output_item.added", "output_index": index, "item": added})
        arguments = item["arguments"]
        out += [{"type": "response.function_call_arguments.delta", **scope, "delta": arguments[k:k + FRAGMENT]} for k in range(0, len(arguments), FRAGMENT)]
        out.append({"type": "response.function_call_arguments.done", **scope, "name": item["name"], "arguments": arguments})
    else:
        out.append({"type": "response.output_item.added", "output_index": index, "item": added})
    out.append({"type": "response.output_item.done", "output_index": index, "item": item})
    return out

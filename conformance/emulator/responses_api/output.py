"""What the emulator's model answers to a Responses request: output items and token counts, deterministically.

One token per word, as the chat emulator counts. The answer is chat's reply and one sentence more,
so that ``max_output_tokens`` (at least 16) can cut it: ANSWER_TOKENS words in all. A forced tool
choice calls a function (chat's tools.forced_call), ``text.format`` json_object / json_schema give
JSON text, a ``function_call_output`` as the newest input is answered by quoting it, and a request
with ``reasoning`` gets a reasoning item first (its tokens count as output, as reasoning_tokens).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass

from conformance.emulator import chat, tools

ANSWER = chat.REPLY + " It gives the same words to every request, so a streamed answer can be compared with the unstreamed one."
ANSWER_TOKENS = len(ANSWER.split())
REASONING_TOKENS = 8
"""Reasoning tokens a request with ``reasoning`` spends (its item shows no text, as the real API's)."""
ITEM_TOKENS = 3
"""Tokens an item costs beyond its words (role and framing), as chat counts per message."""
IMAGE_TOKENS = 85
"""Tokens of an input image (the real API's cost of a low-detail image)."""


def words(text: str) -> int:
    return len(text.split())


def item_tokens(item: dict) -> int:
    """The input tokens of one item of the context (an input item or an earlier output item)."""
    kind = item.get("type", "message")
    if kind == "message":
        content = item.get("content")
        parts = [{"type": "input_text", "text": content}] if isinstance(content, str) else content or []
        count = sum(IMAGE_TOKENS if p.get("type") == "input_image" else words(str(p.get("text") or p.get("refusal") or "")) for p in parts)
    elif kind == "function_call":
        count = words(item.get("name", "")) + words(item.get("arguments", ""))
    elif kind == "function_call_output":
        output = item.get("output")
        count = words(output if isinstance(output, str) else json.dumps(output))
    elif kind == "compaction":  # it stands for the items it compacted: they are billed again
        return sum(item_tokens(inner) for inner in compacted(item.get("encrypted_content")))
    else:
        count = 0
    return count + ITEM_TOKENS


def compaction_content(items: list[dict]) -> str:
    """A compaction item's encrypted_content: the items it stands for, opaque to a client (base64 of their JSON)."""
    return base64.b64encode(json.dumps(items).encode()).decode()


def compacted(content: object) -> list[dict]:
    """The items a compaction item's content stands for (none when it is not the emulator's own)."""
    try:
        items = json.loads(base64.b64decode(str(content), validate=True))
    except ValueError:
        return []
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def input_tokens(instructions: object, context: list[dict]) -> int:
    """The whole context is billed: instructions, earlier turns (previous_response_id's chain) and the new input."""
    count = sum(item_tokens(item) for item in context)
    if isinstance(instructions, str):
        count += words(instructions) + ITEM_TOKENS
    return count


@dataclass
class Answer:
    output: list[dict]
    output_tokens: int
    reasoning_tokens: int
    cut: bool
    """``max_output_tokens`` ended the answer early."""


def answer(body: dict, context: list[dict], new_id: Callable[[str], str]) -> Answer:
    """The output items for this request; ``new_id(prefix)`` mints item ids (``msg_``, ``fc_``, ``rs_``)."""
    budget = body.get("max_output_tokens")
    output, spent, reasoning = [], 0, 0
    if isinstance(body.get("reasoning"), dict):
        reasoning = REASONING_TOKENS if budget is None else min(REASONING_TOKENS, budget)
        output.append({"id": new_id("rs_"), "type": "reasoning", "summary": []})
        spent += reasoning
    call = None if _answers_tool_output(context) else tools.forced_call(_as_chat_tools(body))
    if call is not None:
        arguments = call["function"]["arguments"]
        output.append({"id": new_id("fc_"), "type": "function_call", "status": "completed", "arguments": arguments,
                       "call_id": call["id"], "name": call["function"]["name"]})
        return Answer(output, spent + words(arguments), reasoning, False)
    text = _text(body, context).split(" ")
    room = None if budget is None else budget - spent
    cut = room is not None and room < len(text)
    if cut:
        text = text[:room]
    output.append({"id": new_id("msg_"), "type": "message", "status": "incomplete" if cut else "completed", "role": "assistant",
                   "content": [{"type": "output_text", "text": " ".join(text), "annotations": [], "logprobs": []}]})
    return Answer(output, spent + len(text), reasoning, cut)


def _answers_tool_output(context: list[dict]) -> bool:
    return bool(context) and context[-1].get("type") == "function_call_output"


def _as_chat_tools(body: dict) -> dict:
    """The request's flat function tools and tool choice in chat's nested form, for tools.forced_call."""
    choice = body.get("tool_choice")
    if isinstance(choice, dict):  # a named function, or a hosted tool ({"type": "file_search"}) which calls no function
        choice = {"type": "function", "function": {"name": choice["name"]}} if choice["type"] == "function" else "auto"
    return {"tool_choice": choice, "tools": [{"type": "function", "function": tool} for tool in body.get("tools") or () if tool["type"] == "function"]}


def _text(body: dict, context: list[dict]) -> str:
    if _answers_tool_output(context):
        output = context[-1]["output"]
        return "The function returned: " + (output if isinstance(output, str) else json.dumps(output))
    fmt = (body.get("text") or {}).get("format") or {}
    if fmt.get("type") == "json_object":
        return json.dumps({"reply": ANSWER})
    if fmt.get("type") == "json_schema":
        return json.dumps(tools.instance(fmt.get("schema") or {}))
    return ANSWER

"""Input items as they are stored: a response's input, a conversation's items."""

from __future__ import annotations

import copy

ITEM_PREFIXES = {"message": "msg_", "function_call": "fc_", "function_call_output": "fco_", "reasoning": "rs_", "compaction": "cmp_"}


def input_items(body: dict, new_id) -> list[dict]:
    """The request's input as stored items: ids given, a string input as one user message, string content as parts."""
    given = body.get("input")
    raw = [{"role": "user", "content": given}] if isinstance(given, str) else given or []
    items = []
    for item in raw:
        kind = item.get("type", "message")
        stored = {**copy.deepcopy(item), "id": item.get("id") or new_id(ITEM_PREFIXES[kind]), "type": kind}
        if kind == "message" and isinstance(stored["content"], str):
            part = "output_text" if stored["role"] == "assistant" else "input_text"
            stored["content"] = [{"type": part, "text": stored["content"]}]
        if kind != "compaction":  # CompactionBody has no status
            stored.setdefault("status", "completed")
        items.append(stored)
    return items

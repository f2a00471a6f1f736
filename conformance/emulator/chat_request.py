"""The shape of a chat completion request's messages and plain parameters, as the reference states them.

Kept apart from chat.py's handler so that the validation gaps found in real servers can be
injected one at a time; the generated requests (cases/test_generated.py) must find each.
"""

from __future__ import annotations

import dataclasses

from starlette.requests import Request

from conformance.emulator.errors import invalid
from conformance.emulator.faults import active, declare
from conformance.emulator.validation import Number, optional

TEMPERATURE_UNBOUNDED = declare("temperature-unbounded", "http.status", "test_generated and chat", "temperature above 2 accepted")
CONTENT_UNCHECKED = declare("content-unchecked", "http.status", "test_generated and chat", "message content of any type accepted")
STOP_UNBOUNDED = declare("stop-unbounded", "http.status", "test_generated and chat", "more than 4 stop sequences accepted")

MAX_STOP_SEQUENCES = 4
# Content parts each role may send (ChatCompletionRequest*MessageContentPart).
PARTS = {
    "system": {"text"},
    "developer": {"text"},
    "user": {"text", "image_url", "input_audio", "file"},
    "assistant": {"text", "refusal"},
    "tool": {"text"},
    "function": set(),
}


def numbers(declared: tuple[Number, ...], request: Request) -> tuple[Number, ...]:
    if active(request, TEMPERATURE_UNBOUNDED):
        return tuple(dataclasses.replace(n, maximum=None) if n.name == "temperature" else n for n in declared)
    return declared


def validate_messages(messages: list, request: Request) -> None:
    for i, message in enumerate(messages):
        role = message.get("role") if isinstance(message, dict) else None
        if not isinstance(role, str) or role not in PARTS:
            raise invalid(f"messages[{i}].role", f"Invalid value for 'messages[{i}].role': expected one of {sorted(PARTS)}.")
        if "content" not in message and not message.get("tool_calls"):
            raise invalid(f"messages[{i}].content", f"Missing required parameter: 'messages[{i}].content'.", "missing_required_parameter")
        if not active(request, CONTENT_UNCHECKED):
            _content(i, role, message.get("content"), optional=role == "assistant" and bool(message.get("tool_calls")))
        if "name" in message and not isinstance(message["name"], str):
            raise invalid(f"messages[{i}].name", f"Invalid type for 'messages[{i}].name': expected a string.", "invalid_type")


def _content(i: int, role: str, content: object, optional: bool) -> None:
    param = f"messages[{i}].content"
    if isinstance(content, str) or (content is None and (optional or role == "function")):
        return
    if not isinstance(content, list):
        raise invalid(param, f"Invalid type for '{param}': expected a string or an array of content parts.", "invalid_type")
    if not content:
        raise invalid(param, f"Invalid '{param}': empty array. Expected an array with minimum length 1.", "empty_array")
    for j, part in enumerate(content):
        kind = part.get("type") if isinstance(part, dict) else None
        if not isinstance(kind, str) or kind not in PARTS[role]:
            raise invalid(f"{param}[{j}].type", f"Invalid value for '{param}[{j}].type': expected one of {sorted(PARTS[role])}.")
        if kind == "text" and not isinstance(part.get("text"), str):
            raise invalid(f"{param}[{j}].text", f"Invalid type for '{param}[{j}].text': expected a string.", "invalid_type")


def validate_parameters(body: dict, request: Request) -> None:
    """Parameters whose validity stands on its own: stop, logprobs, user."""
    validate_stop(body, request)
    optional(body, "logprobs", (bool, type(None)))
    optional(body, "user", str)


def validate_stop(body: dict, request: Request) -> None:
    """stop: a string, up to 4 strings, or null (chat and legacy completions alike)."""
    stop = body.get("stop")
    limit = None if active(request, STOP_UNBOUNDED) else MAX_STOP_SEQUENCES
    if stop is not None and not isinstance(stop, str):
        if not isinstance(stop, list) or not stop or not all(isinstance(s, str) for s in stop):
            raise invalid("stop", "Invalid type for 'stop': expected a string or an array of strings.", "invalid_type")
        if limit is not None and len(stop) > limit:
            raise invalid("stop", f"Invalid 'stop': array too long. Expected an array with maximum length {limit}, but got {len(stop)}.", "array_above_max_length")

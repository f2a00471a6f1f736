"""POST /chat/completions: deterministic replies that honour n, max_tokens and response_format."""

from __future__ import annotations

import json
import time
import uuid

from starlette.requests import Request

from conformance.emulator import chat_request, models, streaming, tools
from conformance.emulator.errors import APIError, invalid
from conformance.emulator.faults import active, declare
from conformance.emulator.replies import reply
from conformance.emulator.validation import Number, json_object, require
from conformance.emulator.variants import chosen

FINISH_REASON_EMPTY = declare("finish-reason-empty", "body.schema", "test_single_user_message", 'finish_reason "" instead of a reason')
IGNORE_N = declare("ignore-n", "chat.choices-count", "test_sampling_parameters", "n ignored: always one choice")
JSON_MODE_IGNORED = declare("json-mode-ignored", "chat.json-mode", "test_json_object_response_format", "response_format json_object ignored")
IGNORE_MAX_TOKENS = declare("ignore-max-tokens", "chat.max-tokens", "test_sampling_parameters", "max_tokens ignored")
USAGE_SUM_WRONG = declare("usage-sum-wrong", "chat.usage-total", "test_single_user_message", "total_tokens is not prompt + completion")
MODEL_RENAMED = declare("model-renamed", "chat.model", "test_single_user_message", "the response names another model")
ROLE_CHANGES = declare("stream-role-changes", "stream.role", "test_stream_single_message", 'deltas after the first switch role to "user"')
ROLE_REPEATED = declare("stream-role-repeated", "stream.role-once", "test_stream_single_message", 'role "assistant" repeated in every delta')
TOOL_CALL_NO_INDEX = declare("stream-tool-call-no-index", "stream.tool-calls", "test_stream_tool_call", "tool-call deltas without index")
ARGUMENTS_REPEATED = declare("stream-tool-arguments-repeated", "stream.tool-calls", "test_stream_tool_call", "every tool-call delta repeats the whole arguments (they join into invalid JSON)")
CONTENT_DIFFERS = declare("stream-content-differs", "stream.same-content", "test_stream_matches_unstreamed", "the stream drops the first word of the answer")
STREAM_OPTIONS_ACCEPTED = declare("stream-options-accepted", "http.status", "test_stream_options_without_stream", "stream_options accepted without stream: true")
RESPONSE_FORMAT_500 = declare("response-format-500", "http.status", "test_invalid_request and response_format", "an unsupported response_format.type crashes with 500 and an empty message")
TOOL_CHOICE_IGNORED = declare("tool-choice-ignored", "chat.tool-choice", "test_forced_tool_call", "a forced tool_choice (required or a named function) answered with text (unstreamed)")
STREAM_TOOL_CHOICE_IGNORED = declare("stream-tool-choice-ignored", "stream.tool-choice", "test_stream_tool_call",
                                     "a forced tool_choice streamed as text (the unstreamed answer calls the function)")
UNREQUESTED_STREAM = declare("unrequested-stream", "http.content-type", "test_single_user_message", "an unstreamed request answered with an event stream")

REPLY = "This is a deterministic reply from the openai-conformance reference emulator."
RESPONSE_FORMATS = {"text", "json_object", "json_schema"}
NUMBERS = (
    Number("temperature", False, 0, 2),
    Number("top_p", False, 0, 1),
    Number("n", True, 1, 128),
    Number("max_tokens", True, 1),
    Number("max_completion_tokens", True, 1),
    Number("presence_penalty", False, -2, 2),
    Number("frequency_penalty", False, -2, 2),
    Number("top_logprobs", True, 0, 20),
)


def validate(body: dict, request: Request) -> None:
    require(body, "model", str)
    require(body, "messages", list)
    if not body["messages"]:
        raise invalid("messages", "Invalid 'messages': empty array. Expected an array with minimum length 1.", "empty_array")
    chat_request.validate_messages(body["messages"], request)
    for number in chat_request.numbers(NUMBERS, request):
        number.validate(body)
    chat_request.validate_parameters(body, request)
    _response_format(body.get("response_format"), request)
    if body.get("stream") is not None and not isinstance(body["stream"], bool):  # 0 == False in Python
        raise invalid("stream", "Invalid type for 'stream': expected a boolean.", "invalid_type")
    if body.get("stream_options") is not None and body.get("stream") is not True and not active(request, STREAM_OPTIONS_ACCEPTED):
        raise invalid("stream_options", "The 'stream_options' parameter is only allowed when 'stream' is enabled.")
    tools.validate(body)


def _response_format(response_format: object, request: Request) -> None:
    if response_format is None:
        return
    if not isinstance(response_format, dict):
        raise invalid("response_format", "Invalid type for 'response_format': expected an object.", "invalid_type")
    if not isinstance(response_format.get("type"), str) or response_format["type"] not in RESPONSE_FORMATS:
        if active(request, RESPONSE_FORMAT_500):
            raise APIError(500, "", type="server_error")
        raise invalid("response_format.type", f"Invalid 'response_format': 'type' must be one of {sorted(RESPONSE_FORMATS)}.")
    if response_format["type"] == "json_schema":
        settings = response_format.get("json_schema")
        if not isinstance(settings, dict):
            raise invalid("response_format.json_schema", "Missing required parameter: 'response_format.json_schema'.", "missing_required_parameter")
        tools.validate_name(settings.get("name"), "response_format.json_schema.name")
        if "description" in settings and not isinstance(settings["description"], str):
            raise invalid("response_format.json_schema.description", "Invalid type for 'response_format.json_schema.description': expected a string.", "invalid_type")


def _words(messages: list[dict]) -> int:
    text = " ".join(m["content"] for m in messages if isinstance(m.get("content"), str))
    return len(text.split()) + 3 * len(messages)


def _content(body: dict, request: Request) -> str:
    """The reply, as JSON under response_format json_object, and as an instance of the schema under json_schema."""
    response_format = body.get("response_format") or {}
    if response_format.get("type") == "json_object" and not active(request, JSON_MODE_IGNORED):
        return json.dumps({"reply": REPLY})
    if response_format.get("type") == "json_schema":
        schema = response_format["json_schema"].get("schema")
        return json.dumps(tools.instance(schema if isinstance(schema, dict) else {}))
    return REPLY


def _choice(index: int, body: dict, request: Request) -> tuple[dict, int]:
    """One choice and its completion token count (one token per word)."""
    words = _content(body, request).split(" ")
    limit = body.get("max_completion_tokens", body.get("max_tokens"))
    truncated = limit is not None and limit < len(words) and not active(request, IGNORE_MAX_TOKENS)
    if truncated:
        words = words[:limit]
    finish_reason = "length" if truncated else "stop"
    if active(request, FINISH_REASON_EMPTY):
        finish_reason = ""
    message = {"role": "assistant", "content": " ".join(words), "refusal": None, "annotations": []}
    ignored = active(request, STREAM_TOOL_CHOICE_IGNORED if body.get("stream") is True else TOOL_CHOICE_IGNORED)
    if (call := tools.forced_call(body)) and not ignored:
        message, finish_reason, words = {**message, "content": None, "tool_calls": [call]}, "tool_calls", call["function"]["arguments"].split(" ")
    choice = {"index": index, "message": message, "logprobs": None, "finish_reason": finish_reason}
    if chosen(request, "chat-no-logprobs"):
        del choice["logprobs"]
    return choice, len(words)


@streaming.streamed
async def create(request: Request):
    body = await json_object(request)
    validate(body, request)
    model = models.find(body["model"], "chat", request)
    n = 1 if active(request, IGNORE_N) else body.get("n") or 1
    choices, tokens = zip(*(_choice(i, body, request) for i in range(n)))
    prompt_tokens, completion_tokens = _words(body["messages"]), sum(tokens)
    total = prompt_tokens + completion_tokens + (1 if active(request, USAGE_SUM_WRONG) else 0)
    answer = {
        "id": f"chatcmpl-{uuid.uuid4().hex}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": "emulator-model" if active(request, MODEL_RENAMED) else model.id,
        "choices": list(choices),
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": total,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0, "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0},
        },
        "service_tier": "default",
        "system_fingerprint": "fp_emulator",
    }
    if body.get("stream") is True or active(request, UNREQUESTED_STREAM):
        return streaming.event_stream(request, streaming.chunks(request, body, answer, "chat.completion.chunk", _pieces))
    return reply(request, 200, answer)


def _pieces(request: Request, choice: dict) -> list[dict]:
    """A choice as deltas: the role first, then the content word by word or the tool calls in fragments, then an empty delta."""
    message = choice["message"]
    parts = [{"role": "assistant", "content": "" if message["content"] is not None else None, "refusal": None}]
    words = (message["content"] or "").split(" ")[1 if active(request, CONTENT_DIFFERS) else 0:]
    parts += [{"content": word if k == 0 else " " + word} for k, word in enumerate(words) if message["content"]]
    for index, call in enumerate(message.get("tool_calls") or []):
        arguments = call["function"]["arguments"]
        fragments = [arguments] * 3 if active(request, ARGUMENTS_REPEATED) else [arguments[k:k + 8] for k in range(0, len(arguments), 8)]
        first = {"index": index, "id": call["id"], "type": "function", "function": {"name": call["function"]["name"], "arguments": ""}}
        parts += [{"tool_calls": [first]}] + [{"tool_calls": [{"index": index, "function": {"arguments": f}}]} for f in fragments]
    parts.append({})
    for delta in parts:
        if active(request, ROLE_CHANGES) and delta is not parts[0]:
            delta["role"] = "user"
        elif chosen(request, "role-repeated") or active(request, ROLE_REPEATED):
            delta.setdefault("role", "assistant")
        for call in delta.get("tool_calls", ()):
            if active(request, TOOL_CALL_NO_INDEX):
                del call["index"]
    return [{"delta": delta, "logprobs": None} for delta in parts]

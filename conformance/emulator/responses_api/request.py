"""The body of POST /responses as the reference states it: 400 with the error object and ``param``.

Kept apart from the handler, as chat_request.py is for chat, so that validation gaps can be
injected one at a time. The shared pieces (numbers, metadata, JSON body) are the emulator's.
"""

from __future__ import annotations

import re

from starlette.requests import Request

from conformance.emulator import chat_request
from conformance.emulator.errors import APIError, invalid
from conformance.emulator.faults import active, declare
from conformance.emulator.validation import Number, metadata, optional, require

NUMBERS = (
    Number("temperature", False, 0, 2),
    Number("top_p", False, 0, 1),
    Number("max_output_tokens", True, 16),
    Number("top_logprobs", True, 0, 20),
)
FORMATS = {"text", "json_object", "json_schema"}
NAME = re.compile(r"[a-zA-Z0-9_-]{1,64}")
ROLES = {"user", "assistant", "system", "developer"}
# Content parts each role may send (InputMessageContentList; an earlier assistant message replays its output parts).
PARTS = {"user": {"input_text", "input_image", "input_file"}, "assistant": {"output_text", "refusal"}}
ITEM_TYPES = {"message", "function_call", "function_call_output", "reasoning", "compaction"}
IMAGE_URL = re.compile(r"(data:image/[\w.+-]+;base64,[A-Za-z0-9+/=\s]+|https?://\S+)")
DETAILS = {"low", "high", "auto", "original"}
PHASES = ("commentary", "final_answer")
"""MessagePhase: what an assistant message was, resent as it came."""

# Validation gaps, one per hand-written invalid request of cases/test_responses.py (test_invalid_response).
_INVALID = "test_invalid_response"
INPUT_CRASH = declare("responses-input-type-crash", "http.status", f"{_INVALID} and input", "an input that is neither string nor array crashes the server (500)")
FORMAT_ACCEPTED = declare("responses-unknown-format-accepted", "http.status", f"{_INVALID} and format_type", "an unknown text.format.type accepted (200)")
SCHEMA_MISSING_ACCEPTED = declare("responses-json-schema-without-schema-accepted", "http.status", f"{_INVALID} and format_schema",
                                  "a json_schema format without schema accepted (200)")
CONVERSATION_ACCEPTED = declare("responses-previous-with-conversation", "http.status", f"{_INVALID} and previous_response_id",
                                "previous_response_id with conversation not rejected as such: the conversation looked up (404)")
STREAM_OPTIONS_ACCEPTED = declare("responses-stream-options-without-stream", "http.status", f"{_INVALID} and stream_options",
                                  "stream_options without stream accepted (200)")

COMPACTION_REJECTED = declare("compaction-input-rejected", "http.status", "test_compacted_input",
                              "a compaction item (the output of /responses/compact) in a new response's input rejected as an unknown item type (400)")
PHASE_REJECTED = declare("responses-phase-rejected", "http.status", "test_assistant_phase",
                         "an assistant message with a phase (commentary, final_answer) in the input rejected as an unknown parameter (400)")

INSTRUCTIONS_REQUIRED = declare("responses-instructions-required", "http.status", "test_create_response and not streamed",
                                "a body without instructions (an optional parameter) rejected: 400, as servers that require input do")


def validate(body: dict, request: Request) -> None:
    require(body, "model", str)
    if active(request, INSTRUCTIONS_REQUIRED) and "instructions" not in body:
        raise invalid("instructions", "Missing required parameter: 'instructions'.", "missing_required_parameter")
    for number in chat_request.numbers(NUMBERS, request):
        number.validate(body)
    value = body.get("input")
    if "input" in body and not isinstance(value, (str, list)):
        if active(request, INPUT_CRASH):
            raise APIError(500, "The server had an error while processing your request.", "server_error")
        raise invalid("input", "Invalid type for 'input': expected a string or an array of input items.", "invalid_type")
    for i, given in enumerate(value if isinstance(value, list) else ()):
        item(f"input[{i}]", given, request)
    optional(body, "instructions", (str, type(None)))
    for flag in ("store", "stream", "background", "parallel_tool_calls"):
        optional(body, flag, (bool, type(None)))
    optional(body, "user", str)
    for text in ("prompt_cache_key", "previous_response_id"):
        optional(body, text, (str, type(None)))
    if isinstance(body.get("safety_identifier"), str) and len(body["safety_identifier"]) > 64:
        raise invalid("safety_identifier", "Invalid 'safety_identifier': string too long. Expected a string with maximum length 64.", "string_above_max_length")
    optional(body, "safety_identifier", (str, type(None)))
    metadata(body)
    if body.get("truncation") not in (None, "auto", "disabled"):
        raise invalid("truncation", "Invalid value for 'truncation': expected 'auto' or 'disabled'.")
    optional(body, "reasoning", (dict, type(None)))
    _tools(body)
    if "text" in body:
        _text(body["text"], request)
    if body.get("stream_options") is not None and body.get("stream") is not True and not active(request, STREAM_OPTIONS_ACCEPTED):
        raise invalid("stream_options", "The 'stream_options' parameter is only allowed when 'stream' is enabled.")
    if body.get("previous_response_id") is not None and body.get("conversation") is not None and not active(request, CONVERSATION_ACCEPTED):
        raise invalid("previous_response_id", "Invalid parameters: 'previous_response_id' cannot be used together with 'conversation'.")
    if body.get("background") is True and body.get("store") is False:
        raise invalid("background", "Invalid value for 'background': background responses must be stored ('store' cannot be false).")
    conversation = body.get("conversation")
    if conversation is not None and not isinstance(conversation, str) and not (isinstance(conversation, dict) and isinstance(conversation.get("id"), str)):
        raise invalid("conversation", "Invalid type for 'conversation': expected a conversation id or an object with its id.", "invalid_type")


def _one_of(value: object, choices: set[str]) -> bool:
    return isinstance(value, str) and value in choices  # a generated {} or [] is not hashable


def item(param: str, item: object, request: Request) -> None:
    """An input item's rules (the input of a response, the items of a conversation)."""
    if not isinstance(item, dict):
        raise invalid(param, f"Invalid type for '{param}': expected an input item object.", "invalid_type")
    kind = item.get("type", "message")
    if not _one_of(kind, ITEM_TYPES) or (kind == "compaction" and active(request, COMPACTION_REJECTED)):
        raise invalid(f"{param}.type", f"Invalid value for '{param}.type': expected one of {sorted(ITEM_TYPES)}.")
    if kind == "message":
        role = item.get("role")
        if not _one_of(role, ROLES):
            raise invalid(f"{param}.role", f"Invalid value for '{param}.role': expected one of {sorted(ROLES)}.")
        if "phase" in item and (active(request, PHASE_REJECTED) or item["phase"] not in (None, *PHASES)):
            raise invalid(f"{param}.phase", f"Invalid value for '{param}.phase': expected one of {list(PHASES)}.")
        _content(f"{param}.content", role, item.get("content"))
    elif kind == "compaction":
        _string(item, param, "encrypted_content")
    elif kind == "function_call":
        for field in ("call_id", "name", "arguments"):
            _string(item, param, field)
    elif kind == "function_call_output":
        _string(item, param, "call_id")
        if not isinstance(item.get("output"), (str, list)):
            raise invalid(f"{param}.output", f"Invalid type for '{param}.output': expected a string or an array of content parts.", "invalid_type")
    elif not isinstance(item.get("summary"), list):  # reasoning, replayed
        raise invalid(f"{param}.summary", f"Missing required parameter: '{param}.summary'.", "missing_required_parameter")


def _string(item: dict, param: str, field: str) -> None:
    if field not in item:
        raise invalid(f"{param}.{field}", f"Missing required parameter: '{param}.{field}'.", "missing_required_parameter")
    if not isinstance(item[field], str):
        raise invalid(f"{param}.{field}", f"Invalid type for '{param}.{field}': expected a string.", "invalid_type")


def _content(param: str, role: str, content: object) -> None:
    if isinstance(content, str):
        return
    if not isinstance(content, list):
        raise invalid(param, f"Invalid type for '{param}': expected a string or an array of content parts.", "invalid_type")
    if not content:
        raise invalid(param, f"Invalid '{param}': empty array. Expected an array with minimum length 1.", "empty_array")
    allowed = PARTS.get(role, PARTS["user"])
    for j, part in enumerate(content):
        kind = part.get("type") if isinstance(part, dict) else None
        if not _one_of(kind, allowed):
            raise invalid(f"{param}[{j}].type", f"Invalid value for '{param}[{j}].type': expected one of {sorted(allowed)}.")
        if kind in ("input_text", "output_text"):
            _string(part, f"{param}[{j}]", "text")
        elif kind == "refusal":
            _string(part, f"{param}[{j}]", "refusal")
        elif kind == "input_image":
            _image(f"{param}[{j}]", part)


def _image(param: str, part: dict) -> None:
    url = part.get("image_url")
    if url is None and isinstance(part.get("file_id"), str):
        return
    if not isinstance(url, str) or not IMAGE_URL.fullmatch(url):
        raise invalid(f"{param}.image_url", f"Invalid '{param}.image_url': expected a URL or a base64-encoded data URL of an image.", "invalid_image_url")
    if part.get("detail") is not None and not _one_of(part["detail"], DETAILS):
        raise invalid(f"{param}.detail", f"Invalid value for '{param}.detail': expected one of {sorted(DETAILS)}.")


def _tools(body: dict) -> None:
    tools = body.get("tools")
    if "tools" in body and not isinstance(tools, list):
        raise invalid("tools", "Invalid type for 'tools': expected an array.", "invalid_type")
    for i, tool in enumerate(tools or ()):
        if isinstance(tool, dict) and tool.get("type") == "file_search":
            _file_search(tool, f"tools[{i}]")
            continue
        # Function tools are flat in the Responses API: chat's {"type": "function", "function": {...}} is rejected.
        if not isinstance(tool, dict) or tool.get("type") != "function":
            raise invalid(f"tools[{i}].type", f"Invalid value for 'tools[{i}].type': the emulator serves function and file_search tools only.")
        if not isinstance(tool.get("name"), str):
            raise invalid(f"tools[{i}].name", f"Missing required parameter: 'tools[{i}].name'.", "missing_required_parameter")
        if not NAME.fullmatch(tool["name"]):
            raise invalid(f"tools[{i}].name", f"Invalid 'tools[{i}].name': expected a string of a-z, A-Z, 0-9, '_' and '-', at most 64 characters.")
        _schema_object(tool, "parameters", f"tools[{i}].parameters", nullable=True)
        optional(tool, "strict", (bool, type(None)))
        optional(tool, "description", (str, type(None)))
    choice, names = body.get("tool_choice"), [tool["name"] for tool in tools or () if tool["type"] == "function"]
    if choice == {"type": "file_search"} and any(tool["type"] == "file_search" for tool in tools or ()):
        return
    if isinstance(choice, dict):
        if choice.get("type") != "function" or choice.get("name") not in names:
            raise invalid("tool_choice", f"Invalid value for 'tool_choice': no function named {choice.get('name')!r} in 'tools'.")
    elif choice not in (None, "none", "auto", "required"):
        raise invalid("tool_choice", "Invalid value for 'tool_choice': expected 'none', 'auto', 'required' or a named function.")
    elif choice == "required" and not names:
        raise invalid("tool_choice", "Invalid value for 'tool_choice': 'required' needs at least one tool in 'tools'.")


def _file_search(tool: dict, param: str) -> None:
    ids = tool.get("vector_store_ids")
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
        raise invalid(f"{param}.vector_store_ids", f"Invalid '{param}.vector_store_ids': expected a non-empty array of vector store ids.")
    Number("max_num_results", True, 1, 50).validate(tool)


def _schema_object(holder: dict, field: str, param: str, nullable: bool = False) -> None:
    """A JSON Schema a function or a format gives: an object schema (``type: object``) when present."""
    value = holder.get(field)
    if field not in holder or (value is None and nullable):
        return
    if not isinstance(value, dict):
        raise invalid(param, f"Invalid type for '{param}': expected a JSON Schema object.", "invalid_type")
    if value.get("type", "object") != "object":
        raise invalid(param, f"Invalid schema for '{param}': schema must be a JSON Schema of 'type: \"object\"'.", "invalid_function_parameters")


def _text(text: object, request: Request) -> None:
    if not isinstance(text, dict):
        raise invalid("text", "Invalid type for 'text': expected an object.", "invalid_type")
    fmt = text.get("format")
    if "format" in text:
        if not isinstance(fmt, dict) or not (_one_of(fmt.get("type"), FORMATS) or active(request, FORMAT_ACCEPTED)):
            raise invalid("text.format.type", f"Invalid value for 'text.format.type': expected one of {sorted(FORMATS)}.")
        if fmt["type"] == "json_schema":
            if "schema" not in fmt and not active(request, SCHEMA_MISSING_ACCEPTED):
                raise invalid("text.format.schema", "Missing required parameter: 'text.format.schema'.", "missing_required_parameter")
            if not isinstance(fmt.get("name"), str) or not NAME.fullmatch(fmt["name"]):
                raise invalid("text.format.name", "Invalid 'text.format.name': expected a string of a-z, A-Z, 0-9, '_' and '-', at most 64 characters.")
            _schema_object(fmt, "schema", "text.format.schema")
            optional(fmt, "strict", (bool, type(None)))
            optional(fmt, "description", str)
    if text.get("verbosity") not in (None, "low", "medium", "high"):
        raise invalid("text.verbosity", "Invalid value for 'text.verbosity': expected 'low', 'medium' or 'high'.")

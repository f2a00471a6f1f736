"""Unit tests for the response-object JSON Schemas in schemas/.

Every file must be a well-formed 2020-12 schema with the expected ``$id``; the reference
examples, and backward-compatible variations of them (new fields anywhere, reordered keys,
longer ids), must validate; and typical non-conformant responses must fail at the exact
JSON pointer and keyword expected.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

SCHEMA_DIR = Path(__file__).resolve().parents[1] / "schemas"
SCHEMA_FILES = sorted(SCHEMA_DIR.glob("*.json"), key=lambda p: p.name)
DELETE = object()


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


from conformance.validation import BASE_URI, registry, validator  # noqa: E402


def pointer(error) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in error.absolute_path)


def errors(name: str, instance, item: str | None = None) -> list[tuple[str, str]]:
    return sorted((pointer(e), e.validator) for e in validator(name, item).iter_errors(instance))


# --- reference examples ----------------------------------------------------------------

# reference-004, Chat > Create chat completion > Response.
CHAT = {
    "id": "chatcmpl-abc123",
    "object": "chat.completion",
    "created": 1709123456,
    "model": "gpt-4o-2024-08-06",
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "Hello! How can I assist you today?"},
            "logprobs": None,
            "finish_reason": "stop",
        }
    ],
    "usage": {"prompt_tokens": 19, "completion_tokens": 10, "total_tokens": 29},
    "system_fingerprint": "fp_44709d6fcb",
}

# Official document, CreateChatCompletionResponse example (refusal, annotations, usage details, service_tier).
CHAT_FULL = {
    "id": "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG",
    "object": "chat.completion",
    "created": 1741570283,
    "model": "gpt-4o-2024-08-06",
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "The image shows a wooden boardwalk.", "refusal": None, "annotations": []},
            "logprobs": None,
            "finish_reason": "stop",
        }
    ],
    "usage": {
        "prompt_tokens": 1117,
        "completion_tokens": 46,
        "total_tokens": 1163,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": 0,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    },
    "service_tier": "default",
    "system_fingerprint": "fp_fc9f1d7035",
}

# Official document, POST /chat/completions "Functions" example.
CHAT_TOOL_CALL = {
    "id": "chatcmpl-abc123",
    "object": "chat.completion",
    "created": 1699896916,
    "model": "gpt-4o-mini",
    "choices": [
        {
            "index": 0,
            "message": {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_abc123",
                        "type": "function",
                        "function": {"name": "get_current_weather", "arguments": '{\n"location": "Boston, MA"\n}'},
                    }
                ],
            },
            "logprobs": None,
            "finish_reason": "tool_calls",
        }
    ],
    "usage": {"prompt_tokens": 82, "completion_tokens": 17, "total_tokens": 99},
}

# Official document, POST /chat/completions "Logprobs" example, cut to one token.
CHAT_LOGPROBS = {
    "id": "chatcmpl-123",
    "object": "chat.completion",
    "created": 1702685778,
    "model": "gpt-4o-mini",
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "Hello"},
            "logprobs": {
                "content": [
                    {
                        "token": "Hello",
                        "logprob": -0.31725305,
                        "bytes": [72, 101, 108, 108, 111],
                        "top_logprobs": [
                            {"token": "Hello", "logprob": -0.31725305, "bytes": [72, 101, 108, 108, 111]},
                            {"token": "<|end|>", "logprob": -10.953937, "bytes": None},
                        ],
                    }
                ]
            },
            "finish_reason": "stop",
        }
    ],
    "usage": {"prompt_tokens": 9, "completion_tokens": 9, "total_tokens": 18},
    "system_fingerprint": None,
}

# Official document, CreateChatCompletionStreamResponse example: first and last chunk.
CHUNK = {
    "id": "chatcmpl-123",
    "object": "chat.completion.chunk",
    "created": 1694268190,
    "model": "gpt-4o-mini",
    "system_fingerprint": "fp_44709d6fcb",
    "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "logprobs": None, "finish_reason": None}],
    "obfuscation": "r4N7vQ2m",
}
CHUNK_LAST = {**CHUNK, "choices": [{"index": 0, "delta": {}, "logprobs": None, "finish_reason": "stop"}], "obfuscation": ""}
# stream_options.include_usage: the trailing chunk has no choices and carries the usage.
CHUNK_USAGE = {**CHUNK, "choices": [], "usage": {"prompt_tokens": 9, "completion_tokens": 2, "total_tokens": 11}}
CHUNK_TOOL_CALL = {
    **CHUNK,
    "usage": None,
    "choices": [
        {
            "index": 0,
            "delta": {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {"index": 0, "id": "call_abc123", "type": "function", "function": {"name": "get_weather", "arguments": ""}},
                    {"index": 1, "function": {"arguments": '{"loc'}},
                ],
            },
            "finish_reason": None,
        }
    ],
}

# reference-004, Models > List models.
MODELS = {
    "object": "list",
    "data": [
        {"id": "gpt-4o", "object": "model", "created": 1686935002, "owned_by": "system"},
        {"id": "gpt-4o-mini", "object": "model", "created": 1721172741, "owned_by": "system"},
        {"id": "dall-e-3", "object": "model", "created": 1698785189, "owned_by": "system"},
    ],
}
MODEL = MODELS["data"][0]
# reference-004, Assistants > List assistants (cursor fields), items left unchecked.
PAGE = {"object": "list", "data": [{"id": "asst_abc123"}], "first_id": "asst_abc123", "last_id": "asst_abc456", "has_more": False}
ERROR = {
    "error": {
        "message": "Incorrect API key provided: sk-abc***.",
        "type": "invalid_request_error",
        "param": None,
        "code": "invalid_api_key",
    }
}

# Official document, POST /completions "No streaming" example; a streamed chunk of the same (finish_reason null).
COMPLETION = {
    "id": "cmpl-uqkvlQyYK7bGYrRHQ0eXlWi7",
    "object": "text_completion",
    "created": 1589478378,
    "model": "gpt-3.5-turbo-instruct",
    "system_fingerprint": "fp_44709d6fcb",
    "choices": [{"text": "\n\nThis is indeed a test", "index": 0, "logprobs": None, "finish_reason": "length"}],
    "usage": {"prompt_tokens": 5, "completion_tokens": 7, "total_tokens": 12},
}
COMPLETION_CHUNK = {**COMPLETION, "choices": [{"text": " indeed", "index": 0, "logprobs": None, "finish_reason": None}], "usage": None}

EXAMPLES = {
    "chat-reference-004": ("chat.completion", CHAT),
    "chat-full": ("chat.completion", CHAT_FULL),
    "chat-tool-call": ("chat.completion", CHAT_TOOL_CALL),
    "chat-logprobs": ("chat.completion", CHAT_LOGPROBS),
    "chunk-first": ("chat.completion.chunk", CHUNK),
    "chunk-last": ("chat.completion.chunk", CHUNK_LAST),
    "chunk-usage": ("chat.completion.chunk", CHUNK_USAGE),
    "chunk-tool-call": ("chat.completion.chunk", CHUNK_TOOL_CALL),
    "model": ("model", MODEL),
    "models-list": ("list", MODELS),
    "paginated-list": ("list", PAGE),
    "error": ("error", ERROR),
    "completion": ("text_completion", COMPLETION),
    "completion-chunk": ("text_completion.chunk", COMPLETION_CHUNK),
    "completion-chunk-usage": ("text_completion.chunk", {**COMPLETION, "choices": []}),
}


# --- backward-compatible variations (reference "Backward compatibility") ---------------

def _walk(value, on_dict):
    if isinstance(value, dict):
        return on_dict({k: _walk(v, on_dict) for k, v in value.items()})
    if isinstance(value, list):
        return [_walk(v, on_dict) for v in value]
    return value


VARIATIONS = {
    "as-is": lambda d: d,
    "new-fields-everywhere": lambda d: {**d, "x_new_field": {"nested": [1, "two", None]}, "x_flag": True},
    "reordered-keys": lambda d: dict(reversed(d.items())),
    "longer-ids": lambda d: {k: v + "-" + "Z9" * 100 if k == "id" else v for k, v in d.items()},
}


@pytest.mark.parametrize("variation", VARIATIONS)
@pytest.mark.parametrize("example", EXAMPLES)
def test_example_validates(example, variation):
    name, instance = EXAMPLES[example]
    assert errors(name, _walk(copy.deepcopy(instance), VARIATIONS[variation])) == []


def test_models_list_items_validate_as_models():
    assert errors("list", MODELS, item="model") == []
    assert errors("list", {**MODELS, "data": [{**MODEL, "object": "file"}]}, item="model") == [("/data/0/object", "const")]


# --- non-conformant responses ----------------------------------------------------------

def mutated(instance, where: str, value):
    """A deep copy of ``instance`` with the JSON pointer ``where`` set to ``value`` (or removed)."""
    if where == "":
        return copy.deepcopy(value)
    result = copy.deepcopy(instance)
    *parents, last = [int(p) if p.isdigit() else p for p in where.split("/")[1:]]
    target = result
    for part in parents:
        target = target[part]
    if value is DELETE:
        del target[last]
    else:
        target[last] = value
    return result


VLLM_ERROR = {"object": "error", "message": "x", "type": "BadRequestError", "param": None, "code": 400}

NEGATIVES = {
    # id: (schema, base, pointer to change, new value, expected [(error pointer, keyword)])
    "created-float": ("chat.completion", CHAT, "/created", 1700000000.5, [("/created", "type")]),
    "created-milliseconds": ("model", MODEL, "/created", 1700000000000, [("/created", "maximum")]),
    "created-negative": ("chat.completion.chunk", CHUNK, "/created", -1, [("/created", "minimum")]),
    "object-wrong": ("chat.completion.chunk", CHUNK, "/object", "chat.completion", [("/object", "const")]),
    "missing-model": ("chat.completion", CHAT, "/model", DELETE, [("", "required")]),
    "missing-owned-by": ("model", MODEL, "/owned_by", DELETE, [("", "required")]),
    "finish-reason-empty": ("chat.completion", CHAT, "/choices/0/finish_reason", "", [("/choices/0/finish_reason", "enum")]),
    "finish-reason-null": ("chat.completion", CHAT, "/choices/0/finish_reason", None, [("/choices/0/finish_reason", "enum")]),
    "chunk-finish-reason-empty": (
        "chat.completion.chunk", CHUNK, "/choices/0/finish_reason", "", [("/choices/0/finish_reason", "anyOf")]
    ),
    "chunk-missing-finish-reason": ("chat.completion.chunk", CHUNK, "/choices/0/finish_reason", DELETE, [("/choices/0", "required")]),
    "tool-call-chunk-without-index": (
        "chat.completion.chunk", CHUNK_TOOL_CALL, "/choices/0/delta/tool_calls/1/index", DELETE,
        [("/choices/0/delta/tool_calls/1", "required")],
    ),
    "tool-call-arguments-object": (
        "chat.completion", CHAT_TOOL_CALL, "/choices/0/message/tool_calls/0/function/arguments", {"location": "Boston"},
        [("/choices/0/message/tool_calls/0/function/arguments", "type")],
    ),
    "error-code-integer": ("error", ERROR, "/error/code", 401, [("/error/code", "type")]),
    "completion-finish-reason-null": ("text_completion", COMPLETION, "/choices/0/finish_reason", None, [("/choices/0/finish_reason", "enum")]),
    "completion-object-chat": ("text_completion", COMPLETION, "/object", "chat.completion", [("/object", "const")]),
    "completion-chunk-finish-reason-empty": (
        "text_completion.chunk", COMPLETION_CHUNK, "/choices/0/finish_reason", "", [("/choices/0/finish_reason", "anyOf")]
    ),
    "error-param-missing": ("error", ERROR, "/error/param", DELETE, [("/error", "required")]),
    "error-flat-vllm-style": ("error", ERROR, "", VLLM_ERROR, [("", "required")]),
    "message-role-user": ("chat.completion", CHAT, "/choices/0/message/role", "user", [("/choices/0/message/role", "const")]),
    "message-missing-content": ("chat.completion", CHAT, "/choices/0/message/content", DELETE, [("/choices/0/message", "required")]),
    "usage-total-string": ("chat.completion", CHAT, "/usage/total_tokens", "29", [("/usage/total_tokens", "type")]),
    "usage-details-string": (
        "chat.completion", CHAT_FULL, "/usage/prompt_tokens_details/cached_tokens", "0",
        [("/usage/prompt_tokens_details/cached_tokens", "type")],
    ),
    "service-tier-unknown": ("chat.completion", CHAT_FULL, "/service_tier", "standard", [("/service_tier", "enum")]),
    "list-object-wrong": ("list", MODELS, "/object", "models", [("/object", "const")]),
}


@pytest.mark.parametrize("case", NEGATIVES)
def test_nonconformant_response_fails_at_pointer(case):
    name, base, where, value, expected = NEGATIVES[case]
    assert errors(name, mutated(base, where, value)) == expected


# --- the schema files themselves -------------------------------------------------------

def _nodes(value):
    if isinstance(value, dict):
        yield value
        for child in value.values():
            yield from _nodes(child)
    elif isinstance(value, list):
        for child in value:
            yield from _nodes(child)


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: p.name)
def test_schema_file_is_well_formed(path):
    schema = _load(path)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == BASE_URI + path.name
    assert schema["title"] and schema["description"]
    resolver = registry().resolver(base_uri=schema["$id"])
    for node in _nodes(schema):
        assert "nullable" not in node, "OpenAPI `nullable` is not JSON Schema; use a null type"
        assert node.get("additionalProperties") is not False, "unknown properties must stay allowed"
        if isinstance(node.get("$ref"), str):
            resolver.lookup(node["$ref"])  # raises if the reference does not resolve

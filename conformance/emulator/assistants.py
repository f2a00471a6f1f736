"""The /assistants routes (OpenAI-Beta: assistants=v2): create, retrieve, modify, delete, list, with the reference's limits."""

from __future__ import annotations

from starlette.requests import Request

from conformance.emulator import models
from conformance.emulator.errors import APIError, invalid
from conformance.emulator.faults import active, declare
from conformance.emulator.replies import reply
from conformance.emulator.pagination import page
from conformance.emulator.store import store
from conformance.emulator.validation import Number, json_object, metadata, require

LIMITS_UNCHECKED = declare("assistant-limits-unchecked", "http.status", "test_assistant_tools_limit_exceeded or (test_invalid_request and assistants)", "name, description, instructions, metadata and tools limits not enforced")
LIMITS_OFF_BY_ONE = declare("assistant-limits-off-by-one", "http.status", "test_assistant_at_limits", "a value exactly at a limit is rejected")
MODIFY_IGNORED = declare("assistant-modify-ignored", "assistants.echo", "test_modify_assistant", "modify answers the assistant unchanged")
BETA_UNCHECKED = declare("beta-header-unchecked", "http.status", "test_assistants_without_beta_header", "the OpenAI-Beta: assistants=v2 header is not required")

KIND = "assistant"
LENGTHS = {"name": 256, "description": 512, "instructions": 256_000}
MAX_TOOLS = 128
TOOL_TYPES = {"code_interpreter", "file_search", "function"}
NUMBERS = (Number("temperature", False, 0, 2), Number("top_p", False, 0, 1))


def _beta(request: Request) -> None:
    if "assistants=v2" not in request.headers.get("openai-beta", "") and not active(request, BETA_UNCHECKED):
        raise APIError(400, "You must provide the 'OpenAI-Beta' header to access the Assistants API. Please try again by setting the header 'OpenAI-Beta: assistants=v2'.", code="invalid_beta")


def _too_long(request: Request, length: int, limit: int) -> bool:
    if active(request, LIMITS_UNCHECKED):
        return False
    return length >= limit if active(request, LIMITS_OFF_BY_ONE) else length > limit


def _validate(body: dict, request: Request) -> None:
    for name, limit in LENGTHS.items():
        value = body.get(name)
        if value is not None and not isinstance(value, str):
            raise invalid(name, f"Invalid type for '{name}': expected a string or null.", "invalid_type")
        if value is not None and _too_long(request, len(value), limit):
            raise invalid(name, f"Invalid '{name}': string too long. Expected a string with maximum length {limit}, but got a string with length {len(value)} instead.", "string_above_max_length")
    metadata(body, lambda length, limit: _too_long(request, length, limit))
    tools = body.get("tools")
    if tools is not None:
        if not isinstance(tools, list) or not all(isinstance(t, dict) and t.get("type") in TOOL_TYPES for t in tools):
            raise invalid("tools", f"Invalid 'tools': each tool's type is one of {sorted(TOOL_TYPES)}.")
        if _too_long(request, len(tools), MAX_TOOLS):
            raise invalid("tools", f"Invalid 'tools': array too long. Expected an array with maximum length {MAX_TOOLS}, but got an array with length {len(tools)} instead.", "array_above_max_length")
        if any(t["type"] == "function" and not isinstance((t.get("function") or {}).get("name"), str) for t in tools):
            raise invalid("tools", "Invalid 'tools': a function tool needs function.name.")
    for number in NUMBERS:
        number.validate(body)
    if "model" in body:
        require(body, "model", str)


def _chat_model(model: str, request: Request) -> None:
    models.find(model, "chat", request)


async def create(request: Request):
    _beta(request)
    body = await json_object(request)
    require(body, "model", str)
    _validate(body, request)
    _chat_model(body["model"], request)
    assistants = store(request)
    obj = assistants.add(KIND, {
        "id": assistants.new_id("asst_"),
        "object": "assistant",
        "created_at": assistants.now(),
        "name": body.get("name"),
        "description": body.get("description"),
        "model": body["model"],
        "instructions": body.get("instructions"),
        "tools": body.get("tools") or [],
        "tool_resources": body.get("tool_resources") or {},
        "metadata": body.get("metadata") or {},
        "temperature": body.get("temperature", 1.0),
        "top_p": body.get("top_p", 1.0),
        "response_format": body.get("response_format", "auto"),
    })
    return reply(request, 200, obj)


def _assistant(request: Request) -> dict:
    _beta(request)
    return store(request).get(KIND, request.path_params["assistant_id"], "assistant", "assistant_id")


async def retrieve(request: Request):
    return reply(request, 200, _assistant(request))


async def modify(request: Request):
    obj = _assistant(request)
    body = await json_object(request)
    _validate(body, request)
    if "model" in body:
        _chat_model(body["model"], request)
    changed = {k: v for k, v in body.items() if k in obj and k not in ("id", "object", "created_at")}
    if not active(request, MODIFY_IGNORED):
        obj.update(changed)
    return reply(request, 200, obj)


async def delete(request: Request):
    obj = _assistant(request)
    store(request).remove(KIND, obj["id"])
    return reply(request, 200, {"id": obj["id"], "object": "assistant.deleted", "deleted": True})


async def list_assistants(request: Request):
    _beta(request)
    return reply(request, 200, page(request, store(request).all(KIND)))


ROUTES = [
    ("assistants", "POST", "/assistants", create),
    ("assistants", "GET", "/assistants", list_assistants),
    ("assistants", "GET", "/assistants/{assistant_id}", retrieve),
    ("assistants", "POST", "/assistants/{assistant_id}", modify),
    ("assistants", "DELETE", "/assistants/{assistant_id}", delete),
]

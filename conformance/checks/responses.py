"""The Responses API's response object beyond its schema: usage, status, the max_output_tokens cut, what the request asked for.

They judge the response POST /responses answers: the body of an unstreamed create, and the
response a stream's terminal event carries (so a streamed answer is held to the same rules).
The schema (body.schema, responses.event-schema) fixes the fields and types; these fix how they agree.
"""

from __future__ import annotations

import json

from jsonschema import Draft202012Validator

from conformance.checks.base import Finding, Level, check, shorten, succeeded
from conformance.checks.responses_stream import terminal_response

SECTION = "Responses > Create a model response"
FINISHED = ("completed", "incomplete")
PREFIXES = {"message": "msg_", "function_call": "fc_", "reasoning": "rs_"}
_created = succeeded("POST /responses")


def _answer(ex) -> tuple[str, dict] | None:
    """(pointer prefix, response) of a create, streamed or not."""
    if ex.stream is None:
        return ("", ex.data) if _created(ex) else None
    return terminal_response(ex)


def _finished(ex) -> tuple[str, dict] | None:
    found = _answer(ex)
    return found if found is not None and found[1].get("status") in FINISHED else None


def _request(ex) -> dict:
    return ex.request_json if isinstance(ex.request_json, dict) else {}


def _usage(response: dict) -> dict:
    return response["usage"] if isinstance(response.get("usage"), dict) else {}


def _items(response: dict, kind: str) -> list[tuple[int, dict]]:
    output = response.get("output")
    return [(k, item) for k, item in enumerate(output if isinstance(output, list) else ()) if isinstance(item, dict) and item.get("type") == kind]


def _texts(response: dict) -> list[tuple[str, object]]:
    """(pointer, text) of every output_text part of the output's messages."""
    return [(f"/output/{k}/content/{j}/text", part.get("text")) for k, item in _items(response, "message")
            for j, part in enumerate(item.get("content") or ()) if isinstance(part, dict) and part.get("type") == "output_text"]


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@check("responses.usage", Level.MUST, SECTION, applies=lambda ex: _finished(ex) is not None)
def usage(ex, expect):
    """usage.total_tokens is input_tokens + output_tokens, and usage is not all zero when a completed response produced text."""
    at, response = _finished(ex)
    counts = [_count(_usage(response).get(k)) for k in ("input_tokens", "output_tokens", "total_tokens")]
    if None in counts:
        return  # the schema's finding
    if counts[0] + counts[1] != counts[2]:
        yield Finding(f"total_tokens {counts[0] + counts[1]} (input + output)", str(counts[2]), f"{at}/usage/total_tokens")
    produced = any(isinstance(text, str) and text for _, text in _texts(response)) or _items(response, "function_call")
    # The reference itself counts nothing on a response it ends early (max_output_tokens, content filter).
    if produced and counts == [0, 0, 0] and response.get("status") == "completed":
        yield Finding("token counts of the input and the output produced", "usage all zero", f"{at}/usage")


@check("responses.completed", Level.MUST, SECTION, applies=lambda ex: _answer(ex) is not None and _answer(ex)[1].get("status") == "completed")
def completed(ex, expect):
    """A completed response has completed_at and incomplete_details null."""
    at, response = _answer(ex)
    if _count(response.get("completed_at")) is None and not isinstance(response.get("completed_at"), float):
        yield Finding("completed_at, the time it completed", shorten(response.get("completed_at")), f"{at}/completed_at")
    if response.get("incomplete_details") is not None:
        yield Finding("incomplete_details null", shorten(response.get("incomplete_details")), f"{at}/incomplete_details")


def _limit(ex) -> int | None:
    return _count(_request(ex).get("max_output_tokens"))


@check("responses.max-output-tokens", Level.MUST, SECTION, applies=lambda ex: _finished(ex) is not None and _limit(ex) is not None)
def max_output_tokens(ex, expect):
    """output_tokens stay within max_output_tokens; an answer it cuts is incomplete (reason max_output_tokens), its cut item too."""
    at, response = _finished(ex)
    limit, used = _limit(ex), _count(_usage(response).get("output_tokens"))
    if used is not None and used > limit:
        yield Finding(f"output_tokens <= {limit}", str(used), f"{at}/usage/output_tokens")
    # Reaching the limit is the cut: the reference then ends the response as incomplete.
    if used is not None and used >= limit and response.get("status") == "completed":
        yield Finding(f"status incomplete with incomplete_details.reason max_output_tokens: the answer used all {limit} tokens",
                      f"status completed, incomplete_details {shorten(response.get('incomplete_details'))}", f"{at}/status")
    details = response.get("incomplete_details")
    if response.get("status") == "incomplete" and isinstance(details, dict) and details.get("reason") == "max_output_tokens":
        output = response.get("output")
        last = output[-1] if isinstance(output, list) and output and isinstance(output[-1], dict) else None
        if last is not None and last.get("type") in ("message", "function_call") and last.get("status") != "incomplete":
            yield Finding("status incomplete on the item the limit cut", repr(last.get("status")), f"{at}/output/{len(output) - 1}/status")


def _function_names(tools: object) -> list:
    """The names of the function tools given, those grouped in a tool's own tools (a namespace) too."""
    found = []
    for tool in tools if isinstance(tools, list) else ():
        if isinstance(tool, dict):
            found += [tool["name"]] if isinstance(tool.get("name"), str) else []
            found += _function_names(tool.get("tools"))
    return found


@check("responses.echo", Level.MUST, SECTION, applies=lambda ex: _answer(ex) is not None and ("instructions" in _request(ex) or "tools" in _request(ex)))
def echo(ex, expect):
    """The response echoes the instructions and the function tools the request gave (built-in tools, order and added tools are free)."""
    at, response = _answer(ex)
    request = _request(ex)
    if isinstance(request.get("instructions"), str) and response.get("instructions") != request["instructions"]:
        yield Finding(f"instructions {shorten(request['instructions'], 100)!r}", shorten(response.get("instructions"), 100), f"{at}/instructions")
    # The reference adds and reorders tools of its built-in ones (image generation, MCP, tool search): only what the request named is promised.
    missing = sorted(set(_function_names(request.get("tools"))) - set(_function_names(response.get("tools"))))
    if missing:
        yield Finding(f"tools {_function_names(request['tools'])}", f"tools {_function_names(response.get('tools'))}, without {missing}", f"{at}/tools")


def _format(ex) -> dict:
    text = _request(ex).get("text")
    fmt = text.get("format") if isinstance(text, dict) else None
    return fmt if isinstance(fmt, dict) else {}


@check("responses.text-format", Level.MUST, SECTION, applies=lambda ex: _finished(ex) is not None and _format(ex).get("type") in ("json_object", "json_schema"))
def text_format(ex, expect):
    """text.format json_object gives JSON text, json_schema text valid against the schema sent (unless cut short)."""
    at, response = _finished(ex)
    if response.get("status") == "incomplete":
        return  # JSON cut by max_output_tokens may be incomplete, as with chat
    fmt = _format(ex)
    for pointer, text in _texts(response):
        try:
            value = json.loads(text)
        except (TypeError, ValueError):
            yield Finding("text that parses as JSON", shorten(text), at + pointer)
            continue
        if fmt["type"] == "json_schema" and isinstance(fmt.get("schema"), dict):
            error = next(iter(Draft202012Validator(fmt["schema"]).iter_errors(value)), None)
            if error is not None:
                yield Finding(f"JSON valid against the schema sent: {error.message}", shorten(text), at + pointer)


def _choice(ex) -> object:
    return _request(ex).get("tool_choice")


def _forced(ex) -> bool:
    choice = _choice(ex)
    return choice == "required" or (isinstance(choice, dict) and choice.get("type") == "function")


@check("responses.function-call", Level.MUST, SECTION, applies=lambda ex: _finished(ex) is not None and (_forced(ex) or _choice(ex) == "none"))
def function_call(ex, expect):
    """A forced tool gives a call (a forced function: a function_call) with call_id, a name among the tools and string arguments; tool_choice "none" no function_call."""
    at, response = _finished(ex)
    calls = _items(response, "function_call")
    if _choice(ex) == "none":
        for k, _ in calls[:1]:
            yield Finding('no function_call: tool_choice is "none"', shorten(response["output"][k]), f"{at}/output/{k}")
        return
    # "required" is met by a call of any tool, a built-in one too (image_generation_call, mcp_call, tool_search_call, ...).
    called = calls or (_choice(ex) == "required" and _tool_calls(response))
    if not called and response.get("status") == "completed":
        yield Finding(f"a function_call item (tool_choice {shorten(_choice(ex))})", f"output {shorten(response.get('output'))}", f"{at}/output")
    choice, names = _choice(ex), _function_names(_request(ex).get("tools"))
    allowed = [choice.get("name")] if isinstance(choice, dict) else names
    for k, call in calls:
        if not isinstance(call.get("call_id"), str) or not call["call_id"]:
            yield Finding("a call_id", shorten(call.get("call_id")), f"{at}/output/{k}/call_id")
        if call.get("name") not in allowed:
            yield Finding(f"a name among {allowed}", repr(call.get("name")), f"{at}/output/{k}/name")
        if not isinstance(call.get("arguments"), str):
            yield Finding("arguments as a JSON string", shorten(call.get("arguments")), f"{at}/output/{k}/arguments")


def _tool_calls(response: dict) -> list[dict]:
    """Output items that are calls of a tool: every item but messages and reasoning."""
    output = response.get("output")
    return [item for item in output if isinstance(item, dict) and item.get("type") not in ("message", "reasoning")] if isinstance(output, list) else []


def _answers_tool_output(ex) -> bool:
    items = _request(ex).get("input")
    return isinstance(items, list) and bool(items) and isinstance(items[-1], dict) and items[-1].get("type") == "function_call_output"


@check("responses.tool-output", Level.MUST, SECTION, applies=lambda ex: _finished(ex) is not None and _answers_tool_output(ex))
def tool_output(ex, expect):
    """A function_call_output sent back for a call is answered: a message with text (or a further call)."""
    at, response = _finished(ex)
    if not _items(response, "function_call") and not any(isinstance(text, str) and text for _, text in _texts(response)):
        yield Finding("an answer to the function's output", f"output {shorten(response.get('output'))}", f"{at}/output")


@check("responses.cache-write-tokens", Level.SHOULD, SECTION, applies=lambda ex: _finished(ex) is not None and bool(_usage(_finished(ex)[1])))
def cache_write_tokens(ex, expect):
    """usage.input_tokens_details carries cache_write_tokens (a recent addition to the reference)."""
    at, response = _finished(ex)
    details = _usage(response).get("input_tokens_details")
    if isinstance(details, dict) and _count(details.get("cache_write_tokens")) is None:  # no details at all: body.schema's finding
        yield Finding("input_tokens_details.cache_write_tokens, an integer", shorten(details), f"{at}/usage/input_tokens_details")


@check("responses.id-prefixes", Level.SHOULD, SECTION, applies=lambda ex: _answer(ex) is not None)
def id_prefixes(ex, expect):
    """Ids have the real API's prefixes (resp_, msg_, fc_, rs_): items replayed to OpenAI with other ids are rejected."""
    at, response = _answer(ex)
    # An object without an id is body.schema's finding: only the ids there are judged.
    if isinstance(response.get("id"), str) and not response["id"].startswith("resp_"):
        yield Finding("an id starting with resp_", repr(response.get("id")), f"{at}/id")
    for kind, prefix in PREFIXES.items():
        for k, item in _items(response, kind):
            if isinstance(item.get("id"), str) and not item["id"].startswith(prefix):
                yield Finding(f"a {kind} id starting with {prefix}", repr(item.get("id")), f"{at}/output/{k}/id")

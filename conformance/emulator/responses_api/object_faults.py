"""Faults in the response object POST /responses answers (streamed or not), and its extra-fields and phase variants.

Applied to the finished response before it is stored, answered or cut into events, so a fault
shows in the unstreamed body and in the stream's terminal event alike.
"""

from __future__ import annotations

import json

from starlette.requests import Request

from conformance.emulator.faults import active, declare
from conformance.emulator.variants import chosen

_CASE = "test_create_response and not streamed"
NO_STATUS = declare("responses-no-status", "body.schema", _CASE, "a response without status")
NO_OUTPUT_DETAILS = declare("responses-usage-no-output-details", "body.schema", _CASE, "usage without output_tokens_details (llama.cpp #22659)")
TEXT_LOGPROBS_NULL = declare("responses-text-logprobs-null", "body.schema", _CASE, "output_text parts with logprobs null (LiteLLM)")
TOTAL_WRONG = declare("responses-usage-total-wrong", "responses.usage", _CASE, "usage.total_tokens is input_tokens + output_tokens + 1")
USAGE_ZERO = declare("responses-usage-zero", "responses.usage", "test_text_format_json_mode", "usage all zero although a completed response produced text")
NO_COMPLETED_AT = declare("responses-completed-at-null", "responses.completed", "test_text_format_json_mode", "a completed response with completed_at null")
CUT_COMPLETED = declare("responses-cut-reported-completed", "responses.max-output-tokens", _CASE,
                        "an answer cut by max_output_tokens reported completed with incomplete_details null (vLLM #24184)")
CUT_ITEM_COMPLETED = declare("responses-cut-item-completed", "responses.max-output-tokens", _CASE, "the item max_output_tokens cut keeps status completed")
OVER_LIMIT = declare("responses-output-over-limit", "responses.max-output-tokens", _CASE, "output_tokens above max_output_tokens")
NO_INSTRUCTIONS = declare("responses-instructions-dropped", "responses.echo", "test_instructions_and_tools_echoed", "instructions answered as null")
NO_TOOLS = declare("responses-tools-dropped", "responses.echo", "test_instructions_and_tools_echoed", "tools answered as []")
JSON_PROSE = declare("responses-json-object-prose", "responses.text-format", "test_text_format_json_mode", "text.format json_object answered in prose")
SCHEMA_VIOLATED = declare("responses-json-schema-violated", "responses.text-format", "test_text_format_json_schema", "a json_schema answer missing the schema's required property")
CALL_UNKNOWN_NAME = declare("responses-call-unknown-name", "responses.function-call", "test_function_call", "a forced call names a function not among the tools")
CALL_DESPITE_NONE = declare("responses-call-despite-none", "responses.function-call", "test_instructions_and_tools_echoed", 'a function_call although tool_choice is "none"')
NO_CALL = declare("responses-forced-call-ignored", "responses.function-call", "test_function_call", "a forced function tool answered with text")
TOOL_OUTPUT_IGNORED = declare("responses-tool-output-ignored", "responses.tool-output", "test_function_call_output_answered", "a function_call_output answered with an empty output")
NO_CACHE_WRITE = declare("responses-no-cache-write-tokens", "responses.cache-write-tokens", _CASE, "usage.input_tokens_details without cache_write_tokens")
BARE_IDS = declare("responses-bare-ids", "responses.id-prefixes", _CASE, "response and item ids are bare UUID-like strings, no resp_/msg_ prefix")


def apply(request: Request, body: dict, response: dict) -> dict:
    usage, output = response["usage"], response["output"]
    messages = [item for item in output if item["type"] == "message"]
    if active(request, NO_STATUS):
        del response["status"]
    if active(request, NO_OUTPUT_DETAILS):
        del usage["output_tokens_details"]
    if active(request, NO_CACHE_WRITE):
        del usage["input_tokens_details"]["cache_write_tokens"]
    if active(request, TEXT_LOGPROBS_NULL):
        for item in messages:
            item["content"][0]["logprobs"] = None
    if active(request, TOTAL_WRONG):
        usage["total_tokens"] += 1
    if active(request, USAGE_ZERO):
        usage.update(input_tokens=0, output_tokens=0, total_tokens=0)
    if active(request, NO_COMPLETED_AT):
        response["completed_at"] = None
    if active(request, CUT_COMPLETED):
        response.update(status="completed", incomplete_details=None, completed_at=response["created_at"])
        for item in messages:
            item["status"] = "completed"
    if active(request, CUT_ITEM_COMPLETED):
        for item in messages:
            item["status"] = "completed"
    if active(request, OVER_LIMIT):
        usage["output_tokens"] += 5
        usage["total_tokens"] += 5
    if active(request, NO_INSTRUCTIONS):
        response["instructions"] = None
    if active(request, NO_TOOLS):
        response["tools"] = []
    if active(request, JSON_PROSE) or active(request, SCHEMA_VIOLATED):
        for item in messages:
            item["content"][0]["text"] = "Here is the JSON you asked for." if active(request, JSON_PROSE) else "{}"
    for item in output:
        if item["type"] == "function_call" and active(request, CALL_UNKNOWN_NAME):
            item["name"] = "not_a_tool"
    if active(request, CALL_DESPITE_NONE) and body.get("tool_choice") == "none":
        output.append({"id": "fc_despite_none", "type": "function_call", "status": "completed", "call_id": "call_despite_none",
                       "name": body["tools"][0]["name"], "arguments": json.dumps({})})
    if active(request, NO_CALL):
        output[:] = [{**item, "id": item["id"].replace("fc_", "msg_"), "type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "No.", "annotations": [], "logprobs": []}]}
                     if item["type"] == "function_call" else item for item in output]
    if active(request, TOOL_OUTPUT_IGNORED) and any(item.get("type") == "function_call_output" for item in body.get("input") or ()):
        output.clear()
    if active(request, BARE_IDS):
        response["id"] = response["id"].split("_", 1)[1]
        for item in output:
            item["id"] = item["id"].split("_", 1)[1]
    if chosen(request, "responses-extra-fields"):
        _extra(response)
    if chosen(request, "responses-output-phase"):
        for item in messages:
            item["phase"] = "final_answer"
    return response


def _extra(response: dict) -> None:
    """Unknown fields everywhere a client reads a response: backward-compatible additions."""
    response["x_emulator"] = {"region": "local"}
    response["usage"]["x_emulator_tokens"] = 0
    for item in response["output"]:
        item["x_emulator"] = True
        for part in item.get("content") or ():
            part["x_emulator"] = True

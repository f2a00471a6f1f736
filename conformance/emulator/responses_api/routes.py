"""The Responses API routes: create (streamed or not, in the background or not), retrieve, delete, cancel, input_items."""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request

from conformance.emulator import conversations, models, streaming, vector_stores
from conformance.emulator.errors import invalid
from conformance.emulator.faults import active, declare
from conformance.emulator.pagination import page
from conformance.emulator.replies import reply
from conformance.emulator.responses_api import events, object_faults, output, request as body_rules, state
from conformance.emulator.responses_api.items import input_items
from conformance.emulator.store import store
from conformance.emulator.validation import json_object

TOOL_OUTPUT_REJECTED = declare("responses-tool-output-rejected", "http.status", "test_function_call_output_answered",
                               "a function_call_output for the call just made rejected with 400")


def _tool(tool: dict) -> dict:
    """A function tool as the response echoes it: flat, with the defaults filled in (a file_search tool as sent)."""
    if tool["type"] != "function":
        return tool
    return {**tool, "description": tool.get("description"), "parameters": tool.get("parameters"), "strict": tool.get("strict", True)}


def _check_calls(request: Request, context: list[dict]) -> None:
    """A function_call_output answers a function_call of the context (this input or an earlier turn)."""
    calls = set() if active(request, TOOL_OUTPUT_REJECTED) else {item.get("call_id") for item in context if item.get("type") == "function_call"}
    for item in context:
        if item.get("type") == "function_call_output" and item["call_id"] not in calls:
            raise invalid("input", f"No tool call found for function call output with call_id {item['call_id']}.")


@streaming.streamed
async def create(request: Request):
    body = await json_object(request)
    body_rules.validate(body, request)
    response, items, context = respond(
        request, body, lambda: [*conversations.context(request, body), *state.context_before(request, body.get("previous_response_id"))])
    shown = response
    if response["background"] and body.get("stream") is not True:
        # Answered at once as queued; it finishes when retrieved later (state.find) unless cancelled.
        shown = {**response, "status": "queued", "output": [], "usage": None, "completed_at": None, "incomplete_details": None}
    state.save(request, state.Record(response["id"], shown, items, context, final=response if shown is not response else None),
               streamed=body.get("stream") is True)
    conversations.append(request, body, items, response["output"])
    if body.get("stream") is True:
        return streaming.event_stream(request, events.events(request, response), typed=True)
    return reply(request, 200, shown)


def respond(request: Request, body: dict, earlier: Callable[[], list[dict]]) -> tuple[dict, list[dict], list[dict]]:
    """The response to a valid create ``body`` (HTTP or a socket's response.create), with its input items and its context;
    ``earlier``: the items of the chain it continues (read after the model is found, as the reference checks them)."""
    model = models.find(body["model"], "chat", request)
    kept = store(request)
    chain = earlier()
    items = input_items(body, kept.new_id)
    context = [*chain, *items]
    _check_calls(request, context)
    answer = output.answer(body, context, kept.new_id)
    answer.output[:0] = vector_stores.file_search_calls(request, body, context, kept.new_id)
    created = kept.now()
    fmt = (body.get("text") or {}).get("format") or {"type": "text"}
    response = {
        "id": kept.new_id("resp_"),
        "object": "response",
        "created_at": created,
        "status": "incomplete" if answer.cut else "completed",
        "background": body.get("background") is True,
        "completed_at": None if answer.cut else created,
        "error": None,
        "incomplete_details": {"reason": "max_output_tokens"} if answer.cut else None,
        "instructions": body.get("instructions"),
        "max_output_tokens": body.get("max_output_tokens"),
        "max_tool_calls": None,
        "model": model.id,
        "output": answer.output,
        "parallel_tool_calls": body.get("parallel_tool_calls") is not False,
        "previous_response_id": body.get("previous_response_id"),
        "reasoning": body.get("reasoning") or {"effort": None, "summary": None},
        "service_tier": "default",
        "store": body.get("store") is not False,
        "temperature": body.get("temperature", 1.0),
        "text": {"format": fmt, "verbosity": (body.get("text") or {}).get("verbosity") or "medium"},
        "tool_choice": body.get("tool_choice") or "auto",
        "tools": [_tool(tool) for tool in body.get("tools") or ()],
        "top_logprobs": body.get("top_logprobs") or 0,
        "top_p": body.get("top_p", 1.0),
        "truncation": body.get("truncation") or "disabled",
        "usage": _usage(output.input_tokens(body.get("instructions"), context), answer),
        "metadata": body.get("metadata") or {},
    }
    if "user" in body:
        response["user"] = body["user"]  # a string in the official document: not sent as null
    if (conversation := conversations.shown(request, body)) is not None:
        response["conversation"] = conversation
    return object_faults.apply(request, body, response), items, context


def _usage(input_tokens: int, answer: output.Answer) -> dict:
    return {
        "input_tokens": input_tokens,
        "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
        "output_tokens": answer.output_tokens,
        "output_tokens_details": {"reasoning_tokens": answer.reasoning_tokens},
        "total_tokens": input_tokens + answer.output_tokens,
    }


async def retrieve(request: Request):
    return reply(request, 200, state.retrieved(request, request.path_params["response_id"]))


async def delete(request: Request):
    return reply(request, 200, state.remove(request, request.path_params["response_id"]))


async def cancel(request: Request):
    return reply(request, 200, state.cancel(request, request.path_params["response_id"]))


async def list_input_items(request: Request):
    return reply(request, 200, page(request, state.input_items(request, request.path_params["response_id"])))


ROUTES = (
    ("responses", "POST", "/responses", create),
    ("responses-store", "GET", "/responses/{response_id}/input_items", list_input_items),
    ("responses-store", "GET", "/responses/{response_id}", retrieve),
    ("responses-store", "DELETE", "/responses/{response_id}", delete),
    ("responses-background", "POST", "/responses/{response_id}/cancel", cancel),
)

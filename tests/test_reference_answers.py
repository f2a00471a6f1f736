"""What the reference really sends passes every must check (principle 2), where it departs from its own document too.

Each exchange is hand-written in the shape of a real answer of api.openai.com (issue 20 point 3); none is
copied from a recording. Beside each, the fault the loosened check still catches.
"""

from __future__ import annotations

import json

import httpx

from conformance import sse
from conformance.checks import REGISTRY, Expect, Level, evaluate
from conformance.config import Target
from conformance.exchange import Exchange
from conformance.transport import Client
from tests.conftest import KEY

HEADERS = {"x-request-id": "req_0123456789abcdef", "openai-processing-ms": "321", "openai-version": "2020-10-01"}


def _exchange(method: str, url: str, body: object, answer: str | bytes, *, status: int = 200,
              content_type: str | None = "application/json", streamed: bool = False) -> Exchange:
    request = httpx.Request(method, f"https://api.openai.com/v1{url}", json=body) if body is not None else httpx.Request(method, f"https://api.openai.com/v1{url}")
    content = answer.encode() if isinstance(answer, str) else answer
    headers = {**HEADERS, **({"content-type": content_type} if content_type else {})}
    response = httpx.Response(status, headers=headers, content=content)
    stream = sse.Stream(((0.0, content),)) if streamed else None
    return Exchange(request=request, path=url.split("?")[0], response=response, stream=stream)


def _events(*events: dict, done: bool = False) -> str:
    numbered = [{**event, "sequence_number": n} for n, event in enumerate(events)]
    return "".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n" for e in numbered) + ("data: [DONE]\n\n" if done else "")


def must_findings(ex: Exchange, status: int = 200) -> list[str]:
    return [v.message() for o in evaluate(ex, Expect(status)) if o.check.level is Level.MUST for v in o.violations]


def failed(check_id: str, ex: Exchange) -> bool:
    return bool(list(REGISTRY[check_id].run(ex, Expect(200))))


def _chat(choice: dict, model: str = "gpt-5-mini-2025-08-07") -> str:
    return json.dumps({"id": "chatcmpl-Cx1", "object": "chat.completion", "created": 1767225600, "model": model, "choices": [choice],
                       "usage": {"prompt_tokens": 12, "completion_tokens": 3, "total_tokens": 15}, "service_tier": "default", "system_fingerprint": None})


def test_chat_choices_of_reasoning_models_without_logprobs_pass():
    choice = {"index": 0, "message": {"role": "assistant", "content": "4242", "refusal": None, "annotations": []}, "finish_reason": "stop"}
    ex = _exchange("POST", "/chat/completions", {"model": "gpt-5-mini", "messages": [{"role": "user", "content": "42?"}]}, _chat(choice))
    assert must_findings(ex) == []
    # Still a schema: a logprobs of the wrong type fails.
    assert failed("body.schema", _exchange("POST", "/chat/completions", {"model": "m", "messages": []}, _chat({**choice, "logprobs": "none"})))


def test_emulator_variant_without_logprobs_passes(emulator):
    # The emulator answers as the reference does for its reasoning models (conformance/emulator/variants.py).
    client = Client(Target(base_url=emulator, api_key=KEY, request_timeout=5), emulator.replace("/v1", "/variant/chat-no-logprobs/v1"))
    try:
        ex = client.request("POST", "/chat/completions", json={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 8})
    finally:
        client.close()
    assert "logprobs" not in ex.data["choices"][0]
    assert must_findings(ex) == []


def test_json_mode_answered_by_a_tool_call_passes():
    tools = [{"type": "function", "function": {"name": "get_book_info", "parameters": {"type": "object", "properties": {"isbn": {"type": "string"}}}}}]
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Book 0-7653-1178-X?"}], "tools": tools, "response_format": {"type": "json_object"}}
    call = {"id": "call_abc", "type": "function", "function": {"name": "get_book_info", "arguments": '{"isbn":"0-7653-1178-X"}'}}
    choice = {"index": 0, "message": {"role": "assistant", "content": None, "tool_calls": [call], "refusal": None, "annotations": []},
              "logprobs": None, "finish_reason": "tool_calls"}
    assert must_findings(_exchange("POST", "/chat/completions", body, _chat(choice, "gpt-4o-mini-2024-07-18"))) == []
    # Content that is not JSON still fails, a tool call or not.
    choice["message"]["content"] = "Let me look it up."
    assert failed("chat.json-mode", _exchange("POST", "/chat/completions", body, _chat(choice)))


def _response(status: str = "completed", output: list | None = None, tools: list | None = None, usage: dict | None = None, **extra) -> dict:
    return {"id": "resp_0a1", "object": "response", "created_at": 1767225600, "completed_at": 1767225601 if status == "completed" else None,
            "status": status, "error": None, "incomplete_details": {"reason": "max_output_tokens"} if status == "incomplete" else None,
            "instructions": None, "max_output_tokens": None, "model": "gpt-5-2025-08-07", "output": output or [], "parallel_tool_calls": True,
            "previous_response_id": None, "reasoning": {"effort": "minimal", "summary": None}, "store": True, "temperature": 1.0,
            "text": {"format": {"type": "text"}, "verbosity": "medium"}, "tool_choice": "auto", "tools": tools or [], "top_p": 1.0,
            "truncation": "disabled", "usage": usage or {"input_tokens": 20, "input_tokens_details": {"cached_tokens": 0}, "output_tokens": 9,
                                                         "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": 29},
            "user": None, "metadata": {}, **extra}


def _function(name: str) -> dict:
    return {"type": "function", "name": name, "description": None, "parameters": {"type": "object", "properties": {}}, "strict": True}


def test_function_call_arguments_done_without_name_passes():
    call = {"id": "fc_1", "type": "function_call", "status": "completed", "arguments": '{"city":"Paris"}', "call_id": "call_1", "name": "weather"}
    created = _response("in_progress", tools=[_function("weather")], usage=None) | {"usage": None}
    final = _response(output=[call], tools=[_function("weather")])
    body = {"model": "gpt-5", "input": "Weather in Paris?", "tools": [_function("weather")], "stream": True}
    stream = _events(
        {"type": "response.created", "response": created}, {"type": "response.in_progress", "response": created},
        {"type": "response.output_item.added", "output_index": 0, "item": {**call, "status": "in_progress", "arguments": ""}},
        {"type": "response.function_call_arguments.delta", "item_id": "fc_1", "output_index": 0, "delta": '{"city":', "obfuscation": "aB"},
        {"type": "response.function_call_arguments.delta", "item_id": "fc_1", "output_index": 0, "delta": '"Paris"}', "obfuscation": "cD"},
        {"type": "response.function_call_arguments.done", "item_id": "fc_1", "output_index": 0, "arguments": '{"city":"Paris"}'},
        {"type": "response.output_item.done", "output_index": 0, "item": call},
        {"type": "response.completed", "response": final})
    assert must_findings(_exchange("POST", "/responses", body, stream, content_type="text/event-stream; charset=utf-8", streamed=True)) == []


def test_streamed_assistants_run_and_streamed_retrieval_are_not_judged_as_json():
    run = {"id": "run_1", "object": "thread.run", "status": "queued", "thread_id": "thread_1"}
    events = f"event: thread.run.created\ndata: {json.dumps(run)}\n\nevent: done\ndata: [DONE]\n\n"
    ex = _exchange("POST", "/threads/thread_1/runs", {"assistant_id": "asst_1", "stream": True}, events, content_type="text/event-stream; charset=utf-8", streamed=True)
    assert must_findings(ex) == []
    retrieved = _events({"type": "response.completed", "response": _response()})
    assert must_findings(_exchange("GET", "/responses/resp_0a1?stream=true", None, retrieved, content_type="text/event-stream; charset=utf-8", streamed=True)) == []
    # Unasked, an event stream where JSON is due still fails; so does a JSON operation's.
    assert failed("http.content-type", _exchange("GET", "/responses/resp_0a1", None, retrieved, content_type="text/event-stream"))
    assert failed("http.content-type", _exchange("POST", "/threads/thread_1/runs", {"assistant_id": "asst_1"}, json.dumps(run), content_type="text/html"))


def test_a_204_without_body_is_not_judged_as_json():
    # The Agents SDK's trace export: POST /v1/traces/ingest answers 204 No Content, with no Content-Type.
    assert must_findings(_exchange("POST", "/traces/ingest", {"data": []}, b"", status=204, content_type=None), 204) == []


IMAGE_TOOL = {"type": "image_generation", "background": "auto", "model": "gpt-image-1", "output_format": "png", "quality": "auto", "size": "auto"}


def test_stored_response_with_built_in_tools_passes_echo_and_forced_call():
    image_call = {"id": "ig_1", "type": "image_generation_call", "status": "completed", "result": "iVBORw0KGgo=", "revised_prompt": "a red square"}
    # The reference lists its built-in tools with every default filled in, and may put them in its own order.
    body = {"model": "gpt-5", "input": "Draw a red square", "tools": [_function("describe"), {"type": "image_generation"}], "tool_choice": "required"}
    answer = _response(output=[image_call], tools=[IMAGE_TOOL, _function("describe")], tool_choice="required")
    assert must_findings(_exchange("POST", "/responses", body, json.dumps(answer))) == []
    # A function tool dropped, or a forced answer with text only, still fails.
    assert failed("responses.echo", _exchange("POST", "/responses", body, json.dumps({**answer, "tools": [IMAGE_TOOL]})))
    message = {"id": "msg_1", "type": "message", "status": "completed", "role": "assistant",
               "content": [{"type": "output_text", "text": "Done.", "annotations": [], "logprobs": []}]}
    assert failed("responses.function-call", _exchange("POST", "/responses", body, json.dumps({**answer, "output": [message]})))


def test_mcp_list_tools_items_the_reference_never_finishes_pass():
    # With two MCP servers the reference announces two mcp_list_tools items and finishes only the last one;
    # its terminal output holds both.
    lists = [{"id": f"mcpl_{n}", "type": "mcp_list_tools", "server_label": label, "tools": [], "error": None} for n, label in enumerate(("docs", "wiki"))]
    message = {"id": "msg_1", "type": "message", "status": "completed", "role": "assistant",
               "content": [{"type": "output_text", "text": "Hi", "annotations": [], "logprobs": []}]}
    tools = [{"type": "mcp", "server_label": "docs", "server_url": "https://docs.example/mcp"}, {"type": "mcp", "server_label": "wiki", "server_url": "https://wiki.example/mcp"}]
    created = _response("in_progress", tools=tools) | {"usage": None}
    stream = _events(
        {"type": "response.created", "response": created},
        {"type": "response.output_item.added", "output_index": 0, "item": lists[0]},
        {"type": "response.mcp_list_tools.in_progress", "item_id": "mcpl_0", "output_index": 0},
        {"type": "response.output_item.added", "output_index": 1, "item": lists[1]},
        {"type": "response.mcp_list_tools.in_progress", "item_id": "mcpl_1", "output_index": 1},
        {"type": "response.mcp_list_tools.completed", "item_id": "mcpl_1", "output_index": 1},
        {"type": "response.output_item.done", "output_index": 1, "item": lists[1]},
        {"type": "response.output_item.added", "output_index": 2, "item": {**message, "status": "in_progress", "content": []}},
        {"type": "response.content_part.added", "item_id": "msg_1", "output_index": 2, "content_index": 0, "part": {**message["content"][0], "text": ""}},
        {"type": "response.output_text.delta", "item_id": "msg_1", "output_index": 2, "content_index": 0, "delta": "Hi", "logprobs": []},
        {"type": "response.output_text.done", "item_id": "msg_1", "output_index": 2, "content_index": 0, "text": "Hi", "logprobs": []},
        {"type": "response.content_part.done", "item_id": "msg_1", "output_index": 2, "content_index": 0, "part": message["content"][0]},
        {"type": "response.output_item.done", "output_index": 2, "item": message},
        {"type": "response.completed", "response": _response(output=[*lists, message], tools=tools)})
    body = {"model": "gpt-5", "input": "Hi", "tools": tools, "stream": True}
    ex = _exchange("POST", "/responses", body, stream, content_type="text/event-stream; charset=utf-8", streamed=True)
    assert must_findings(ex) == []
    # A message never finished still fails.
    unfinished = stream.replace('"response.output_item.done", "output_index": 2', '"response.output_item.done", "output_index": 0')
    assert failed("responses.item-done", _exchange("POST", "/responses", body, unfinished, content_type="text/event-stream", streamed=True))


def test_usage_all_zero_on_a_response_ended_early_passes():
    message = {"id": "msg_1", "type": "message", "status": "incomplete", "role": "assistant",
               "content": [{"type": "output_text", "text": "Once upon", "annotations": [], "logprobs": []}]}
    zero = {"input_tokens": 0, "input_tokens_details": {"cached_tokens": 0}, "output_tokens": 0, "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": 0}
    body = {"model": "gpt-4o", "input": "A story", "max_output_tokens": 16}
    assert must_findings(_exchange("POST", "/responses", body, json.dumps(_response("incomplete", output=[message], usage=zero)))) == []
    completed = _response(output=[{**message, "status": "completed"}], usage=zero)
    assert failed("responses.usage", _exchange("POST", "/responses", {**body, "max_output_tokens": 64}, json.dumps(completed)))


def test_legacy_completion_stream_repeating_its_finish_reason_in_an_empty_last_chunk_passes():
    chunk = {"id": "cmpl-1", "object": "text_completion", "created": 1767225600, "model": "gpt-3.5-turbo-instruct:20230824-v2"}
    texts = [(" Write", None), (" clearly", "length"), ("", "length")]
    stream = "".join(f"data: {json.dumps({**chunk, 'choices': [{'text': t, 'index': 0, 'logprobs': None, 'finish_reason': r}]})}\n\n" for t, r in texts)
    body = {"model": "gpt-3.5-turbo-instruct", "prompt": "How do I write docs?", "max_tokens": 2, "stream": True}
    assert must_findings(_exchange("POST", "/completions", body, stream + "data: [DONE]\n\n", content_type="text/event-stream", streamed=True)) == []
    # A reason before text that is still to come fails.
    early = stream.replace('"text": " Write", "index": 0, "logprobs": null, "finish_reason": null', '"text": " Write", "index": 0, "logprobs": null, "finish_reason": "stop"')
    assert failed("stream.finish-reason", _exchange("POST", "/completions", body, early + "data: [DONE]\n\n", content_type="text/event-stream", streamed=True))


def test_legacy_completion_that_completed_nothing_without_completion_tokens_passes():
    answer = {"id": "cmpl-1", "object": "text_completion", "created": 1767225600, "model": "gpt-3.5-turbo-instruct:20230824-v2",
              "choices": [{"text": "", "index": 0, "logprobs": None, "finish_reason": "stop"}], "usage": {"prompt_tokens": 11, "total_tokens": 11}}
    body = {"model": "gpt-3.5-turbo-instruct", "prompt": ["Good morning!"], "max_tokens": 256}
    assert must_findings(_exchange("POST", "/completions", body, json.dumps(answer))) == []
    # Text completed without completion_tokens still fails.
    answer["choices"][0]["text"] = " Hello"
    assert failed("body.schema", _exchange("POST", "/completions", body, json.dumps(answer)))


def test_forced_function_called_with_finish_reason_stop_or_cut_short_before_its_call_passes():
    tools = [{"type": "function", "function": {"name": "format_output", "parameters": {"type": "object", "properties": {"answer": {"type": "string"}}}}}]
    body = {"model": "gpt-5-mini", "messages": [{"role": "user", "content": "Answer."}], "tools": tools,
            "tool_choice": {"type": "function", "function": {"name": "format_output"}}}
    call = {"id": "call_abc", "type": "function", "function": {"name": "format_output", "arguments": '{"answer":"yes"}'}}
    # A named function's call ends with finish_reason "stop", not "tool_calls".
    called = {"index": 0, "message": {"role": "assistant", "content": None, "tool_calls": [call], "refusal": None, "annotations": []}, "finish_reason": "stop"}
    # Reasoning spent max_completion_tokens before the call: no call, finish_reason "length".
    cut = {"index": 0, "message": {"role": "assistant", "content": "", "refusal": None, "annotations": []}, "finish_reason": "length"}
    for choice in (called, cut):
        assert must_findings(_exchange("POST", "/chat/completions", body, _chat(choice))) == []
    # Text instead of the call fails, and so does a call of another function.
    text = {**cut, "message": {**cut["message"], "content": "Yes."}, "finish_reason": "stop"}
    assert failed("chat.tool-choice", _exchange("POST", "/chat/completions", body, _chat(text)))
    other = {**called, "message": {**called["message"], "tool_calls": [{**call, "function": {**call["function"], "name": "get_weather"}}]}}
    assert failed("chat.tool-choice", _exchange("POST", "/chat/completions", body, _chat(other)))


def test_legacy_completion_logprobs_of_an_echoed_prompt_pass():
    # With echo, the prompt's first token has no logprob: null in token_logprobs and top_logprobs.
    logprobs = {"tokens": ["Say", " this", " is"], "token_logprobs": [None, -6.1, -0.4], "top_logprobs": [None, {" this": -6.1, " hello": -2.3}, {" is": -0.4, " was": -1.9}],
                "text_offset": [0, 3, 8]}
    answer = {"id": "cmpl-1", "object": "text_completion", "created": 1767225600, "model": "gpt-3.5-turbo-instruct:20230824-v2",
              "choices": [{"text": "Say this is", "index": 0, "logprobs": logprobs, "finish_reason": "length"}],
              "usage": {"prompt_tokens": 2, "completion_tokens": 1, "total_tokens": 3}}
    body = {"model": "gpt-3.5-turbo-instruct", "prompt": "Say this", "max_tokens": 1, "echo": True, "logprobs": 1}
    assert must_findings(_exchange("POST", "/completions", body, json.dumps(answer))) == []
    # Chat's shape fails.
    answer["choices"][0]["logprobs"] = {"content": [{"token": " is", "logprob": -0.4, "bytes": [32, 105, 115], "top_logprobs": []}], "refusal": None}
    assert failed("completions.logprobs", _exchange("POST", "/completions", body, json.dumps(answer)))

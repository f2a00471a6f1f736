"""Answers of third-party servers (docs/targets.md) that a check once misread: each passes the check it misled,
and the departure it does have is still found by the check whose subject it is."""

from __future__ import annotations

import json

import httpx

from conformance import sse
from conformance.checks import REGISTRY, Expect
from conformance.exchange import Exchange

TOOL = {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}
NAMED = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "What is the weather in Paris?"}], "max_tokens": 64, "stream": True,
         "tools": [TOOL], "tool_choice": {"type": "function", "function": {"name": "get_weather"}}}


def _streamed(body: dict, chunks: list[dict]) -> Exchange:
    content = "".join(f"data: {json.dumps(chunk)}\n\n" for chunk in chunks).encode() + b"data: [DONE]\n\n"
    request = httpx.Request("POST", "http://127.0.0.1:8321/v1/chat/completions", json=body)
    response = httpx.Response(200, headers={"content-type": "text/event-stream"}, content=content)
    return Exchange(request=request, path="/chat/completions", response=response, stream=sse.Stream(((0.0, content),)))


def _chunk(delta: dict, finish_reason: str | None = None) -> dict:
    return {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1796652742, "model": "gpt-4o-mini",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason, "logprobs": None}]}


def _findings(check_id: str, ex: Exchange) -> list:
    return list(REGISTRY[check_id].run(ex, Expect(200)))


def test_ogx_streamed_call_with_null_names_after_its_first_delta_obeys_the_named_tool_choice():
    # OGX 1.5.0 repeats "name": null (and "id": null, "type": null) in every delta after a call's first.
    first = {"index": 0, "id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": ""}}
    later = [{"index": 0, "id": None, "type": None, "function": {"name": None, "arguments": part}} for part in ('{"city":', ' "Paris"}')]
    chunks = [_chunk({"role": "assistant"}), _chunk({"tool_calls": [first]}), *(_chunk({"tool_calls": [fragment]}) for fragment in later),
              _chunk({}, "tool_calls")]
    ex = _streamed(NAMED, chunks)
    assert _findings("stream.tool-choice", ex) == []
    assert _findings("stream.chunk-schema", ex)  # the nulls are departures from the chunk schema, found there
    # A call of another function still fails.
    other = {**first, "function": {"name": "get_time", "arguments": ""}}
    assert _findings("stream.tool-choice", _streamed(NAMED, [chunks[0], _chunk({"tool_calls": [other]}), *chunks[2:]]))

"""Legal variations of streaming pass every check: the suite raises no false alarm on them.

The emulator serves each variation under /variant/<name>/v1 (conformance/emulator/variants.py).
Requests go straight through the suite's client and checks: no inner pytest run is needed.
"""

from __future__ import annotations

import httpx
import pytest

from conformance.checks import REGISTRY, Expect, Level, evaluate
from conformance.config import Target
from conformance.emulator.variants import VARIANTS
from conformance.exchange import Exchange
from conformance.sse import Stream
from conformance.transport import Client
from tests.conftest import KEY

CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 16}
TOOL = {"type": "function", "function": {"name": "f", "parameters": {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}}}
COMPLETION = {"model": "gpt-3.5-turbo-instruct", "prompt": "Say this is a test", "max_tokens": 7}
RESPONSE = {"model": "gpt-4o-mini", "input": "Hi", "max_output_tokens": 16}
FLAT_TOOL = {"type": "function", "name": "f", "parameters": TOOL["function"]["parameters"]}
FRAMING_CHECKS = {"stream.framing", "stream.data-json", "stream.done", "stream.chunk-schema", "stream.finish-reason", "media.content-type"}
RESPONSES_CHECKS = {"stream.framing", "stream.data-json", "media.content-type", "responses.event-schema", "responses.sequence-number",
                    "responses.terminal", "responses.item-scope", "responses.text-integrity", "responses.usage"}
REQUESTS = [
    ("/chat/completions", {**CHAT, "n": 2, "stream_options": {"include_usage": True}}, FRAMING_CHECKS),
    ("/chat/completions", {**CHAT, "tools": [TOOL], "tool_choice": "required"}, FRAMING_CHECKS),
    ("/completions", {**COMPLETION, "n": 2, "echo": True, "stream_options": {"include_usage": True}}, FRAMING_CHECKS),
    ("/responses", RESPONSE, RESPONSES_CHECKS),
    ("/responses", {**RESPONSE, "tools": [FLAT_TOOL], "tool_choice": "required"}, RESPONSES_CHECKS | {"responses.arguments-integrity"}),
]
SEEN_IN_RESPONSES = {
    # What each Responses variant changes, so that a variant that silently did nothing cannot pass.
    "responses-data-only": lambda stream: {e.type for e in stream.events} == {"message"},
    "responses-done": lambda stream: stream.payloads[-1] == "[DONE]",
    "responses-vendor-events": lambda stream: any(p.get("type") == "vendor:trace" for p in stream.payloads if isinstance(p, dict)),
    "responses-extra-fields": lambda stream: all("x_emulator" in p for p in stream.payloads if isinstance(p, dict)),
    "responses-obfuscation": lambda stream: any("obfuscation" in p for p in stream.payloads if isinstance(p, dict)),
    "responses-queued": lambda stream: any(p.get("type") == "response.queued" for p in stream.payloads if isinstance(p, dict)),
    "responses-args-done-no-name": lambda stream: not any("name" in p for p in stream.payloads if isinstance(p, dict) and p.get("type") == "response.function_call_arguments.done"),
}


def stream_exchange(base_url: str, path: str, body: dict):
    client = Client(Target(base_url=base_url, api_key=KEY, request_timeout=5), base_url)
    try:
        return client.stream("POST", path, json={**body, "stream": True})
    finally:
        client.close()


def stream_outcomes(base_url: str, path: str, body: dict, *_) -> list:
    return list(evaluate(stream_exchange(base_url, path, body), Expect(200)))


OTHER_EVENT_TYPES = ("sse-ping-events", "sse-vendor-events")
"""Variants with events of types the reference does not define: legal, and worth a warning (stream.unknown-events)."""


@pytest.mark.parametrize("variant", [name for name in VARIANTS if name not in ("mid-stream-error", "role-repeated", *OTHER_EVENT_TYPES)])
def test_legal_variation_passes_every_check(variant, emulator):
    base_url = emulator.replace("/v1", f"/variant/{variant}/v1")
    for path, body, checks in REQUESTS:
        outcomes = stream_outcomes(base_url, path, body)
        assert checks <= {o.check.id for o in outcomes}, "the stream's events were not read"
        assert [v.message() for o in outcomes for v in o.violations] == []


@pytest.mark.parametrize("variant", OTHER_EVENT_TYPES)
def test_events_of_other_types_are_skipped_by_every_check_and_only_warned_of(variant, emulator):
    # Seen: event: ping / data: {} before the chunks failed stream.chunk-schema and stream.same-ids at must level.
    # Such events are not chunks (a chunk has no event: field): every must check passes, chat and completions alike.
    base_url = emulator.replace("/v1", f"/variant/{variant}/v1")
    for path, body, checks in REQUESTS[:3]:
        outcomes = stream_outcomes(base_url, path, body)
        assert checks <= {o.check.id for o in outcomes}
        assert {o.check.id for o in outcomes if not o.passed} == {"stream.unknown-events"}
    assert REGISTRY["stream.unknown-events"].level is Level.SHOULD
    seen = [v.finding.seen for o in outcomes if not o.passed for v in o.violations]
    assert all("choices is None" in s for s in seen) and len(seen) == (1 if variant == "sse-ping-events" else 2)  # one per type


def test_a_stream_whose_chunks_all_carry_another_event_type_says_why_it_has_no_chunks():
    body = b"".join(b'event: completion.chunk\ndata: {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m", '
                    b'"choices": [{"index": 0, "delta": {"role": "assistant"}, "finish_reason": "stop"}]}\n\n' for _ in range(2))
    request = httpx.Request("POST", "http://target.invalid/v1/chat/completions", json={**CHAT, "stream": True})
    response = httpx.Response(200, headers={"content-type": "text/event-stream"}, request=request)
    exchange = Exchange(request, "/chat/completions", response, stream=Stream(((0.1, body + b"data: [DONE]\n\n"),)))
    failed = {o.check.id: o for o in evaluate(exchange, Expect(200)) if not o.passed and o.check.id.startswith("stream.")}
    assert set(failed) == {"stream.choices", "stream.unknown-events"}
    assert "'completion.chunk' are not chunks" in failed["stream.choices"].violations[0].finding.seen


@pytest.mark.parametrize("variant", SEEN_IN_RESPONSES)
def test_responses_variant_changes_the_stream(variant, emulator):
    for path, body, _ in REQUESTS[3:]:
        assert SEEN_IN_RESPONSES[variant](stream_exchange(emulator.replace("/v1", f"/variant/{variant}/v1"), path, body).stream)


def test_flat_error_event_after_a_responses_stream_started_is_reported_as_an_incomplete_answer(emulator):
    # The conformant way for a Responses stream to fail mid-way: the flat error event. Only the missing terminal event is reported.
    outcomes = stream_outcomes(emulator.replace("/v1", "/variant/mid-stream-error/v1"), *REQUESTS[3])
    failed = {o.check.id for o in outcomes if not o.passed}
    assert failed == {"responses.terminal"}
    assert "error event" in next(o for o in outcomes if not o.passed).violations[0].message()


def test_error_event_after_the_stream_started_is_reported_as_an_incomplete_answer(emulator):
    # The conformant way to fail mid-stream: an event carrying the error object. The suite reports
    # the broken-off answer, not broken framing or a malformed error.
    outcomes = stream_outcomes(emulator.replace("/v1", "/variant/mid-stream-error/v1"), *REQUESTS[0])
    failed = {o.check.id for o in outcomes if not o.passed}
    assert failed == {"stream.complete"}
    assert "error event" in next(o for o in outcomes if not o.passed).violations[0].message()


def test_repeated_role_is_only_a_should(emulator):
    # Not forbidden by the reference, and harmless to clients: a warning, never a failed case.
    outcomes = stream_outcomes(emulator.replace("/v1", "/variant/role-repeated/v1"), *REQUESTS[0])
    assert {o.check.id for o in outcomes if not o.passed} == {"stream.role-once"}
    assert REGISTRY["stream.role-once"].level is Level.SHOULD


def test_unknown_variant_is_a_404_with_the_error_object(emulator):
    client = Client(Target(base_url=emulator, api_key=KEY), emulator)
    exchange = client.request("GET", emulator.replace("/v1", "/variant/nope/v1") + "/models")
    client.close()
    assert exchange.status == 404 and "nope" in exchange.data["error"]["message"]

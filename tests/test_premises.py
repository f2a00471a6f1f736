"""Checks that join events or objects say nothing when what they join by is missing (issue 21, point 3).

llama.cpp's server sends no output_index nor content_index: responses.text-integrity looked its part up
by them and reported "expected output None part None …, seen None" although the streamed text was intact,
on top of the real finding (responses.output-index). A check whose premise (an index, an id) is missing
leaves the finding to the check for that premise, or joins by the item id; the faults still combine.
"""

from __future__ import annotations

import json

import httpx

from conformance import sse
from conformance.checks import REGISTRY, Expect
from conformance.exchange import Exchange
from tests.conftest import failed_checks, run_cases, with_fault

STREAMS = "test_create_response_streamed or test_response_stream_function_call"
JOINS = {"responses.text-integrity", "responses.arguments-integrity", "responses.item-scope", "responses.item-done",
         "responses.part-order", "responses.terminal-output", "responses.same-id"}


def test_a_stream_without_indices_fails_the_index_checks_only(emulator, tmp_path):
    code, results = run_cases(tmp_path, with_fault(emulator, "responses-no-indices"), "-k", STREAMS)
    assert code == 1 and len(results["cases"]) == 2
    assert failed_checks(results) == {"responses.event-schema", "responses.output-index", "responses.content-index"}


def test_joined_by_item_id_the_text_and_arguments_are_still_judged(emulator, tmp_path):
    faults = "responses-no-indices+responses-delta-dropped+responses-arguments-done-differs"
    code, results = run_cases(tmp_path, with_fault(emulator, faults), "-k", STREAMS)
    failed = failed_checks(results)
    assert {"responses.output-index", "responses.text-integrity", "responses.arguments-integrity"} <= failed
    assert not failed & (JOINS - {"responses.text-integrity", "responses.arguments-integrity"})
    texts = [f for case in results["cases"] for c in case["checks"] if c["id"] == "responses.text-integrity" for f in c["failures"]]
    assert texts and all("None" not in f["expected"] + f["pointer"] for f in texts)  # named by the item, never "output None part None"


def _exchange(path: str, request: dict, answer: object, *, events: list | None = None) -> Exchange:
    content = "".join(f"data: {json.dumps(e)}\n\n" for e in events).encode() + b"data: [DONE]\n\n" if events is not None else json.dumps(answer).encode()
    response = httpx.Response(200, headers={"content-type": "text/event-stream" if events is not None else "application/json"}, content=content)
    stream = sse.Stream(((0.0, content),)) if events is not None else None
    return Exchange(request=httpx.Request("POST", f"http://127.0.0.1:1/v1{path}", json=request), path=path, response=response, stream=stream)


def _failing(ex: Exchange, *checks: str) -> set[str]:
    return {c for c in checks if REGISTRY[c].applies(ex) and list(REGISTRY[c].run(ex, Expect(200)))}


CHAT = {"model": "m", "messages": [{"role": "user", "content": "Hi"}], "stream": True}


def _chunk(delta: dict, finish: str | None = None, **choice) -> dict:
    return {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "m",
            "choices": [{"delta": delta, "logprobs": None, "finish_reason": finish, **choice}]}


def test_chat_chunks_without_choice_index_are_the_one_choice_asked_for():
    chunks = [_chunk({"role": "assistant", "content": "Hi"}), _chunk({"content": " there"}), _chunk({}, "stop")]
    ex = _exchange("/chat/completions", CHAT, None, events=chunks)
    assert _failing(ex, "stream.chunk-schema", "stream.choices", "stream.role", "stream.finish-reason") == {"stream.chunk-schema"}
    late_role = [_chunk({"content": "Hi"}), _chunk({}, "stop")]  # still judged: the only choice is choice 0
    assert _failing(_exchange("/chat/completions", CHAT, None, events=late_role), "stream.role") == {"stream.role"}
    # With n=2 and no index, which choice a chunk continues is a guess: only the schema says something.
    two = _exchange("/chat/completions", {**CHAT, "n": 2}, None, events=chunks)
    assert _failing(two, "stream.chunk-schema", "stream.choices", "stream.role", "stream.finish-reason") == {"stream.chunk-schema"}


def test_chat_choices_without_index_are_counted_not_numbered():
    message = {"role": "assistant", "content": "Hi", "refusal": None}
    answer = {"id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "m",
              "choices": [{"message": message, "logprobs": None, "finish_reason": "stop"}]}
    assert _failing(_exchange("/chat/completions", {**CHAT, "stream": False}, answer), "body.schema", "chat.choices-count") == {"body.schema"}
    # n=2 answered with one choice, index or not: still the count's finding
    assert _failing(_exchange("/chat/completions", {**CHAT, "stream": False, "n": 2}, answer), "chat.choices-count") == {"chat.choices-count"}


def test_objects_without_ids_are_the_schemas_finding_alone():
    usage = {"input_tokens": 1, "output_tokens": 1, "total_tokens": 2, "output_tokens_details": {"reasoning_tokens": 0}}
    response = {"object": "response", "status": "completed", "output": [{"type": "message", "role": "assistant", "content": []}], "usage": usage}
    ex = _exchange("/responses", {"model": "m", "input": "Hi"}, response)
    assert _failing(ex, "body.schema", "responses.id-prefixes", "responses.cache-write-tokens") == {"body.schema"}


def test_an_object_without_its_id_is_not_another_object():
    def about(method: str, answer: dict) -> Exchange:
        ex = _exchange("/files/file-abc", {}, answer)
        return Exchange(request=httpx.Request(method, "http://127.0.0.1:1/v1/files/file-abc"), path="/files/file-abc", response=ex.response)
    assert _failing(about("GET", {"object": "file", "bytes": 3}), "resource.id") == set()
    assert _failing(about("GET", {"id": "file-other", "object": "file"}), "resource.id") == {"resource.id"}
    assert _failing(about("DELETE", {"object": "file"}), "resource.deleted") == set()
    assert _failing(about("DELETE", {"id": "file-abc", "object": "file", "deleted": False}), "resource.deleted") == {"resource.deleted"}


# Each pair: a fault and the check it must still make fail when combined with responses-no-indices (and the schema faults).
COMBINED = {"responses-delta-dropped": "responses.text-integrity", "responses-no-item-done": "responses.item-done",
            "responses-part-added-late": "responses.part-order", "responses-terminal-output-other-ids": "responses.terminal-output",
            "responses-text-no-logprobs": "responses.event-schema", "responses-sequence-from-one": "responses.sequence-start",
            "responses-delta-other-item": "responses.item-scope"}


def test_the_new_faults_combine_with_the_others_without_masking(emulator, tmp_path):
    for fault, check in COMBINED.items():
        faults = f"responses-no-indices+responses-pending-bare+{fault}"
        code, results = run_cases(tmp_path, with_fault(emulator, faults), "-k", "test_create_response_streamed")
        failed = failed_checks(results)
        assert {"responses.output-index", "responses.event-schema", check} <= failed, faults
        assert not failed & JOINS - {check}, faults  # and no join that misses its premise adds a false alarm

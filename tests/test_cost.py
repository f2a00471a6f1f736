"""What a run spends: requests and tokens counted (streamed usage included) into results.json and the
HTML report, the run's budget stopping it with a reason (shared by xdist workers), --depth, and
the validators' fast path giving the stock validator's verdicts."""

from __future__ import annotations

import json

import httpx
import pytest
from jsonschema import Draft202012Validator

from conformance import budget, sse, validation
from conformance.config import Target
from conformance.exchange import Exchange
from conformance.reporting import html
from conformance.transport import Client
from tests.conftest import CASES, KEY, run_cases


def _exchange(body: object = None, stream: bytes | None = None) -> Exchange:
    request = httpx.Request("POST", "http://127.0.0.1/v1/chat/completions")
    content = stream if stream is not None else json.dumps(body).encode()
    response = httpx.Response(200, content=content, request=request)
    return Exchange(request, "/chat/completions", response, stream=None if stream is None else sse.Stream(((0.0, stream),)))


@pytest.mark.parametrize(("usage", "tokens"), [
    ({"prompt_tokens": 5, "completion_tokens": 7, "total_tokens": 12}, 12),
    ({"prompt_tokens": 5, "completion_tokens": 7}, 12),  # no total: input plus output
    ({"input_tokens": 3, "output_tokens": 4}, 7),  # a transcription's usage
    ({"total_tokens": True}, 0),  # not a count
    (None, 0),
])
def test_tokens_are_the_usage_of_the_answer(usage, tokens):
    assert budget.tokens(_exchange({"object": "chat.completion", "usage": usage})) == tokens


def test_a_streams_tokens_are_its_usage_chunk():
    chunks = [{"choices": [{"delta": {"content": "hi"}}], "usage": None}, {"choices": [], "usage": {"total_tokens": 9}}]
    body = b"".join(b"data: " + json.dumps(c).encode() + b"\n\n" for c in chunks) + b"data: [DONE]\n\n"
    assert budget.tokens(_exchange(stream=body)) == 9


def test_the_client_counts_every_attempt_and_a_streams_usage(emulator):
    spend = budget.Spend()
    client = Client(Target(emulator, api_key=KEY, max_retries=1), emulator, spend)
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}], "stream": True, "stream_options": {"include_usage": True}}
    streamed = client.stream("POST", "/chat/completions", json=body)
    usage = [p for p in streamed.stream.payloads if isinstance(p, dict) and p.get("usage")][-1]["usage"]
    assert (spend.requests, spend.tokens) == (1, usage["total_tokens"]) and usage["total_tokens"] > 0
    limited = client.request("GET", "/models", headers={"X-Conformance-Simulate": "rate-limit"})
    client.close()
    assert limited.status == 429 and len(limited.retries) == 1 and spend.requests == 3  # the 429 and its resend


def test_results_count_every_request_and_token_of_the_run(emulator, tmp_path, capsys):
    code, results = run_cases(tmp_path, emulator, "-k", "test_system_and_user_messages or test_stream_include_usage or test_file_content")
    rows = {c["id"].split("::")[1]: c for c in results["cases"]}
    streamed = rows["test_stream_include_usage[2]"]
    plain = json.loads(rows["test_system_and_user_messages"]["exchanges"][0]["response"]["body"])
    assert code == 0
    assert streamed["cost"]["requests"] == 1 and streamed["cost"]["tokens"] > 0
    assert rows["test_system_and_user_messages"]["cost"] == {"requests": 1, "tokens": plain["usage"]["total_tokens"]}
    # The upload and the read the case checks, the deletion of the uploaded file when it ends (and, as the
    # last case, the end-of-run sweep for this run's objects).
    assert rows["test_file_content"]["cost"]["requests"] >= len(rows["test_file_content"]["exchanges"]) + 1
    assert results["cost"]["requests"] == sum(c["cost"]["requests"] for c in results["cases"])
    assert results["cost"]["tokens"] == sum(c["cost"]["tokens"] for c in results["cases"]) > 0
    assert results["cost"]["stopped"] is None
    spent = f"{results['cost']['requests']} requests, {results['cost']['tokens']} tokens"
    assert spent in html.render(results) and f"openai-conformance: {spent}\n" in capsys.readouterr().out


def test_a_spent_budget_stops_the_run_with_its_reason(emulator, tmp_path):
    code, results = run_cases(tmp_path, emulator, "-k", "test_chat.py", "--budget-requests=2")
    ran = [c for c in results["cases"] if c["status"] == "pass"]
    skipped = [c for c in results["cases"] if c["status"] == "skip"]
    assert code == 1 and len(ran) == 2 and skipped  # cases not run never make a pass (openai-conformance run: exit 4)
    assert all(c["reason"] == "not run: request budget spent (2 of --budget-requests=2)" for c in skipped)
    assert results["summary"]["not_run"] == {"count": len(skipped), "causes": {"budget": {"count": len(skipped), "reason": "request budget spent (2 of --budget-requests=2)"}}}
    assert results["cost"]["requests"] == 2 and results["cost"]["stopped"] == skipped[0]["reason"]


def test_xdist_workers_share_the_budget(emulator, tmp_path):
    """Per-worker budgets would let two workers send about twice the budget; shared, the run passes it
    by at most one case per worker (these cases send one request each)."""
    selection = "test_chat.py or test_models.py or test_moderations.py or test_embeddings.py"
    code, results = run_cases(tmp_path, emulator, "-k", selection, "-n", "2", "--budget-requests=6")
    assert code == 1 and results["cost"]["requests"] <= 6 + 2
    assert all("request budget spent" in c["reason"] for c in results["cases"] if c["status"] == "skip")


def test_quick_depth_walks_one_list_of_each_kind_and_deep_every_one(emulator, tmp_path):
    _, quick = run_cases(tmp_path, emulator, "-k", "test_walk_after", "--depth=quick")
    _, deep = run_cases(tmp_path, emulator, "-k", "test_walk_after", "--depth=deep")
    assert [c["id"] for c in quick["cases"]] == ["test_pagination.py::test_walk_after[files]"]
    # files, assistants, jobs, events, input items, conversation items, vector stores, a store's files, a file batch's files, batches
    assert len(deep["cases"]) == 10 and {c["status"] for c in deep["cases"]} == {"pass"}


def test_an_unknown_depth_is_one_line_and_exit_code_2(capsys):
    code = pytest.main([str(CASES), "--rootdir", str(CASES), "-p", "no:cacheprovider", "--depth=forever"])
    error = capsys.readouterr().err.strip()
    assert code == 2 and error == "openai-conformance: --depth must be one of quick, deep, not 'forever'"


@pytest.mark.parametrize("vector", [[0.5, 1, -2.0], [0.5, "1", 2.0], [True], [0.1, None, [1]], []])
def test_the_validators_fast_path_gives_the_stock_verdicts(vector):
    """Type-only items are checked in one loop (conformance/validation.py); errors must not change."""
    instance = {"index": 0, "object": "embedding", "embedding": vector}
    stock = Draft202012Validator({"$ref": validation.BASE_URI + "embedding.json"}, registry=validation.registry())
    ours = validation.validator("embedding")

    def errors(validator):
        return sorted((list(e.absolute_path), e.message, [(list(c.absolute_path), c.message) for c in e.context]) for e in validator.iter_errors(instance))

    assert errors(ours) == errors(stock)


@pytest.mark.parametrize(("name", "item", "instance"), [
    ("chat.completion", None, {"id": "c", "object": "chat.completion", "created": -1, "model": 3, "choices": [{"index": 0, "message": {"role": "x"}}],
                               "usage": {"prompt_tokens": "1", "completion_tokens": 1, "total_tokens": 2}}),
    ("chat.completion.chunk", None, {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m", "choices": [{"index": "0", "delta": []}]}),
    ("list", "model", {"object": "list", "data": [{"id": "m", "object": "model", "created": "soon", "owned_by": None}, 7]}),
    ("error", None, {"error": {"message": None, "type": 1}}),
])
def test_inlined_references_give_the_stock_verdicts(name, item, instance):
    """References are inlined when a validator is built (conformance/validation.py): same errors, same paths."""
    schema = {"$ref": validation.BASE_URI + name + ".json"}
    if item:
        schema = {"allOf": [schema], "properties": {"data": {"items": {"$ref": validation.BASE_URI + item + ".json"}}}}
    stock = Draft202012Validator(schema, registry=validation.registry())

    def errors(validator):
        return sorted((list(e.absolute_path), e.validator, e.message) for e in validator.iter_errors(instance))

    assert errors(validation.validator(name, item)) == errors(stock) != []


def test_the_fast_validator_is_kept_across_schema_files():
    """Left in the files, "$schema" makes jsonschema switch back to its stock class at every $ref to another file."""
    ours = validation.validator("embedding.list", "embedding")
    resolved = validation.registry().resolver().lookup(validation.BASE_URI + "embedding.json").contents
    assert "$schema" not in resolved and type(ours.evolve(schema=resolved)) is validation.Validator

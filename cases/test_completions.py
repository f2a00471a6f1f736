"""Legacy completions (POST /completions), unstreamed and streamed."""

import pytest

from .test_embeddings import TOKENS  # ids below 256: every vocabulary holds them (see there)

pytestmark = [pytest.mark.capability("completions"), pytest.mark.reference("Completions > Create completion")]

MAX_TOKENS = 7
"""Small on purpose: the suite may run against a paid API."""


def completion(model: str, prompt: str = "Say this is a test", **parameters) -> dict:
    return {"model": model, "prompt": prompt, "max_tokens": MAX_TOKENS, "temperature": 0, **parameters}


def test_completion(api, models):
    api.post("/completions", json=completion(models.completions), expect=200)


@pytest.mark.parametrize(
    "parameters",
    [{"n": 2}, {"max_tokens": 1}, {"n": 3, "max_tokens": 5, "temperature": 0.7}],
    ids=lambda p: ",".join(f"{k}={v}" for k, v in p.items()),
)
def test_completion_parameters(api, models, parameters):
    api.post("/completions", json=completion(models.completions, **parameters), expect=200)


def test_completion_echo(api, models):
    api.post("/completions", json=completion(models.completions, echo=True), expect=200)


def test_completion_logprobs(api, models):
    # The legacy shape: parallel arrays (tokens, token_logprobs, top_logprobs, text_offset), not chat's {"content": [...]}.
    api.post("/completions", json=completion(models.completions, logprobs=2), expect=200)


@pytest.mark.parametrize("prompt", [TOKENS, [TOKENS, TOKENS[:2]]], ids=["token_array", "token_arrays"])
def test_completion_token_prompt(api, models, prompt):
    # The reference's prompt may be token ids: one array, or one array per prompt (choices grouped by prompt).
    api.post("/completions", json=completion(models.completions, prompt), expect=200)


def test_completion_unknown_model(api):
    api.post("/completions", json=completion("no-such-model-openai-conformance"), expect=404)


@pytest.mark.capability("completions-streaming")
@pytest.mark.reference("Streaming")
def test_completion_stream(api, models):
    api.stream("/completions", json=completion(models.completions), expect=200)


@pytest.mark.capability("completions-streaming")
@pytest.mark.reference("Streaming")
def test_completion_stream_matches_unstreamed(api, models):
    body = completion(models.completions, seed=1234)
    unstreamed = api.post("/completions", json=body, expect=200)
    api.stream("/completions", json=body, same_as=unstreamed, expect=200)


@pytest.mark.capability("completions-streaming")
@pytest.mark.reference("Streaming")
def test_completion_stream_n_with_usage(api, models):
    body = completion(models.completions, n=2, stream_options={"include_usage": True})
    api.stream("/completions", json=body, expect=200)

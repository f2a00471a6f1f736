"""Chat completions, streamed: server-sent-events framing and the invariants of the chunks.

Each streamed answer is read as it arrives and checked event by event (conformance/checks/streaming.py).
"""

import pytest

pytestmark = [pytest.mark.capability("chat-streaming"), pytest.mark.reference("Streaming")]

MAX_TOKENS = 16
"""Small on purpose: the suite may run against a paid API."""
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The current weather in a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}


def chat(model: str, content: str = "Say this is a test!", **parameters) -> dict:
    return {"model": model, "messages": [{"role": "user", "content": content}], "max_tokens": MAX_TOKENS, **parameters}


def test_stream_single_message(api, models):
    api.stream("/chat/completions", json=chat(models.chat), expect=200)


def test_stream_matches_unstreamed(api, models):
    # Deterministic where the target can be: temperature 0 and a seed.
    body = chat(models.chat, "Count to three.", temperature=0, seed=1234)
    unstreamed = api.post("/chat/completions", json=body, expect=200)
    api.stream("/chat/completions", json=body, same_as=unstreamed, expect=200)


def test_stream_n(api, models):
    api.stream("/chat/completions", json=chat(models.chat, n=2), expect=200)


def test_stream_cut_by_max_tokens(api, models):
    api.stream("/chat/completions", json=chat(models.chat, "Write a long story.", max_tokens=2), expect=200)


@pytest.mark.parametrize("n", [1, 2])
def test_stream_include_usage(api, models, n):
    api.stream("/chat/completions", json=chat(models.chat, n=n, stream_options={"include_usage": True}), expect=200)


@pytest.mark.parametrize("tool_choice", ["required", {"type": "function", "function": {"name": "get_weather"}}], ids=["required", "named"])
def test_stream_tool_call(api, models, tool_choice):
    body = chat(models.chat, "What is the weather in Paris?", tools=[WEATHER], tool_choice=tool_choice, max_tokens=64)
    api.stream("/chat/completions", json=body, expect=200)


def test_stream_invalid_request(api, models):
    # Invalid before generation starts: an HTTP error with the error object, not a 200 stream.
    api.stream("/chat/completions", json={"model": models.chat, "messages": [], "max_tokens": MAX_TOKENS}, expect=400)


@pytest.mark.capability("chat")
@pytest.mark.reference("Chat > Create chat completion")
def test_stream_options_without_stream(api, models):
    api.post("/chat/completions", json=chat(models.chat, stream=False, stream_options={"include_usage": True}), expect=400)

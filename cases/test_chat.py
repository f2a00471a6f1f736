"""Chat completions: the basics every compatible server must get right."""

import pytest

from .test_chat_streaming import WEATHER

pytestmark = [pytest.mark.capability("chat"), pytest.mark.reference("Chat > Create chat completion")]

MAX_TOKENS = 16
"""Small on purpose: the suite may run against a paid API."""


def chat(model: str, *messages: tuple[str, str], **parameters) -> dict:
    return {"model": model, "messages": [{"role": r, "content": c} for r, c in messages], "max_tokens": MAX_TOKENS, **parameters}


def test_single_user_message(api, models):
    api.post("/chat/completions", json=chat(models.chat, ("user", "Say this is a test!")), expect=200)


def test_system_and_user_messages(api, models):
    body = chat(models.chat, ("system", "You are a helpful assistant."), ("user", "Hello!"))
    api.post("/chat/completions", json=body, expect=200)


@pytest.mark.parametrize(
    "parameters",
    [
        {"temperature": 0},
        {"temperature": 2},
        {"top_p": 0.5},
        {"n": 2},
        {"max_tokens": 1},
        {"temperature": 0.7, "top_p": 1, "n": 3, "max_tokens": 5},
    ],
    ids=lambda p: ",".join(f"{k}={v}" for k, v in p.items()),
)
def test_sampling_parameters(api, models, parameters):
    api.post("/chat/completions", json=chat(models.chat, ("user", "Count to three."), **parameters), expect=200)


def test_json_object_response_format(api, models):
    body = chat(
        models.chat,
        ("system", "Reply with a JSON object."),
        ("user", 'Return {"answer": "yes"} as JSON.'),
        response_format={"type": "json_object"},
        max_tokens=64,
    )
    api.post("/chat/completions", json=body, expect=200)


@pytest.mark.parametrize("tool_choice", ["required", {"type": "function", "function": {"name": "get_weather"}}], ids=["required", "named"])
def test_forced_tool_call(api, models, tool_choice):
    # A forced tool_choice is obeyed: a tool call, of the named function when one is named (a call needs more than 16 tokens).
    body = chat(models.chat, ("user", "What is the weather in Paris?"), tools=[WEATHER], tool_choice=tool_choice, max_tokens=64)
    api.post("/chat/completions", json=body, expect=200)

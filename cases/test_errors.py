"""Errors: every rejection is the error object with the status the reference gives (authentication: test_auth.py;
invalid parameters: test_invalid_requests.py).

The error object, its Content-Type and its size are checked on every non-2xx answer of every
case by conformance/checks/errors.py and http.py; these cases provoke the rejections.
"""

import json

import pytest

from conformance.emulator.admission import RATE_LIMIT, SIMULATE_HEADER

LARGE_INPUT_BYTES = 256 * 1024
"""Far above the error body bound (errors.MAX_ERROR_BYTES); rejected before any model runs, so free."""


@pytest.mark.capability("chat")
@pytest.mark.reference("Chat > Create chat completion")
def test_unknown_model(api):
    body = {"model": "no-such-model-openai-conformance", "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 1}
    api.post("/chat/completions", json=body, expect=404)


def _chat(models, **parameters) -> dict:
    return {"model": models.chat, "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 1, **parameters}


@pytest.mark.capability("models")
@pytest.mark.reference("Making requests")
def test_unknown_route(api):
    api.get("/openai-conformance-no-such-route", expect=404)


@pytest.mark.capability("models")
@pytest.mark.reference("Making requests")
def test_wrong_method(api):
    api.request("PUT", "/models", json={}, expect=(404, 405))


@pytest.mark.capability("chat")
@pytest.mark.reference("Making requests")
def test_invalid_json_body(api, models):
    text = json.dumps(_chat(models))[:-1]  # the closing brace is missing
    api.post("/chat/completions", content=text.encode(), headers={"Content-Type": "application/json"}, expect=400)


@pytest.mark.capability("chat")
@pytest.mark.reference("Making requests")
def test_body_not_an_object(api, models):
    api.post("/chat/completions", json=[_chat(models)], expect=400)


@pytest.mark.capability("chat")
@pytest.mark.reference("Making requests")
def test_wrong_content_type(api, models):
    api.post("/chat/completions", json=_chat(models), headers={"Content-Type": "text/plain"}, expect=(400, 415))


@pytest.mark.capability("chat")
@pytest.mark.reference("Chat > Create chat completion")
def test_large_invalid_input(api, models):
    # A temperature that is a 256 KiB string: the error names the parameter, it does not repeat it.
    api.post("/chat/completions", json=_chat(models, temperature="x" * LARGE_INPUT_BYTES), expect=400)


@pytest.mark.capability("models")
@pytest.mark.reference("Debugging requests > Rate limiting information")
def test_rate_limited(api):
    """A 429 on demand exists only on the reference emulator (its X-Conformance-Simulate header); other
    targets ignore the header and answer 200, and the 429 checks then apply to any 429 they send."""
    exchange = api.get("/models", headers={SIMULATE_HEADER: RATE_LIMIT}, expect=(429, 200))
    if exchange.status == 200:
        pytest.skip(f"the target offers no way to provoke a 429 ({SIMULATE_HEADER} is the reference emulator's)")

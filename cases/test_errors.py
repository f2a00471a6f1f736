"""Error basics: authentication, unknown model, missing required parameter."""

import pytest

from conformance.transport import OMIT


@pytest.mark.capability("models")
@pytest.mark.reference("Authentication")
def test_missing_api_key(api):
    api.get("/models", headers={"Authorization": OMIT}, expect=401)


@pytest.mark.capability("chat")
@pytest.mark.reference("Chat > Create chat completion")
def test_unknown_model(api):
    body = {"model": "no-such-model-openai-conformance", "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 1}
    api.post("/chat/completions", json=body, expect=404)


@pytest.mark.capability("chat")
@pytest.mark.reference("Chat > Create chat completion")
def test_missing_messages(api, models):
    api.post("/chat/completions", json={"model": models.chat}, expect=400)

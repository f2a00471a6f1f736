"""Models: list and retrieve."""

import pytest

pytestmark = pytest.mark.capability("models")


@pytest.mark.reference("Models > List models")
def test_list_models(api):
    api.get("/models", expect=200)


@pytest.mark.reference("Models > Retrieve model")
def test_retrieve_model(api, models):
    api.get(f"/models/{models.chat}", expect=200)


@pytest.mark.reference("Models > Retrieve model")
def test_retrieve_unknown_model(api):
    api.get("/models/no-such-model-openai-conformance", expect=404)

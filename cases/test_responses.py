"""The Responses API (POST /responses and the stored responses): the basic operations, each through every generic check.

Every response a case creates carries the run's marker in its metadata and is deleted when the
case ends (Operation.undo; a streamed one too). Answers are kept small: the reference's minimum
max_output_tokens (16), and only one background response.
"""

import pytest

pytestmark = pytest.mark.capability("responses")

MAX_OUTPUT_TOKENS = 16
"""The reference's minimum, and small on purpose: the suite may run against a paid API."""
STORE = pytest.mark.capability("responses-store")


def response(models, resources, text: str = "Say this is a test!", **parameters) -> dict:
    return {"model": models.chat, "input": text, "max_output_tokens": MAX_OUTPUT_TOKENS, "metadata": dict(resources.metadata), **parameters}


def create(api, body: dict, expect: int = 200):
    return api.post("/responses", json=body, expect=expect)


@pytest.mark.reference("Responses > Create a model response")
def test_create_response(api, models, resources):
    create(api, response(models, resources))


@pytest.mark.reference("Responses > Create a model response")
def test_create_response_streamed(api, models, resources):
    api.stream("/responses", json=response(models, resources), expect=200)


@STORE
@pytest.mark.reference("Responses > Get a model response")
def test_retrieve_response(api, models, resources):
    response_id = create(api, response(models, resources)).data["id"]
    api.get(f"/responses/{response_id}", expect=200)


@STORE
@pytest.mark.reference("Responses > Delete a model response")
def test_delete_response(api, models, resources):
    response_id = create(api, response(models, resources)).data["id"]
    api.delete(f"/responses/{response_id}", expect=200)
    api.get(f"/responses/{response_id}", expect=404)


@STORE
@pytest.mark.reference("Responses > List input items")
def test_list_input_items(api, models, resources):
    body = response(models, resources, input=[{"role": "user", "content": "Say this is a test!"}, {"role": "user", "content": "Only that."}])
    response_id = create(api, body).data["id"]
    api.get(f"/responses/{response_id}/input_items", expect=200)


@pytest.mark.capability("responses-background")
@pytest.mark.reference("Responses > Cancel a response")
def test_cancel_background_response(api, models, resources):
    response_id = create(api, response(models, resources, background=True)).data["id"]
    api.post(f"/responses/{response_id}/cancel", expect=200)

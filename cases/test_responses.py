"""The Responses API (POST /responses): the basic operations, each through every generic check (stored state: test_responses_state.py).

Every response a case creates carries the run's marker in its metadata and is deleted when the
case ends (Operation.undo; a streamed one too). Answers are kept small: the reference's minimum
max_output_tokens (16), and only one background response.
"""

import pytest

pytestmark = pytest.mark.capability("responses")

MAX_OUTPUT_TOKENS = 16
"""The reference's minimum, and small on purpose: the suite may run against a paid API."""


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

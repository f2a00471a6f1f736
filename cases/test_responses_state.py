"""The stored state of the Responses API: retrieve, delete, store: false, previous_response_id, input_items, cancel.

Each request that reads state names the exchange it is judged against (``same_as``: the create, or
the cancel), so conformance/checks/responses_state.py can say what was asked for. Every response
a case creates carries the run's marker and is deleted when the case ends (a store: false one too,
in case the target kept it). Small on purpose: max_output_tokens 16 everywhere, one background
response; the costlier variations are ``deep``.
"""

import pytest

from conformance.resources import streamed_id
from conformance.steps import CannotContinue

from .test_responses import create, response

pytestmark = [pytest.mark.capability("responses"), pytest.mark.capability("responses-store")]

UNKNOWN_RESPONSE = "resp_openai-conformance-no-such-response"
"""A previous_response_id no target has."""
REJECTED = (400, 404)
"""How the reference refuses a previous_response_id it cannot use: not found, or invalid."""
TWO_MESSAGES = [{"role": "user", "content": "Say this is a test!"}, {"role": "user", "content": "Only that."}]


def _follow_up(api, models, resources, previous_id: str, expect, same_as=None, **parameters):
    body = response(models, resources, "Say it once more.", previous_response_id=previous_id, **parameters)
    return api.request("POST", "/responses", json=body, expect=expect, same_as=same_as)


@pytest.mark.reference("Responses > Get a model response")
def test_retrieve_response(api, models, resources):
    created = create(api, response(models, resources))
    api.get(f"/responses/{created.needed('id')}", expect=(200, 404), same_as=created)  # responses.stored judges a 404


@pytest.mark.reference("Responses > Get a model response")
def test_retrieve_streamed_response(api, models, resources):
    """A streamed response is kept like an unstreamed one (store defaults to true): GET answers it as its stream ended."""
    created = api.stream("/responses", json=response(models, resources), expect=200)
    if (response_id := streamed_id(created)) is None:
        raise CannotContinue(f"{created.description}: its events carry no response id, and the case's next step needs it")
    api.get(f"/responses/{response_id}", expect=(200, 404), same_as=created)  # responses.stored judges a 404


@pytest.mark.reference("Responses > Delete a model response")
def test_delete_response(api, models, resources):
    response_id = create(api, response(models, resources)).needed("id")
    api.delete(f"/responses/{response_id}", expect=200)
    api.get(f"/responses/{response_id}", expect=404)


@pytest.mark.reference("Responses > Get a model response")
def test_not_stored_response(api, models, resources):
    """store: false: nothing is kept, so GET is 404 and previous_response_id cannot name it."""
    created = create(api, response(models, resources, store=False))
    api.get(f"/responses/{created.needed('id')}", expect=(200, 404), same_as=created)
    _follow_up(api, models, resources, created.needed("id"), expect=REJECTED)


@pytest.mark.reference("Responses > Create a model response")
def test_previous_response(api, models, resources):
    first = create(api, response(models, resources))
    _follow_up(api, models, resources, first.needed("id"), expect=200, same_as=first)


@pytest.mark.reference("Responses > Create a model response")
def test_unknown_previous_response(api, models, resources):
    _follow_up(api, models, resources, UNKNOWN_RESPONSE, expect=REJECTED)


@pytest.mark.reference("Responses > List input items")
def test_list_input_items(api, models, resources):
    created = create(api, response(models, resources, input=TWO_MESSAGES))
    api.get(f"/responses/{created.needed('id')}/input_items", expect=200, same_as=created)  # the default order: desc


@pytest.mark.deep
@pytest.mark.reference("Responses > List input items")
def test_previous_response_input_items(api, models, resources):
    """Of a chained response, input_items may list the whole context or only the new input: the new input must be there."""
    first = create(api, response(models, resources))
    second = _follow_up(api, models, resources, first.needed("id"), expect=200, same_as=first, input=TWO_MESSAGES)
    api.get(f"/responses/{second.needed('id')}/input_items?order=asc&limit=100", expect=200, same_as=second)


@pytest.mark.capability("responses-background")
@pytest.mark.reference("Responses > Cancel a response")
def test_cancel_background_response(api, models, resources):
    created = create(api, response(models, resources, background=True))
    cancelled = api.request("POST", f"/responses/{created.needed('id')}/cancel", expect=200, same_as=created)
    api.get(f"/responses/{created.needed('id')}", expect=200, same_as=cancelled)


@pytest.mark.capability("responses-background")
@pytest.mark.reference("Responses > Cancel a response")
def test_cancel_response_not_in_background(api, models, resources):
    """Only background responses can be cancelled: any other is refused (400 on the real API); responses.cancel-background-only judges a 2xx."""
    created = create(api, response(models, resources))
    api.request("POST", f"/responses/{created.needed('id')}/cancel", expect=(200, 400, 404, 409), same_as=created)

"""Invalid requests derived from the request schemas: one per constraint, each changing one field of a valid body.

Each must be rejected with 400 and the error object (never 200, never a 5xx), its error.param naming the
field (a should). A 400 costs no tokens on a paid API, so every constraint is tried in every depth; the case
ids name the constraint (``POST /chat/completions temperature>2``), so results show which one a target ignores.
See conformance/invalid_requests.py for what is derived and how.

A rejection says something only if the body it changes is accepted: the base body of each operation is sent
once per run (per worker) first. When the target rejects it, the operation's invalid requests are skipped as
not judged, with the target's answer: their 400s would be for the base body, not for the field they change.
The rejection itself is a departure that the operation's own cases report, once.
"""

import pytest

from conformance.invalid_requests import base, requests, with_model
from conformance.resources import BETA


def _headers(operation):
    return BETA if operation.capability == "assistants" else None  # without it the assistants API answers 400 anyway


@pytest.fixture(scope="session")
def base_rejection(conformance_client, resources, models):
    """Why the target rejects an operation's base body ("" when it accepts it), asked once per operation."""
    asked: dict[str, str] = {}

    def rejection(operation) -> str:
        if operation.key not in asked:
            exchange = conformance_client.request("POST", operation.template, json=with_model(base(operation), models.of(operation.capability)), headers=_headers(operation))
            resources.track(exchange)  # an accepted base body creates what the create operations create
            if exchange.response is None:
                asked[operation.key] = f"no answer ({exchange.transport_error})"
            elif not exchange.ok:
                asked[operation.key] = f"HTTP {exchange.status}: {exchange.response.text[:200]}"
            else:
                asked[operation.key] = ""
        return asked[operation.key]

    return rejection


@pytest.mark.parametrize(
    "invalid",
    [pytest.param(r, id=r.id, marks=[pytest.mark.capability(r.operation.capability), pytest.mark.reference(r.operation.section)]) for r in requests()],
)
def test_invalid_request(api, models, base_rejection, invalid):
    operation = invalid.operation
    if why := base_rejection(operation):
        pytest.skip(f"not judged: the base body is rejected ({why})")
    api.post(operation.template, json=invalid.sent(models.of(operation.capability)), headers=_headers(operation), param=invalid.param, expect=400)

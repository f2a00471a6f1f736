"""Invalid requests derived from the request schemas: one per constraint, each changing one field of a valid body.

Each must be rejected with 400 and the error object (never 200, never a 5xx), its error.param naming the
field (a should). A 400 costs no tokens on a paid API, so every constraint is tried in every depth; the case
ids name the constraint (``POST /chat/completions temperature>2``), so results show which one a target ignores.
See conformance/invalid_requests.py for what is derived and how.
"""

import pytest

from conformance.invalid_requests import requests
from conformance.resources import BETA


@pytest.mark.parametrize(
    "invalid",
    [pytest.param(r, id=r.id, marks=[pytest.mark.capability(r.operation.capability), pytest.mark.reference(r.operation.section)]) for r in requests()],
)
def test_invalid_request(api, models, invalid):
    operation = invalid.operation
    headers = BETA if operation.capability == "assistants" else None  # without it the assistants API answers 400 anyway
    api.post(operation.template, json=invalid.sent(models.of(operation.capability)), headers=headers, param=invalid.param, expect=400)

"""Authentication: a Bearer key is required, checked, and accepted alike on every endpoint."""

import re
import secrets

import pytest

from conformance.operations import OPERATIONS
from conformance.resources import BETA
from conformance.transport import OMIT

pytestmark = pytest.mark.reference("Authentication")

ABSENT = "openai-conformance-nonexistent"
"""Fills every path parameter: the request reaches its endpoint and finds nothing."""


@pytest.mark.capability("models")
def test_missing_api_key(api):
    api.get("/models", headers={"Authorization": OMIT}, expect=401)


@pytest.mark.capability("models")
def test_non_bearer_scheme(api, target):
    # The right key under another scheme: only the scheme is wrong. The curl in a message hides the key.
    api.get("/models", headers={"Authorization": f"Token {target.api_key}"}, expect=401)


@pytest.mark.capability("models")
def test_unknown_key(api):
    api.get("/models", headers={"Authorization": f"Bearer openai-conformance-unknown-{secrets.token_hex(16)}"}, expect=401)


def _probe(operation) -> tuple[str, int | tuple[int, ...]]:
    """A request to the operation that no target may answer 401 with a valid key, and what it must get instead.

    Nothing is created: a POST sends a JSON array, which no operation accepts as its body.
    """
    path = re.sub(r"\{\w+\}", ABSENT, operation.template)
    if operation.method == "POST":
        return path, (400, 404, 415) if path != operation.template else (400, 415)
    return path, 404 if path != operation.template else 200


@pytest.mark.parametrize(
    "operation",
    [pytest.param(op, id=op.key, marks=pytest.mark.capability(op.capability)) for op in OPERATIONS],
)
def test_key_accepted_on_every_operation(api, operation):
    path, expect = _probe(operation)
    api.request(operation.method, path, json=[] if operation.method == "POST" else OMIT, headers=BETA, expect=expect)

"""Assistants (OpenAI-Beta: assistants=v2): create, retrieve, modify, delete, list, and the reference's limits.

Every assistant carries the run's marker in its metadata and is deleted when its case ends.
"""

import pytest

pytestmark = pytest.mark.capability("assistants")

BETA = {"OpenAI-Beta": "assistants=v2"}
LIMITS = {"name": 256, "description": 512, "instructions": 256_000}
MAX_METADATA_PAIRS, MAX_TOOLS = 16, 128


def assistant(models, resources, **fields) -> dict:
    return {"model": models.chat, "name": "openai-conformance", "metadata": dict(resources.metadata), **fields}


def create(api, body: dict, expect: int = 200):
    return api.post("/assistants", json=body, headers=BETA, expect=expect)


def _at(limit_name: str, size: int, resources) -> dict:
    """A field of the given size; metadata always keeps the run's marker among its pairs."""
    if limit_name == "metadata":
        return {"metadata": {**{f"k{i}": "v" for i in range(size - 1)}, **resources.metadata}}
    if limit_name == "tools":
        return {"tools": [{"type": "function", "function": {"name": f"f{i}"}} for i in range(size)]}
    return {limit_name: "x" * size}


SIZES = {**LIMITS, "metadata": MAX_METADATA_PAIRS, "tools": MAX_TOOLS}


@pytest.mark.reference("Assistants > Create assistant")
def test_create_and_retrieve_assistant(api, models, resources):
    body = assistant(models, resources, instructions="You are a personal math tutor.", tools=[{"type": "code_interpreter"}])
    assistant_id = create(api, body).needed("id")
    api.get(f"/assistants/{assistant_id}", headers=BETA, expect=200)


@pytest.mark.reference("Assistants > Modify assistant")
def test_modify_assistant(api, models, resources):
    assistant_id = create(api, assistant(models, resources)).needed("id")
    change = {"name": "openai-conformance renamed", "description": "Modified by the suite.", "metadata": {**resources.metadata, "step": "2"}}
    api.post(f"/assistants/{assistant_id}", json=change, headers=BETA, expect=200)


@pytest.mark.reference("Assistants > Delete assistant")
def test_delete_assistant(api, models, resources):
    assistant_id = create(api, assistant(models, resources)).needed("id")
    api.delete(f"/assistants/{assistant_id}", headers=BETA, expect=200)
    api.get(f"/assistants/{assistant_id}", headers=BETA, expect=404)


@pytest.mark.reference("Assistants > List assistants")
@pytest.mark.parametrize("query", ["", "?limit=2&order=desc", "?limit=1&order=asc"], ids=["default", "desc", "asc"])
def test_list_assistants(api, models, resources, query):
    create(api, assistant(models, resources))
    api.get(f"/assistants{query}", headers=BETA, expect=200)


@pytest.mark.reference("Assistants > Create assistant")
@pytest.mark.parametrize("limit", SIZES)
def test_assistant_at_limits(api, models, resources, limit):
    create(api, assistant(models, resources, **_at(limit, SIZES[limit], resources)))


@pytest.mark.reference("Assistants > Create assistant")
def test_assistant_tools_limit_exceeded(api, models, resources):
    # The other limits are derived from the request schema (test_invalid_requests.py); tools are left out of it.
    create(api, assistant(models, resources, **_at("tools", MAX_TOOLS + 1, resources)), expect=400)


@pytest.mark.reference("Assistants > List assistants")
def test_assistants_without_beta_header(api):
    api.get("/assistants", expect=400)  # a read: a target that ignores the header creates nothing


@pytest.mark.reference("Assistants > Retrieve assistant")
@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_unknown_assistant(api, method):
    api.request(method, "/assistants/asst_openai_conformance_no_such", headers=BETA, expect=404)

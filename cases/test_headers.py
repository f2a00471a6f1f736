"""Request and response headers: request ids, X-Client-Request-Id limits, organization and project headers.

The response headers themselves (x-request-id, openai-*, x-ratelimit-*) are checked on every
exchange of every case by conformance/checks/headers.py; these cases add the requests that
exercise them.
"""

import pytest

MAX_CLIENT_REQUEST_ID = 512
PLACEHOLDER_ORGANIZATION = "org-openai-conformance"
PLACEHOLDER_PROJECT = "proj_openai_conformance"


@pytest.mark.capability("models")
@pytest.mark.reference("Debugging requests")
def test_request_ids_differ(api):
    # Two answers in a row: headers.request-id-unique compares each x-request-id with the earlier ones.
    api.get("/models", expect=200)
    api.get("/models", expect=200)


def _one_token(models) -> dict:
    return {"model": models.chat, "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 1}


@pytest.mark.capability("chat")
@pytest.mark.reference("Debugging requests > Supplying your own request ID with X-Client-Request-Id")
def test_client_request_id_of_512_ascii_characters(api, models):
    api.post("/chat/completions", json=_one_token(models), headers={"X-Client-Request-Id": "a" * MAX_CLIENT_REQUEST_ID}, expect=200)


@pytest.mark.capability("chat")
@pytest.mark.reference("Debugging requests > Supplying your own request ID with X-Client-Request-Id")
def test_client_request_id_too_long(api, models):
    api.post("/chat/completions", json=_one_token(models), headers={"X-Client-Request-Id": "a" * (MAX_CLIENT_REQUEST_ID + 1)}, expect=400)


@pytest.mark.capability("chat")
@pytest.mark.reference("Debugging requests > Supplying your own request ID with X-Client-Request-Id")
def test_client_request_id_not_ascii(api, models):
    # httpx sends only ASCII header strings; bytes go on the wire as they are (here UTF-8).
    api.post("/chat/completions", json=_one_token(models), headers={"X-Client-Request-Id": "requête-1".encode()}, expect=400)


def _named(configured: str | None, placeholder: str, option: str, target) -> str:
    """The value the user configured; else a placeholder, which the real API would reject for this key."""
    if configured:
        return configured
    if target.base_url and "api.openai.com" in target.base_url:
        pytest.skip(f"pass {option}: the real API accepts only organizations and projects the key belongs to")
    return placeholder


@pytest.mark.capability("models")
@pytest.mark.reference("Authentication")
def test_organization_header(api, target):
    organization = _named(target.organization, PLACEHOLDER_ORGANIZATION, "--organization", target)
    api.get("/models", headers={"OpenAI-Organization": organization}, expect=200)


@pytest.mark.capability("models")
@pytest.mark.reference("Authentication")
def test_project_header(api, target):
    project = _named(target.project, PLACEHOLDER_PROJECT, "--project", target)
    api.get("/models", headers={"OpenAI-Project": project}, expect=200)

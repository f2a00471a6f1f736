"""What every emulator request passes before its handler: authentication and the request headers the reference constrains.

Also the emulator's one control header: ``X-Conformance-Simulate: rate-limit`` answers 429 as the
real API does when a limit is reached (with x-ratelimit-* and retry-after), so the suite and any
client testing its retry logic can get a rate-limited answer on demand. Other targets ignore it.
"""

from __future__ import annotations

from starlette.requests import Request

from conformance.emulator.errors import APIError
from conformance.emulator.faults import active, declare

NO_AUTH = declare("no-auth", "http.status", "test_missing_api_key", "authentication not enforced")
SCHEME_IGNORED = declare("auth-scheme-ignored", "http.status", "test_non_bearer_scheme", "any Authorization scheme accepted, not only Bearer")
ANY_KEY = declare("any-key-accepted", "http.status", "test_unknown_key", "any key accepted")
KEY_REJECTED_ON_CHAT = declare("key-rejected-on-chat", "http.status", "test_key_accepted_on_every_operation", "chat completions reject the key the other endpoints accept")
CLIENT_ID_LENGTH_UNCHECKED = declare("client-request-id-length-unchecked", "http.status", "test_client_request_id_too_long", "X-Client-Request-Id longer than 512 characters accepted")
CLIENT_ID_ASCII_UNCHECKED = declare("client-request-id-ascii-unchecked", "http.status", "test_client_request_id_not_ascii", "non-ASCII X-Client-Request-Id accepted")
CLIENT_ID_OFF_BY_ONE = declare("client-request-id-off-by-one", "http.status", "test_client_request_id_of_512_ascii_characters", "an X-Client-Request-Id of exactly 512 characters rejected")
ORGANIZATION_REJECTED = declare("organization-rejected", "http.status", "test_organization_header", "a request naming an OpenAI-Organization rejected with 401")
PROJECT_REJECTED = declare("project-rejected", "http.status", "test_project_header", "a request naming an OpenAI-Project rejected with 401")

SIMULATE_HEADER = "X-Conformance-Simulate"
RATE_LIMIT = "rate-limit"
MAX_CLIENT_REQUEST_ID = 512


def admit(request: Request, api_key: str | None) -> None:
    """Raise the reference's error for a request that may not reach its handler."""
    _authenticate(request, api_key)
    _check_client_request_id(request)
    if request.headers.get(SIMULATE_HEADER, "").strip().lower() == RATE_LIMIT:
        raise APIError(429, "Rate limit reached for requests per min (RPM): Limit 10000, Used 10000, Requested 1. Please try again in 1s.",
                       type="requests", code="rate_limit_exceeded")


def _authenticate(request: Request, api_key: str | None) -> None:
    if active(request, NO_AUTH):
        return
    scheme, _, key = request.headers.get("authorization", "").strip().partition(" ")
    # The scheme is case-insensitive (RFC 9110), so "bearer" is Bearer.
    if not key.strip() or (scheme.lower() != "bearer" and not active(request, SCHEME_IGNORED)):
        raise APIError(401, "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).")
    rejected = api_key is not None and key.strip() != api_key and not active(request, ANY_KEY)
    if rejected or (active(request, KEY_REJECTED_ON_CHAT) and request.url.path.endswith("/chat/completions")):
        raise APIError(401, "Incorrect API key provided.", code="invalid_api_key")
    # The emulator has no organizations or projects of its own: it accepts any it is told about.
    if active(request, ORGANIZATION_REJECTED) and "openai-organization" in request.headers:
        raise APIError(401, "No such organization.", code="invalid_organization")
    if active(request, PROJECT_REJECTED) and "openai-project" in request.headers:
        raise APIError(401, "No such project.", code="invalid_project")


def _check_client_request_id(request: Request) -> None:
    # Starlette decodes header bytes as latin-1, so UTF-8 or latin-1 input shows as non-ASCII characters.
    value = request.headers.get("x-client-request-id")
    if value is None:
        return
    limit = MAX_CLIENT_REQUEST_ID - 1 if active(request, CLIENT_ID_OFF_BY_ONE) else MAX_CLIENT_REQUEST_ID
    too_long = len(value) > limit and not active(request, CLIENT_ID_LENGTH_UNCHECKED)
    if too_long or (not value.isascii() and not active(request, CLIENT_ID_ASCII_UNCHECKED)):
        raise APIError(400, f"Invalid X-Client-Request-Id header: it must contain only ASCII characters and be at most {MAX_CLIENT_REQUEST_ID} characters long.")

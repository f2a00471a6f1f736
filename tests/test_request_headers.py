"""Request-side headers and the operation table the authentication case walks."""

from __future__ import annotations

from conformance.checks import REGISTRY, Finding, Violation
from conformance.config import Target
from conformance.operations import OPERATIONS
from conformance.profile import CAPABILITIES
from conformance.transport import Client
from tests.conftest import KEY


def test_non_ascii_header_bytes_reach_the_target_and_messages_still_render(emulator):
    client = Client(Target(base_url=emulator, api_key=KEY), emulator)
    try:
        exchange = client.request("GET", "/models", headers={"X-Client-Request-Id": "requête-1".encode()})
    finally:
        client.close()
    assert (b"X-Client-Request-Id", "requête-1".encode()) in exchange.request.headers.raw
    assert exchange.status == 400 and "X-Client-Request-Id" in exchange.data["error"]["message"]
    message = Violation(REGISTRY["http.status"], Finding("HTTP 200", "HTTP 400"), exchange).message()
    assert "x-client-request-id: requête-1" in message and KEY not in message


def test_every_operation_names_a_known_capability():
    # The key-accepted-everywhere case (cases/test_auth.py) is skipped by capability like any other case.
    for operation in OPERATIONS:
        assert operation.capability in CAPABILITIES, f"{operation.key}: capability {operation.capability!r} is not one of {CAPABILITIES}"


def test_emulator_accepts_what_the_reference_allows(emulator):
    """Lower-case "bearer" (schemes are case-insensitive), a charset on the JSON type, a 512-character client id."""
    client = Client(Target(base_url=emulator, api_key=KEY), emulator)
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 1}
    try:
        answers = [
            client.request("GET", "/models", headers={"Authorization": f"bearer {KEY}"}),
            client.request("POST", "/chat/completions", json=body, headers={"Content-Type": "application/json; charset=utf-8"}),
            client.request("POST", "/chat/completions", json=body, headers={"X-Client-Request-Id": "x" * 512}),
        ]
    finally:
        client.close()
    assert [a.status for a in answers] == [200, 200, 200]

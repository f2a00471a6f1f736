"""Violation messages: the check, the section, expected vs seen, the pointer, request ids, and a curl without the key."""

from __future__ import annotations

import re
import subprocess

import httpx

from conformance.checks import REGISTRY, Finding, Violation
from conformance.exchange import Exchange

KEY = "sk-very-secret-key-0123456789"


def _exchange(body: dict) -> Exchange:
    request = httpx.Request("POST", "http://127.0.0.1:1/v1/chat/completions", json=body,
                            headers={"Authorization": f"Bearer {KEY}", "X-Client-Request-Id": "cid-1"})
    response = httpx.Response(200, headers={"x-request-id": "req_1"}, json={"echo": KEY})
    return Exchange(request=request, path="/chat/completions", response=response, secrets=(KEY,))


def test_curl_reproduces_the_request_without_the_key():
    curl = _exchange({"model": "m", "note": f"contains {KEY}"}).curl()
    assert KEY not in curl
    assert '-H "authorization: Bearer $OPENAI_API_KEY"' in curl
    assert curl.startswith("curl -X POST http://127.0.0.1:1/v1/chat/completions")
    assert "--data-raw '{\"model\":\"m\"" in curl


def test_curl_of_a_body_with_control_or_non_utf8_bytes_is_one_pastable_line_that_sends_those_bytes():
    """A generated body may hold a NUL (no command line can) or bytes that are not UTF-8: printf writes them."""
    body = b'{"content": "a\x00b\x1d%s\\ \'q\'"}\xff\n' + KEY.encode()
    request = httpx.Request("POST", "http://127.0.0.1:1/v1/embeddings", content=body, headers={"Authorization": f"Bearer {KEY}"})
    curl = Exchange(request=request, path="/embeddings", response=None, secrets=(KEY,)).curl()
    assert not re.search(r"[\x00-\x1f\x7f\ufffd]", curl) and KEY not in curl
    assert curl.endswith("--data-binary @-") and '-H "authorization: Bearer $OPENAI_API_KEY"' in curl
    printf = curl.split(" | curl ", 1)[0]
    sent = subprocess.run(["sh", "-c", printf], capture_output=True, timeout=10, check=True).stdout
    assert sent == body.replace(KEY.encode(), b"$OPENAI_API_KEY")


def test_violation_message_is_actionable_and_redacted():
    ex = _exchange({"model": "m", "messages": []})
    message = Violation(REGISTRY["chat.choices-count"], Finding("1 choice", f"0 choices {KEY}", "/choices"), ex).message()
    for part in ("[must] chat.choices-count", "reference: Chat > Create chat completion", "expected:  1 choice",
                 "seen:      0 choices", "at:        /choices", "x-request-id: req_1", "x-client-request-id: cid-1", "reproduce: curl"):
        assert part in message
    assert KEY not in message


def test_exchange_knows_its_operation_and_path_parameters():
    ex = Exchange(request=httpx.Request("GET", "http://h/v1/models/meta-llama/Llama-3"), path="/models/meta-llama/Llama-3", response=None)
    assert ex.operation.key == "GET /models/{model}" and ex.path_params == {"model": "meta-llama/Llama-3"}

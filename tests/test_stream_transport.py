"""Reading a stream never hangs: a stall, an endless trickle and an endless stream each stop with a clear reason."""

from __future__ import annotations

import pytest

from conformance.config import Target
from conformance.transport import MAX_STREAM_BYTES, STREAM_DEADLINE_FACTOR, Client
from tests.conftest import KEY, with_fault

TIMEOUT = 0.5
CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 16, "stream": True}


@pytest.mark.parametrize(
    "fault, reason",
    [
        ("stream-stall", f"the stream stalled: no byte for {TIMEOUT:g} s"),
        ("stream-trickle", f"the stream was still going after {STREAM_DEADLINE_FACTOR * TIMEOUT:g} s"),
        ("stream-endless", f"the stream passed {MAX_STREAM_BYTES} bytes without ending"),
    ],
)
def test_stream_stops_with_its_reason(fault, reason, emulator):
    base_url = with_fault(emulator, fault)
    client = Client(Target(base_url=base_url, api_key=KEY, request_timeout=TIMEOUT), base_url)
    try:
        exchange = client.stream("POST", "/chat/completions", json=CHAT)
    finally:
        client.close()
    assert exchange.status == 200
    assert exchange.stream.interrupted.startswith(reason)
    assert exchange.stream.events  # what arrived before is kept
    assert exchange.response.content.startswith(b"data: ")


def test_streamed_error_status_is_an_ordinary_exchange(emulator):
    client = Client(Target(base_url=emulator, api_key=KEY), emulator)
    exchange = client.stream("POST", "/chat/completions", json={**CHAT, "messages": []})
    client.close()
    assert exchange.status == 400 and exchange.data["error"]["param"] == "messages"
    assert exchange.stream.interrupted is None
    assert exchange.curl().startswith("curl -N -X POST")  # the reproduction streams too

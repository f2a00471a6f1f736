"""The WebSocket session machinery (conformance/websocket.py): recorded frames, bounded waits, refusals, reproduction."""

from __future__ import annotations

import threading
import time

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from conformance.checks import Expect, evaluate
from conformance.config import Target
from conformance.emulator.server import WEBSOCKETS
from conformance.reporting.record import exchange_record
from conformance.transport import Client

KEY = "sk-socket-test-key-123456"


async def echo(websocket: WebSocket) -> None:
    """Refuses a wrong key with 401 before the upgrade; echoes each text frame as {"type": "echo", "data": ...};
    "quiet" gets no answer, "bye" a close 4000, "raw" two frames that are no events (binary, then two JSON objects)."""
    if websocket.headers.get("authorization") != f"Bearer {KEY}":
        await websocket.send_denial_response(JSONResponse({"error": {"message": "bad key", "type": "invalid_request_error", "param": None, "code": "invalid_api_key"}}, status_code=401))
        return
    await websocket.accept()
    await websocket.send_json({"type": "session.created", "model": websocket.query_params.get("model")})
    try:
        while True:
            text = await websocket.receive_text()
            if text == "bye":
                await websocket.close(4000, "asked to leave")
                return
            if text == "raw":
                await websocket.send_bytes(b"\x00\x01")
                await websocket.send_text('{"type": "a"}{"type": "b"}')
            elif text != "quiet":
                await websocket.send_json({"type": "echo", "data": text})
    except WebSocketDisconnect:
        pass  # the client left


@pytest.fixture(scope="module")
def base_url():
    config = uvicorn.Config(Starlette(routes=[WebSocketRoute("/v1/echo", echo)]), host="127.0.0.1", port=0, log_level="warning", ws=WEBSOCKETS, lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    yield f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}/v1"
    server.should_exit = True
    thread.join(5)


def client(base_url: str, key: str = KEY, timeout: float = 2.0) -> Client:
    return Client(Target(base_url=base_url, api_key=key, request_timeout=timeout), base_url)


def test_a_session_records_every_frame_each_way_in_order(base_url):
    with client(base_url).socket("/echo", params={"model": "m"}) as socket:
        assert socket.receive(lambda p: p["type"] == "session.created")[0].payload == {"type": "session.created", "model": "m"}
        socket.send({"type": "ping"})
        answer = socket.receive(lambda p: p["type"] == "echo")
    assert answer[0].payload == {"type": "echo", "data": '{"type": "ping"}'}
    exchange = socket.exchange
    assert exchange.status == 101 and exchange.ok and not exchange.failed
    session = exchange.socket
    assert [f.sent for f in session.frames] == [False, True, False]
    assert [f.at for f in session.frames] == sorted(f.at for f in session.frames)
    assert session.closed_by == "client" and session.close_code == 1000 and session.waits == ()


def test_a_wait_that_runs_out_is_noted_and_the_session_goes_on(base_url):
    with client(base_url).socket("/echo") as socket:
        socket.receive(lambda p: p["type"] == "session.created")
        socket.send("quiet")
        assert socket.receive(lambda p: True, timeout=0.2, waiting_for="an echo") == []
        socket.send("again")
        assert socket.receive(lambda p: True)[0].payload["data"] == "again"
    assert socket.exchange.socket.waits == ("no frame within 0.2 s while waiting for an echo (2 frames so far)",)


def test_a_close_by_the_server_is_recorded_with_its_code_and_reason(base_url):
    with client(base_url).socket("/echo") as socket:
        socket.receive(lambda p: p["type"] == "session.created")
        socket.send("bye")
        assert socket.receive(lambda p: True) == []
        assert not socket.open
        socket.send("ignored once closed")
    session = socket.exchange.socket
    assert (session.closed_by, session.close_code, session.close_reason) == ("server", 4000, "asked to leave")
    assert len(session.sent) == 1


def test_a_refused_handshake_is_the_exchange_s_answer(base_url):
    with client(base_url, key="sk-wrong-key-000000000").socket("/echo") as socket:
        assert not socket.opened
        socket.send("nothing is sent")
        assert socket.receive(lambda p: True) == []
    exchange = socket.exchange
    assert exchange.status == 401 and exchange.failed
    assert exchange.data["error"]["code"] == "invalid_api_key"
    assert exchange.socket.frames == ()


def test_no_server_is_a_transport_error_not_a_raise():
    with client("http://127.0.0.1:9/v1", timeout=1).socket("/echo") as socket:
        assert not socket.opened
    assert socket.exchange.response is None and socket.exchange.transport_error


def test_the_record_and_the_reproduction_never_hold_the_key(base_url):
    with client(base_url).socket("/echo") as socket:
        socket.receive(lambda p: p["type"] == "session.created")
        socket.send({"type": "say", "text": f"it's {KEY}"})
        socket.receive(lambda p: p["type"] == "echo")
    exchange = socket.exchange
    command = exchange.curl()
    assert command.startswith("printf '%s\\n' ") and "websocat -n" in command and "ws://127.0.0.1:" in command
    assert '-H "authorization: Bearer $OPENAI_API_KEY"' in command
    written = exchange_record(exchange)
    assert KEY not in command and KEY not in str(written)
    assert [f["sent"] for f in written["socket"]["frames"]] == [False, True, False]
    assert written["response"]["status"] == 101


def test_frames_that_are_no_json_event_fail_socket_json_events(base_url):
    with client(base_url).socket("/echo") as socket:
        socket.send("raw")
        socket.receive(lambda p: False, timeout=0.3)
    failed = {o.check.id: o.violations for o in evaluate(socket.exchange, Expect(101)) if o.violations}
    assert list(failed) == ["socket.json-events"]
    finding = failed["socket.json-events"][0].finding
    assert (finding.pointer, finding.seen) == ("/frames/1", "a binary frame of 2 bytes")
    assert finding.also == "1 more such frame(s): /frames/2"

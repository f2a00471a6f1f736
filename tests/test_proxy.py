"""openai-conformance proxy: the official SDK and httpx as clients, the emulator (or a small upstream of the
test's own) behind it; the proxy runs as users run it, a process of its own, stopped by SIGTERM."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import openai
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route

from conformance import cli
from conformance.proxy.forward import Body, Captured
from conformance.proxy.live import row
from conformance.recordings import jsonl
from conformance.recordings.session import Recording
from conformance.reporting import document
from tests.conftest import KEY, closed_port, with_fault

CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Say hello"}], "max_tokens": 8}


class Proxy:
    """``openai-conformance proxy`` in a process of its own, on a free port; its output is collected as it comes."""

    def __init__(self, upstream: str, report_dir: Path) -> None:
        self.report_dir = report_dir
        self.process = subprocess.Popen([sys.executable, "-m", "conformance.cli", "proxy", "--upstream", upstream, "--port", "0",
                                         "--report-dir", str(report_dir), "--timeout", "30"],
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: list[str] = []
        threading.Thread(target=lambda: self.lines.extend(self.process.stdout), daemon=True).start()
        self.url = re.search(r"(http://127\.0\.0\.1:\d+) forwards to", self.wait_for("forwards to"))[1]

    def wait_for(self, text: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if found := next((line for line in list(self.lines) if text in line), None):
                return found
            if self.process.poll() is not None and not any(text in line for line in self.lines):
                break
            time.sleep(0.05)
        raise AssertionError(f"the proxy never printed {text!r}: {''.join(self.lines)}")

    def stop(self, how: signal.Signals = signal.SIGTERM) -> int:
        self.process.send_signal(how)
        code = self.process.wait(timeout=120)
        time.sleep(0.1)  # the reader thread takes the last lines
        return code

    @property
    def output(self) -> str:
        return "".join(self.lines)


@pytest.fixture
def proxy(tmp_path: Path) -> Iterator:
    started: list[Proxy] = []

    def start(upstream: str) -> Proxy:
        started.append(Proxy(upstream, tmp_path / f"reports{len(started)}"))
        return started[-1]

    yield start
    for one in started:
        if one.process.poll() is None:
            one.process.kill()
            one.process.wait(timeout=10)


@contextmanager
def serving(app) -> Iterator[str]:
    """A small upstream of the test's own on a free 127.0.0.1 port; yields its base URL (…/v1)."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}/v1"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _chunk(delta: dict, finish_reason: str | None = None) -> bytes:
    data = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1700000000, "model": "gpt-4o-mini",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}]}
    return f"data: {json.dumps(data)}\n\n".encode()


def _slow_upstream(release: threading.Event) -> Starlette:
    """A chat stream that sends its first event, then waits for ``release`` before the others; and an echo of the request."""

    async def chat(request: Request) -> StreamingResponse:
        async def events():
            yield _chunk({"role": "assistant", "content": "Hello"})
            await asyncio.to_thread(release.wait, 30)
            yield _chunk({"content": " there"})
            yield _chunk({}, "stop")
            yield b"data: [DONE]\n\n"

        return StreamingResponse(events(), media_type="text/event-stream", headers={"x-request-id": "req_slow"})

    async def echo(request: Request) -> JSONResponse:
        seen = {"method": request.method, "path": request.scope["raw_path"].decode(), "query": request.scope["query_string"].decode(),
                "headers": [[name.decode(), value.decode()] for name, value in request.scope["headers"]], "body": (await request.body()).decode()}
        response = JSONResponse(seen, status_code=201, headers={"x-upstream": "kept"})
        response.headers.append("set-cookie", "a=1")
        response.headers.append("set-cookie", "b=2")
        return response

    async def broken(request: Request) -> StreamingResponse:
        async def events():
            yield _chunk({"role": "assistant", "content": "Hello"})
            raise RuntimeError("the upstream breaks off")

        return StreamingResponse(events(), media_type="text/event-stream")

    return Starlette(routes=[Route("/v1/chat/completions", chat, methods=["POST"]), Route("/v1/echo/{rest:path}", echo, methods=["GET", "POST"]),
                             Route("/v1/broken", broken, methods=["POST"])])


def test_official_sdk_through_the_proxy_sees_the_upstreams_answers_and_the_key_is_in_no_file(emulator: str, proxy, tmp_path: Path) -> None:
    running = proxy(emulator)
    client = openai.OpenAI(base_url=running.url, api_key=KEY, max_retries=0)
    completion = client.chat.completions.create(**CHAT)
    streamed = "".join(chunk.choices[0].delta.content or "" for chunk in client.chat.completions.create(**CHAT, stream=True) if chunk.choices)
    models = [model.id for model in client.models.list()]
    direct = openai.OpenAI(base_url=emulator, api_key=KEY, max_retries=0)
    assert completion.choices[0].message.content == direct.chat.completions.create(**CHAT).choices[0].message.content == streamed
    assert models == [model.id for model in direct.models.list()]

    assert running.stop() == 0, running.output
    results = document.load(str(running.report_dir / "results.json"))  # valid against its schema
    assert results["summary"]["pass"] == 3 and not results["departures"]
    assert {"results.json", "report.html", "junit.xml", "exchanges.jsonl"} <= {p.name for p in running.report_dir.iterdir()}
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert all(KEY.encode() not in p.read_bytes() for p in written), [p.name for p in written if KEY.encode() in p.read_bytes()]
    assert KEY not in running.output
    assert "Bearer $OPENAI_API_KEY" in (running.report_dir / "exchanges.jsonl").read_text()


def test_a_stream_reaches_the_client_event_by_event(proxy) -> None:
    release = threading.Event()
    with serving(_slow_upstream(release)) as upstream:
        running = proxy(upstream)
        stream = openai.OpenAI(base_url=running.url, api_key=KEY, max_retries=0).chat.completions.create(**CHAT, stream=True)
        first = next(iter(stream))
        # The client holds the first event while the upstream has not produced the others.
        assert first.choices[0].delta.content == "Hello" and not release.is_set()
        release.set()
        assert [chunk.choices[0].delta.content for chunk in stream] == [" there", None]
        assert running.stop(signal.SIGINT) == 0, running.output  # Ctrl-C writes the reports too
    exchange = json.loads((running.report_dir / "exchanges.jsonl").read_text())
    assert len(exchange["response"]["arrivals"]) >= 2  # recorded as it arrived: stream.incremental is judged
    results = document.load(str(running.report_dir / "results.json"))
    assert "stream.incremental" in {c["id"] for c in results["cases"][0]["checks"]}


def test_requests_and_answers_pass_unchanged(proxy) -> None:
    with serving(_slow_upstream(threading.Event())) as upstream:
        running = proxy(upstream)
        sent = {"content": b'{"k": "v"}', "headers": {"authorization": f"Bearer {KEY}", "x-client": "mine", "content-type": "application/json"}}
        response = httpx.post(f"{running.url}/echo/a%2Fb?x=1&y=%20z", timeout=30, **sent)
        direct = httpx.post(f"{upstream}/echo/a%2Fb?x=1&y=%20z", timeout=30, **sent)
        seen = response.json()
        assert (response.status_code, seen["method"], seen["path"], seen["query"], seen["body"]) == (201, "POST", "/v1/echo/a%2Fb", "x=1&y=%20z", '{"k": "v"}')
        headers = dict(seen["headers"])
        assert headers["x-client"] == "mine" and headers["authorization"] == f"Bearer {KEY}"
        assert headers["host"] == upstream.split("/")[2]  # the upstream's, not the proxy's
        assert "user-agent" in headers and headers["user-agent"].startswith("python-httpx")  # the client's own, none added
        assert response.headers.get_list("set-cookie") == ["a=1", "b=2"] and response.headers["x-upstream"] == "kept"
        # The upstream's headers as they are, in their order: none added (the proxy's own server, date), none lost.
        assert [(n, v) for n, v in response.headers.multi_items() if n not in ("date", "content-length")] == \
            [(n, v) for n, v in direct.headers.multi_items() if n not in ("date", "content-length")]


def test_faults_of_the_upstream_are_printed_as_they_appear_and_are_in_the_reports(emulator: str, proxy) -> None:
    running = proxy(with_fault(emulator, "usage-sum-wrong+stream-buffered"))
    with httpx.Client(base_url=running.url, headers={"authorization": f"Bearer {KEY}"}, timeout=30) as client:
        assert client.post("/chat/completions", json=CHAT).status_code == 200
        line = running.wait_for("chat.usage-total")
        assert line.startswith("openai-conformance proxy: must ") and "/usage/total_tokens" in line
        client.post("/chat/completions", json=CHAT)
        # A stream held back and sent at once: no client notices, the arrival times the proxy keeps do.
        assert "data: [DONE]" in client.post("/chat/completions", json={**CHAT, "stream": True}).text
        assert running.wait_for("stream.incremental").startswith("openai-conformance proxy: should ")
        report = client.get("/__conformance/report", timeout=120).json()
    assert report["exchanges"] == 3 and report["exit_code"] == 1
    assert [(d["check"], d["cases"]["count"]) for d in report["departures"]] == [("chat.usage-total", 2), ("stream.incremental", 1)]
    assert [d["check"] for d in json.loads(Path(report["results"]).read_text())["departures"]] == ["chat.usage-total", "stream.incremental"]
    assert sum("chat.usage-total" in line for line in running.lines) == 1  # printed once, when it first appeared
    assert running.stop() == 1
    assert "1 must, 1 should" in running.output


def test_an_upstream_that_breaks_off_or_does_not_answer_is_said_and_not_judged(proxy) -> None:
    with serving(_slow_upstream(threading.Event())) as upstream:
        running = proxy(upstream)
        with pytest.raises(httpx.RemoteProtocolError):  # the client's answer breaks off as the upstream's did
            httpx.post(f"{running.url}/broken", json=CHAT, timeout=30)
        assert "POST /broken: the upstream's answer broke off" in running.wait_for("broke off")
    unreachable = proxy(f"http://127.0.0.1:{closed_port()}/v1")
    answer = httpx.get(f"{unreachable.url}/models", timeout=30)
    assert answer.status_code == 502 and answer.json()["error"]["type"] == "proxy_error"
    assert "GET /models: no answer from the upstream (ConnectError" in unreachable.wait_for("no answer")
    for one in (running, unreachable):
        assert httpx.get(f"{one.url}/__conformance/report", timeout=30).json()["exchanges"] == 0
    assert "Traceback" not in running.output + unreachable.output


def test_a_body_kept_in_part_is_judged_on_its_status_and_headers_alone() -> None:
    captured = Captured("POST", "https://api.example/v1/chat/completions", [("authorization", f"Bearer {KEY}"), ("content-type", "application/json")], Body(1000))
    captured.request_body.add(json.dumps(CHAT).encode(), 0.0)
    captured.status, captured.response_headers, captured.response_body = 200, [("content-type", "application/json")], Body(64)
    captured.response_body.add(b'{"id": "chatcmpl-1", "object": "chat.completion", "choices": [' + b" " * 200 + b"]}", 0.1)
    line = row(captured)
    assert line["meta"] == {"cut": {"response": 64}} and KEY not in json.dumps(line)
    judged, _ = Recording().prepare(jsonl.read([line], "exchanges.jsonl")[0], "/chat/completions")
    assert {"body.json", "body.schema", "chat.usage-total"} <= set(judged.skip) and "http.status" not in judged.skip
    assert "body" in judged.not_judged


def test_bad_input_is_one_line_and_exit_2(capsys: pytest.CaptureFixture, tmp_path: Path) -> None:
    assert cli.main(["proxy", "--upstream", "ftp://example.com/v1", "--port", "0"]) == 2
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        assert cli.main(["proxy", "--upstream", "http://127.0.0.1:1/v1", "--port", str(taken.getsockname()[1])]) == 2
    (tmp_path / "file").write_text("")
    assert cli.main(["proxy", "--upstream", "http://127.0.0.1:1/v1", "--port", "0", "--report-dir", str(tmp_path / "file" / "reports")]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 3 and "not an http(s) URL" in lines[0] and "cannot listen on 127.0.0.1:" in lines[1] and "cannot write in --report-dir" in lines[2]

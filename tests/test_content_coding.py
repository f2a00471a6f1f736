"""Content codings (issue 15, item 1): every path that reads a body decodes each Content-Encoding the
suite advertises exactly once, and a body that is not in its stated coding fails ``http.response``.

Legal: the emulator's ``gzip`` and ``deflate`` variants encode every body (conformance/emulator/variants.py);
each path (hand-written cases, streams, generated requests, the probe, the clean-up) must pass them.
A lie: tests/hostile.py's ``bad-*`` answers say gzip or deflate and are not; each path must fail, never err.
"""

from __future__ import annotations

import httpx
import pytest
import requests

from conformance.config import Target
from conformance.emulator.variants import CODINGS
from conformance.probe import probe, profile_text
from conformance.resources import Resources
from conformance.transport import ACCEPT_ENCODING, Client
from tests.conftest import KEY, run_cases
from tests.hostile import HostileServer
from tests.test_hostile import LIMIT, TIMEOUT, fetch, must_failures

LIE = "does not decode as its Content-Encoding"


@pytest.fixture(scope="module")
def hostile():
    server = HostileServer().start()
    yield server
    server.stop()


def coded(emulator: str, coding: str) -> str:
    return emulator.replace("/v1", f"/variant/{coding}/v1")


@pytest.fixture(scope="module", params=sorted(CODINGS))
def coded_run(request, emulator, tmp_path_factory):
    """Every case, hand-written and generated, against the emulator encoding every body in one coding."""
    code, results = run_cases(tmp_path_factory.mktemp(request.param), coded(emulator, request.param))
    return request.param, code, results


def exchanges(results: dict, generated: bool, streamed: bool) -> list[dict]:
    """The HTTP answers: not a WebSocket session's handshake nor the answers on its socket, where no content coding applies,
    nor an answer read from a file (a batch's result line: ``source``)."""
    return [e for case in results["cases"] if case["id"].startswith("test_generated") == generated for e in case["exchanges"]
            if e["response"] and not {"socket", "turn", "source"} & set(e)
            and ("event-stream" in e["response"]["headers"].get("content-type", "")) == streamed]


@pytest.mark.parametrize("generated, streamed", [(False, False), (False, True), (True, False), (True, True)],
                         ids=["hand-written", "streamed", "generated", "generated-streamed"])
def test_every_path_passes_a_coded_target(coded_run, generated, streamed):
    coding, code, results = coded_run
    assert code == 0 and results["summary"]["fail"] == results["summary"]["error"] == 0, results["summary"]
    seen = exchanges(results, generated, streamed)
    assert seen and all(e["response"]["headers"].get("content-encoding") == coding for e in seen)
    assert all(e["request"]["headers"].get("accept-encoding") == ACCEPT_ENCODING for e in seen)


@pytest.mark.parametrize("coding", sorted(CODINGS))
def test_the_variant_encodes_only_what_the_request_accepts(emulator, coding):
    headers = {"Authorization": f"Bearer {KEY}"}
    identity = httpx.get(coded(emulator, coding) + "/models", headers={**headers, "Accept-Encoding": "identity"})
    assert "content-encoding" not in identity.headers and identity.json()["object"] == "list"
    # requests decodes as the generated requests' session does; httpx is the suite's client.
    for answer in (httpx.get(coded(emulator, coding) + "/models", headers=headers), requests.get(coded(emulator, coding) + "/models", headers=headers)):
        assert answer.headers["content-encoding"] == coding and answer.json()["object"] == "list"


@pytest.mark.parametrize("coding", sorted(CODINGS))
def test_the_probe_reads_a_coded_target(emulator, coding):
    target = Target(base_url=coded(emulator, coding), api_key=KEY)
    assert "gpt-4o-mini" in probe(target).listed  # [] when the list did not decode
    assert "[unsupported]\n\n[models]" in profile_text(target, "coded")  # every capability answered as served


@pytest.mark.parametrize("coding", sorted(CODINGS))
def test_the_clean_up_reads_a_coded_target(emulator, coding):
    url = coded(emulator, coding)
    client = Client(Target(base_url=url, api_key=KEY, request_timeout=5), url)
    resources = Resources(client)
    try:
        def upload(name: str):
            return client.request("POST", "/files", data={"purpose": "assistants"}, files={"file": (resources.filename(name), b"{}")})

        tracked = upload("tracked.jsonl")
        resources.track(tracked)
        lost = upload("answer-lost.jsonl")  # never tracked: only the sweep's listing, a coded body, finds it
        resources.sweep()
        assert [client.request("GET", f"/files/{e.data['id']}").status for e in (tracked, lost)] == [404, 404]
    finally:
        client.close()


@pytest.mark.parametrize("behaviour", ["bad-gzip", "bad-deflate"])
def test_a_body_not_in_its_coding_fails_http_response(hostile, behaviour):
    [message] = must_failures(fetch(hostile.url(behaviour)))["http.response"]
    assert f"the body {LIE} {behaviour.removeprefix('bad-')!r} says" in message


def test_a_stream_not_in_its_coding_fails(hostile):
    exchange = fetch(hostile.url("bad-gzip-stream"), stream=True)
    assert exchange.stream.interrupted.startswith(f"the stream {LIE} 'gzip' says")
    assert must_failures(exchange)


@pytest.mark.parametrize("behaviour", ["bad-gzip", "bad-deflate"])
def test_a_generated_request_whose_body_is_not_in_its_coding_fails_http_response(tmp_path, hostile, behaviour):
    code, results = run_cases(tmp_path, hostile.url(behaviour), "-k", "test_generated and models", "--max-examples=1", f"--request-timeout={TIMEOUT}")
    statuses = {case["status"] for case in results["cases"]}
    assert code == 1 and statuses == {"fail"}, results["summary"]
    messages = [f["message"] for case in results["cases"] for c in case["checks"] if c["id"] == "http.response" for f in c["failures"]]
    assert messages and all(f"BodyNotComplete: the body {LIE} {behaviour.removeprefix('bad-')!r} says" in m for m in messages)


@pytest.mark.parametrize("behaviour", ["bad-gzip", "bad-deflate"])
def test_the_probe_and_the_clean_up_survive_a_body_not_in_its_coding(hostile, behaviour):
    target = Target(base_url=hostile.url(behaviour), api_key=KEY, request_timeout=TIMEOUT)
    assert probe(target).listed == [] and "[unsupported]" in profile_text(target, "lying")
    client = Client(target, target.base_url)
    resources = Resources(client)
    try:
        resources.track(client.request("POST", "/files", data={"purpose": "assistants"}, files={"file": (resources.filename("x"), b"{}")}))
        resources.sweep()  # lists /files for this run's marker: the listing does not decode, so there is nothing to remove
    finally:
        client.close()


def test_the_size_bound_counts_decoded_bytes_on_both_clients(tmp_path, hostile):
    [message] = must_failures(fetch(hostile.url("gzip-bomb")))["http.response"]
    assert f"the body passed {LIMIT} bytes without ending" in message
    code, results = run_cases(tmp_path, hostile.url("gzip-bomb"), "-k", "test_generated and GET and models", "--max-examples=1",
                              f"--request-timeout={TIMEOUT}", f"--max-response-bytes={LIMIT}")
    messages = [f["message"] for case in results["cases"] for c in case["checks"] if c["id"] == "http.response" for f in c["failures"]]
    assert code == 1 and messages and all(f"BodyNotComplete: the body passed {LIMIT} bytes" in m for m in messages)

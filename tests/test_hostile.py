"""The suite against a hostile target (tests/hostile.py): every misbehaviour ends, within its bound,
in a failing check with a readable message; never a hang, a suite error, or the key in the text.

Bounds here are a fraction of a second (the defaults are 30 s, 16 MiB), so the whole set stays fast.
The elapsed-time asserts are generous ceilings against a hang, not measurements.
"""

from __future__ import annotations

import email.utils
import subprocess
import sys
import textwrap
import time

import httpx
import pytest

from conformance.checks import Expect, Level, evaluate
from conformance.config import ConfigError, Target, resolve
from conformance.preflight import preflight
from conformance.transport import MAX_STREAM_BYTES, STREAM_DEADLINE_FACTOR, Client, retry_wait
from tests.conftest import KEY, run_cases
from tests.hostile import HostileServer

TIMEOUT = 0.5
LIMIT = 1024 * 1024
SLACK = 3.0
"""Seconds a test may run past its bound before it counts as a hang: room for a loaded CI machine."""
CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 16}


@pytest.fixture(scope="module")
def hostile():
    server = HostileServer().start()
    yield server
    server.stop()


def client_for(url: str, **limits) -> Client:
    target = Target(base_url=url, api_key=KEY, **{"request_timeout": TIMEOUT, "max_response_bytes": LIMIT, **limits})
    return Client(target, url)


def fetch(url: str, stream: bool = False, **limits):
    client = client_for(url, **limits)
    try:
        if stream:
            return client.stream("POST", "/chat/completions", json={**CHAT, "stream": True})
        return client.request("GET", "/models")
    finally:
        client.close()


def must_failures(exchange, expect=200) -> dict[str, list[str]]:
    """What Api.verify would fail the case with: check id -> rendered messages (rendering must not raise)."""
    failures = {}
    for outcome in evaluate(exchange, Expect(expect)):
        if outcome.violations and outcome.check.level is Level.MUST:
            failures[outcome.check.id] = [v.message() for v in outcome.violations]
    for messages in failures.values():
        assert not any(KEY in m for m in messages)
    return failures


@pytest.mark.parametrize(
    "behaviour, bound, reason",
    [
        ("silent", TIMEOUT, f"no response within {TIMEOUT:g} s"),
        ("headers-stall", TIMEOUT, f"the body stalled: no byte for {TIMEOUT:g} s after 0 bytes"),
        ("trickle-json", TIMEOUT, f"the body was still going after {TIMEOUT:g} s"),
        ("trickle-head", TIMEOUT, f"no response within {TIMEOUT:g} s (ReadTimeout)"),  # each byte within the read timeout: the deadline ends it
        ("huge-body", TIMEOUT, f"the body passed {LIMIT} bytes without ending"),
        ("body-shorter", TIMEOUT, "the connection broke after"),
        ("reset", TIMEOUT, "the connection broke after"),
        ("bad-gzip", TIMEOUT, "the body does not decode as its Content-Encoding 'gzip' says"),
        ("malformed-headers", TIMEOUT, "RemoteProtocolError"),
    ],
)
def test_a_response_that_never_completes_fails_http_response_in_time(hostile, behaviour, bound, reason):
    started = time.monotonic()
    exchange = fetch(hostile.url(behaviour))
    assert time.monotonic() - started < 2 * bound + SLACK  # a stall after headers may use one read timeout past the deadline
    [message] = must_failures(exchange)["http.response"]
    assert reason in message and "x-client-request-id" in message


@pytest.mark.parametrize(
    "behaviour, reason",
    [
        ("trickle-stream", f"the stream was still going after {STREAM_DEADLINE_FACTOR * TIMEOUT:g} s"),
        ("stream-forever", f"the stream was still going after {STREAM_DEADLINE_FACTOR * TIMEOUT:g} s"),
        ("huge-event", f"the stream passed {MAX_STREAM_BYTES} bytes without ending"),
        ("events-endless", f"the stream passed {MAX_STREAM_BYTES} bytes without ending"),
    ],
)
def test_a_stream_that_never_completes_stops_with_its_reason(hostile, behaviour, reason):
    started = time.monotonic()
    exchange = fetch(hostile.url(behaviour), stream=True)
    assert time.monotonic() - started < 2 * STREAM_DEADLINE_FACTOR * TIMEOUT + SLACK
    assert exchange.stream.interrupted.startswith(reason)
    assert must_failures(exchange)  # the streaming checks fail the case


@pytest.mark.parametrize(
    "behaviour, check",
    [
        ("invalid-utf8", "body.json"),
        ("truncated-json", "body.json"),
        ("body-longer", "body.json"),  # the client reads what Content-Length declares: half a JSON document
        ("status-299", "http.status"),
        ("status-599", "http.status"),
        ("duplicate-headers", "http.content-type"),
    ],
)
def test_garbage_fails_a_check(hostile, behaviour, check):
    exchange = fetch(hostile.url(behaviour))
    assert exchange.response is not None
    assert check in must_failures(exchange)


def test_an_unknown_charset_is_read_as_utf8_and_passes(hostile):
    assert not must_failures(fetch(hostile.url("bad-charset")))


def test_a_redirect_to_another_port_is_a_failure_and_the_key_stays_home(hostile):
    exchange = fetch(hostile.url("redirect"))
    [message] = must_failures(exchange)["http.status"]
    assert "HTTP 307 to http://127.0.0.1:" in message and "(not followed)" in message
    assert hostile.decoy_requests == []


@pytest.mark.parametrize("behaviour", ["echo-key", "echo-key-malformed"])
def test_a_key_echoed_by_the_target_stays_out_of_messages(hostile, behaviour):
    exchange = fetch(hostile.url(behaviour))
    assert KEY in (exchange.transport_error or "") + str(exchange.response.headers if exchange.response else "")  # the server did echo it
    assert must_failures(exchange)  # and no message shows it (must_failures asserts so)


def test_a_key_echoed_by_the_target_stays_out_of_reports_and_config_errors(hostile, tmp_path):
    junit = tmp_path / "junit.xml"
    code, results = run_cases(tmp_path, hostile.url("echo-key-listed"), "-k", "test_list_models", f"--junitxml={junit}")
    assert code == 1 and results["summary"]["fail"] == 1  # the key, quoted as the list's object, fails the schema check
    assert KEY not in (tmp_path / "results.json").read_text() and KEY not in junit.read_text()
    # The preflight's one line (exit 2) quotes httpx's error, which quotes the echoed header line.
    with pytest.raises(ConfigError, match="does not answer: illegal header line") as error:
        preflight(Target(base_url=hostile.url("echo-key-malformed"), api_key=KEY, request_timeout=TIMEOUT))
    assert KEY not in str(error.value)


def test_a_rate_limit_is_waited_out_and_the_retries_are_noted(hostile):
    exchange = fetch(hostile.url("rate-limited-2-waited"))
    assert exchange.status == 200
    assert [note.split(" (x-request-id")[0] for note in exchange.retries] == ["HTTP 429"] * 2
    assert all("resent after 0.01 s (retry-after-ms: 10)" in note for note in exchange.retries)


def test_retries_are_bounded_in_number_and_the_case_says_so(hostile):
    exchange = fetch(hostile.url("rate-limited-5-bounded"), max_retries=1)
    assert exchange.status == 429 and len(exchange.retries) == 1
    [message] = must_failures(exchange)["http.status"]
    assert "retried:   HTTP 429" in message


def test_a_wait_longer_than_allowed_is_not_waited(hostile):
    started = time.monotonic()
    exchange = fetch(hostile.url("rate-limited-slow-a"), max_retry_wait=0.5)
    assert time.monotonic() - started < SLACK
    assert exchange.status == 429
    assert exchange.retries == ("HTTP 429 not resent: it asks for 3600 s (retry-after: 3600), past the --max-retry-wait of 0.5 s",)


def test_a_case_that_expects_the_429_sees_it(hostile):
    client = client_for(hostile.url("rate-limited-1-expected"))
    try:
        first = client.request("GET", "/models", retry_rate_limited=False)
    finally:
        client.close()
    assert first.status == 429 and first.retries == ()


def test_the_rate_limit_case_is_not_retried_and_retries_reach_results(tmp_path, emulator, hostile):
    _, results = run_cases(tmp_path, emulator, "-k", "test_rate_limited")
    [case] = results["cases"]
    assert case["status"] == "pass" and all(not e["retries"] for e in case["exchanges"])
    # Two: the run's preflight gets the first 429 (not a configuration error: kept going), the case the second.
    _, results = run_cases(tmp_path, hostile.url("rate-limited-2-results"), "-k", "test_list_models")
    [case] = results["cases"]
    assert case["exchanges"][0]["retries"][0].startswith("HTTP 429")


@pytest.mark.parametrize(
    "headers, wait",
    [
        ({"retry-after-ms": "250", "retry-after": "1"}, 0.25),
        ({"retry-after": "2"}, 2.0),
        ({"retry-after": "nan"}, 0.5),
        ({"retry-after": "-3"}, 0.5),
        ({}, 0.5),
    ],
)
def test_retry_wait(headers, wait):
    assert retry_wait(httpx.Headers(headers), 0)[0] == wait


def test_retry_wait_reads_an_http_date_and_backs_off_without_one():
    soon = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 25 < retry_wait(httpx.Headers({"retry-after": soon}), 0)[0] <= 30
    assert [retry_wait(httpx.Headers(), n)[0] for n in range(6)] == [0.5, 1, 2, 4, 8, 8]


def test_max_rps_spaces_the_requests(hostile):
    client = client_for(hostile.url("ok"), max_rps=20)
    started = time.monotonic()
    try:
        statuses = [client.request("GET", "/models").status for _ in range(5)]
    finally:
        client.close()
    assert statuses == [200] * 5
    assert time.monotonic() - started >= 4 / 20  # a lower bound the pacing guarantees, whatever the machine


def test_a_run_against_every_misbehaviour_at_once_ends_by_its_deadline(tmp_path, hostile):
    # The deadline counts from the start of the run, collection included (about 2.5 s here): 8 s leaves
    # room for a slow machine and still stops the run long before its 198 cases could all meet the server.
    started = time.monotonic()
    # --max-unanswered high: the rotation has several unanswered requests in a row, which would stop the run first.
    code, results = run_cases(tmp_path, hostile.url("all"), "-k", "not generated", "--request-timeout=0.5", "--run-timeout=8", "--max-unanswered=1000")
    assert time.monotonic() - started < 8 + 2 * STREAM_DEADLINE_FACTOR * TIMEOUT + 10  # the last case, then the session's end
    statuses = {case["status"] for case in results["cases"]}
    assert code == 1 and "error" not in statuses and "fail" in statuses
    not_run = [case for case in results["cases"] if case["status"] == "skip"]
    assert not_run and all(case["reason"] == "not run: the run's deadline passed (--run-timeout 8 s)" for case in not_run)
    assert KEY not in (tmp_path / "results.json").read_text()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the peak RSS from /proc")
def test_peak_memory_stays_bounded_by_the_read_limits(hostile):
    """A 100 MB body, a 50 MB event and an endless stream, at the default limits, in a fresh process."""
    script = textwrap.dedent("""
        import sys
        from conformance.config import Target
        from conformance.transport import Client
        def mib(field):  # from /proc: getrusage's ru_maxrss keeps the forking parent's peak across exec
            return int(open("/proc/self/status").read().split(field + ":")[1].split()[0]) // 1024
        def client(behaviour):
            url = sys.argv[1].replace("/ok/", f"/{behaviour}/")
            return Client(Target(base_url=url, api_key="memory-probe-key", request_timeout=5), url)  # default size bounds
        client("ok").request("GET", "/models")
        before = mib("VmRSS")
        reasons = [client("huge-body").request("GET", "/models").transport_error]
        reasons += [client(b).stream("POST", "/chat/completions", json={}).stream.interrupted for b in ("huge-event", "events-endless")]
        print(before, mib("VmHWM"), *reasons, sep="|")
    """)
    out = subprocess.run([sys.executable, "-c", script, hostile.url("ok")], capture_output=True, text=True, timeout=120, check=True).stdout
    before, peak, body, event, endless = out.strip().split("|")
    print(f"peak RSS {peak} MiB, {int(peak) - int(before)} MiB over the {before} MiB before reading")
    assert body.startswith(f"the body passed {16 * 1024 * 1024} bytes") and event.startswith("the stream passed") and endless.startswith("the stream passed")
    assert int(peak) - int(before) < 100  # 16 MiB kept twice (chunks, then the joined body) plus the 1 MiB stream


@pytest.mark.parametrize(
    "values, message",
    [
        ({"max_response_bytes": "0"}, "--max-response-bytes must be a positive number"),
        ({"run_timeout": "-1"}, "--run-timeout must be a positive number"),
        ({"max_rps": "0"}, "--max-rps must be a positive number"),
        ({"max_retries": "-1"}, "--max-retries must not be negative"),
        ({"max_retries": "two"}, "--max-retries must be a number"),
    ],
)
def test_bad_bounds_are_configuration_errors(values, message):
    with pytest.raises(ConfigError, match=message):
        resolve({"base_url": "http://127.0.0.1/v1", "api_key": KEY, **values})


def test_the_preflight_does_not_read_an_endless_body(hostile):
    preflight(Target(base_url=hostile.url("events-endless"), api_key=KEY, request_timeout=TIMEOUT))  # returns: an answer came


@pytest.mark.parametrize(
    "behaviour, reason",
    [
        ("events-endless", f"BodyNotComplete: the body passed {LIMIT} bytes without ending"),
        ("trickle-json", f"BodyNotComplete: the body was still going after {TIMEOUT:g} s"),
    ],
)
def test_generated_requests_are_read_within_the_same_bounds(tmp_path, hostile, behaviour, reason):
    """schemathesis sends them with requests, which would read an endless body into memory for ever."""
    code, results = run_cases(
        tmp_path, hostile.url(behaviour), "-k", "generated and embeddings", "--max-examples=1",
        f"--request-timeout={TIMEOUT}", f"--max-response-bytes={LIMIT}",
    )
    failing = [case for case in results["cases"] if case["status"] == "fail"]
    assert code == 1 and failing and all(case["status"] != "error" for case in results["cases"])
    messages = [f["message"] for case in failing for c in case["checks"] for f in c["failures"]]
    assert any(reason in message for message in messages)

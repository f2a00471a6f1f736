"""Header, error and history checks on recorded exchanges: what the reference allows passes, what it forbids is found."""

from __future__ import annotations

import threading

import httpx
import pytest

from conformance.checks import REGISTRY, Expect, Level
from conformance.exchange import Exchange
from conformance.history import History
from conformance.profile import STRICT_HEADERS, ProfileError, load
from tests.conftest import run_cases, with_fault

GOOD = {
    "x-request-id": "req_1",
    "openai-processing-ms": "341",
    "openai-version": "2020-10-01",
    "x-ratelimit-limit-requests": "10000",
    "x-ratelimit-limit-tokens": "2000000",
    "x-ratelimit-remaining-requests": "9999",
    "x-ratelimit-remaining-tokens": "1999950",
    "x-ratelimit-reset-requests": "6m0s",
    "x-ratelimit-reset-tokens": "20ms",
}
CHAT = {"model": "m", "messages": [{"role": "user", "content": "Hi"}]}


def _exchange(headers: dict, status: int = 200, body: object = None, request_headers: dict | None = None, history: History | None = None,
              method: str = "POST", path: str = "/chat/completions", request_body: object = CHAT) -> Exchange:
    request = httpx.Request(method, f"http://127.0.0.1:1/v1{path}", json=request_body, headers=request_headers or {})
    response = httpx.Response(status, headers=headers, json={"object": "thing", "usage": {"total_tokens": 1}} if body is None else body)
    return Exchange(request=request, path=path, response=response, history=history)


def _findings(check_id: str, ex: Exchange, status: int = 200) -> list:
    chk = REGISTRY[check_id]
    return list(chk.run(ex, Expect(status))) if chk.applies(ex) else []


@pytest.mark.parametrize("value", ["1s", "6m0s", "20ms", "1h2m3.5s", "0s", "17.28s", "1.5µs", "2μs", "3us", "250ns"])
def test_go_durations_pass(value):
    # Go writes microseconds as "µs": UTF-8 on the wire, which httpx decodes back.
    assert _findings("headers.rate-limits", _exchange({**GOOD, "x-ratelimit-reset-tokens": value.encode()})) == []


@pytest.mark.parametrize(("name", "value"), [
    ("x-ratelimit-reset-tokens", "0.006"), ("x-ratelimit-reset-tokens", "6 s"), ("x-ratelimit-reset-requests", "soon"),
    ("x-ratelimit-remaining-tokens", "1999950.0"), ("x-ratelimit-limit-requests", "-1"), ("x-ratelimit-limit-tokens", ""),
])
def test_malformed_rate_limits_are_found(name, value):
    (finding,) = _findings("headers.rate-limits", _exchange({**GOOD, name: value}))
    assert finding.pointer == f"header:{name}" and repr(value) in finding.seen


def test_unknown_rate_limit_headers_and_extra_headers_pass():
    ex = _exchange({**GOOD, "x-ratelimit-limit-project-tokens": "anything", "x-envoy-upstream-service-time": "12", "cf-ray": "x"})
    assert all(_findings(c, ex) == [] for c in REGISTRY if c.startswith("headers."))


@pytest.mark.parametrize(("value", "ok"), [("0", True), ("341", True), (" 12 ", True), ("12.5", False), ("12ms", False), ("-3", False)])
def test_processing_ms_is_a_whole_number(value, ok):
    assert (_findings("headers.processing-ms", _exchange({**GOOD, "openai-processing-ms": value})) == []) is ok


@pytest.mark.parametrize(("value", "ok"), [("2020-10-01", True), ("2024-02-29", True), ("v1", False), ("2020-13-01", False), ("20201001", False)])
def test_openai_version_is_a_date(value, ok):
    assert (_findings("headers.openai-version", _exchange({**GOOD, "openai-version": value})) == []) is ok


def test_absent_headers_are_should_findings_and_do_not_apply_where_irrelevant():
    bare = _exchange({})
    assert {f.pointer for f in _findings("headers.meta-present", bare)} == {"header:openai-processing-ms", "header:openai-version"}
    assert len(_findings("headers.rate-limits-present", bare)) == 6
    assert _findings("headers.rate-limits-present", _exchange({}, method="GET", path="/models", request_body=None, body={"object": "list", "data": []})) == []
    assert _findings("headers.organization", bare) == []  # the request named no organization
    named = _exchange({}, request_headers={"OpenAI-Organization": "org-1"})
    assert [f.pointer for f in _findings("headers.organization", named)] == ["header:openai-organization"]
    # The real API answers with the organization's name, not the id that was sent.
    assert _findings("headers.organization", _exchange({"openai-organization": "acme"}, request_headers={"OpenAI-Organization": "org-1"})) == []
    for check_id in ("headers.request-id", "headers.meta-present", "headers.organization", "headers.rate-limits-present"):
        assert REGISTRY[check_id].level is Level.SHOULD


def test_request_id_repeated_in_the_session_is_found_once_per_repeat():
    history = History()
    first, again, other = (_exchange({"x-request-id": rid}, history=history) for rid in ("req_a", "req_a", "req_b"))
    assert _findings("headers.request-id-unique", first) == []
    assert _findings("headers.request-id-unique", first) == []  # the same exchange checked twice is not a repeat
    (finding,) = _findings("headers.request-id-unique", again)
    assert "'req_a'" in finding.seen and "POST /chat/completions" in finding.seen
    assert _findings("headers.request-id-unique", other) == []


def test_history_is_safe_for_threads():
    history = History()
    exchanges = [_exchange({}, history=history) for _ in range(8)]
    repeats = []
    threads = [threading.Thread(target=lambda ex=ex: repeats.append(history.earlier("k", "same", ex.request, ex.description))) for ex in exchanges]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r is None for r in repeats) == [False] * 7 + [True]


@pytest.mark.parametrize(("headers", "problems"), [
    ({**GOOD, "retry-after": "20"}, []),
    ({**GOOD, "retry-after": "Wed, 21 Oct 2015 07:28:00 GMT", "retry-after-ms": "1500.5"}, []),
    ({**GOOD}, []),  # retry-after is optional
    ({**GOOD, "retry-after": "soon"}, ["header:retry-after"]),
    ({**GOOD, "retry-after-ms": "a while"}, ["header:retry-after-ms"]),
    ({"retry-after": "1"}, [f"header:{n}" for n in GOOD if n.startswith("x-ratelimit-")]),
])
def test_rate_limited_answers_carry_rate_limits(headers, problems):
    ex = _exchange(headers, status=429, body={"error": {"message": "slow down", "type": "requests", "param": None, "code": "rate_limit_exceeded"}})
    assert [f.pointer for f in _findings("headers.rate-limited", ex, 429)] == problems


@pytest.mark.parametrize(("body", "rejected"), [
    ({"error": {"message": "bad", "type": "invalid_request_error", "param": None, "code": None}}, True),
    ({"object": "error", "message": "bad", "code": 400}, True),
    ({"error": "bad"}, True),
    ({"object": "fine_tuning.job", "id": "ftjob-1", "status": "failed", "error": {"code": "x", "message": "y", "param": None}}, False),
    ({"object": "response", "error": None}, False),
    ({"id": "chatcmpl-1", "object": "chat.completion", "choices": []}, False),
    ({"data": [], "error": None}, False),
])
def test_error_bodies_are_never_successes(body, rejected):
    assert bool(_findings("error.as-success", _exchange(GOOD, body=body))) is rejected


def test_error_bodies_stay_small():
    small = _exchange(GOOD, status=400, body={"error": {"message": "Invalid type for 'temperature'.", "type": "invalid_request_error", "param": "temperature", "code": None}})
    echo = _exchange(GOOD, status=400, body={"error": {"message": "bad", "type": "t", "param": None, "code": None, "input": "x" * 100_000}})
    assert _findings("error.small", small, 400) == []
    (finding,) = _findings("error.small", echo, 400)
    assert "bytes" in finding.seen


def test_strict_headers_profile_makes_header_presence_must(tmp_path):
    path = tmp_path / "strict.toml"
    path.write_text('strict_headers = true\n[levels]\n"headers.organization" = "should"\n')
    levels = load(str(path), ()).levels
    assert levels == {**dict.fromkeys(STRICT_HEADERS, "must"), "headers.organization": "should"}
    assert set(STRICT_HEADERS) <= set(REGISTRY) and all(REGISTRY[c].level is Level.SHOULD for c in STRICT_HEADERS)
    path.write_text('strict_headers = "yes"\n')
    with pytest.raises(ProfileError, match="strict_headers must be true or false"):
        load(str(path), ())


def test_strict_headers_profile_fails_a_server_without_the_headers(emulator, tmp_path):
    profile = tmp_path / "strict.toml"
    profile.write_text("strict_headers = true\n")
    lenient, _ = run_cases(tmp_path, with_fault(emulator, "no-openai-meta"), "-k", "test_list_models")
    code, results = run_cases(tmp_path, with_fault(emulator, "no-openai-meta"), f"--profile={profile}", "-k", "test_list_models")
    assert (lenient, code) == (0, 1)
    assert any(c["id"] == "headers.meta-present" and c["level"] == "must" and c["status"] == "fail" for c in results["cases"][0]["checks"])

"""The Responses API over a WebSocket (conformance/responses_socket.py): each response.create's answer judged as its own exchange.

Sessions go straight through the suite's client and checks against the emulator's /v1/responses socket (faults and
legal variants by URL prefix); the cases' own runs, fault by fault, are tests/test_faults.py's.
"""

from __future__ import annotations

import pytest

from conformance.budget import tokens
from conformance.checks import Expect, evaluate
from conformance.config import Target
from conformance.emulator.variants import VARIANTS
from conformance.reporting.record import exchange_record
from conformance.responses_socket import Conversation
from conformance.transport import Client
from tests.conftest import KEY, failed_checks, run_cases, with_fault

BODY = {"model": "gpt-4o-mini", "input": "Hi", "max_output_tokens": 16, "store": False}
TOOL = {"type": "function", "name": "f", "parameters": {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}}
UNKNOWN = "resp_openai-conformance-no-such-response"


def conversation(base_url: str, *creates: tuple[dict, dict], key: str = KEY) -> tuple[object, list]:
    """Open a session, send each (body, create options), and return the session's exchange and each answer with its expectation."""
    client = Client(Target(base_url=base_url, api_key=key, request_timeout=3), base_url)
    try:
        with client.socket("/responses") as socket:
            talk = Conversation(socket)
            for body, options in creates:
                talk.create(body, **options)
        return socket.exchange, talk.answers(socket.exchange)
    finally:
        client.close()


def failed(exchange, expect=Expect(101)) -> set[str]:
    return {o.check.id for o in evaluate(exchange, expect) if o.violations}


def ran(exchange, expect) -> set[str]:
    return {o.check.id for o in evaluate(exchange, expect)}


def test_each_response_on_the_socket_is_judged_as_the_stream_of_its_post(emulator):
    session, answers = conversation(emulator, (BODY, {}), ({**BODY, "tools": [TOOL], "tool_choice": "required"}, {}))
    assert session.status == 101 and failed(session) == set()
    assert [(a.turn, a.status, a.request.method, a.path) for a, _ in answers] == [(0, 200, "POST", "/responses"), (1, 200, "POST", "/responses")]
    for answer, expect in answers:
        assert answer.stream.payloads[0]["type"] == "response.created" and answer.stream.payloads[-1]["type"] in ("response.completed", "response.incomplete")
        assert failed(answer, expect) == set()
        assert {"responses.event-schema", "responses.terminal", "responses.sequence-number", "responses.usage", "stream.complete"} <= ran(answer, expect)
        assert not {"socket.json-events", "headers.request-id", "body.json"} & ran(answer, expect)  # the session's, or no HTTP answer's
    assert "responses.arguments-integrity" in ran(*answers[1])
    assert tokens(session) == sum(tokens(answer) for answer, _ in answers) > tokens(answers[0][0]) > 0
    assert answers[0][0].curl().startswith("printf '%s\\n' ") and "websocat" in answers[0][0].curl()  # the session reproduces it
    written = exchange_record(answers[1][0])
    assert (written["turn"], written["request"]["method"], written["response"]["status"]) == (1, "POST", 200) and written["socket"]["frames_total"] > 20


def test_a_continuation_is_judged_against_the_response_it_continues(emulator):
    faulty = with_fault(emulator, "previous-response-ignored")
    client = Client(Target(base_url=faulty, api_key=KEY, request_timeout=3), faulty)
    with client.socket("/responses") as socket:
        talk = Conversation(socket)
        first = talk.create(BODY)
        talk.create({**BODY, "previous_response_id": first.response_id}, same_as=first)
    client.close()
    (_, _), (second, expect) = talk.answers(socket.exchange)
    assert expect.same_as is not None and "responses.previous-context" in failed(second, expect)


def test_an_error_event_is_an_error_answer_with_its_status(emulator):
    _, [(answer, expect), (after, _)] = conversation(emulator, ({**BODY, "previous_response_id": UNKNOWN}, {"expect": (400, 404), "code": "previous_response_not_found"}),
                                                     (BODY, {}))
    assert answer.status == 404 and answer.stream is None and answer.data["type"] == "error"
    assert answer.data["error"]["code"] == "previous_response_not_found"
    assert failed(answer, expect) == set() and {"error.envelope", "error.code", "http.status"} <= ran(answer, expect)
    assert failed(answer, Expect((400, 404), code="invalid_value")) == {"error.code"}
    assert after.status == 200  # the connection stays usable


def test_events_coalesced_in_one_frame_are_the_frames_finding_alone(emulator):
    session, [(answer, expect)] = conversation(with_fault(emulator, "responses-socket-coalesced"), (BODY, {}))
    assert failed(session) == {"socket.json-events"}
    assert [p["type"] for p in answer.stream.payloads[:2]] == ["response.created", "response.in_progress"]
    assert failed(answer, expect) == set()


def test_a_connection_closed_after_an_error_leaves_the_next_create_unanswered(emulator):
    _, answers = conversation(with_fault(emulator, "responses-socket-close-after-error"), ({**BODY, "previous_response_id": UNKNOWN}, {"expect": (400, 404)}),
                              (BODY, {}))
    unanswered, expect = answers[1]
    assert unanswered.response is None and "code 1011" in unanswered.transport_error
    assert failed(unanswered, expect) == {"http.response"}


def test_a_refused_handshake_is_the_plain_401(emulator):
    session, answers = conversation(emulator, key="sk-unknown-key-0000000000")
    assert session.status == 401 and answers == []
    assert failed(session, Expect((101, 401))) == set()


def test_an_unknown_fault_on_a_socket_is_refused_before_the_upgrade(emulator):
    session, _ = conversation(with_fault(emulator, "no-such-fault"))
    assert session.status == 404 and session.data["error"]["code"] == "unknown_fault"


SOCKET_VARIANTS = {
    # What each variant changes on the socket, so that a variant that silently did nothing cannot pass.
    "socket-pretty-json": lambda session, answers: all("\n" in f.data for f in session.socket.received),
    "socket-error-no-status": lambda session, answers: "status" not in answers[-1][0].data,
    "responses-vendor-events": lambda session, answers: any(p.get("type") == "vendor:trace" for p in answers[0][0].stream.payloads),
    "responses-extra-fields": lambda session, answers: all("x_emulator" in p for p in answers[0][0].stream.payloads),
    "responses-queued": lambda session, answers: any(p.get("type") == "response.queued" for p in answers[0][0].stream.payloads),
    "responses-obfuscation": lambda session, answers: any("obfuscation" in p for p in answers[0][0].stream.payloads),
}


@pytest.mark.parametrize("variant", SOCKET_VARIANTS)
def test_legal_variants_of_a_socket_pass_every_check(variant, emulator):
    assert variant in VARIANTS
    session, answers = conversation(emulator.replace("/v1", f"/variant/{variant}/v1"), (BODY, {}),
                                    ({**BODY, "previous_response_id": UNKNOWN}, {"expect": (400, 404), "code": "previous_response_not_found"}))
    assert SOCKET_VARIANTS[variant](session, answers)
    assert failed(session) == set()
    assert all(failed(answer, expect) == set() for answer, expect in answers)


def test_a_key_refused_after_the_upgrade_passes(emulator):
    late = emulator.replace("/v1", "/variant/socket-late-refusal/v1")
    client = Client(Target(base_url=late, api_key="sk-unknown-key-0000000000", request_timeout=3), late)
    with client.socket("/responses") as socket:
        socket.send({"type": "response.create", **BODY})
        socket.receive(timeout=1)  # until the server closes
    client.close()
    session = socket.exchange
    assert session.status == 101 and (session.socket.close_code, session.socket.closed_by) == (1008, "server")
    assert failed(session, Expect((101, 401))) == set() and "responses-socket.key-refused" in ran(session, Expect((101, 401)))


def test_a_session_that_did_not_open_is_judged_and_ends_the_case(emulator, tmp_path):
    """The handshake answered 500: the case stops (CannotContinue) and the session, judged all the same, says why."""
    code, results = run_cases(tmp_path, with_fault(emulator, "server-error"), "-k", "test_socket_response")
    [case] = results["cases"]
    assert code == 1 and case["status"] == "fail" and failed_checks(results) == {"http.status"}
    assert "did not open" in case["reason"]

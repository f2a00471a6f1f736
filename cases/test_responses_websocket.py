"""The Responses API over a WebSocket on /responses: response.create events, one response after another on one connection.

Each session is judged as a whole (its frames: one JSON event per text frame), and the answer to each
response.create as the streamed POST /responses it stands for: every Responses stream and response
check applies to it (conformance/responses_socket.py). Every response is created with store: false, as
the WebSocket mode is made for: nothing is kept, nothing to delete; continuations use the connection's own
state. The cases that cover an Open Responses WebSocket acceptance test carry its id.
"""

import secrets

import pytest

from conformance.responses_socket import session

from .test_responses import WEATHER, answer
from .test_responses_compact import CONVERSATION, NEXT
from .test_responses_state import REJECTED, UNKNOWN_RESPONSE

pytestmark = [pytest.mark.capability("responses"), pytest.mark.capability("responses-websocket"),
              pytest.mark.reference("Responses > WebSocket mode")]

NOT_FOUND = "previous_response_not_found"
"""The code of the error event answering a previous_response_id the connection (and the store) does not have."""
QUIET = 0.25
"""Seconds the case goes on listening after a terminal event: nothing may come until the next response.create."""
LANE = "openai-conformance.lane_1"
"""A stream_id (the reference's pattern: letters, digits, _ . -)."""
MISSING_CALL = [{"type": "function_call_output", "call_id": "call_openai-conformance-missing", "output": "No call made this."}]
"""A continuation the reference rejects (400): the output of a function call the response continued never made."""


@pytest.mark.openresponses("websocket-response")
def test_socket_response(api, models, resources):
    with session(api) as socket:
        socket.create(answer(models, resources))


@pytest.mark.openresponses("websocket-sequential-responses")
def test_socket_two_responses(api, models, resources):
    """Two responses on one connection, the second a forced function call; nothing arrives after the first one's terminal event."""
    with session(api) as socket:
        socket.create(answer(models, resources), quiet=QUIET)
        socket.create(answer(models, resources, "What is the weather in Paris?", tools=[WEATHER], tool_choice="required"))


@pytest.mark.openresponses("websocket-continuation")
def test_socket_continuation(api, models, resources):
    """store: false, continued on the same connection by previous_response_id with only the new input."""
    with session(api) as socket:
        first = socket.create(answer(models, resources))
        socket.create(answer(models, resources, "Say it once more.", previous_response_id=first.response_id), same_as=first)


@pytest.mark.openresponses("websocket-previous-response-not-found")
def test_socket_unknown_previous_response(api, models, resources):
    """A previous_response_id nobody has is an error event with code previous_response_not_found, and the connection stays usable."""
    with session(api) as socket:
        socket.create(answer(models, resources, previous_response_id=UNKNOWN_RESPONSE), expect=REJECTED, code=NOT_FOUND)
        socket.create(answer(models, resources))


@pytest.mark.openresponses("websocket-reconnect-store-false-recovery")
def test_socket_state_stays_on_its_connection(api, models, resources):
    """A store: false response is the connection's alone: another connection cannot continue it, and starts afresh."""
    with session(api) as socket:
        first = socket.create(answer(models, resources))
    with session(api) as socket:
        socket.create(answer(models, resources, "Say it once more.", previous_response_id=first.response_id), expect=REJECTED, code=NOT_FOUND)
        socket.create(answer(models, resources))


@pytest.mark.openresponses("websocket-failed-continuation-evicts-cache")
def test_socket_failed_continuation(api, models, resources):
    """A continuation that fails evicts what it continued: naming it again is previous_response_not_found."""
    with session(api) as socket:
        first = socket.create(answer(models, resources))
        socket.create(answer(models, resources, input=MISSING_CALL, previous_response_id=first.response_id), expect=400)
        socket.create(answer(models, resources, "Say it once more.", previous_response_id=first.response_id), expect=REJECTED, code=NOT_FOUND)


@pytest.mark.openresponses("websocket-compact-new-chain")
@pytest.mark.capability("responses-compact")
def test_socket_compacted_new_chain(api, models, resources):
    """A new chain on the socket starts from a compaction: POST /responses/compact's output, then a new turn, as input."""
    compacted = api.post("/responses/compact", json={"model": models.chat, "input": CONVERSATION}, expect=200)
    with session(api) as socket:
        socket.create(answer(models, resources, input=[*compacted.needed("output", list), NEXT]))


def test_socket_stream_id(api, models, resources):
    """A response.create naming a lane (stream_id): the events of its response echo it, and so does an error event."""
    with session(api) as socket:
        socket.create(answer(models, resources, stream_id=LANE))
        socket.create(answer(models, resources, stream_id=LANE, previous_response_id=UNKNOWN_RESPONSE), expect=REJECTED, code=NOT_FOUND)


@pytest.mark.reference("Authentication")
def test_socket_unknown_key(api, models, resources):
    """A key the target does not know: the handshake refused with 401, or the socket serving nothing before it refuses the key."""
    unknown = {"Authorization": f"Bearer openai-conformance-unknown-{secrets.token_hex(16)}"}
    with session(api, headers=unknown, expect=(101, 401)) as socket:
        if socket.opened:
            socket.socket.send({"type": "response.create", **answer(models, resources)})
            socket.socket.receive(lambda event: isinstance(event, dict) and event.get("type") in ("error", "response.completed"), waiting_for="the refusal of the key")

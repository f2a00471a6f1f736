"""The Responses API's WebSocket mode on /v1/responses: ``response.create`` events, each answered with the HTTP stream's events.

The handshake is authenticated like any request (a refused key is the HTTP 401 with the error object).
Each ``response.create`` is the body of a POST /responses (``type`` and ``stream_id`` aside): it is
answered with the events its stream would carry, one JSON text frame each, the stream's own faults
and variants included, or with one ``error`` event (ResponseWsError) after which the connection stays
open. A response made on the connection is remembered there: ``previous_response_id`` continues it,
``store: false`` included (connection-local state); a continuation that fails forgets what it continued,
so naming it again is ``previous_response_not_found``. The faults of the socket itself are declared here.
"""

from __future__ import annotations

import asyncio
import json

from starlette.websockets import WebSocket, WebSocketDisconnect

from conformance.emulator import admission, streaming
from conformance.emulator.errors import APIError, invalid
from conformance.emulator.faults import active, declare
from conformance.emulator.replies import reply
from conformance.emulator.responses_api import events, request as body_rules, routes, state
from conformance.emulator.variants import chosen

CAPABILITY = "responses-websocket"
CREATE = "response.create"
POLICY_VIOLATION = 1008
"""RFC 6455's close code for a message that violates the server's policy (a key it does not know)."""
SERVER_ERROR_CLOSE = 1011

COALESCED = declare("responses-socket-coalesced", "socket.json-events", "test_socket_two_responses",
                    "response.created and response.in_progress sent in one text frame, back to back")
LATE_EVENT = declare("responses-socket-event-after-terminal", "responses.terminal", "test_socket_two_responses",
                     "the event before the terminal event sent again after it, before the next response.create")
PREVIOUS_NO_CODE = declare("responses-socket-previous-no-code", "error.code", "test_socket_unknown_previous_response",
                           "an unknown previous_response_id answered with an error event whose code is null")
FAILURE_KEEPS_CACHE = declare("responses-socket-failure-keeps-cache", "http.status", "test_socket_failed_continuation",
                              "a continuation that fails leaves the response it continued on the connection: it can be continued again")
CLOSE_AFTER_ERROR = declare("responses-socket-close-after-error", "http.response", "test_socket_unknown_previous_response",
                            "the connection is closed (1011) after every error event: nothing more can be asked on it")
LANE_DROPPED = declare("responses-socket-stream-id-dropped", "responses-socket.stream-id", "test_socket_stream_id",
                       "the events answering a response.create with a stream_id do not echo it")
KEY_IGNORED = declare("responses-socket-key-ignored", "responses-socket.key-refused", "test_socket_unknown_key",
                      "the handshake is not authenticated: a session opened with an unknown key is served")


async def serve(websocket: WebSocket) -> None:
    if not active(websocket, KEY_IGNORED):
        try:
            admission.admit(websocket, websocket.app.state.api_key)
        except APIError as error:
            return await _refuse(websocket, error)
    await websocket.accept()
    connection: dict[str, list[dict]] = {}
    """The context of each response made on this connection (its chain, its input, its output), by id."""
    try:
        while True:
            text = await websocket.receive_text()
            sent = _laned(websocket, text, await _answer(websocket, text, connection))
            for k, event in enumerate(sent):
                if k:
                    await asyncio.sleep(streaming.DELAY)
                await websocket.send_text(event if isinstance(event, str) else _text(websocket, event))
            if len(sent) == 1 and isinstance(sent[0], dict) and sent[0].get("type") == "error" and active(websocket, CLOSE_AFTER_ERROR):
                await websocket.close(SERVER_ERROR_CLOSE, "error")
                return
    except WebSocketDisconnect:
        pass  # the client left


async def _refuse(websocket: WebSocket, error: APIError) -> None:
    """A key refused: the HTTP answer to the handshake, or (a legal variant) an error event and a close once upgraded."""
    if chosen(websocket, "socket-late-refusal"):
        await websocket.accept()
        await websocket.send_text(_text(websocket, _error_event(websocket, error)))
        await websocket.close(POLICY_VIOLATION, error.body["error"]["code"] or "invalid_api_key")
        return
    await websocket.send_denial_response(reply(websocket, error.status, error.body))


async def _answer(websocket: WebSocket, text: str, connection: dict[str, list[dict]]) -> list[dict | str]:
    """The events answering one client message: a response's stream, or one error event."""
    continued = None
    try:
        try:
            body = json.loads(text)
        except ValueError:
            raise APIError(400, "We could not parse the JSON of your event.", code="invalid_json") from None
        if not isinstance(body, dict) or body.get("type") != CREATE:
            raise invalid("type", f"Unknown event type: the client events are {CREATE} only.", "invalid_event_type")
        body = {k: v for k, v in body.items() if k not in ("type", "stream_id", "stream")}
        if body.get("background") is True:
            raise invalid("background", "background is not supported over WebSocket.", "unsupported_parameter")
        body_rules.validate(body, websocket)
        previous = body.get("previous_response_id")
        continued = previous if previous in connection else None
        response, items, context = routes.respond(websocket, body, lambda: _chain(websocket, previous, connection))
    except APIError as error:
        if continued is not None and not active(websocket, FAILURE_KEEPS_CACHE):
            connection.pop(continued, None)  # a failed continuation forgets what it continued
        return [_error_event(websocket, error)]
    connection[response["id"]] = [*context, *response["output"]]
    state.save(websocket, state.Record(response["id"], response, items, context), streamed=True)
    out: list[dict | str] = events.events(websocket, response)
    if active(websocket, COALESCED):
        out = [_text(websocket, out[0]) + _text(websocket, out[1]), *out[2:]]
    if active(websocket, LATE_EVENT):  # the event before the terminal one again, numbered after it
        out.append({**out[-2], "sequence_number": out[-1]["sequence_number"] + 1})
    return out


def _laned(websocket: WebSocket, text: str, sent: list[dict | str]) -> list[dict | str]:
    """The events with the stream_id (the lane) their response.create named, as the reference has every one of them echo it."""
    try:
        lane = json.loads(text).get("stream_id")
    except (ValueError, AttributeError):
        return sent
    if not isinstance(lane, str) or active(websocket, LANE_DROPPED):
        return sent
    return [{**event, "stream_id": lane} if isinstance(event, dict) else event for event in sent]


def _chain(websocket: WebSocket, previous: str | None, connection: dict[str, list[dict]]) -> list[dict]:
    """The items a continuation builds on: the connection's own response, else a stored one (the reference's 404 when neither)."""
    if previous in connection and not active(websocket, state.PREVIOUS_IGNORED):
        return connection[previous]
    try:
        return state.context_before(websocket, previous)
    except APIError as error:
        if active(websocket, PREVIOUS_NO_CODE):
            error.body["error"]["code"] = None
        raise


def _error_event(websocket: WebSocket, error: APIError) -> dict:
    """ResponseWsError: the error object under ``error``, with the status an HTTP answer would have had (optional)."""
    event = {"type": "error", "status": error.status, "error": error.body["error"]}
    if chosen(websocket, "socket-error-no-status"):
        del event["status"]
    return event


def _text(websocket: WebSocket, event: dict) -> str:
    return json.dumps(event, indent=2 if chosen(websocket, "socket-pretty-json") else None)


ROUTES = [(CAPABILITY, "WEBSOCKET", "/responses", serve)]

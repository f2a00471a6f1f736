"""The emulator's Starlette application: routing, authentication, fault selection."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Collection

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.websockets import WebSocket

from conformance.emulator import admission, chat, models, variants
from conformance.emulator.endpoints import ENDPOINTS
from conformance.emulator.store import Store
from conformance.emulator.errors import APIError
from conformance.emulator.faults import FAULTS, PREFIX, active, declare, selection, unknown_name
from conformance.emulator.replies import SERVER_ERROR, SERVER_ERROR_FAULT, reply

STALL = declare("stall", "http.response", "test_single_user_message", "answers GETs but never answers a POST (a hung inference backend)")
ERROR_ECHOES_INPUT = declare("error-echoes-input", "error.small", "test_large_invalid_input", "400 errors echo the request body back (pydantic-style `input`)")
UNKNOWN_ROUTE_HTML = declare("unknown-route-html", "http.content-type", "test_unknown_route", "unknown routes answered 404 with an HTML page")
CATCH_ALL_200 = declare("catch-all-200", "http.status", "test_unknown_route", "unknown routes answered 200 with an HTML page (a web app's catch-all)")
FILE_NOT_FOUND = declare("unknown-route-file-not-found", "error.envelope", "test_unknown_route",
                         'unknown routes answered 404 {"error": {"message": "File Not Found", "type": "not_found_error", "code": 404}} (llama.cpp\'s server)')
NOT_FOUND_DETAIL = declare("not-found-detail", "error.envelope", "test_unknown_route",
                           'every 404, an unknown route\'s and a missing object\'s alike, answered {"detail": "Not Found"} (a FastAPI server)')
METHOD_IGNORED = declare("method-ignored", "http.status", "test_wrong_method", "routes match the path only: PUT /models is served as GET /models")

DETAIL_NOT_FOUND = {"detail": "Not Found"}
STALL_SECONDS = 600
"""How long the ``stall`` fault holds a request before giving up (it stops early if the client leaves)."""

Handler = Callable[[Request], Awaitable[Response]]


def create_app(api_key: str | None = None, capabilities: Collection[str] | None = None) -> Callable:
    """The emulator as an ASGI app; with ``api_key`` only that key is accepted, else any Bearer key.

    ``capabilities`` limits the endpoints beyond models and chat (e.g. to emulate a chat-only server);
    the others answer 404 like an unknown URL.
    """

    def endpoint(handler: Handler) -> Handler:
        async def guarded(request: Request) -> Response:
            try:
                admission.admit(request, api_key)
                return await handler(request)
            except APIError as error:
                if error.status == 404 and active(request, NOT_FOUND_DETAIL):
                    return reply(request, 404, DETAIL_NOT_FOUND)
                return reply(request, error.status, await _echoing(request, error) if active(request, ERROR_ECHOES_INPUT) else error.body)

        return guarded

    routes = [
        Route("/models", endpoint(models.list_models), methods=["GET"]),
        Route("/models/{model:path}", endpoint(models.retrieve_model), methods=["GET"]),
        Route("/chat/completions", endpoint(chat.create), methods=["POST"]),
    ]
    for module in ENDPOINTS:
        for capability, method, path, handler in module.ROUTES:
            if capabilities is None or capability in capabilities:
                # A socket's handler admits the handshake itself (its refusal is a denial response, or an event then a close).
                routes.append(WebSocketRoute(path, _socket(handler)) if method == "WEBSOCKET" else Route(path, endpoint(handler), methods=[method]))
    app = Starlette(routes=[Mount("/v1", routes=routes)], exception_handlers={HTTPException: _http_error})
    app.state.store = Store()  # what clients create lives as long as this app instance
    app.state.api_key = api_key  # for the socket handlers' admission
    return _FaultGateway(variants.Gateway(app))


def _socket(handler: Callable[[WebSocket], Awaitable[None]]) -> Callable[[WebSocket], Awaitable[None]]:
    """A WebSocket route: a target answering 500 to everything (fault server-error) refuses the handshake so too."""
    async def guarded(websocket: WebSocket) -> None:
        if active(websocket, SERVER_ERROR_FAULT):
            return await websocket.send_denial_response(reply(websocket, 500, SERVER_ERROR))
        await handler(websocket)

    return guarded


async def _echoing(request: Request, error: APIError) -> dict:
    return {"error": {**error.body["error"], "input": (await request.body()).decode("utf-8", "replace")}}


async def _http_error(request: Request, exc: HTTPException) -> Response:
    if exc.status_code == 404 and (active(request, UNKNOWN_ROUTE_HTML) or active(request, CATCH_ALL_200)):
        return HTMLResponse("<html><body><h1>Not Found</h1></body></html>", 200 if active(request, CATCH_ALL_200) else 404)
    if exc.status_code == 404 and active(request, NOT_FOUND_DETAIL):
        return reply(request, 404, DETAIL_NOT_FOUND)
    if exc.status_code == 404 and active(request, FILE_NOT_FOUND):
        return reply(request, 404, {"error": {"message": "File Not Found", "type": "not_found_error", "code": 404}})
    # Unknown routes and wrong methods get the error object too, as on the real API.
    message = f"Invalid URL ({request.method} {request.url.path})" if exc.status_code == 404 else exc.detail
    return reply(request, exc.status_code, {"error": {"message": message, "type": "invalid_request_error", "param": None, "code": None}})


class _FaultGateway:
    """Strips ``/fault/<name>[+<name>...]`` from the path and records the faults in the request state."""

    def __init__(self, app: Callable) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        state = scope.setdefault("state", {})
        state["started"] = time.perf_counter()
        if scope["path"].startswith(PREFIX):
            segment, _, rest = scope["path"][len(PREFIX):].partition("/")
            faults, unknown = selection(segment)
            if unknown:
                return await variants.refusal(scope, receive, send, JSONResponse(unknown_name("fault", unknown[0], FAULTS), 404))
            state["faults"] = faults
            scope = {**scope, "path": "/" + rest, "raw_path": ("/" + rest).encode()}
            if STALL in faults and scope["type"] == "http" and scope["method"] != "GET":
                return await _stall(receive)
            if METHOD_IGNORED in faults and scope["type"] == "http" and scope["method"] not in ("GET", "POST"):
                scope = {**scope, "method": "GET"}
        await self.app(scope, receive, send)


async def _stall(receive) -> None:
    async def until_disconnect() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass

    try:
        await asyncio.wait_for(until_disconnect(), STALL_SECONDS)
    except TimeoutError:
        pass

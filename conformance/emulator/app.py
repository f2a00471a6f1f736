"""The emulator's Starlette application: routing, authentication, fault selection."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route

from conformance.emulator import chat, models
from conformance.emulator.errors import APIError
from conformance.emulator.faults import FAULTS, PREFIX, active, declare
from conformance.emulator.responses import reply

STALL = declare("stall", "http.response", "test_single_user_message", "answers GETs but never answers a POST (a hung inference backend)")
NO_AUTH = declare("no-auth", "http.status", "test_missing_api_key", "authentication not enforced")

STALL_SECONDS = 600
"""How long the ``stall`` fault holds a request before giving up (it stops early if the client leaves)."""

Handler = Callable[[Request], Awaitable[Response]]


def create_app(api_key: str | None = None) -> Callable:
    """The emulator as an ASGI app; with ``api_key`` only that key is accepted, else any Bearer key."""

    def endpoint(handler: Handler) -> Handler:
        async def guarded(request: Request) -> Response:
            try:
                _authenticate(request, api_key)
                return await handler(request)
            except APIError as error:
                return reply(request, error.status, error.body)

        return guarded

    routes = [
        Route("/models", endpoint(models.list_models), methods=["GET"]),
        Route("/models/{model:path}", endpoint(models.retrieve_model), methods=["GET"]),
        Route("/chat/completions", endpoint(chat.create), methods=["POST"]),
    ]
    app = Starlette(routes=[Mount("/v1", routes=routes)], exception_handlers={HTTPException: _http_error})
    return _FaultGateway(app)


def _authenticate(request: Request, api_key: str | None) -> None:
    if active(request, NO_AUTH):
        return
    scheme, _, key = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise APIError(401, "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).")
    if api_key is not None and key.strip() != api_key:
        raise APIError(401, "Incorrect API key provided.", code="invalid_api_key")


async def _http_error(request: Request, exc: HTTPException) -> Response:
    # Unknown routes and wrong methods get the error object too, as on the real API.
    message = f"Invalid URL ({request.method} {request.url.path})" if exc.status_code == 404 else exc.detail
    return reply(request, exc.status_code, {"error": {"message": message, "type": "invalid_request_error", "param": None, "code": None}})


class _FaultGateway:
    """Strips ``/fault/<name>`` from the path and records the fault in the request state."""

    def __init__(self, app: Callable) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        state = scope.setdefault("state", {})
        state["started"] = time.perf_counter()
        if scope["path"].startswith(PREFIX):
            name, _, rest = scope["path"][len(PREFIX):].partition("/")
            if name not in FAULTS:
                response = Response(f'{{"error": {{"message": "Unknown emulator fault {name!r}", "type": "invalid_request_error", "param": null, "code": null}}}}', 404, media_type="application/json")
                return await response(scope, receive, send)
            state["fault"] = name
            scope = {**scope, "path": "/" + rest, "raw_path": ("/" + rest).encode()}
            if name == STALL and scope["method"] != "GET":
                return await _stall(receive)
        await self.app(scope, receive, send)


async def _stall(receive) -> None:
    async def until_disconnect() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass

    try:
        await asyncio.wait_for(until_disconnect(), STALL_SECONDS)
    except TimeoutError:
        pass

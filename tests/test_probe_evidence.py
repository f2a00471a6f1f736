"""The probe decides from evidence (issue 21 point 5): a 404 is compared with the target's answer to a route that cannot
exist, a made-up id answered alike is settled by a response the probe creates (and deletes), models are chosen by what
the target answers for them, and a 5xx keeps a capability supported with a comment saying it is broken."""

from __future__ import annotations

import threading

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from conformance.config import Target
from conformance.emulator.server import EmbeddedServer
from conformance.missing_route import UnknownRoute, route_missing
from conformance.probe import NO_SUCH_OBJECT, SOCKETS, _probe_request, probe, profile_text
from conformance.profile import CAPABILITIES
from tests.conftest import KEY, run_cases, with_fault
from tests.test_generated import REFERENCE_SPEC

STATEFUL = ("responses-store", "responses-background")
LLAMA_404 = {"error": {"message": "File Not Found", "type": "not_found_error", "code": 404}}


@pytest.fixture
def server():
    """Start an emulator (optionally serving only some capabilities); each is stopped at the end."""
    started = []

    def start(capabilities=None) -> EmbeddedServer:
        started.append(EmbeddedServer(api_key=KEY, capabilities=capabilities))
        started[-1].url = started[-1].start()
        return started[-1]

    yield start
    for each in started:
        each.stop()


def _target(url: str, fault: str | None = None) -> Target:
    return Target(base_url=with_fault(url, fault) if fault else url, api_key=KEY, request_timeout=5)


def test_a_404_is_told_by_the_answer_to_a_route_that_cannot_exist():
    unknown = UnknownRoute(404, {"error": {"message": "Invalid URL (GET /v1/openai-conformance-no-such-route-1a2b)", "type": "invalid_request_error"}})
    invalid_url = {"error": {"message": "Invalid URL (POST /v1/responses/x/cancel)", "type": "invalid_request_error"}}
    assert route_missing(404, invalid_url, unknown) == "like a route that cannot exist"  # the request line set aside
    assert route_missing(404, {"error": {"message": "No response found with id 'x'.", "type": "invalid_request_error"}}, unknown) is None
    assert route_missing(404, LLAMA_404, UnknownRoute(404, LLAMA_404)) and route_missing(405, None, unknown)
    assert route_missing(404, LLAMA_404) is None  # without an answer to compare with, only the words tell (the fuzzing runner's case)


def test_llama_cpp_style_404s_are_missing_routes_not_missing_responses(server):
    """llama.cpp's server answers every unknown route with one 404 body: the probe took it for "served"."""
    partial = server({"models", "chat", "responses"})
    found = probe(_target(partial.url, "unknown-route-file-not-found"))
    assert set(STATEFUL) <= set(found.lacking) and "responses" not in found.lacking
    assert found.lacking["responses-store"] == (f"probe: GET /responses/{NO_SUCH_OBJECT} answered HTTP 404 like a route that cannot exist, "
                                                "and so did GET /responses/{id} of a response the probe created")
    # The same fault on a server that stores: a made-up id's 404 names the response, unlike an unknown route's.
    full = server()
    found = probe(_target(full.url, "unknown-route-file-not-found"))
    assert not set(STATEFUL) & set(found.lacking)
    assert found.requests == 1 + len([c for c in CAPABILITIES if not c.endswith("-streaming") and c != "generated"])  # nothing created


def test_made_up_ids_answered_like_missing_routes_are_settled_by_a_real_response(server):
    """Every 404 alike ({"detail": "Not Found"}): the response the probe creates can be fetched, so the routes are served."""
    full = server()
    found = probe(_target(full.url, "not-found-detail"))
    assert not set(STATEFUL) & set(found.lacking)
    assert full.store.all("responses") == []  # created, asked about, deleted
    # A server with no stored state at all: its created response 404s as well.
    found = probe(_target(full.url, "not-found-detail+store-ignored"))
    assert set(STATEFUL) <= set(found.lacking) and "responses" not in found.lacking
    assert found.lacking["responses-store"].endswith("and so did GET /responses/{id} of a response the probe created")


def test_conversations_are_probed_without_creating_one_unless_a_made_up_id_leaves_it_open(server):
    """POST /conversations with an empty body would create one: a made-up id is asked about, and only when its 404 is
    alike an unknown route's does the probe create an empty conversation (no tokens), ask about it and delete it."""
    full = server()
    found = probe(_target(full.url))
    assert "conversations" not in found.lacking and full.store.all("conversations") == []
    found = probe(_target(full.url, "not-found-detail"))
    assert "conversations" not in found.lacking and full.store.all("conversations") == []  # created, asked about, deleted
    found = probe(_target(server({"models", "chat", "responses"}).url, "not-found-detail"))
    # A server without them: its POST /conversations is a 404 too, so there is nothing to ask about and the comparison stands.
    assert found.lacking["conversations"] == f"probe: GET /conversations/{NO_SUCH_OBJECT} answered HTTP 404 like a route that cannot exist"


def test_a_made_up_id_refused_with_400_is_settled_by_a_real_response(server):
    """LiteLLM without an upstream: a made-up id is a 400 (it cannot be routed), its own response's GET and cancel a 500."""
    full = server()
    found = probe(_target(full.url, "responses-forwarded-upstream"))
    assert not set(STATEFUL) & set(found.lacking)
    assert found.broken == {"responses-store": "GET /responses/{id} answered HTTP 500 for a response the probe created",
                            "responses-background": "POST /responses/{id}/cancel answered HTTP 500 for a response the probe created"}


def test_a_500_is_served_but_broken_and_says_so(server):
    full = server()
    text = profile_text(_target(full.url, "embeddings-500"), "broken")
    assert "# Served, but broken (a 5xx answer): kept supported, so that their cases report it.\n#   embeddings: POST /embeddings answered HTTP 500" in text
    assert "[unsupported]\n\n[models]" in text  # embeddings not among the unsupported


class Gateway:
    """A LiteLLM-like gateway: its own model names, a chat mock, a broken embeddings model and a working one."""

    LISTED = ["mock-gpt", "broken-embed", "mock-embed"]

    def __init__(self) -> None:
        self.embedded: list[str] = []

        async def models(request: Request):
            return JSONResponse({"object": "list", "data": [{"id": m, "object": "model", "created": 1, "owned_by": "gw"} for m in self.LISTED]})

        async def chat(request: Request):
            return JSONResponse({"object": "chat.completion", "choices": [{"index": 0, "message": {"role": "assistant", "content": "OK"}}]})

        async def embeddings(request: Request):
            model = (await request.json()).get("model")
            self.embedded.append(model)
            if model == "broken-embed":
                return JSONResponse({"error": {"message": "upstream failed", "type": "server_error"}}, 500)
            if model == "mock-embed":
                return JSONResponse({"object": "list", "data": [{"object": "embedding", "index": 0, "embedding": [0.1, 0.2]}]})
            return JSONResponse({"object": "chat.completion", "choices": []})  # the chat mock answers anything with its chat shape

        app = Starlette(routes=[Route("/v1/models", models), Route("/v1/chat/completions", chat, methods=["POST"]),
                                Route("/v1/embeddings", embeddings, methods=["POST"])])
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        while not self.server.started:
            self.thread.join(0.01)
        return f"http://127.0.0.1:{self.server.servers[0].sockets[0].getsockname()[1]}/v1"

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(5)


def test_the_embeddings_model_is_the_one_answered_with_an_embedding_list():
    """LiteLLM's probe wrote its chat mock as the embeddings model (the first listed): models are tried, 'embed' names first."""
    gateway = Gateway()
    with gateway as url:
        found = probe(Target(base_url=url, api_key=KEY, request_timeout=5))
        tried = gateway.embedded[1:]  # after the capability's own probe, POST /embeddings {}
        text = profile_text(Target(base_url=url, api_key=KEY, request_timeout=5), "gateway")
    assert found.models["embeddings"][0] == "mock-embed" and found.models["chat"][0] == "mock-gpt"
    assert tried == ["broken-embed", "mock-embed"]  # in that order, and no further
    assert "embeddings" not in found.broken  # a model answered: the 500 of another is no verdict on the capability
    assert 'embeddings = "mock-embed"  # answered a valid embedding list' in text
    # A variant (chat-streaming) has no request of its own, nor the Responses socket of a target without the Responses API.
    probed = sum(1 for c in CAPABILITIES if _probe_request(c) is not None or (c in SOCKETS and c != "responses-websocket"))
    # The route that cannot exist, one per capability, one chat and two embeddings trials, and the conversation it tries to
    # create (its made-up id's 404 is like an unknown route's: only a real one could tell, and the create is a 404 too).
    assert found.requests == 1 + probed + 1 + 2 + 1


@pytest.mark.skipif(not REFERENCE_SPEC.is_file(), reason=f"the official OpenAPI document is not at {REFERENCE_SPEC}")
def test_generated_requests_tell_a_missing_route_by_the_same_comparison(emulator, tmp_path):
    """The fuzzing runner skips an operation the target lacks: with llama.cpp's 404 body too, which names no route."""
    code, results = run_cases(tmp_path, with_fault(emulator, "unknown-route-file-not-found"), "-k", "test_generated and not sequences",
                              f"--spec={REFERENCE_SPEC}", "--operations=^/(models|containers)$")
    rows = {c["id"].split("[", 1)[1].rstrip("]"): c for c in results["cases"]}
    assert rows["POST /containers"]["status"] == "skip", rows["POST /containers"]
    assert "does not implement this operation (HTTP 404: like a route that cannot exist)" in rows["POST /containers"]["reason"]


def test_the_realtime_capability_is_told_by_its_websocket_handshake(server):
    """The Realtime API has no HTTP operation: a handshake on /realtime tells, and nothing is sent on the socket."""
    assert "realtime" not in probe(_target(server().url)).lacking
    found = probe(_target(server({"models", "chat"}).url))
    assert found.lacking["realtime"] == "probe: the WebSocket handshake of GET /realtime answered HTTP 403"


def test_the_responses_socket_is_told_by_its_handshake(server):
    """responses-websocket has no HTTP operation: a WebSocket handshake on /responses answered 101 says it is served."""
    assert "responses-websocket" not in probe(_target(server().url)).lacking
    without = probe(_target(server({"models", "chat", "responses"}).url)).lacking
    assert without["responses-websocket"].startswith("probe: the WebSocket handshake of GET /responses answered HTTP ")
    assert probe(_target(server({"models", "chat"}).url)).lacking["responses-websocket"] == probe(_target(server({"models", "chat"}).url)).lacking["responses"]

"""``openai-conformance probe``: a starting profile from what a target answers, decided from evidence.

Each capability is tried with a request that creates nothing and costs nothing: a GET of a list
(files, jobs, assistants) or a POST of an empty JSON object, which a target that serves the
operation rejects as invalid (400/422). A capability with only operations on one object (stored
responses, cancel) is tried on an id no object has. A 404 is told apart by the target's answer to a
route that cannot exist (conformance/missing_route.py): alike, the route is missing; different, the
object is. When a made-up id's 404 is alike, or the id is refused (400/422), only a real object tells:
the probe creates one stored response (16 output tokens), asks for it and cancels it, and deletes it;
for a conversation's routes, one empty conversation (no tokens), deleted again. A create that an empty
body makes valid (POST /conversations) would create: its capability is tried on an id no object has.
A 5xx is "served, but broken": the capability stays supported (its cases report the failure) and the
profile says so.

Where the suite's default model of a kind is not listed, a few of the listed models (names suggesting
the kind first) are tried with a request that costs next to nothing, and the first answered with a
valid body is written to ``[models]``.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields

import httpx

from conformance import operations, tls
from conformance import websocket as ws
from conformance.config import ConfigError, Models, Target
from conformance.missing_route import UnknownRoute, no_such_route, route_missing
from conformance.preflight import LIST_BYTES, bounded_json, model_ids
from conformance.profile import CAPABILITIES, CORE
from conformance.resources import BETA, MARKER
from conformance.transport import ACCEPT_ENCODING

HEAD_BYTES = 65536
"""The most of an error body the probe reads: an error object is far smaller."""
NO_SUCH_OBJECT = "openai-conformance-probe-no-such-object"
"""The id a probe of an operation on one object names: no target has it, so nothing is read or changed."""
PROBE_TOKENS = 16
"""The output a request of the probe may ask for: the Responses API's least max_output_tokens."""
MAX_TRIED = 3
"""Listed models tried per kind: a target listing hundreds is not walked."""
_BROKEN = 500
_VALID_WHEN_EMPTY = {"POST /conversations"}
"""Creates whose empty body is valid: probing them would create an object."""

SOCKETS = {"realtime": "/realtime", "responses-websocket": "/responses"}
"""Capabilities served over a WebSocket, and the path of their handshake."""


@dataclass(frozen=True)
class Trial:
    """A request that shows a model serves a kind, and what a valid answer to it holds."""

    path: str
    body: Callable[[str], dict]
    valid: Callable[[object], bool]
    answer: str


def _items(body: object, key: str, valid: Callable[[object], bool] = lambda item: isinstance(item, dict)) -> bool:
    items = body.get(key) if isinstance(body, dict) else None
    return isinstance(items, list) and bool(items) and all(valid(item) for item in items)


def _embedding(item: object) -> bool:
    vector = item.get("embedding") if isinstance(item, dict) else None
    return (isinstance(vector, list) and bool(vector) and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in vector)) or (
        isinstance(vector, str) and bool(vector))


_SAY = "Say OK"
TRIALS = {
    "chat": Trial("/chat/completions", lambda m: {"model": m, "messages": [{"role": "user", "content": _SAY}], "max_tokens": PROBE_TOKENS},
                  lambda b: _items(b, "choices"), "a chat completion"),
    "completions": Trial("/completions", lambda m: {"model": m, "prompt": _SAY, "max_tokens": PROBE_TOKENS}, lambda b: _items(b, "choices"), "a completion"),
    "embeddings": Trial("/embeddings", lambda m: {"model": m, "input": "OK"}, lambda b: _items(b, "data", _embedding), "a valid embedding list"),
    "moderations": Trial("/moderations", lambda m: {"model": m, "input": "OK"}, lambda b: _items(b, "results"), "moderation results"),
}
"""The kinds whose models are tried: each request is free or a few tokens (images, audio and fine-tuning are not)."""
_MODEL_FIELD = {"chat": "chat", "completions": "completions", "embeddings": "embeddings", "moderations": "moderation",
                "images": "images", "speech": "speech", "transcriptions": "transcription", "fine-tuning": "finetune"}
_NAMED = {"completions": r"instruct|davinci|babbage", "embeddings": r"embed", "moderations": r"moderat", "images": r"dall-e|image|diffusion|flux",
          "speech": r"tts|speech", "transcriptions": r"whisper|transcri|stt"}
"""Words in a model's name that suggest its kind: those models are tried first, those suggesting another kind last."""


@dataclass
class Findings:
    lacking: dict[str, str] = field(default_factory=dict)
    """Each capability the target seems not to serve, with the evidence."""
    broken: dict[str, str] = field(default_factory=dict)
    """Each capability served, but answered with a 5xx: kept supported."""
    listed: list[str] = field(default_factory=list)
    models: dict[str, tuple[str, str]] = field(default_factory=dict)
    """A model per ``Models`` field where the default is not listed, and why it was chosen."""
    requests: int = 0


@dataclass(frozen=True)
class Answer:
    method: str
    path: str
    status: int
    body: object

    def __str__(self) -> str:
        return f"{self.method} {self.path} answered HTTP {self.status}"


def _probe_request(capability: str) -> operations.Operation | None:
    """The operation that tells whether a capability is served: a list if there is one, else a create,
    else an operation on one object (GET first), asked about an object that does not exist."""
    candidates = [op for op in operations.OPERATIONS if op.capability == capability]
    plain = [op for op in candidates if "{" not in op.template and op.key not in _VALID_WHEN_EMPTY]
    on_one = sorted((op for op in candidates if "{" in op.template), key=lambda op: (op.method != "GET", op.template.count("/")))
    return next((op for op in plain if op.method == "GET"), plain[0] if plain else on_one[0] if on_one else None)


def probe(target: Target) -> Findings:
    """What the target serves, from the evidence of its answers; the requests are counted."""
    headers = {"Authorization": f"Bearer {target.api_key}", "Accept-Encoding": ACCEPT_ENCODING, **BETA}
    verify = tls.verification(target.ca_bundle, target.insecure)
    with httpx.Client(base_url=target.base_url, headers=headers, verify=verify) as http:
        return _Prober(target, http, verify).run()


class _Prober:
    def __init__(self, target: Target, http: httpx.Client, verify=True) -> None:
        self.target, self.http, self.verify = target, http, verify
        self.findings = Findings()
        self.unknown: UnknownRoute | None = None

    def run(self) -> Findings:
        found = self.findings
        unknown = self.send("GET", no_such_route(), judges_key=False)
        self.unknown = UnknownRoute(unknown.status, unknown.body)
        unsettled: dict[str, Answer] = {}
        """Operations on one object whose made-up id's answer leaves open whether the route works."""
        for capability in CAPABILITIES:
            if capability in SOCKETS:
                if (http := capability.removesuffix("-websocket")) in found.lacking:  # no Responses API, nor its socket
                    found.lacking[capability] = found.lacking[http]
                else:
                    self.handshake(capability, SOCKETS[capability])
                continue
            operation = _probe_request(capability)
            if operation is None:
                continue  # a variant of another capability (chat-streaming of chat): as that one goes, below
            path = re.sub(r"\{\w+\}", NO_SUCH_OBJECT, operation.template)
            one_object = path != operation.template
            params = {"limit": 1} if operation.method == "GET" and not one_object and operation.template != "/models" else None
            answer = self.send(operation.method, path, params=params, json={} if operation.method == "POST" and not one_object else None)
            if capability == "models" and answer.status == 200:
                found.listed = model_ids(answer.body)
            if answer.status >= _BROKEN:
                found.broken[capability] = str(answer)
            elif why := route_missing(answer.status, answer.body, self.unknown):
                found.lacking[capability] = f"probe: {answer}" + (f" {why}" if one_object and answer.status == 404 else "")
            if one_object and answer.status in (400, 404, 422) and not (answer.status == 404 and capability not in found.lacking):
                # Alike an unknown route's 404, or a rejection of the made-up id (LiteLLM cannot route one): only a real object
                # tells. A 404 unlike an unknown route's is about the object, so the route is served.
                unsettled[capability] = answer
        self._choose_models()
        conversations = {c: answer for c, answer in unsettled.items() if answer.path.startswith("/conversations/")}
        responses = {c: answer for c, answer in unsettled.items() if c not in conversations}
        if responses and "responses" not in found.lacking:
            self._ask_about_a_real_object(responses)
        if conversations:
            self._ask_about_a_real_conversation(conversations)
        for variant in (c for c in CAPABILITIES if c.endswith("-streaming")):
            for table in (found.lacking, found.broken):
                if variant.removesuffix("-streaming") in table:
                    table[variant] = table[variant.removesuffix("-streaming")]
        return found

    def send(self, method: str, path: str, judges_key: bool = True, **options) -> Answer:
        """One request; the body read only where it is evidence (a 200 or a 404), within bounds and the timeout.
        A 401 or 403 is a ConfigError where only the key can be refused: not for a route that cannot exist (a gateway
        may refuse every unknown path) nor for one model's trial (a key may lack that model)."""
        timeout = min(self.target.request_timeout, 10.0)
        self.findings.requests += 1
        try:
            with self.http.stream(method, path, timeout=timeout, **options) as response:
                body = None
                if response.status_code in (200, 404):
                    body = bounded_json(response, time.monotonic() + timeout, LIST_BYTES if response.status_code == 200 else HEAD_BYTES)
        except httpx.TransportError as error:
            raise ConfigError(f"target {self.target.base_url} does not answer: {self.target.redact(str(error) or type(error).__name__)}") from None
        if response.status_code in (401, 403) and judges_key:
            raise ConfigError(f"target {self.target.base_url} refuses the API key (HTTP {response.status_code} from {method} {path})")
        return Answer(method, path, response.status_code, body)

    def handshake(self, capability: str, path: str) -> None:
        """A capability served over a WebSocket: its opening handshake tells (101: served, closed at once; a refusal: lacking)."""
        request = self.http.build_request("GET", path, params={"model": self.target.models.of(capability)})
        self.findings.requests += 1
        with ws.opening(request, tls.context(self.verify), min(self.target.request_timeout, 10.0)) as (_, response, error):
            pass  # nothing is sent: the session ends before it costs anything
        if response is None:
            self.findings.lacking[capability] = f"probe: the WebSocket handshake of GET {path} got no answer ({self.target.redact(error or '')})"
            return
        status = response.status_code
        if status == 401:  # not 403: a framework without the socket route refuses the upgrade so (Starlette's default)
            raise ConfigError(f"target {self.target.base_url} refuses the API key (HTTP {status} from the WebSocket handshake of GET {path})")
        if status >= _BROKEN:
            self.findings.broken[capability] = f"the WebSocket handshake of GET {path} answered HTTP {status}"
        elif status != 101:
            try:
                body = response.json()
            except ValueError:
                body = None
            why = route_missing(status, body, self.unknown)
            self.findings.lacking[capability] = f"probe: the WebSocket handshake of GET {path} answered HTTP {status}" + (f" ({why})" if why else "")

    def _choose_models(self) -> None:
        """For each served kind whose default model is not listed: a listed model the target answered for, when it can be tried."""
        found, defaults = self.findings, {f.name: f.default for f in fields(Models)}
        for capability, option in _MODEL_FIELD.items():
            if capability in found.lacking or not found.listed or defaults[option] in found.listed:
                continue
            ranked = _ranked(found.listed, capability)
            shown = f"{defaults[option]!r} is not listed; listed: {', '.join(found.listed[:10])}"
            trial = TRIALS.get(capability)
            if trial is None:
                found.models[option] = (ranked[0], f"by its name, not tried ({shown})")
                continue
            seen: list[Answer] = []
            for model in ranked[:MAX_TRIED]:
                answer = self.send("POST", trial.path, judges_key=False, json=trial.body(model))
                if answer.status == 200 and trial.valid(answer.body):
                    found.models[option] = (model, f"answered {trial.answer} ({shown})")
                    break
                seen.append(answer)
            else:
                tried = "; ".join(f"{model}: HTTP {answer.status}" for model, answer in zip(ranked, seen))
                found.models[option] = (ranked[0], f"no model tried answered {trial.answer} ({tried}); {shown}")
                if broken := next((f"{answer} for model {model!r}" for model, answer in zip(ranked, seen) if answer.status >= _BROKEN), None):
                    found.broken.setdefault(capability, broken)

    def _ask_about_a_real_object(self, unsettled: dict[str, Answer]) -> None:
        """Create one stored response, ask each unsettled route about it, delete it."""
        model = self.findings.models.get("chat", (Models.chat, ""))[0]
        created = self.send("POST", "/responses", json={"model": model, "input": _SAY, "max_output_tokens": PROBE_TOKENS, "store": True,
                                                       "metadata": {MARKER: "probe"}})
        self._settle(unsettled, created, "a response", "/responses/{id}")

    def _ask_about_a_real_conversation(self, unsettled: dict[str, Answer]) -> None:
        """Create one empty conversation (no tokens), ask each unsettled route about it, delete it."""
        created = self.send("POST", "/conversations", json={"metadata": {MARKER: "probe"}})
        self._settle(unsettled, created, "a conversation", "/conversations/{id}")

    def _settle(self, unsettled: dict[str, Answer], created: Answer, noun: str, undo: str) -> None:
        """Ask each unsettled route again about the object ``created`` made (``noun``), then delete it with ``undo``."""
        object_id = created.body.get("id") if created.status == 200 and isinstance(created.body, dict) else None
        if not isinstance(object_id, str):
            return  # no object to ask about: the comparison stands
        try:
            for capability, answer in unsettled.items():
                again = self.send(answer.method, answer.path.replace(NO_SUCH_OBJECT, object_id))
                path = again.path.replace(object_id, "{id}")
                if capability in self.findings.lacking and route_missing(again.status, again.body, self.unknown):
                    self.findings.lacking[capability] += f", and so did {again.method} {path} of {noun} the probe created"
                    continue
                self.findings.lacking.pop(capability, None)
                if again.status >= _BROKEN:
                    self.findings.broken[capability] = f"{again.method} {path} answered HTTP {again.status} for {noun} the probe created"
        finally:
            self.send("DELETE", undo.replace("{id}", object_id))


def _ranked(listed: list[str], capability: str) -> list[str]:
    """The listed models, those whose names suggest the kind first and those suggesting another kind last (stable otherwise)."""
    own = _NAMED.get(capability)
    others = "|".join(words for kind, words in _NAMED.items() if kind != capability)

    def rank(model: str) -> int:
        return 0 if own and re.search(own, model, re.IGNORECASE) else 2 if re.search(others, model, re.IGNORECASE) else 1

    return sorted(listed, key=rank)


def profile_text(target: Target, name: str) -> str:
    """A TOML profile: what the target serves, why the rest is skipped, what is served but broken, and models where the defaults are absent."""
    found = probe(target)
    lines = [
        f"# Written by `openai-conformance probe` from what {target.base_url} answered to {found.requests} requests. Review it: a capability",
        "# the probe could not see (a 404 from a route that exists only under another path) can be moved back.",
        f"name = {json.dumps(name)}",
        f"base_url = {json.dumps(target.base_url)}",
        "",
    ]
    if found.broken:
        lines.append("# Served, but broken (a 5xx answer): kept supported, so that their cases report it.")
        lines += [f"#   {capability}: {what}" for capability, what in found.broken.items()]
        lines.append("")
    lines.append("[unsupported]")
    lines += [f"{json.dumps(c)} = {json.dumps(why)}" for c, why in found.lacking.items() if c not in CORE]
    lines += ["", "[models]"]
    lines += [f"{option} = {json.dumps(model)}  # {why}" for option, (model, why) in found.models.items()]
    if lacking_core := [c for c in CORE if c in found.lacking]:
        lines += ["", f"# The target lacks core capabilities ({', '.join(lacking_core)}): their cases run and fail; list them under [known-failures]."]
    return "\n".join(lines) + "\n"

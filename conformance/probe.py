"""``openai-conformance probe``: a starting profile from what a target answers.

Each capability is tried with a request that creates nothing and costs nothing: a GET of a list
(files, jobs, assistants) or a POST of an empty JSON object, which a target that serves the
operation rejects as invalid (400/422) and one that does not answers 404/405/501. A capability
with only operations on one object (stored responses, cancel) is tried on an id no object has:
a 404 with the error object about that object means served, one saying the route is unknown not. The models the
target lists fill ``[models]`` where the suite's defaults are absent.
"""

from __future__ import annotations

import json
import re
from dataclasses import fields

import httpx

from conformance import operations, tls
from conformance.config import ConfigError, Models, Target
from conformance.preflight import model_ids
from conformance.profile import CAPABILITIES, CORE
from conformance.transport import ACCEPT_ENCODING

ABSENT = (404, 405, 501)
"""Statuses that mean "no such operation here"."""
BETA = {"OpenAI-Beta": "assistants=v2"}
_MODEL_FIELD = {"chat": "chat", "completions": "completions", "embeddings": "embeddings", "moderations": "moderation",
                "images": "images", "speech": "speech", "transcriptions": "transcription", "fine-tuning": "finetune"}


HEAD_BYTES = 65536
"""The most of a 404's body the probe reads: an error object is far smaller."""
NO_SUCH_OBJECT = "openai-conformance-probe-no-such-object"
"""The id a probe of an operation on one object names: no target has it, so nothing is read or changed."""
# How servers say a route does not exist: the reference's "Invalid URL (POST /v1/x)", and the usual framework words.
_UNKNOWN_ROUTE = re.compile(r"invalid url|unknown (url|route|endpoint|path)|no route|route not found|endpoint not found", re.I)


def route_missing(status: int, body: object) -> str | None:
    """Why an answer says the route does not exist (rather than that an object was not found), or ``None``."""
    if status != 404:
        return "method or route not supported" if status in ABSENT else None
    error = body.get("error") if isinstance(body, dict) else None
    message = error.get("message") if isinstance(error, dict) else None
    if not isinstance(message, str):
        return "an answer without the error object, as a framework gives for an unknown route"
    return message if _UNKNOWN_ROUTE.search(message) else None


def _probe_request(capability: str) -> operations.Operation | None:
    """The operation that tells whether a capability is served: a list if there is one, else a create,
    else an operation on one object (GET first), asked about an object that does not exist."""
    candidates = [op for op in operations.OPERATIONS if op.capability == capability]
    plain = [op for op in candidates if "{" not in op.template]
    on_one = sorted((op for op in candidates if "{" in op.template), key=lambda op: (op.method != "GET", op.template.count("/")))
    return next((op for op in plain if op.method == "GET"), plain[0] if plain else on_one[0] if on_one else None)


def probe(target: Target) -> dict[str, str | None]:
    """For each capability: ``None`` when the target serves it, else the reason it seems not to."""
    found: dict[str, str | None] = {}
    headers = {"Authorization": f"Bearer {target.api_key}", "Accept-Encoding": ACCEPT_ENCODING, **BETA}
    verify = tls.verification(target.ca_bundle, target.insecure)
    with httpx.Client(base_url=target.base_url, headers=headers, timeout=min(target.request_timeout, 10.0), verify=verify) as http:
        for capability in CAPABILITIES:
            operation = _probe_request(capability)
            if operation is None:
                # A variant of a capability probed before it (chat-streaming of chat): as that one goes.
                found[capability] = found.get(capability.removesuffix("-streaming"))
                continue
            path = re.sub(r"\{\w+\}", NO_SUCH_OBJECT, operation.template)
            one_object = path != operation.template
            params = {"limit": 1} if operation.method == "GET" and not one_object and operation.template != "/models" else None
            body = None
            try:
                # The status is the answer and the body is left unread (a broken target's may never end, or not
                # decode), but for a 404 on one object: its first bytes say whether the route or the object is missing.
                with http.stream(operation.method, path, params=params, json={} if operation.method == "POST" and not one_object else None) as response:
                    if one_object and response.status_code == 404:
                        body = _head_json(response)
            except httpx.TransportError as error:
                raise ConfigError(f"target {target.base_url} does not answer: {target.redact(str(error) or type(error).__name__)}") from None
            if response.status_code in (401, 403):
                raise ConfigError(f"target {target.base_url} refuses the API key (HTTP {response.status_code} from {operation.key})")
            if path != operation.template:  # a 404 about the object that does not exist means the route is served
                absent = route_missing(response.status_code, body) is not None
            else:
                absent = response.status_code in ABSENT
            found[capability] = f"probe: {operation.method} {path} answered HTTP {response.status_code}" if absent else None
    return found


def _head_json(response: httpx.Response) -> object:
    """The JSON of a short error body (at most HEAD_BYTES, decoded), or ``None``."""
    head = b""
    try:
        for piece in response.iter_bytes():
            head += piece
            if len(head) > HEAD_BYTES:
                return None
        return json.loads(head)
    except (httpx.HTTPError, ValueError):
        return None


def listed_models(target: Target) -> list[str]:
    try:
        response = httpx.get(f"{target.base_url}/models", headers={"Authorization": f"Bearer {target.api_key}", "Accept-Encoding": ACCEPT_ENCODING},
                             timeout=min(target.request_timeout, 10.0))
        return model_ids(response.json())
    except (httpx.HTTPError, ValueError):
        return []


def profile_text(target: Target, name: str) -> str:
    """A TOML profile: what the target serves, why the rest is skipped, and models where the defaults are absent."""
    found = probe(target)
    listed = listed_models(target)
    lines = [
        f"# Written by `openai-conformance probe` from what {target.base_url} answered. Review it: a capability",
        "# the probe could not see (a 404 from a route that exists only under another path) can be moved back.",
        f"name = {json.dumps(name)}",
        f"base_url = {json.dumps(target.base_url)}",
        "",
        "[unsupported]",
    ]
    lines += [f"{json.dumps(c)} = {json.dumps(why)}" for c, why in found.items() if why and c not in CORE]
    lines += ["", "[models]"]
    defaults = {f.name: f.default for f in fields(Models)}
    for capability, field in _MODEL_FIELD.items():
        if found.get(capability) is None and listed and defaults[field] not in listed:
            lines.append(f"{field} = {json.dumps(listed[0])}  # {defaults[field]!r} is not listed; pick one of: {', '.join(listed[:10])}")
    if lacking_core := [c for c in CORE if found.get(c)]:
        lines += ["", f"# The target lacks core capabilities ({', '.join(lacking_core)}): their cases run and fail; list them under [known-failures]."]
    return "\n".join(lines) + "\n"

"""The one request before a run: ``GET /models`` with the key, so that the usual mistakes are one line.

A wrong key, a base URL without its ``/v1``, a mistyped emulator fault or variant, a model the target
does not serve: each would otherwise fail hundreds of cases for one reason, never named. Each is a
ConfigError (one line, exit code 2). Any other answer, a 5xx included, is left for the cases to judge.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from urllib.parse import quote, urlsplit

import httpx

from conformance import deadline as deadlines
from conformance import tls
from conformance.config import ConfigError, Models, Target
from conformance.profile import CAPABILITIES
from conformance.transport import ACCEPT_ENCODING

LIST_BYTES = 4 * 1024 * 1024
"""The most of the model list read: far above the largest provider's list; past it the models are not checked."""
EMULATOR_REFUSALS = ("unknown_fault", "unknown_variant")
"""The error codes with which the emulator answers a /fault/<name> or /variant/<name> prefix it does not have."""
SHOWN_MODELS = 12


def preflight(target: Target) -> None:
    """Raise a ConfigError naming the mistake, if ``GET /models`` shows one. One request; a second only on the way
    to a mistake: to check ``<url>/v1`` before suggesting it, or a model's own route before calling it unserved."""
    status, body = _get(target, f"{target.base_url}/models")
    if status in (401, 403):
        raise ConfigError(f"target {target.described} refuses the API key (HTTP {status} from GET /models)")
    if status == 404:
        error = body.get("error") if isinstance(body, dict) else None
        if isinstance(error, dict) and error.get("code") in EMULATOR_REFUSALS:
            raise ConfigError(f"target {target.described}: {error.get('message')}")
        with_v1 = target.base_url + "/v1"
        if not urlsplit(target.base_url).path.endswith("/v1") and _get(target, f"{with_v1}/models", read=False)[0] == 200:
            raise ConfigError(f"target {target.described} answers GET /models with HTTP 404, but {with_v1}/models answers 200: did you mean {with_v1}?")
    if status == 200:
        # A target may serve a model it does not list (an alias, a default tag): then its route answers for it,
        # and the list is no guide to what the target serves.
        check_models(target, model_ids(body), lambda model: _get(target, f"{target.base_url}/models/{quote(model, safe='')}", read=False)[0] == 200)


def check_models(target: Target, served: list[str], serves_unlisted: Callable[[str], bool] = lambda model: False) -> None:
    """Every model the target's capabilities use must be among those it lists (an empty list is not checked:
    some servers list none while serving one), unless ``serves_unlisted`` the first one missing."""
    if not served:
        return
    used = {}
    for capability in (c for c in CAPABILITIES if c in target.profile.capabilities):
        model = target.models.of(capability.removesuffix("-streaming"))
        if model is not None and model not in served:
            used.setdefault(model, Models.option_of(capability.removesuffix("-streaming")))
    if used and not serves_unlisted(next(iter(used))):
        wrong = ", ".join(f"{model!r} ({option})" for model, option in used.items())
        shown = ", ".join(served[:SHOWN_MODELS]) + (f" and {len(served) - SHOWN_MODELS} more" if len(served) > SHOWN_MODELS else "")
        who = "the embedded reference emulator" if target.embedded else f"target {target.described}"
        raise ConfigError(f"{who} does not serve the model(s) {wrong}: it lists {shown}; pass the option(s) with a listed model,"
                          " or a --profile declaring the capability unsupported (`openai-conformance probe` writes one)")


def model_ids(body: object) -> list[str]:
    """The ids of a ``GET /models`` answer's ``data[]``, in its order."""
    data = body.get("data") if isinstance(body, dict) else None
    return [m["id"] for m in data if isinstance(m, dict) and isinstance(m.get("id"), str)] if isinstance(data, list) else []


def _get(target: Target, url: str, read: bool = True) -> tuple[int, object]:
    """The status of ``GET <url>`` and, for a 200 or 404 when ``read``, its JSON (``None`` when it is not
    JSON, too long, or slower than the timeout in all). A target that does not answer is a ConfigError."""
    timeout = min(target.request_timeout, 10.0)
    deadline = time.monotonic() + timeout
    http, head = deadlines.transport(tls.verification(target.ca_bundle, target.insecure))
    try:
        # The head too within the timeout, however slowly it trickles (conformance/deadline.py).
        with httpx.Client(transport=http, timeout=timeout) as client, head.until(timeout), \
                client.stream("GET", url, headers={"Authorization": f"Bearer {target.api_key}", "Accept-Encoding": ACCEPT_ENCODING}) as response:
            if not read or response.status_code not in (200, 404) or "json" not in response.headers.get("content-type", ""):
                return response.status_code, None  # a broken target's body may never end: the status is enough
            return response.status_code, bounded_json(response, deadline)
    except httpx.TransportError as exc:
        reason = "no answer in time" if isinstance(exc, httpx.TimeoutException) else str(exc) or type(exc).__name__
        raise ConfigError(f"target {target.described} does not answer: {target.redact(reason)}") from None


def bounded_json(response: httpx.Response, deadline: float, limit: int = LIST_BYTES) -> object:
    """The JSON of a streamed answer's body, or ``None`` when it is not JSON, longer than ``limit`` bytes (decoded) or
    not read by ``deadline``: a broken target's body may never end."""
    body = b""
    try:
        for piece in response.iter_bytes():
            body += piece
            if len(body) > limit or time.monotonic() > deadline:
                return None
        return json.loads(body)
    except (httpx.HTTPError, ValueError):
        return None

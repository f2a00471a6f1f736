"""Exchanges as JSON: JSON Lines of ``{"request", "response"}`` objects (the format docs/judge.md describes,
gzip-compressed or plain), or one such object or an array of them (a test agent's request-response JSON).

``request``: ``method``, ``url``, ``headers`` (name to a value or a list of values), ``body`` (text or null)
or ``body_base64`` (bytes that are not UTF-8 text); ``response``: ``status`` (a number, or ``{"code": ...}``),
``headers``, ``body`` (text; a stream's whole ``text/event-stream`` body) or ``body_base64``, optional ``arrivals``
(``[[seconds, bytes], ...]``: when each piece of the body arrived); optional ``source`` (where it was first
recorded), ``meta.redacted_headers`` (``{"response": [names]}``: headers whose values the recorder replaced) and
``meta.cut`` (``{"response": bytes}``: a body the recorder kept only that many bytes of); for a WebSocket session
(status 101), ``socket``: ``frames`` (``sent``, ``at``, ``data`` or ``data_base64``), ``close_code``, ``close_reason``, ``closed_by``.
"""

from __future__ import annotations

import base64
import json

from conformance.recordings.recorded import Recorded, body_bytes, header_pairs
from conformance.websocket import replayed


def read_lines(text: str, file: str) -> list[Recorded]:
    rows = []
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except ValueError as error:
                raise ValueError(f"line {number} is not JSON ({error})") from None
    return read(rows, file)


def read(rows: list, file: str) -> list[Recorded]:
    return [_exchange(row, file, index) for index, row in enumerate(rows)]


def _exchange(row: dict, file: str, index: int) -> Recorded:
    request, response = row["request"], row["response"]
    status = response.get("status")
    meta = row.get("meta") or {}
    redacted = (meta.get("redacted_headers") or {}).get("response") or []
    return Recorded(
        file=file, index=index, method=str(request.get("method", "GET")).upper(), url=str(request.get("url", "")),
        request_headers=header_pairs(request.get("headers")), request_body=_body(request),
        status=int(status.get("code") if isinstance(status, dict) else status),
        response_headers=header_pairs(response.get("headers")), response_body=_body(response),
        redacted=frozenset(name.lower() for name in redacted), origin=row.get("source"), cut=frozenset(meta.get("cut") or ()),
        arrivals=tuple((float(seconds), int(size)) for seconds, size in response.get("arrivals") or ()),
        socket=replayed(row["socket"]) if isinstance(row.get("socket"), dict) else None,
    )


def _body(part: dict) -> bytes:
    return base64.b64decode(part["body_base64"]) if part.get("body_base64") is not None else body_bytes(part.get("body"))

"""Exchanges as JSON: JSON Lines of ``{"request", "response"}`` objects (the format docs/judge.md describes,
gzip-compressed or plain), or one such object or an array of them (a test agent's request-response JSON).

``request``: ``method``, ``url``, ``headers`` (name to a value or a list of values), ``body`` (text or null);
``response``: ``status`` (a number, or ``{"code": ...}``), ``headers``, ``body`` (text; a stream's whole
``text/event-stream`` body); optional ``source`` (where it was first recorded) and ``meta.redacted_headers``
(``{"response": [names]}``: headers whose values the recorder replaced).
"""

from __future__ import annotations

import json

from conformance.recordings.recorded import Recorded, body_bytes, header_pairs


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
    redacted = ((row.get("meta") or {}).get("redacted_headers") or {}).get("response") or []
    return Recorded(
        file=file, index=index, method=str(request.get("method", "GET")).upper(), url=str(request.get("url", "")),
        request_headers=header_pairs(request.get("headers")), request_body=body_bytes(request.get("body")),
        status=int(status.get("code") if isinstance(status, dict) else status),
        response_headers=header_pairs(response.get("headers")), response_body=body_bytes(response.get("body")),
        redacted=frozenset(name.lower() for name in redacted), origin=row.get("source"),
    )

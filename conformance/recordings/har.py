"""HAR 1.2 (browser developer tools, Polly.js, mitmproxy's and Charles' exports): ``log.entries``.

A body is ``postData.text`` / ``content.text``, base64 when ``encoding`` says so. HAR holds bodies as the
client read them (decoded), whatever the Content-Encoding header kept says.
"""

from __future__ import annotations

import base64

from conformance.recordings.recorded import Recorded, body_bytes, header_pairs


def read(document: dict, file: str) -> list[Recorded]:
    exchanges = []
    for index, entry in enumerate(document["log"].get("entries") or []):
        request, response = entry.get("request") or {}, entry.get("response") or {}
        exchanges.append(Recorded(
            file=file, index=index, method=str(request.get("method", "GET")).upper(), url=str(request.get("url", "")),
            request_headers=header_pairs(request.get("headers")), request_body=_body(request.get("postData")),
            status=int(response.get("status", 0)), response_headers=header_pairs(response.get("headers")),
            response_body=_body(response.get("content")),
        ))
    return exchanges


def _body(content: dict | None) -> bytes:
    if not isinstance(content, dict) or content.get("text") is None:
        return b""
    if content.get("encoding") == "base64":
        return base64.b64decode(content["text"])
    return body_bytes(content["text"])

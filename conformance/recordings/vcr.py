"""VCR.py cassettes (YAML, or JSON with VCR.py's JSON serializer): ``interactions`` of a ``request`` and a ``response``.

Bodies are a ``string`` (text, or bytes as ``!!binary``: often still gzip-compressed), a ``base64_string``,
or, in the older httpx layout, the response's ``content`` beside ``status_code``; headers map a name to a
list of values.
"""

from __future__ import annotations

import base64

import yaml

from conformance.recordings.recorded import Recorded, body_bytes, header_pairs


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """Safe loading, plus the string tags of cassettes written under Python 2."""


for _tag in ("tag:yaml.org,2002:python/unicode", "tag:yaml.org,2002:python/str"):
    _Loader.add_constructor(_tag, lambda loader, node: loader.construct_scalar(node))


def parse(text: str) -> object:
    try:
        return yaml.load(text, Loader=_Loader)  # a safe loader
    except yaml.YAMLError as error:
        raise ValueError(f"not YAML ({str(error).splitlines()[0]})") from None


def read(document: dict, file: str) -> list[Recorded]:
    exchanges = []
    for index, interaction in enumerate(document.get("interactions") or []):
        request, response = interaction.get("request") or {}, interaction.get("response") or {}
        status = response.get("status")
        code = status.get("code") if isinstance(status, dict) else response.get("status_code", status)
        exchanges.append(Recorded(
            file=file, index=index,
            method=str(request.get("method", "GET")).upper(), url=str(request.get("uri") or request.get("url") or ""),
            request_headers=header_pairs(request.get("headers")), request_body=_body(request.get("body")),
            status=int(code), response_headers=header_pairs(response.get("headers")),
            response_body=_body(response.get("body", response.get("content"))),
        ))
    return exchanges


def _body(body: object) -> bytes:
    if isinstance(body, dict):
        if "base64_string" in body:
            return base64.b64decode(body["base64_string"])
        return body_bytes(body.get("string"))
    return body_bytes(body)

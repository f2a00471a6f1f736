"""A user-supplied OpenAPI document (``--spec``), normalised so that schemathesis can use it as is.

Published documents, the official one included, depart from OpenAPI 3.1 in ways that make a strict
tool misread them; each normalisation keeps the document's intent:

- ``nullable: true`` (OpenAPI 3.0) inside a 3.1 document: null is added to the type, or allowed
  beside the schema, instead of being rejected.
- ``discriminator`` without ``mapping``: dropped; the ``oneOf``/``anyOf`` it sits on still decides.
- ``text/event-stream`` with a ``schema`` for one chunk: becomes an ``itemSchema`` of events whose
  ``data`` is that chunk as JSON (or the ``[DONE]`` sentinel), so a correct stream validates.
- every operation may answer any 4xx with the reference's error object (documents list only a few, e.g. 429).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import yaml

from conformance.config import ConfigError
from conformance.openapi import SSE, component, schema_files, sse_content

ERROR_COMPONENT = "openai-conformance.error"


@cache
def load(path: str) -> dict:
    """The document at ``path`` (YAML or JSON), normalised; ConfigError when it cannot be used."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read --spec {path}: {getattr(error, 'strerror', None) or error}") from None
    try:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the official document is 3 MB
        document = json.loads(text) if path.endswith(".json") else yaml.load(text, Loader=loader)
    except (ValueError, yaml.YAMLError) as error:
        raise ConfigError(f"--spec {path} is neither JSON nor YAML: {str(error).splitlines()[0]}") from None
    if not isinstance(document, dict) or not str(document.get("openapi", "")).startswith("3.") or not isinstance(document.get("paths"), dict):
        raise ConfigError(f"--spec {path} is not an OpenAPI 3 document (no 'openapi: 3.x' and 'paths')")
    return normalise(document)


def normalise(document: dict) -> dict:
    document = _schemas(document)
    components = document.setdefault("components", {}).setdefault("schemas", {})
    components[ERROR_COMPONENT] = component(ERROR_COMPONENT, schema_files()["error"])
    for item in document["paths"].values():
        for operation in item.values() if isinstance(item, dict) else ():
            if isinstance(operation, dict) and isinstance(operation.get("responses"), dict):
                _responses(operation["responses"])
    return document


def _schemas(node):
    """Every schema object, bottom up: nullable and mapping-less discriminators rewritten."""
    if isinstance(node, list):
        return [_schemas(v) for v in node]
    if not isinstance(node, dict):
        return node
    node = {k: _schemas(v) for k, v in node.items()}
    if isinstance(node.get("discriminator"), dict) and "mapping" not in node["discriminator"]:
        del node["discriminator"]
    if "nullable" in node and not isinstance(node["nullable"], dict):  # not a property named "nullable"
        nullable = node.pop("nullable")
        if nullable is True:
            node = with_null(node)
    return node


def with_null(schema: dict) -> dict:
    kind = schema.get("type")
    if isinstance(kind, str) and kind != "null":
        schema = {**schema, "type": [kind, "null"]}
    elif isinstance(kind, list) and "null" not in kind:
        schema = {**schema, "type": [*kind, "null"]}
    elif kind is None:
        return {"anyOf": [schema, {"type": "null"}]}
    if isinstance(schema.get("enum"), list) and None not in schema["enum"]:
        schema = {**schema, "enum": [*schema["enum"], None]}
    return schema


def _responses(responses: dict) -> None:
    for response in responses.values():
        media = (response.get("content") or {}).get(SSE) if isinstance(response, dict) else None
        if isinstance(media, dict) and "schema" in media and "itemSchema" not in media:
            response["content"][SSE] = sse_content(media["schema"])
    if not any(str(code).upper() == "4XX" or code == "default" for code in responses):
        responses["4XX"] = {"description": "The error object", "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}}}}

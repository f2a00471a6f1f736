"""The suite's own OpenAPI 3.1 document, assembled from ``schemas/`` and the OPERATIONS table.

Nothing here is written by hand beside the schemas: each schema file becomes a component (its
relative ``$ref``s rewritten to component pointers), each operation a path item with its request
body, its success body (JSON, or server-sent events when the request can ask for a stream) and
the error object on every 4xx. ``openai-conformance openapi`` prints it.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib.resources import files

from conformance import __version__
from conformance.operations import OPERATIONS, Media, Operation

JSON = "application/json"
SSE = "text/event-stream"
ERROR = "error"
_COMPONENTS = "#/components/schemas/"
NOT_GENERATED = {
    "POST /images/generations": "every image is billed by the request, outside the token budget",
    "POST /files": "a multipart upload whose file must suit its purpose",
    "POST /uploads": "its mime_type must suit its purpose (a free string in the document): a generated one is no upload a server must accept",
    "POST /audio/transcriptions": "a multipart upload whose file must be audio",
    "POST /fine_tuning/jobs": "it needs an uploaded training file first",
    "POST /vector_stores": "its files must be uploaded first (the suite has no request schema for vector stores)",
    "POST /vector_stores/{vector_store_id}": "it needs a vector store first",
    "POST /vector_stores/{vector_store_id}/files": "it needs a vector store and an uploaded file first",
    "POST /vector_stores/{vector_store_id}/file_batches": "it needs a vector store and uploaded files first",
    "POST /vector_stores/{vector_store_id}/search": "it needs a vector store first",
    "POST /batches": "it needs an uploaded input file first",
    "POST /conversations/{conversation_id}": "its body (metadata) is required and the suite has no request schema for it",
}
"""Operations that take a body no request schema can generate usefully or affordably: documented, not generated."""
OPTIONAL_BODY = {"POST /conversations"}
"""Operations whose body the reference does not require (its requestBody has no ``required: true``): a request without one is valid."""
_PATH_PARAMETER = re.compile(r"\{(\w+)\}")


@cache
def schema_files() -> dict[str, dict]:
    """Every schema in ``conformance.schemas`` by name (file name without ``.json``)."""
    return {
        entry.name.removesuffix(".json"): json.loads(entry.read_text(encoding="utf-8"))
        for entry in sorted(files("conformance.schemas").iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".json")
    }


def document() -> dict:
    """The OpenAPI document of every operation in OPERATIONS."""
    schemas = schema_files()
    paths: dict[str, dict] = {}
    for operation in OPERATIONS:
        paths.setdefault(operation.template, {})[operation.method.lower()] = _operation(operation, schemas)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "OpenAI API as checked by openai-conformance",
            "version": __version__,
            "description": "Generated from the suite's JSON Schemas (schemas/) and operations table; do not edit.",
        },
        "paths": paths,
        "components": {
            "schemas": {name: component(name, schema) for name, schema in schemas.items()},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
    }


def _operation(operation: Operation, schemas: dict[str, dict]) -> dict:
    body: dict = {
        "operationId": _operation_id(operation),
        "summary": operation.section,
        "tags": [operation.section.split(" > ")[0]],
        "responses": {"200": _success(operation), "4XX": _error_response()},
    }
    if links := _links(operation):
        body["responses"]["200"]["links"] = links
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in _PATH_PARAMETER.findall(operation.template)
    ]
    if parameters:
        body["parameters"] = parameters
    if reason := NOT_GENERATED.get(operation.key):
        body["x-not-generated"] = reason
    if operation.request:
        request = schemas[operation.request]
        body["requestBody"] = {"required": operation.key not in OPTIONAL_BODY, "content": {JSON: {"schema": _ref(operation.request)}}}
        if request.get("deprecated"):
            body["deprecated"] = True
    return body


def _links(operation: Operation) -> dict:
    """From a create to the operations on the created object (``/assistants`` -> ``/assistants/{assistant_id}``):
    the transitions of the stateful sequences, fed by the ``id`` of the create's answer."""
    if not operation.undo:
        return {}
    links = {}
    for other in OPERATIONS:
        names = _PATH_PARAMETER.findall(other.template)
        if other.template == f"{operation.template}/{{{names[0] if names else ''}}}" and len(names) == 1:
            links[_operation_id(other).replace("/", "-").strip("-").replace("{", "").replace("}", "")] = {
                "operationId": _operation_id(other), "parameters": {names[0]: "$response.body#/id"},
            }
    return links


def _operation_id(operation: Operation) -> str:
    return f"{operation.method.lower()}{operation.template}"


def _success(operation: Operation) -> dict:
    bodies = operation.formats.bodies.values() if operation.formats else [Media((JSON,), operation.schema, operation.item) if operation.schema else Media(())]
    content: dict = {}
    for body in bodies:
        for media_type in body.types:
            content[media_type] = {"schema": _body_schema(body)} if media_type == JSON and body.schema else {}
    if operation.chunk:
        content[SSE] = sse_content(_ref(operation.chunk))
    return {"description": "Success", "content": content} if content else {"description": "Success (any media type)"}


def _body_schema(body: Media) -> dict:
    schema = _ref(body.schema)
    if body.item:
        schema = {"allOf": [schema], "properties": {"data": {"items": _ref(body.item)}}}
    return schema


def sse_content(chunk_schema: dict) -> dict:
    """A server-sent event stream whose events each carry one chunk as JSON, then ``data: [DONE]``."""
    event = {
        "type": "object",
        "required": ["data"],
        "properties": {
            "data": {
                "anyOf": [
                    {"const": "[DONE]"},
                    {"type": "string", "not": {"const": "[DONE]"}, "contentMediaType": JSON, "contentSchema": chunk_schema},
                ]
            }
        },
    }
    return {"itemSchema": event}


def _error_response() -> dict:
    return {"description": "The error object", "content": {JSON: {"schema": _ref(ERROR)}}}


def _ref(name: str) -> dict:
    return {"$ref": _COMPONENTS + name}


def component(name: str, schema: dict) -> dict:
    """A schema file as a component: no ``$id``/``$schema``; relative ``$ref``s become component pointers."""
    schema = {k: v for k, v in schema.items() if k not in ("$id", "$schema")}
    return _rewrite_refs(schema, name)


def _rewrite_refs(node, owner: str):
    if isinstance(node, dict):
        return {k: (_pointer(v, owner) if k == "$ref" else _rewrite_refs(v, owner)) for k, v in node.items()}
    if isinstance(node, list):
        return [_rewrite_refs(v, owner) for v in node]
    return node


def _pointer(ref: str, owner: str) -> str:
    target, _, fragment = ref.partition("#")
    name = target.removesuffix(".json") if target else owner
    return _COMPONENTS + name + fragment

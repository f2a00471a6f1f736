"""Load the JSON Schemas shipped in ``conformance.schemas`` and hand out compiled validators.

All schema files are registered in one ``referencing`` registry keyed by their ``$id``,
so files reference each other with relative ``$ref``s and nothing is ever fetched.
Validators are compiled once per schema (cached), not once per response.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files

from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

BASE_URI = "https://openai-conformance.invalid/schemas/"


@cache
def registry() -> Registry:
    resources = []
    for entry in files("conformance.schemas").iterdir():
        if entry.name.endswith(".json"):
            contents = json.loads(entry.read_text(encoding="utf-8"))
            resources.append((BASE_URI + entry.name, DRAFT202012.create_resource(contents)))
    return Registry().with_resources(resources).crawl()


def schema_names() -> list[str]:
    return sorted(uri.removeprefix(BASE_URI).removesuffix(".json") for uri in registry())


@cache
def validator(name: str, item: str | None = None) -> Draft202012Validator:
    """The validator for schema ``name``; with ``item``, a list envelope whose ``data`` items are ``item``."""
    schema: dict = {"$ref": BASE_URI + name + ".json"}
    if item is not None:
        schema = {"allOf": [schema], "properties": {"data": {"items": {"$ref": BASE_URI + item + ".json"}}}}
    return Draft202012Validator(schema, registry=registry())

"""Load the JSON Schemas shipped in ``conformance.schemas`` and hand out compiled validators.

All schema files are registered in one ``referencing`` registry keyed by their ``$id``,
so files reference each other with relative ``$ref``s and nothing is ever fetched.
Validators are compiled once per schema (cached), not once per response.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from urllib.parse import urljoin

from jsonschema import Draft202012Validator, validators
from referencing import Registry
from referencing.jsonschema import DRAFT202012

BASE_URI = "https://openai-conformance.invalid/schemas/"


@cache
def registry() -> Registry:
    resources = []
    for entry in files("conformance.schemas").iterdir():
        if entry.name.endswith(".json"):
            contents = json.loads(entry.read_text(encoding="utf-8"))
            # The dialect is given here; left in, "$schema" would make jsonschema switch to its stock
            # 2020-12 class at every file boundary, dropping the Validator below (tests/test_schemas.py checks it is there).
            contents.pop("$schema", None)
            resources.append((BASE_URI + entry.name, DRAFT202012.create_resource(contents)))
    return Registry().with_resources(resources).crawl()


def schema_names() -> list[str]:
    return sorted(uri.removeprefix(BASE_URI).removesuffix(".json") for uri in registry())


_ITEMS = Draft202012Validator.VALIDATORS["items"]
_PLAIN = {"number": (int, float), "string": (str,)}
"""Exact types that satisfy a type-only items schema (bool, an int subclass, takes the usual way)."""


def _items(validator, items, instance, schema):
    """``items`` as jsonschema has it, in one loop where the items only need a type.

    jsonschema descends into each element (a new validator and resource each, ~13 µs): an embedding's
    1536 numbers took longer to validate than the request took to answer. Same verdicts and errors:
    an element of the wrong type is still validated the usual way.
    """
    plain = _PLAIN.get(items.get("type")) if isinstance(items, dict) and items.keys() == {"type"} else None
    if plain is None or not isinstance(instance, list):
        yield from _ITEMS(validator, items, instance, schema)
        return
    for index in range(len(schema.get("prefixItems", [])), len(instance)):
        if type(instance[index]) not in plain:
            yield from validator.descend(instance=instance[index], schema=items, path=index)


Validator = validators.extend(Draft202012Validator, {"items": _items})


@cache
def validator(name: str, item: str | None = None) -> Validator:
    """The validator for schema ``name``; with ``item``, a list envelope whose ``data`` items are ``item``."""
    schema: dict = {"$ref": BASE_URI + name + ".json"}
    if item is not None:
        schema = {"allOf": [schema], "properties": {"data": {"items": {"$ref": BASE_URI + item + ".json"}}}}
    return Validator(inlined(schema, BASE_URI), registry=registry())


def inlined(node: object, base: str, expanding: frozenset[str] = frozenset()) -> object:
    """``node`` with each ``$ref`` replaced by the schema it names, once, when the validator is built.

    jsonschema resolves a ``$ref`` on every use (URL joins, a registry lookup, a JSON pointer walk):
    a third of the validation time of a response. Same verdicts and error paths: a ``$ref`` with
    siblings becomes an ``allOf`` beside them, and a recursive one stays, made absolute, for the registry.
    """
    if isinstance(node, list):
        return [inlined(child, base, expanding) for child in node]
    if not isinstance(node, dict):
        return node
    base = urljoin(base, node["$id"]) if isinstance(node.get("$id"), str) else base
    copy = {key: inlined(value, base, expanding) for key, value in node.items() if key not in ("$ref", "$id", "$defs")}
    if not isinstance(node.get("$ref"), str):
        return copy
    uri = urljoin(base, node["$ref"])
    if uri in expanding:
        return {**copy, "$ref": uri}
    target = inlined(registry().resolver().lookup(uri).contents, uri.split("#", 1)[0], expanding | {uri})
    return {**copy, "allOf": [target, *copy.get("allOf", [])]} if copy else target

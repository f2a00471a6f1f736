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


@cache
def required(name: str) -> frozenset[str]:
    """The fields schema ``name`` requires of its object: a check comparing them leaves their absence to body.schema."""
    return frozenset(registry().resolver().lookup(BASE_URI + name + ".json").contents.get("required", ()))


_ITEMS = Draft202012Validator.VALIDATORS["items"]
_PLAIN = {"number": (int, float), "string": (str,)}
"""Exact types that satisfy a type-only items schema (bool, an int subclass, takes the usual way)."""


def _items(validator, items, instance, schema):
    """``items`` as jsonschema has it, in one loop where the items only need a type.

    jsonschema descends into each element (a new validator and resource each, ~13 µs): an embedding's
    1536 numbers took longer to validate than the request took to answer. Same verdicts and errors:
    an element of the wrong type is still validated the usual way. Any other shape of ``items`` (a list
    of types, a type with other keywords, a $ref) takes the stock path; tests/test_validation_equivalence.py
    proves the verdicts equal to stock jsonschema's over every schema of schemas/ and of the official document.
    """
    kind = items.get("type") if isinstance(items, dict) and items.keys() == {"type"} else None
    plain = _PLAIN.get(kind) if isinstance(kind, str) else None  # ["number", "null"] is unhashable: stock path
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
    return _compiler().compile(schema, BASE_URI)


@cache
def _compiler() -> Compiler:
    return Compiler(registry())


_DATA = frozenset({"enum", "const", "default", "examples", "example"})
"""Keywords whose values are instances, not schemas: kept as they are, whatever keys they hold."""
_NAMED = frozenset({"properties", "patternProperties", "dependentSchemas"})
"""Keywords whose values map names to schemas: a property named "$ref" is not a reference."""
_PRINTED = frozenset({"oneOf", "not"})
"""Keywords whose error messages print their subschemas ("... is valid under each of {...}"): those stay as written."""


class _Dynamic(Exception):
    """The schema uses $dynamicRef, which resolves through the chain of resources that inlining removes."""


class Compiler:
    """Fast validators of schemas whose references resolve in ``resources``: references inlined, items in one loop.

    jsonschema resolves a ``$ref`` on every use (URL joins, a registry lookup, a JSON pointer walk):
    a third of the validation time of a response. Each ``$ref`` is replaced, once, by the schema it names.
    Same verdicts, errors and error order (tests/test_validation_equivalence.py proves it against stock
    jsonschema): a ``$ref`` beside other keywords becomes an ``allOf`` in its place; one that cannot (an
    ``allOf`` beside it already), that is recursive, or whose schema has ``oneOf`` or ``not`` (their messages
    print their subschemas as written) stays, made absolute, for the registry; a schema with ``$dynamicRef``
    is not inlined at all. An expansion is shared wherever the same one recurs.
    """

    def __init__(self, resources: Registry) -> None:
        self.resources = resources
        self._expanded: dict[tuple[str, frozenset[str]], object] = {}
        self._reach: dict[str, frozenset[str]] = {}
        self._direct: dict[str, frozenset[str]] = {}
        self._printing: dict[str, bool] = {}

    def compile(self, schema: dict, base: str) -> Validator:
        try:
            return Validator(self.inlined(schema, base, frozenset()), registry=self.resources)
        except _Dynamic:
            return Validator(schema, registry=self.resources)

    def inlined(self, node: object, base: str, expanding: frozenset[str]) -> object:
        """``node`` with its references inlined; ``expanding``: the references being expanded around it (kept, if met again)."""
        if isinstance(node, list):
            return [self.inlined(child, base, expanding) for child in node]
        if not isinstance(node, dict):
            return node
        if "$dynamicRef" in node:
            raise _Dynamic
        base = urljoin(base, node["$id"]) if isinstance(node.get("$id"), str) else base
        copy: dict = {}
        for key, value in node.items():
            if key in ("$id", "$defs"):
                continue
            if key == "$ref" and isinstance(value, str):
                copy[key] = urljoin(base, value)
            elif key in _DATA:
                copy[key] = value
            elif key in _PRINTED:
                copy[key] = value  # only at the top: a reference whose schema has these is not inlined (see _prints)
            elif key in _NAMED and isinstance(value, dict):
                copy[key] = {name: self.inlined(child, base, expanding) for name, child in value.items()}
            else:
                copy[key] = self.inlined(value, base, expanding)
        uri = copy["$ref"] if isinstance(node.get("$ref"), str) else None
        if uri is None or uri in expanding or (len(copy) > 1 and "allOf" in copy) or self._prints(uri):
            return copy
        target = self._expansion(uri, expanding)
        if len(copy) == 1:
            return target
        return {("allOf" if key == "$ref" else key): ([target] if key == "$ref" else value) for key, value in copy.items()}

    def _expansion(self, uri: str, expanding: frozenset[str]) -> object:
        # Only the references reachable from ``uri`` can be met again below it: the rest of ``expanding``
        # does not change the expansion, which can therefore be shared.
        around = expanding & self._reachable(uri)
        key = (uri, around)
        if key not in self._expanded:
            self._expanded[key] = self.inlined(self.resources.resolver().lookup(uri).contents, uri.split("#", 1)[0], around | {uri})
        return self._expanded[key]

    def _prints(self, uri: str) -> bool:
        """Whether the schema ``uri`` names has subschemas its messages print: they must stay as written, with
        their references relative to where they were written, which only the registry's resolution keeps."""
        if uri not in self._printing:
            self._printing[uri] = any(key in _PRINTED for key in _keywords(self.resources.resolver().lookup(uri).contents))
        return self._printing[uri]

    def _reachable(self, uri: str) -> frozenset[str]:
        """Every reference met when ``uri`` is expanded, directly or through others (``uri`` itself when it is recursive)."""
        if uri not in self._reach:
            seen: set[str] = set()
            todo = [uri]
            while todo:
                current = todo.pop()
                if current not in self._direct:
                    self._direct[current] = frozenset(_references(self.resources.resolver().lookup(current).contents, current.split("#", 1)[0]))
                for ref in self._direct[current]:
                    if ref not in seen:
                        seen.add(ref)
                        todo.append(ref)
            self._reach[uri] = frozenset(seen)
        return self._reach[uri]


def _keywords(node: object):
    """The keywords used in a schema, its own subschemas included ($defs, and schemas behind references, not)."""
    if isinstance(node, list):
        for child in node:
            yield from _keywords(child)
    elif isinstance(node, dict):
        for key, value in node.items():
            yield key
            if key not in _DATA and key != "$defs":
                yield from _keywords(list(value.values()) if key in _NAMED and isinstance(value, dict) else value)


def _references(node: object, base: str):
    """The absolute ``$ref``s in a schema, as Compiler.inlined meets them ($defs only through a reference)."""
    if isinstance(node, list):
        for child in node:
            yield from _references(child, base)
    elif isinstance(node, dict):
        base = urljoin(base, node["$id"]) if isinstance(node.get("$id"), str) else base
        if isinstance(node.get("$ref"), str):
            yield urljoin(base, node["$ref"])
        for key, value in node.items():
            if key not in _DATA and key != "$defs":
                yield from _references(list(value.values()) if key in _NAMED and isinstance(value, dict) else value, base)


def inlined(node: object, base: str, expanding: frozenset[str] = frozenset()) -> object:
    """``node`` with every ``$ref`` expanded (a recursive one kept, made absolute): a schema to walk, not to validate with.

    conformance/invalid_requests.py walks a request schema's fields; validators use Compiler, which keeps
    the references whose messages print their subschemas, so that its errors are the stock ones to the letter.
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

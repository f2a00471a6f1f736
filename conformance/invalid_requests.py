"""One invalid request per constraint of each request schema: deterministic, complete, one field changed.

For every operation with a request schema (``Operation.request``), a valid base body is built from the
schema, and each constraint the schema states is broken once, by changing exactly one field of it:

- ``required``: the field left out (``model missing``);
- ``type``: a value of another type (``temperature wrong type``), only where no enum fixes the values;
- ``enum`` / ``const``: a string no list holds (``voice unlisted``);
- ``minimum`` / ``maximum`` just past (``temperature>2``, ``n<1``), ``exclusiveMinimum`` / ``exclusiveMaximum`` at the bound;
- ``minLength`` / ``maxLength`` one character past (``input length>4096``);
- ``minItems`` / ``maxItems`` one item past (``stop items>4``), ``maxProperties`` one pair past,
  ``propertyNames.maxLength`` one key one character too long.

Not derived: ``pattern`` and ``format`` (no value breaks an arbitrary pattern mechanically), ``not``,
``if``/``then``, unknown fields (the reference neither promises they are ignored nor rejected), and null for an
optional parameter (the reference accepts it: ``invalid_only_by_nulls``).
The walk goes into object properties, array items, ``additionalProperties``, ``allOf`` (merged) and each
``oneOf``/``anyOf`` branch, and keeps a changed body only when the whole schema rejects it: a value that one
branch forbids but another accepts (``stop`` as a string where the array branch wants one) is ambiguous
and left out, so a lenient but legal server is never failed. The chosen values are invalid under the
reference as well as under our schemas, which describe a part of it: an unlisted enum value is a string no
list of the reference holds, a wrong type is a non-numeric string for a number, a number for a string.

Why not schemathesis: its fuzzing phase mutates at random (the two examples of a quick run per operation
rarely hit ``response_format.type``); its coverage phase is deterministic, but sends several values per
constraint (five wrong types per field: about 430 requests for six operations), from a body whose model is
empty (a 404 before any validation on most servers), and does not say which parameter a request broke, which
the ``error.param`` check needs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache

from conformance import openapi, validation
from conformance.operations import OPERATIONS, Operation

INVALID = "openai-conformance-invalid"
"""The unlisted value: a string no enum of the reference holds."""
MODEL = "openai-conformance-model"
"""The model of a base body until it is sent: then the one configured for the operation's capability."""
TEXT = "Say this is a test."
TOKEN_LIMIT = 16
"""The base body asks for at most this many tokens: an invalid request a target wrongly accepts costs little."""
TOKEN_LIMITS = ("max_completion_tokens", "max_output_tokens", "max_tokens")
"""In order of preference for the base body (the deprecated ``max_tokens`` of chat last)."""
KEY = "key"
"""The name under which a value of ``additionalProperties`` is tried."""
_MISSING = object()
_PATH_PARAMETER = re.compile(r"\{\w+\}")


@dataclass(frozen=True)
class InvalidRequest:
    operation: Operation
    name: str
    """The constraint broken, e.g. ``temperature>2``, ``messages[0].role unlisted``."""
    param: str
    """The parameter changed, as the reference's error.param spells it (``messages[0].role``)."""
    body: dict

    @property
    def id(self) -> str:
        return f"{self.operation.key} {self.name}"

    def sent(self, model: str | None) -> dict:
        """The body to send: the configured model in place of the placeholder."""
        return with_model(self.body, model)


def with_model(body: dict, model: str | None) -> dict:
    """``body`` with the configured model in place of the placeholder."""
    return {**body, "model": model} if model and body.get("model") == MODEL else body


def base(operation: Operation) -> dict:
    """The valid body each of the operation's invalid requests changes one field of: a target must accept it
    for their rejections to say anything (cases/test_invalid_requests.py sends it first)."""
    return base_body(_schema(operation))


def invalid_only_by_nulls(operation: Operation | None, body: object) -> bool:
    """Whether ``body`` breaks the operation's request schema only by nulls given for optional parameters.

    Such a body is not an invalid request: the reference accepts null for an optional parameter in general
    (as if it were left out), so a target may accept it or reject it, and neither is a departure.
    """
    if operation is None or operation.request is None or not isinstance(body, dict):
        return False
    validator = validation.validator(operation.request)
    return not validator.is_valid(body) and validator.is_valid(_without_nulls(body))


def _without_nulls(value: object) -> object:
    """The object members whose value is null left out, at every depth (null items of arrays are kept)."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


BASE_BODY_ONLY = {"POST /uploads"}
"""Operations left out of generation (openapi.NOT_GENERATED) whose base body, the schema's example, is still one a server must
accept: their invalid requests are derived."""


def operations() -> list[Operation]:
    """Operations whose invalid requests are derived: those with a request schema that generated requests
    also cover (openapi.NOT_GENERATED is left out, but for BASE_BODY_ONLY), without path parameters (a change to an object
    named by id needs one the suite created; the same fields are derived on the operation that creates it)."""
    return [o for o in OPERATIONS if o.request and (o.key not in openapi.NOT_GENERATED or o.key in BASE_BODY_ONLY)
            and not _PATH_PARAMETER.search(o.template)]


@cache
def requests() -> tuple[InvalidRequest, ...]:
    return tuple(request for operation in operations() for request in derive(operation))


def derive(operation: Operation) -> list[InvalidRequest]:
    """One invalid request per constraint of ``operation.request``, in the schema's order."""
    return [InvalidRequest(operation, name, param, body) for name, param, body in constraints(_schema(operation), validation.validator(operation.request).is_valid)]


def _schema(operation: Operation) -> dict:
    return validation.inlined({"$ref": validation.BASE_URI + operation.request + ".json"}, validation.BASE_URI)


def constraints(schema: dict, is_valid: Callable[[object], bool]) -> list[tuple[str, str, dict]]:
    """(name, param, body) for each constraint of a ref-free ``schema``, each body rejected by ``is_valid``."""
    base = base_body(schema)
    if not is_valid(base):
        raise ValueError(f"the base body built from the schema is not valid: {base!r} (give the schema examples)")
    limit = next((name for name in TOKEN_LIMITS if name in base), None)
    found: dict[str, tuple[str, str, dict]] = {}
    for path, name, body in _walk(schema, base, (), lambda value: value, is_valid):
        if limit and path and path[0] in TOKEN_LIMITS and path[0] != limit:
            body = {k: v for k, v in body.items() if k != limit}  # one token limit at a time: the one changed
        if name not in found and not is_valid(body):
            found[name] = (name, _param(path), body)
    return list(found.values())


def base_body(schema: dict) -> dict:
    """The smallest valid body a server answers 200: the schema's example, else required fields only (the model
    a placeholder), plus a small token limit."""
    body = instance(schema)
    declared = _properties(schema)
    for name in TOKEN_LIMITS:
        if name in declared and not declared[name].get("deprecated"):
            body.setdefault(name, TOKEN_LIMIT)
            break
    if isinstance(body.get("model"), str):
        body["model"] = MODEL
    return body


def instance(schema: object) -> object:
    """A small valid instance: the schema's first example, default, const or enum value, or one built by type."""
    facets = _facets(schema)
    for keyword in ("examples", "default", "const", "enum"):
        for facet in facets:
            if keyword in facet:
                values = facet[keyword] if keyword in ("examples", "enum") else [facet[keyword]]
                if values:
                    return values[0]
    for facet in facets:
        branches = facet.get("oneOf") or facet.get("anyOf")
        if branches:
            return instance({"allOf": [_without_branches(f) for f in facets] + [branches[0]]})
    kinds = [t for t in _types(facets) if t != "null"]
    kind = kinds[0] if kinds else "null"
    if kind == "object":
        properties = _properties(schema)
        return {name: instance(properties.get(name, {})) for name in _required(facets)}
    if kind == "array":
        items = next((f["items"] for f in facets if isinstance(f.get("items"), dict)), {})
        count = max(_keyword(facets, "minItems", max) or 0, 1)
        return [instance(items)] * min(count, _keyword(facets, "maxItems", min) or count)
    if kind == "string":
        shortest, longest = _keyword(facets, "minLength", max) or 0, _keyword(facets, "maxLength", min)
        return TEXT[:longest].ljust(shortest, "x")
    if kind in ("integer", "number"):
        low, high = _keyword(facets, "minimum", max), _keyword(facets, "maximum", min)
        above, below = _keyword(facets, "exclusiveMinimum", max), _keyword(facets, "exclusiveMaximum", min)
        value = 1
        if low is not None and value < low:
            value = low
        if high is not None and value > high:
            value = high
        if above is not None and value <= above:
            value = above + 1 if below is None else (above + below) / 2
        if below is not None and value >= below:
            value = below - 1 if above is None else (above + below) / 2
        return value
    return {"boolean": False, "null": None}.get(kind)


def _walk(schema, value, path: tuple, place: Callable[[object], dict], is_valid) -> Iterator[tuple[tuple, str, dict]]:
    """(path, constraint name, whole body with this one field changed), for the node at ``path`` whose valid value is ``value``;
    ``place(v)`` is the whole body with ``v`` at ``path``."""
    facets = _facets(schema)
    param = _param(path)
    if path:
        yield from ((path, f"{param}{name}", place(changed)) for name, changed in _changes(facets, value))
    if isinstance(value, dict):
        for name in _required(facets):
            yield path + (name,), f"{_param(path + (name,))} missing", place({k: v for k, v in value.items() if k != name})
        if (key_length := _keyword([f.get("propertyNames", {}) for f in facets], "maxLength", min)) is not None:
            yield path, f"{param} key length>{key_length}", place({**value, "k" * (key_length + 1): TEXT})
        children = dict(_properties(schema))
        extra = next((f["additionalProperties"] for f in facets if isinstance(f.get("additionalProperties"), dict)), None)
        if extra is not None:
            children[KEY] = extra
        for name, child in children.items():
            yield from _descend(child, value.get(name, _MISSING), path + (name,), lambda v, name=name: place({**value, name: v}), is_valid)
    if isinstance(value, list):
        items = next((f["items"] for f in facets if isinstance(f.get("items"), dict)), None)
        if items is not None:
            yield from _descend(items, value[0] if value else _MISSING, path + (0,), lambda v: place([v, *value[1:]]), is_valid)
    for facet in facets:
        for branch in facet.get("oneOf") or facet.get("anyOf") or ():
            # Each branch from a value it accepts: the body's own when it does, else the branch's smallest instance.
            yield from _descend(branch, value if _accepts(branch, value) else _MISSING, path, place, is_valid)


def _descend(schema, value, path, place, is_valid):
    """Walk a child; one the base body lacks is walked from its smallest instance, when the body with it stays valid."""
    if value is _MISSING:
        value = instance(schema)
        if not is_valid(place(value)):
            return  # no valid value to start from (e.g. a pattern without examples): left out, not guessed
    yield from _walk(schema, value, path, place, is_valid)


def _accepts(schema, value) -> bool:
    return value is not _MISSING and validation.Validator(schema, registry=validation.registry()).is_valid(value)


def _changes(facets: list[dict], value: object) -> Iterator[tuple[str, object]]:
    """(name suffix, changed value) for the constraints on one field's own value."""
    listed = any("enum" in f or "const" in f for f in facets)
    kinds = set(_types(facets))
    if listed:
        yield " unlisted", INVALID
    elif kinds and (wrong := _wrong_type(kinds)) is not _MISSING:
        yield " wrong type", wrong
    integer = "integer" in kinds and "number" not in kinds
    step = 1 if integer else 0.05
    if (low := _keyword(facets, "minimum", max)) is not None:
        yield f"<{low:g}", round(low - step, 10)
    if (high := _keyword(facets, "maximum", min)) is not None:
        yield f">{high:g}", round(high + step, 10)
    if (low := _keyword(facets, "exclusiveMinimum", max)) is not None:
        yield f"<={low:g}", low
    if (high := _keyword(facets, "exclusiveMaximum", min)) is not None:
        yield f">={high:g}", high
    if (shortest := _keyword(facets, "minLength", max)):
        yield f" length<{shortest}", "x" * (shortest - 1)
    if (longest := _keyword(facets, "maxLength", min)) is not None:
        yield f" length>{longest}", "x" * (longest + 1)
    element = value[0] if isinstance(value, list) and value else None
    if (fewest := _keyword(facets, "minItems", max)):
        yield f" items<{fewest}", [element] * (fewest - 1)
    if (most := _keyword(facets, "maxItems", min)) is not None and element is not None:
        yield f" items>{most}", [element] * (most + 1)
    if (most := _keyword(facets, "maxProperties", min)) is not None and isinstance(value, dict):
        filler = {f"k{i}": "v" for i in range(most + 1 - len(value))}
        yield f" properties>{most}", {**value, **filler}


def _wrong_type(kinds: set[str]) -> object:
    """A value of none of ``kinds`` that no lenient parser turns into one of them: not "1" for a number, not 0 for a boolean."""
    for candidate, kind in ((INVALID, "string"), (42, "integer"), ({"openai-conformance": "invalid"}, "object")):
        if kind not in kinds and not (kind == "integer" and "number" in kinds):
            return candidate
    return _MISSING


def _facets(schema: object) -> list[dict]:
    """The schema and its allOf parts, flattened: together they constrain one value."""
    if not isinstance(schema, dict):
        return []
    return [schema] + [f for part in schema.get("allOf", ()) for f in _facets(part)]


def _without_branches(facet: dict) -> dict:
    return {k: v for k, v in facet.items() if k not in ("oneOf", "anyOf", "allOf")}


def _types(facets: list[dict]) -> list[str]:
    """The JSON types a value may have: declared, or those of the listed values, or the union over the branches."""
    kinds: list[str] = []
    for facet in facets:
        declared = facet.get("type")
        kinds += [declared] if isinstance(declared, str) else list(declared or ())
        values = facet.get("enum", []) + ([facet["const"]] if "const" in facet else [])
        kinds += [_json_type(v) for v in values if not isinstance(facet.get("type"), (str, list))]
        for branch in facet.get("oneOf") or facet.get("anyOf") or ():
            kinds += _types(_facets(branch))
    return list(dict.fromkeys(kinds))


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    return {int: "integer", float: "number", str: "string", list: "array", dict: "object"}[type(value)]


def _properties(schema: object) -> dict[str, dict]:
    """Declared properties over the allOf parts; a property declared in several is all of them."""
    found: dict[str, list] = {}
    for facet in _facets(schema):
        for name, child in (facet.get("properties") or {}).items():
            found.setdefault(name, []).append(child)
    return {name: parts[0] if len(parts) == 1 else {"allOf": parts} for name, parts in found.items()}


def _required(facets: list[dict]) -> list[str]:
    return list(dict.fromkeys(name for facet in facets for name in facet.get("required", ())))


def _keyword(facets: list[dict], keyword: str, strictest) -> object:
    values = [f[keyword] for f in facets if isinstance(f.get(keyword), (int, float)) and not isinstance(f.get(keyword), bool)]
    return strictest(values) if values else None


def _param(path: tuple) -> str:
    """``("messages", 0, "role")`` as the reference's error.param spells it: ``messages[0].role``."""
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text

"""The validators' fast path (conformance/validation.py: references inlined, type-only items in one loop)
gives stock jsonschema's verdicts: the same errors in the same order (issue 15, item 2).

Over every schema of schemas/ and every component of the official document (normalised as for --spec),
with instances from plain Hypothesis strategies (hypothesis-jsonschema does not work with our Hypothesis):
instances shaped by the schema, mutated at a random depth, and arbitrary JSON. Each schema gets a few
examples, derandomized, so the whole proof stays within seconds on CI's two cores.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from conformance import validation
from conformance.checks.body import reason
from conformance.fuzzing.spec import load

ROOT = Path(__file__).resolve().parents[1]
REFERENCE_SPEC = Path(os.environ.get("OPENAI_CONFORMANCE_REFERENCE_SPEC") or ROOT.parent / "shared" / "reference" / "openai-openapi.yaml")
OFFICIAL_URI = "https://openai-conformance.invalid/official.json"
EXAMPLES = {"schemas": 12, "official": 2}
"""Examples per schema: the suite's 29 files get more, the document's 1400 components two each."""
DEPTH, HOPS = 3, 10
"""Containers deep, and schemas followed ($ref, anyOf, ...) in all, before an instance is cut short with any JSON."""
SLICES = 4
"""The document's components in this many tests, for pytest-xdist to share among workers."""

def _json(inner):
    return st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)


LEAVES = st.none() | st.booleans() | st.integers(-3, 3) | st.floats(-2, 2, allow_nan=False) | st.text(max_size=4)
ARBITRARY = st.recursive(LEAVES, _json, max_leaves=6)
TYPES = {
    "null": st.none(), "boolean": st.booleans(), "integer": st.integers(-2, 2**40), "number": st.integers(-2, 5) | st.floats(-1e12, 1e12, allow_nan=False),
    "string": st.text(max_size=6),
}
# Drawn at every node: built once (a strategy built per draw costs Hypothesis more than the validation).
COIN, MUTATE, DROP, EXTRA, COUNT = st.booleans(), st.integers(0, 11), st.integers(0, 7), st.integers(0, 5), st.integers(0, 2)
KEYS, INDEX = st.text(max_size=4), st.integers(0, 255)
"""INDEX picks one of several (modulo their number): zero, the simplest choice, the first."""


def shape(draw, schema, resolver, depth: int = 0, hops: int = 0):
    """An instance that follows ``schema`` loosely: often valid, and now and then wrong at some depth."""
    # Hypothesis starts from its simplest choices (zeros): here they make the fullest instance, every optional
    # field present, the first branch, one item per array, no mutation; later examples depart from it.
    if depth > DEPTH or hops > HOPS or not isinstance(schema, dict) or draw(MUTATE) == 11:
        return draw(ARBITRARY)  # a mutation: whatever JSON, where the schema wants something else
    if isinstance(schema.get("$ref"), str):
        resolved = resolver.lookup(schema["$ref"])
        return shape(draw, resolved.contents, resolved.resolver, depth, hops + 1)
    if "const" in schema:
        return schema["const"]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][draw(INDEX) % len(schema["enum"])]
    for keyword in ("anyOf", "oneOf"):
        if isinstance(schema.get(keyword), list) and schema[keyword]:
            return shape(draw, schema[keyword][draw(INDEX) % len(schema[keyword])], resolver, depth, hops + 1)
    if isinstance(schema.get("allOf"), list) and schema["allOf"]:
        parts = [shape(draw, part, resolver, depth, hops + 1) for part in schema["allOf"]]
        parts.append(shape(draw, {k: v for k, v in schema.items() if k != "allOf"}, resolver, depth, hops + 1))
        return {k: v for p in parts for k, v in p.items()} if all(isinstance(p, dict) for p in parts) else parts[0]
    kind = schema.get("type")
    kind = kind[draw(INDEX) % len(kind)] if isinstance(kind, list) and kind else kind
    if kind is None:
        kind = "object" if "properties" in schema else "array" if "items" in schema else None
    if kind == "object":
        properties = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
        required = [n for n in schema.get("required", []) if isinstance(n, str)]
        names = [n for n in properties if n in required or not draw(COIN)] + [n for n in required if n not in properties]
        if draw(DROP) == 7 and names:
            names.pop(draw(INDEX) % len(names))  # a required field missing, or an optional one
        value = {name: shape(draw, properties.get(name, {}), resolver, depth + 1, hops + 1) for name in names}
        if draw(EXTRA) == 5:
            value[draw(KEYS)] = shape(draw, schema.get("additionalProperties", {}), resolver, depth + 1, hops + 1)
        return value
    if kind == "array":
        prefix = [shape(draw, s, resolver, depth + 1, hops + 1) for s in schema.get("prefixItems", []) if not draw(COIN)]
        return prefix + [shape(draw, schema.get("items", {}), resolver, depth + 1, hops + 1) for _ in range((draw(COUNT) + 1) % 3)]
    return draw(TYPES.get(kind, ARBITRARY))


def instance(draw, schema, resolver):
    """Shaped by the schema, or (one in four) any JSON at all."""
    return draw(ARBITRARY) if draw(INDEX) % 4 == 3 else shape(draw, schema, resolver)


def errors(validator, instance) -> list:
    """Every error, in the order it came, with its sub-errors (anyOf, oneOf) and the reason a finding names."""
    def described(error):
        return (list(error.absolute_path), error.validator, error.message, [described(c) for c in error.context])
    # and the reason a finding names (conformance/checks/body.py), chosen among them the same way on both paths
    return [(described(e), list(reason(e).absolute_path), reason(e).message) for e in validator.iter_errors(instance)]


def prove(validators: list[tuple[str, object, object, object]], examples: int) -> None:
    """Each schema its own few examples (one Hypothesis run per schema: a sample over all would miss some)."""
    # A fixed seed rather than derandomize: the same examples every run, without hashing the test's code once per schema.
    @seed(15)
    @settings(max_examples=examples, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def same_errors(case, data) -> None:
        name, fast, stock, resolver = case
        value = instance(data.draw, stock.schema, resolver)
        assert errors(fast, value) == errors(stock, value), name

    for case in validators:
        same_errors(case)


def test_fast_validators_of_schemas_give_the_stock_errors():
    resources = validation.registry()
    validators = []
    for name in validation.schema_names():
        for item in (None, name):  # the schema, and a list envelope of it (as list answers are validated)
            fast = validation.validator("list" if item else name, item)
            schema = {"$ref": validation.BASE_URI + name + ".json"}
            if item:
                schema = {"allOf": [{"$ref": validation.BASE_URI + "list.json"}], "properties": {"data": {"items": schema}}}
            validators.append((f"{name} in a list" if item else name, fast, Draft202012Validator(schema, registry=resources), resources.resolver()))
    prove(validators, EXAMPLES["schemas"])


@cache
def official() -> tuple[dict, Registry, validation.Compiler]:
    document = load(str(REFERENCE_SPEC))
    resources = Registry().with_resource(OFFICIAL_URI, DRAFT202012.create_resource(document))
    return document, resources, validation.Compiler(resources)  # one compiler for all components: expansions shared, as in the suite


@pytest.mark.skipif(not REFERENCE_SPEC.is_file(), reason=f"the official OpenAPI document is not at {REFERENCE_SPEC} (set OPENAI_CONFORMANCE_REFERENCE_SPEC)")
@pytest.mark.parametrize("part", range(SLICES))
def test_fast_validators_of_the_official_document_give_the_stock_errors(part):
    document, resources, compiler = official()
    validators = []
    for name in list(document["components"]["schemas"])[part::SLICES]:
        schema = {"$ref": f"{OFFICIAL_URI}#/components/schemas/{name.replace('~', '~0').replace('/', '~1')}"}
        validators.append((name, compiler.compile(schema, OFFICIAL_URI), Draft202012Validator(schema, registry=resources), resources.resolver()))
    prove(validators, EXAMPLES["official"])


@pytest.mark.parametrize("items", [{"type": ["number", "null"]}, {"type": "number", "minimum": 0}, {"type": "integer"}, {"type": []},
                                   {"type": "string", "maxLength": 1}, {"$ref": "#/$defs/n"}, True, False])
@given(instance=st.lists(ARBITRARY, max_size=4))
@settings(max_examples=25, derandomize=True, database=None, deadline=None)
def test_items_shapes_the_loop_does_not_handle_take_the_stock_path(items, instance):
    """``{"type": ["number", "null"]}`` (a completion's token_logprobs) once crashed the loop: unhashable type 'list'."""
    schema = {"$defs": {"n": {"type": "number"}}, "type": "array", "prefixItems": [{"type": "string"}], "items": items}
    assert errors(validation.Validator(schema), instance) == errors(Draft202012Validator(schema), instance)


def test_a_completion_with_logprobs_is_judged_not_a_suite_error():
    # Seen: llama.cpp's answer to logprobs (token_logprobs [null, -0.5]) made the case a suite error (exit 3).
    choice = {"text": "Hi", "index": 0, "finish_reason": "length",
              "logprobs": {"tokens": ["H", "i"], "token_logprobs": [None, -0.5], "top_logprobs": [None, {"i": -0.5}], "text_offset": [0, 1]}}
    body = {"id": "cmpl-1", "object": "text_completion", "created": 1, "model": "m", "choices": [choice]}
    stock = Draft202012Validator({"$ref": validation.BASE_URI + "text_completion.json"}, registry=validation.registry())
    assert errors(validation.validator("text_completion"), body) == errors(stock, body) == []
    choice["logprobs"]["token_logprobs"] = [None, "-0.5"]
    assert errors(validation.validator("text_completion"), body) == errors(stock, body) != []

"""Schema findings hide none another (issue 21, point 2): each distinct departure listed once, named by its reason.

A cap per answer was spent on a stream's first event, so what every later event lacked was never reported;
an anyOf's null branch ("... is not of type 'null'") was named instead of the field a nullable object lacks.
"""

from __future__ import annotations

from jsonschema import Draft202012Validator

from conformance import validation
from conformance.checks.body import MAX_SCHEMA_FINDINGS, schema_findings
from tests.conftest import run_cases, with_fault

USAGE = {"input_tokens": 4, "input_tokens_details": {"cached_tokens": 0}, "output_tokens": 16, "total_tokens": 20}


def _findings(schema: dict, *instances) -> list:
    return list(schema_findings(Draft202012Validator(schema), [(f"/events/{i}", v) for i, v in enumerate(instances)], "s"))


def test_a_nullable_object_lacking_a_field_is_reported_as_the_field_it_lacks():
    response = {"id": "resp_1", "object": "response", "usage": USAGE}
    found = [f for f in schema_findings(validation.validator("response"), [("", response)], "response") if f.pointer == "/usage"]
    assert [(f.pointer, f.expected) for f in found] == [("/usage", "response: 'output_tokens_details' is a required property")]


def test_any_of_and_one_of_name_the_branch_of_the_values_type_or_discriminator():
    nullable = {"anyOf": [{"type": "object", "required": ["a"], "properties": {"b": {"type": "integer"}}}, {"type": "null"}]}
    assert [f.expected for f in _findings(nullable, {})] == ["s: 'a' is a required property"]
    assert [(f.pointer, f.expected) for f in _findings(nullable, {"a": 1, "b": "x"})] == [("/events/0/b", "s: 'x' is not of type 'integer'")]
    tagged = {"oneOf": [{"type": "object", "required": ["type"], "properties": {"type": {"const": "text"}}},
                        {"type": "object", "required": ["type", "schema"], "properties": {"type": {"const": "json_schema"}}}, {"type": "null"}]}
    assert [f.expected for f in _findings(tagged, {"type": "json_schema"})] == ["s: 'schema' is a required property"]
    # a value of no branch's kind: the anyOf itself, as before
    assert [f.expected for f in _findings(nullable, "text")][0].startswith("s: anyOf")


NAMES = [a + b for a in "abcdefghijkl" for b in "vwxyz"]
"""Field names without digits: a quoted word with a digit is data, folded (conformance/shapes.py)."""


def test_findings_are_listed_once_per_shape_and_say_where_else_they_are():
    first = {"type": "object", "required": NAMES[:12]}
    every = {"type": "object", "required": ["logprobs"], "properties": {"n": {"type": "integer"}}}
    schema = {"allOf": [every], "if": {"properties": {"type": {"const": "created"}}}, "then": first}
    events = [{"type": "created"}, {"type": "delta", "n": "x"}] + [{"type": "delta"} for _ in range(20)]
    found = [(f.pointer, f.expected, f.also) for f in schema_findings(Draft202012Validator(schema), [(f"/events/{i}", e) for i, e in enumerate(events)], "s")]
    assert [(p, e) for p, e, _ in found] == [("/events/0", "s: 'logprobs' is a required property"),
                                             *(("/events/0", f"s: {name!r} is a required property") for name in NAMES[:12]),
                                             ("/events/1/n", "s: type integer")]
    assert found[0][2] == "21 more like it at /events/1, /events/2, /events/3, …"
    assert [also for _, _, also in found[1:]] == [""] * 13


def test_past_the_safety_cap_the_rest_is_counted():
    found = _findings({"type": "object", "required": NAMES[:MAX_SCHEMA_FINDINGS + 5]}, {}, {})
    assert len(found) == MAX_SCHEMA_FINDINGS
    assert found[0].also == "1 more like it at /events/1"
    assert found[-1].also == f"1 more like it at /events/1; 10 more finding(s) of 5 other kind(s), past the cap of {MAX_SCHEMA_FINDINGS}, left out"


def test_a_stream_whose_first_event_departs_a_dozen_times_still_reports_what_every_delta_lacks(emulator, tmp_path):
    code, results = run_cases(tmp_path, with_fault(emulator, "responses-pending-bare+responses-text-no-logprobs"), "-k", "test_create_response_streamed")
    assert code == 1
    (case,) = results["cases"]
    (schema,) = [c for c in case["checks"] if c["id"] == "responses.event-schema"]
    expected = [f["expected"] for f in schema["failures"]]
    assert len([e for e in expected if e != "response.stream.event: 'logprobs' is a required property"]) > 10  # the first event's
    (logprobs,) = [f for f in schema["failures"] if f["expected"] == "response.stream.event: 'logprobs' is a required property"]
    assert "response.output_text.delta" in logprobs["seen"] and "\n  also:      " in logprobs["message"] and "more like it at /events/" in logprobs["message"]

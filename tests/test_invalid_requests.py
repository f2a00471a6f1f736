"""Invalid requests derived from the request schemas (conformance/invalid_requests.py, cases/test_invalid_requests.py):
what the derivation makes of a small schema, that every operation's base body is valid and every derived body
invalid, that the conformant emulator rejects each as documented, and that faults fail the derived cases."""

from __future__ import annotations

import httpx
import pytest

from conformance import invalid_requests, validation
from conformance.checks import REGISTRY, Expect, evaluate
from conformance.config import Models
from conformance.exchange import Exchange
from conformance.invalid_requests import INVALID, MODEL, TOKEN_LIMIT, InvalidRequest, base_body, constraints, derive, operations
from conformance.operations import OPERATIONS
from conformance.resources import BETA
from tests.conftest import KEY, failed_checks, run_cases, with_fault

SMALL = {
    "type": "object",
    "required": ["model", "kind"],
    "properties": {
        "model": {"type": "string"},
        "kind": {"enum": ["a", "b"]},
        "level": {"type": ["number", "null"], "minimum": 0, "exclusiveMaximum": 1},
        "max_tokens": {"type": "integer", "minimum": 1},
        "tags": {"type": "array", "maxItems": 2, "items": {"type": "string", "maxLength": 3}},
        "format": {"type": "object", "required": ["type"], "properties": {"type": {"const": "text"}}},
        # A string, strings or tokens: a token of the wrong type (a string) makes a valid array of strings, not derived.
        "input": {"anyOf": [{"type": "string", "minLength": 1}, {"type": "array", "items": {"type": "string"}}, {"type": "array", "items": {"type": "integer"}}]},
    },
}


def _derived(schema: dict) -> dict[str, tuple[str, dict]]:
    is_valid = validation.Validator(schema).is_valid
    return {name: (param, body) for name, param, body in constraints(schema, is_valid)}


def test_one_invalid_body_per_constraint_of_a_small_schema():
    base = {"model": MODEL, "kind": "a", "max_tokens": TOKEN_LIMIT}
    derived = _derived(SMALL)
    assert derived == {
        "model missing": ("model", {"kind": "a", "max_tokens": TOKEN_LIMIT}),
        "kind missing": ("kind", {"model": MODEL, "max_tokens": TOKEN_LIMIT}),
        "model wrong type": ("model", {**base, "model": 42}),
        "kind unlisted": ("kind", {**base, "kind": INVALID}),
        "level wrong type": ("level", {**base, "level": INVALID}),
        "level<0": ("level", {**base, "level": -0.05}),
        "level>=1": ("level", {**base, "level": 1}),
        "max_tokens wrong type": ("max_tokens", {**base, "max_tokens": INVALID}),
        "max_tokens<1": ("max_tokens", {**base, "max_tokens": 0}),
        "tags wrong type": ("tags", {**base, "tags": INVALID}),
        "tags items>2": ("tags", {**base, "tags": ["Say"] * 3}),
        "tags[0] wrong type": ("tags[0]", {**base, "tags": [42]}),
        "tags[0] length>3": ("tags[0]", {**base, "tags": ["xxxx"]}),
        "format wrong type": ("format", {**base, "format": INVALID}),
        "format.type missing": ("format.type", {**base, "format": {}}),
        "format.type unlisted": ("format.type", {**base, "format": {"type": INVALID}}),
        "input wrong type": ("input", {**base, "input": 42}),
        "input length<1": ("input", {**base, "input": ""}),
    }


def test_a_value_another_branch_accepts_is_not_derived():
    # 5 is past the maximum of the first branch only: the second accepts it, so a server may too.
    schema = {"type": "object", "properties": {"x": {"anyOf": [{"type": "integer", "maximum": 3}, {"type": "integer", "minimum": 4}]}}}
    assert set(_derived(schema)) == {"x wrong type"}


def test_a_base_body_the_schema_rejects_is_a_suite_error():
    with pytest.raises(ValueError, match="base body"):
        _derived({"type": "object", "required": ["id"], "properties": {"id": {"type": "string", "pattern": "^[0-9]+$"}}})


@pytest.mark.parametrize("operation", operations(), ids=lambda o: o.key)
def test_every_derived_body_breaks_its_schema_in_the_field_it_names(operation):
    derived = derive(operation)
    assert derived, f"{operation.key}: no constraint derived"
    check = validation.validator(operation.request)
    for request in derived:
        errors = list(check.iter_errors(request.body))
        assert errors, request.id
        assert request.id.startswith(f"{operation.key} {request.param}"), request.id


def test_every_operation_with_a_request_schema_is_derived_unless_it_names_an_object():
    # New rows with a request schema (e.g. POST /responses) are picked up without a change here.
    left_out = {o.key for o in OPERATIONS if o.request} - {o.key for o in operations()}
    assert left_out == {"POST /assistants/{assistant_id}"}
    assert len({r.id for r in invalid_requests.requests()}) == len(invalid_requests.requests())


def test_the_conformant_emulator_rejects_every_derived_request_naming_its_field(emulator, tmp_path):
    code, results = run_cases(tmp_path, emulator, "-k", "test_invalid_request")
    assert code == 0 and len(results["cases"]) == len(invalid_requests.requests())
    assert all(c["status"] == "pass" for c in results["cases"])
    checks = {(ch["id"], ch["status"]) for case in results["cases"] for ch in case["checks"]}
    assert ("error.param", "pass") in checks and not any(status == "fail" for _, status in checks)


@pytest.mark.parametrize(("fault", "cases"), [
    # A missing type is as unsupported as an unlisted one.
    ("response-format-500", {"response_format.type unlisted", "response_format.type missing"}),
    ("temperature-unbounded", {"temperature>2"}),
    ("stop-unbounded", {"stop items>4"}),
    ("content-unchecked", {"messages[0].content wrong type", "messages[0].content items<1", "messages[0].content[0] wrong type",
                           "messages[0].content[0].type missing", "messages[0].content[0].type unlisted", "messages[0].content[0].text wrong type",
                           "messages[0].content[0].text missing"}),
])
def test_a_fault_fails_exactly_the_derived_cases_of_its_constraint(fault, cases, emulator, tmp_path):
    """Faults the generated requests find only by chance in a quick run: the derived cases find each, deterministically."""
    code, results = run_cases(tmp_path, with_fault(emulator, fault), "-k", "test_invalid_request and chat", "--depth=quick")
    failed = {c["id"].split("[", 1)[1].rstrip("]") for c in results["cases"] if c["status"] == "fail"}
    assert code == 1 and failed == {f"POST /chat/completions {case}" for case in cases}
    assert failed_checks(results) == {"http.status"}


def test_checks_judge_an_accepted_invalid_request_without_breaking(emulator):
    """A target that answers an invalid request with 200 fails http.status: no check may crash on the odd values
    it was sent (a response_format that is a string broke chat.json-mode, a suite error)."""
    headers = {"Authorization": f"Bearer {KEY}", **BETA}
    for operation in operations():
        base = base_body(validation.inlined({"$ref": validation.BASE_URI + operation.request + ".json"}, validation.BASE_URI))
        answer = httpx.post(emulator + operation.template, json=InvalidRequest(operation, "", "", base).sent(Models().of(operation.capability)), headers=headers)
        assert answer.status_code == 200, answer.text
        if operation.undo:  # the assistant the base body created
            method, _, path = operation.undo.partition(" ")
            httpx.request(method, emulator + path.format(id=answer.json()["id"]), headers=headers).raise_for_status()
        for request in derive(operation):
            sent = httpx.Request("POST", answer.request.url, json=request.body, headers=headers)
            accepted = httpx.Response(200, headers=answer.headers, content=answer.content, request=sent)
            exchange = Exchange(sent, operation.template, accepted, secrets=(KEY,))
            outcomes = list(evaluate(exchange, Expect(400, param=request.param)))
            assert "http.status" in {o.check.id for o in outcomes if not o.passed}, request.id


@pytest.mark.parametrize(("seen", "passes"), [
    ("messages[0].role", True), ("messages.[0].role", True), ("messages", True),  # the real API's spellings, an enclosing parameter
    ("messages[0].role.x", True), ("messages[1].role", False), ("temperature", False), (None, False), ("", False),
])
def test_error_param_names_the_field_or_one_containing_it(seen, passes):
    assert _param_judged(seen, "Invalid value for 'messages[0].role': expected one of 'system', 'user'.") is passes


@pytest.mark.parametrize("seen", ["input", "model", None])
def test_error_param_is_not_judged_on_a_rejection_for_another_reason(seen):
    # The message names another parameter (or none): nothing says the rejection is for the one the request changed.
    assert _param_judged(seen, "Missing required parameter: 'input'.") is True


def _param_judged(seen: object, message: str) -> bool:
    """Whether error.param passes on a 400 for a request that changed messages[0].role."""
    request = httpx.Request("POST", "http://127.0.0.1:1/v1/chat/completions", json={})
    body = {"error": {"message": message, "type": "invalid_request_error", "param": seen, "code": None}}
    exchange = Exchange(request, "/chat/completions", httpx.Response(400, json=body, request=request))
    check = REGISTRY["error.param"]
    assert check.applies(exchange) and check.within(Expect(400, param="messages[0].role"))
    return not list(check.run(exchange, Expect(400, param="messages[0].role")))


def test_responses_base_body_has_input():
    # Servers reject a create without input: every invalid request would "pass" on that rejection alone.
    body = invalid_requests.base(next(o for o in OPERATIONS if o.key == "POST /responses"))
    assert body["input"] and body["max_output_tokens"] == TOKEN_LIMIT


def test_invalid_requests_from_a_rejected_base_body_are_not_judged(emulator, tmp_path):
    # The target rejects the base body (it wants an optional field): its 400s say nothing of the field each request
    # changes, so none is counted a pass; each says why it was not judged. The operation's own case fails, once.
    code, results = run_cases(tmp_path, with_fault(emulator, "responses-instructions-required"), "-k", "test_invalid_request and responses or test_create_response and not streamed")
    derived = [c for c in results["cases"] if "test_invalid_request[" in c["id"]]
    assert derived and {c["status"] for c in derived} == {"skip"}
    assert all(c["reason"].startswith("not judged: the base body is rejected (HTTP 400: ") and "instructions" in c["reason"] for c in derived)
    assert [c["status"] for c in results["cases"] if "test_create_response" in c["id"]] == ["fail"]
    assert code == 1


CHAT = next(o for o in OPERATIONS if o.key == "POST /chat/completions")
MESSAGES = [{"role": "user", "content": "Hi"}]


@pytest.mark.parametrize(("body", "null_only"), [
    ({"model": "m", "messages": MESSAGES, "user": None}, True),  # an optional parameter the schema does not make nullable
    ({"model": "m", "messages": [{**MESSAGES[0], "name": None}]}, True),  # at any depth
    ({"model": "m", "messages": MESSAGES, "user": None, "n": 0}, False),  # invalid besides the null
    ({"model": None, "messages": MESSAGES}, False),  # a required parameter
    ({"model": "m", "messages": MESSAGES, "temperature": None}, False),  # nullable: not invalid at all
])
def test_null_for_an_optional_parameter_is_not_an_invalid_request(body, null_only):
    # The reference accepts null for optional parameters in general: a generated body invalid only by such nulls
    # may be served or refused (conformance/fuzzing/adapter.py expected), never a must failure.
    assert invalid_requests.invalid_only_by_nulls(CHAT, body) is null_only


def test_no_derived_invalid_request_is_invalid_only_by_nulls():
    assert not [r.id for r in invalid_requests.requests() if invalid_requests.invalid_only_by_nulls(r.operation, r.body)]

"""Departures: failures fold once per root cause, never two causes into one; the terminal, results.json and the command show them."""

from __future__ import annotations

import json

import pytest

from conformance import cli
from conformance.emulator.faults import FAULTS
from conformance.reporting import departures, html
from tests.conftest import CASES, run_cases, with_fault

NOT_GENERATED = f"--ignore={CASES / 'test_generated.py'}"
"""Generated requests fold like any case; left out where a test counts cases, for speed."""

CHAT_COMPLETIONS_EMBEDDINGS = 'name = "three-endpoints"\ncapabilities = ["models", "chat", "chat-streaming", "completions", "completions-streaming", "embeddings"]\n'
DOZEN = (
    "error-code-integer", "ignore-n", "dimensions-ignored", "unknown-model-accepted", "stream-role-changes",
    "stream-usage-unrequested", "echo-ignored", "client-request-id-length-unchecked", "client-request-id-ascii-unchecked",
    "no-request-id", "no-openai-meta", "no-rate-limits",
)
"""A server like the one issue 16 met: chat, completions and embeddings, an integer error code, n and dimensions
ignored, unknown models served, roles and usage wrong in streams, echo ignored, X-Client-Request-Id unchecked, few headers."""


def test_one_fault_breaking_many_cases_is_one_departure(emulator, tmp_path):
    _, results = run_cases(tmp_path, with_fault(emulator, "error-code-integer"), "-k", "test_auth or test_errors or test_models or test_embeddings", NOT_GENERATED)
    failing = [c for c in results["cases"] if c["status"] == "fail"]
    assert len(failing) >= 30
    (departure,) = results["departures"]
    assert departure["check"] == "error.envelope" and departure["pointer"] == "/error/code" and departure["level"] == "must"
    assert departure["cases"]["count"] == len(failing) and set(departure["cases"]["ids"]) == {c["id"] for c in failing}
    assert departure["signature"] == "error.envelope /error/code | error: type ['string', 'null'] | integer"
    assert departure["curl"].startswith("curl ") and departure["known_failure"] == "none"


@pytest.mark.parametrize(
    "faults, check, selection",
    [(("created-milliseconds", "list-object-wrong"), "body.schema", "test_list_models"),
     (("validation-500", "unknown-model-accepted"), "http.status", "(test_invalid_request and chat and messages and missing) or (test_unknown_model and not response)")],
)
def test_two_faults_on_one_check_are_two_departures(emulator, tmp_path, faults, check, selection):
    """Each fault alone is one departure of the check; together they are both, not one."""
    signatures = []
    for fault in faults:
        _, results = run_cases(tmp_path / fault, with_fault(emulator, fault), "-k", selection, NOT_GENERATED)
        (only,) = (d["signature"] for d in results["departures"] if d["check"] == check)
        signatures.append(only)
    _, both = run_cases(tmp_path / "both", with_fault(emulator, "+".join(faults)), "-k", selection, NOT_GENERATED)
    assert sorted(d["signature"] for d in both["departures"] if d["check"] == check) == sorted(signatures)
    assert len(set(signatures)) == 2


def test_a_server_with_a_dozen_faults_reads_as_about_a_dozen_departures(emulator, tmp_path):
    profile = tmp_path / "profile.toml"
    profile.write_text(CHAT_COMPLETIONS_EMBEDDINGS)
    _, results = run_cases(tmp_path, with_fault(emulator, "+".join(DOZEN)), f"--profile={profile}", NOT_GENERATED)
    failing = sum(c["status"] == "fail" or c["level"] == "should" for c in results["cases"])
    found = results["departures"]
    assert failing > 3 * len(found)  # many more failing cases than things to fix
    assert 12 <= len(found) <= 18
    assert {FAULTS[f].kills for f in DOZEN} <= {d["check"] for d in found}
    levels = [d["level"] for d in found]
    assert levels == sorted(levels, key=departures.LEVELS.index)  # must first, then should


def test_the_terminal_ends_with_the_table_after_pytests_summary(emulator, tmp_path, capsys):
    run_cases(tmp_path, with_fault(emulator, "ignore-n"), "-k", "test_sampling_parameters", NOT_GENERATED)
    lines = capsys.readouterr().out.splitlines()
    summary = max(i for i, line in enumerate(lines) if " failed" in line and " passed" in line)
    assert lines[summary + 1:] == [
        "openai-conformance: 1 departure(s) from the reference (1 must, 0 should):",
        "  must      2 cases  chat.choices-count  /choices: expected 2 choice(s) with indices [0, 1], seen indices [0]",
    ]


def test_the_departures_command_prints_text_markdown_and_json(emulator, tmp_path, capsys):
    profile = tmp_path / "profile.toml"
    profile.write_text('name = "p"\n[known-failures]\n"test_chat.py::test_sampling_parameters[n=2]" = "ignores n"\n')
    run_cases(tmp_path, with_fault(emulator, "ignore-n+no-request-id"), "-k", "test_sampling_parameters", f"--profile={profile}", NOT_GENERATED)
    path = str(tmp_path / "results.json")
    capsys.readouterr()
    assert cli.main(["departures", path]) == 0
    text = capsys.readouterr().out.splitlines()
    assert text[1] == "openai-conformance: 2 departure(s) from the reference (1 must, 1 should):"
    assert text[2].startswith("  must      2 cases  chat.choices-count") and text[2].endswith("(partly known failures)")
    assert cli.main(["departures", path, "--format", "markdown"]) == 0
    markdown = capsys.readouterr().out
    assert "| must (partly known failures) | `chat.choices-count` | 2 cases | `/choices` | 2 choice(s) with indices [0, 1] | indices [0] |" in markdown
    assert "| `headers.request-id` | 6 cases | `header:x-request-id` | an x-request-id header | (absent) |" in markdown and "```sh\ncurl -X POST" in markdown
    assert cli.main(["departures", path, "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert [d["check"] for d in document["departures"]] == ["chat.choices-count", "headers.request-id"]
    assert cli.main(["departures", str(tmp_path / "missing.json")]) == 2


def _failure(pointer: str, expected: str, seen: str) -> dict:
    return {"exchange": 0, "message": "", "section": "S", "pointer": pointer, "expected": expected, "seen": seen}


_POST = {"operation": "POST /chat/completions", "request": {"method": "POST", "url": "http://t/v1/chat/completions"}}


@pytest.mark.parametrize(
    "one, other",
    [
        # Indices and counts are the case's, not the finding's.
        (_failure("/choices/0/logprobs", "chat.completion: 'logprobs' is a required property", "{'index': 0}"),
         _failure("/choices/3/logprobs", "chat.completion: 'logprobs' is a required property", "{'index': 3, 'message': {}}")),
        (_failure("/choices", "2 choice(s) with indices [0, 1]", "indices [0]"), _failure("/choices", "3 choice(s) with indices [0, 1, 2]", "indices [0]")),
        # Values of one JSON type; data in quotes (a model, an id).
        (_failure("/error/code", "error: type ['string', 'null']", "401"), _failure("/error/code", "error: type ['string', 'null']", "404")),
        (_failure("/model", "'gpt-4o-mini' or gpt-4o-mini-<snapshot>", "'x'"), _failure("/model", "'gpt-4.1' or gpt-4.1-<snapshot>", "'y'")),
        # Which of a check's headers is missing: the example names them.
        (_failure("header:x-ratelimit-limit-requests", "an x-ratelimit-limit-requests header", "(absent)"),
         _failure("header:x-ratelimit-reset-tokens", "an x-ratelimit-reset-tokens header", "(absent)")),
        # A status: the operation and the pair, whatever the body.
        (_failure("status", "HTTP 400", "HTTP 500: 'Internal Server Error'"), _failure("status", "HTTP 400", "HTTP 500: '{\"detail\": \"x\"}'")),
        # A 404 where the reference answers otherwise: the operation is not served, whatever the case expected (issue 19, 7).
        (_failure("status", "HTTP 401", "HTTP 404: ''"), _failure("status", "HTTP 200", "HTTP 404: ''")),
    ],
)
def test_one_kind_of_finding_folds(one, other):
    assert departures.signature("c", one, _POST, "t.py::a") == departures.signature("c", other, _POST, "t.py::b")


@pytest.mark.parametrize(
    "one, other",
    [
        (_failure("/choices/0", "chat.completion: 'logprobs' is a required property", "{}"),
         _failure("/choices/0", "chat.completion: 'finish_reason' is a required property", "{}")),
        (_failure("/error/code", "error: type ['string', 'null']", "401"), _failure("/error/code", "error: type ['string', 'null']", "{'id': 1}")),
        (_failure("header:content-type", "application/json", "text/plain"), _failure("header:content-type", "application/json", "text/html")),
        (_failure("status", "HTTP 400", "HTTP 500: ''"), _failure("status", "HTTP 404", "HTTP 500: ''")),
        # Accepting the requests of two different tests is two rules unenforced.
        (_failure("status", "HTTP 400", "HTTP 200: '{}'"), _failure("status", "HTTP 400", "HTTP 200: '{}'")),
    ],
)
def test_different_findings_do_not_fold(one, other):
    assert departures.signature("c", one, _POST, "t.py::a") != departures.signature("c", other, _POST, "t.py::b")


def test_the_same_status_pair_on_another_operation_is_another_departure():
    failure = _failure("status", "HTTP 400", "HTTP 500: ''")
    other = {"operation": "POST /embeddings", "request": {"method": "POST", "url": "http://t/v1/embeddings"}}
    assert departures.signature("http.status", failure, _POST, "a") != departures.signature("http.status", failure, other, "a")


def _accepted(case_id: str, operation: dict = _POST, status: int = 200) -> dict:
    """A case whose invalid request the target answered ``status`` where the reference refuses it with 400."""
    failure = _failure("status", "HTTP 400", f"HTTP {status}: '{{}}'")
    return _case(case_id, "http.status", "must", failure, operation)


def _case(case_id: str, check: str, level: str, failure: dict, operation: dict = _POST) -> dict:
    return {"id": case_id, "known_failure": None, "exchanges": [{**operation, "curl": "curl", "request_id": None}],
            "checks": [{"id": check, "level": level, "status": "fail", "aspect": "errors", "section": "S", "failures": [failure]}]}


_EMBEDDINGS = {"operation": "POST /embeddings", "request": {"method": "POST", "url": "http://t/v1/embeddings"}}
_INVALID = "cases/test_invalid_requests.py::test_invalid_request"


def test_accepted_invalid_requests_fold_per_operation_and_answer_listing_the_parameters(capsys):
    """mockllm's 41 rows "expected HTTP 400, seen HTTP 200", one per constraint, are one per operation and kind of answer."""
    cases = [_accepted(f"{_INVALID}[POST /chat/completions {name}]") for name in ("temperature>2", "n<1", "messages[0].role unlisted")]
    cases += [_accepted(f"{_INVALID}[POST /chat/completions {name}]", status=500) for name in ("top_p>1", "stop items>4")]
    cases += [_accepted(f"{_INVALID}[POST /embeddings {name}]", _EMBEDDINGS) for name in ("dimensions<1", "input missing")]
    cases += [_accepted("cases/test_headers.py::test_client_request_id_too_long")]  # another test: another rule
    found = departures.fold(cases)
    by_summary = {d["summary"]: d for d in found}
    assert sorted(by_summary) == [
        "POST /chat/completions (test_client_request_id_too_long): expected HTTP 400, seen HTTP 200",
        "POST /chat/completions (test_invalid_request, 3 parameters): expected HTTP 400, seen HTTP 200",
        "POST /chat/completions: expected HTTP 400, seen HTTP 500",
        "POST /embeddings (test_invalid_request, 2 parameters): expected HTTP 400, seen HTTP 200",
    ]
    accepted = by_summary["POST /chat/completions (test_invalid_request, 3 parameters): expected HTTP 400, seen HTTP 200"]
    assert accepted["parameters"] == ["messages[0].role unlisted", "n<1", "temperature>2"] and accepted["cases"]["count"] == 3  # by case id
    assert by_summary["POST /chat/completions: expected HTTP 400, seen HTTP 500"]["parameters"] == ["stop items>4", "top_p>1"]
    assert by_summary["POST /chat/completions (test_client_request_id_too_long): expected HTTP 400, seen HTTP 200"]["parameters"] == []
    markdown = departures.markdown(found)
    assert "3 parameters: `messages[0].role unlisted`, `n<1`, `temperature>2`" in markdown
    assert "<dt>parameters</dt><dd>messages[0].role unlisted, n&lt;1, temperature&gt;2</dd>" in html.departures_section(found)


def test_an_unserved_operation_is_one_departure_whatever_its_cases_expected():
    models = {"operation": "GET /models", "request": {"method": "GET", "url": "http://t/v1/models"}}
    cases = [_case(f"cases/test_auth.py::{name}", "http.status", "must", _failure("status", expected, "HTTP 404: '{\"detail\": \"Not Found\"}'"), models)
             for name, expected in (("test_missing_api_key", "HTTP 401"), ("test_unknown_key", "HTTP 401"), ("test_list", "HTTP 200"), ("test_rate", "HTTP 429 or 200"))]
    cases.append(_case("cases/test_models.py::test_retrieve", "http.status", "must", _failure("status", "HTTP 200", "HTTP 404: ''"),
                       {"operation": "GET /models/{model}", "request": {"method": "GET", "url": "http://t/v1/models/m"}}))
    found = departures.fold(cases)
    assert [(d["summary"], d["cases"]["count"]) for d in found] == [
        ("GET /models: expected HTTP 200, 401 or 429, seen HTTP 404", 4), ("GET /models/{model}: expected HTTP 200, seen HTTP 404", 1)]


def test_error_param_findings_that_differ_by_the_parameter_alone_are_one_departure():
    """A target that never sends error.param: one should departure, the parameters listed (issue 21, 2)."""
    def missing_param(name: str, operation: dict = _POST) -> dict:
        return _case(f"{_INVALID}[{operation['operation']} {name} wrong type]", "error.param", "should",
                     _failure("/error/param", f"param {name.split('<')[0]!r} (or a parameter containing it)", "param None"), operation)

    cases = [missing_param("temperature"), missing_param("messages[0].role"), missing_param("n<1"), missing_param("dimensions", _EMBEDDINGS)]
    (departure,) = departures.fold(cases)
    assert departure["summary"] == "/error/param: expected param <parameter> (or a parameter containing it), seen param None (4 parameters)"
    assert departure["parameters"] == ["messages[0].role wrong type", "n<1 wrong type", "temperature wrong type", "dimensions wrong type"]
    # Naming another parameter than the one the case broke is another finding.
    wrong = _case(f"{_INVALID}[POST /chat/completions top_p wrong type]", "error.param", "should",
                  _failure("/error/param", "param 'top_p' (or a parameter containing it)", "param 'temperature'"))
    assert len(departures.fold(cases + [wrong])) == 2


def test_a_quoted_word_of_the_case_parameter_is_kept_by_checks_the_case_does_not_inform():
    """body.schema's 'logprobs' is the server's omission, also on the case that breaks logprobs: one departure."""
    schema = _failure("/choices/0", "chat.completion: 'logprobs' is a required property", "{'index': 0}")
    cases = [_case(f"{_INVALID}[POST /chat/completions {name}]", "body.schema", "must", schema) for name in ("logprobs wrong type", "n<1")]
    assert len(departures.fold(cases)) == 1


def test_refusals_of_valid_requests_fold_by_what_the_target_says():
    """A 400 for n > 1 refused and a 400 from a sampler's failure are two causes; the same message with other values is one (issue 21, 2)."""
    def refused(case_id: str, message: str) -> dict:
        body = json.dumps({"error": {"message": message, "type": "invalid_request_error", "param": None, "code": None}})
        return _case(case_id, "http.status", "must", _failure("status", "HTTP 200", f"HTTP 400: {body!r}"))

    cases = [refused("cases/test_chat.py::test_sampling_parameters[n=2]", "n > 1 is not supported (got 2)"),
             refused("cases/test_chat.py::test_stream_n", "n > 1 is not supported (got 3)"),
             refused("cases/test_chat.py::test_sampling_parameters[top_p=0.5]", "sampler failed: top_p 0.5 out of range")]
    assert sorted((d["summary"], d["cases"]["count"]) for d in departures.fold(cases)) == [
        ("POST /chat/completions: expected HTTP 200, seen HTTP 400 (n > 1 is not supported (got 2))", 2),
        ("POST /chat/completions: expected HTTP 200, seen HTTP 400 (sampler failed: top_p 0.5 out of range)", 1)]

"""Named faults the emulator can inject, one at a time, selected per request by a URL prefix.

``http://host:port/fault/<name>/v1/...`` serves the API with fault ``<name>``; ``/v1/...`` serves
it conformant. Each fault names the check it must make fail and the cases that expose it:
this table is the suite's mutation test plan (tests/test_faults.py runs every row).
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request


@dataclass(frozen=True)
class Fault:
    name: str
    kills: str
    """The id of the check this fault must make fail."""
    cases: str
    """A pytest ``-k`` expression selecting the cases that expose it."""
    description: str


FAULTS: dict[str, Fault] = {
    f.name: f
    for f in (
        Fault("server-error", "http.status", "test_list_models", "every request answers 500 with an error object"),
        Fault("stall", "http.response", "test_single_user_message", "answers GETs but never answers a POST (a hung inference backend)"),
        Fault("content-type-text", "http.content-type", "test_list_models", "JSON bodies sent as text/plain"),
        Fault("truncated-json", "body.json", "test_list_models", "success bodies cut in the middle of the JSON"),
        Fault("created-milliseconds", "body.schema", "test_list_models", "model `created` in milliseconds, not seconds"),
        Fault("object-wrong", "body.schema", "test_retrieve_model", "model `object` is \"models\" instead of \"model\""),
        Fault("finish-reason-empty", "body.schema", "test_single_user_message", 'finish_reason "" instead of a reason'),
        Fault("flat-error", "error.envelope", "test_missing_api_key", 'vLLM-style {"object": "error", "message", "code": 401} error body'),
        Fault("error-code-integer", "error.envelope", "test_unknown_model", "error.code is an integer (the HTTP status)"),
        Fault("no-request-id", "headers.request-id", "test_list_models", "no x-request-id header"),
        Fault("retrieve-wrong-model", "models.retrieve-id", "test_retrieve_model", "retrieve returns the first model whatever was asked"),
        Fault("no-auth", "http.status", "test_missing_api_key", "authentication not enforced"),
        Fault("unknown-model-accepted", "http.status", "test_unknown_model", "any model name is accepted"),
        Fault("validation-500", "http.status", "test_missing_messages", "a body missing a required field crashes with 500"),
        Fault("validation-422", "http.status", "test_missing_messages", "validation errors answered 422 instead of 400"),
        Fault("ignore-n", "chat.choices-count", "test_sampling_parameters", "n ignored: always one choice"),
        Fault("json-mode-ignored", "chat.json-mode", "test_json_object_response_format", "response_format json_object ignored"),
        Fault("ignore-max-tokens", "chat.max-tokens", "test_sampling_parameters", "max_tokens ignored"),
        Fault("usage-sum-wrong", "chat.usage-total", "test_single_user_message", "total_tokens is not prompt + completion"),
        Fault("model-renamed", "chat.model", "test_single_user_message", "the response names another model"),
    )
}

PREFIX = "/fault/"


def active(request: Request, name: str) -> bool:
    """Whether fault ``name`` is injected into this request."""
    if name not in FAULTS:
        raise KeyError(f"unknown fault {name!r}")  # a typo in the emulator must not silently disable a fault
    return request.scope.get("state", {}).get("fault") == name

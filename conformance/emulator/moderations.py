"""POST /moderations: one deterministic result per input; inputs that mention killing are flagged for violence."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import Request

from conformance.emulator import models
from conformance.emulator.errors import invalid
from conformance.emulator.faults import active, declare
from conformance.emulator.replies import reply
from conformance.emulator.validation import json_object, require

ONE_RESULT = declare("moderation-one-result", "moderation.results-count", "test_moderation_inputs", "one result for an array of inputs")
SCORES_KEYS = declare("moderation-scores-missing", "moderation.category-keys", "test_moderation_inputs", "category_scores lacks a category that categories has")
FLAGGED_WRONG = declare("moderation-flagged-wrong", "moderation.flagged", "test_moderation_inputs", "flagged is false although a category is true")
UNVALIDATED = declare("moderation-unvalidated", "http.status", "test_invalid_request and moderations", "moderation input not validated")

DEFAULT_MODEL = "omni-moderation-latest"
CATEGORIES = (
    "harassment", "harassment/threatening", "hate", "hate/threatening", "illicit", "illicit/violent", "self-harm",
    "self-harm/intent", "self-harm/instructions", "sexual", "sexual/minors", "violence", "violence/graphic",
)
VIOLENT_WORDS = ("kill", "murder")


def _part(value: object) -> bool:
    """A multi-modal input part: text with a string, or an image_url with a string url."""
    if not isinstance(value, dict):
        return False
    if value.get("type") == "text":
        return isinstance(value.get("text"), str)
    image = value.get("image_url")
    url = image.get("url") if isinstance(image, dict) else None
    return value.get("type") == "image_url" and isinstance(url, str) and bool(urlsplit(url).scheme)  # a URL or a data: URI


def _texts(value: object) -> list[str]:
    """The inputs: a string, strings, or multi-modal parts (whose text is what is classified here)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return value
    if isinstance(value, list) and value and all(_part(v) for v in value):
        return [" ".join(str(v.get("text", "")) for v in value)]  # multi-modal parts are classified together
    raise invalid("input", "Invalid 'input': expected a string, an array of strings, or an array of text and image_url objects.")


def _result(text: str, request: Request) -> dict:
    violent = any(word in text.lower() for word in VIOLENT_WORDS)
    scores = {c: (0.99 if violent and c == "violence" else 0.0001) for c in CATEGORIES}
    categories = {c: scores[c] > 0.5 for c in CATEGORIES}
    if active(request, SCORES_KEYS):
        del scores["violence/graphic"]
    flagged = any(categories.values()) and not active(request, FLAGGED_WRONG)
    applied = {c: ["text"] for c in CATEGORIES}
    return {"flagged": flagged, "categories": categories, "category_scores": scores, "category_applied_input_types": applied}


async def create(request: Request):
    body = await json_object(request)
    require(body, "input", object)
    if active(request, UNVALIDATED) and not isinstance(body["input"], (str, list)):
        body["input"] = str(body["input"])
    texts = _texts(body["input"])
    model = models.find(body.get("model", DEFAULT_MODEL), "moderation", request)
    if active(request, ONE_RESULT):
        texts = texts[:1]
    store = request.app.state.store
    return reply(request, 200, {"id": store.new_id("modr-"), "model": model.id, "results": [_result(t, request) for t in texts]})


ROUTES = [("moderations", "POST", "/moderations", create)]

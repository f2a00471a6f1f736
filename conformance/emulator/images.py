"""POST /images/generations: a tiny PNG per image, as a URL or base64, after the reference's validation."""

from __future__ import annotations

import base64
import time

from starlette.requests import Request

from conformance import samples
from conformance.emulator import models
from conformance.emulator.errors import invalid
from conformance.emulator.faults import active, declare
from conformance.emulator.replies import reply
from conformance.emulator.validation import Number, json_object, require

B64_IGNORED = declare("b64-ignored", "images.response-format", "test_image_response_formats", "response_format b64_json ignored: URLs returned")
B64_NOT_IMAGE = declare("b64-not-image", "images.response-format", "test_image_response_formats", "b64_json decodes to text, not an image")
EXTRA_IMAGE = declare("extra-image", "images.count", "test_image_response_formats", "one image more than n")
UNVALIDATED = declare("images-unvalidated", "http.status", "test_invalid_image_request", "n, size, quality, style and response_format not validated")

MAX_PROMPT = 4000
SIZES = {"256x256", "512x512", "1024x1024", "1792x1024", "1024x1792", "1536x1024", "1024x1536", "auto"}
QUALITIES = {"standard", "hd", "low", "medium", "high", "auto"}
STYLES = {"vivid", "natural"}
FORMATS = {"url", "b64_json"}
PNG = samples.png()


def _validate(body: dict) -> None:
    if not body["prompt"] or len(body["prompt"]) > MAX_PROMPT:
        raise invalid("prompt", f"Invalid 'prompt': expected between 1 and {MAX_PROMPT} characters.")
    Number("n", True, 1, 10).validate(body)
    for name, allowed in (("size", SIZES), ("quality", QUALITIES), ("style", STYLES), ("response_format", FORMATS)):
        if body.get(name) is not None and body[name] not in allowed:
            raise invalid(name, f"Invalid '{name}': {body[name]!r} is not one of {sorted(allowed)}.")


def _image(index: int, fmt: str, prompt: str, request: Request) -> dict:
    if fmt == "b64_json" and not active(request, B64_IGNORED):
        content = b"a picture of " + prompt.encode() if active(request, B64_NOT_IMAGE) else PNG
        return {"b64_json": base64.b64encode(content).decode(), "revised_prompt": prompt}
    return {"url": f"https://images.openai-conformance.invalid/{int(time.time())}-{index}.png", "revised_prompt": prompt}


async def generate(request: Request):
    body = await json_object(request)
    require(body, "prompt", str)
    models.find(body.get("model", "dall-e-3"), "images", request)
    if not active(request, UNVALIDATED):
        _validate(body)
    n = body.get("n") if isinstance(body.get("n"), int) else 1
    n += 1 if active(request, EXTRA_IMAGE) else 0
    fmt = body.get("response_format") or "url"
    return reply(request, 200, {"created": int(time.time()), "data": [_image(i, fmt, body["prompt"], request) for i in range(n)]})


ROUTES = [("images", "POST", "/images/generations", generate)]

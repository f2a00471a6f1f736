"""Image generation semantics beyond the schema: n images, each in the response_format asked for."""

import base64
import binascii
from urllib.parse import urlsplit

from conformance import samples
from conformance.checks.base import Finding, Level, check, shorten, succeeded

SECTION = "Images > Create image"
_images = succeeded("POST /images/generations")


def _data(ex) -> list:
    data = ex.data.get("data")
    return data if isinstance(data, list) else []


@check("images.count", Level.MUST, SECTION, applies=_images)
def n_images(ex, expect):
    """There are exactly n images (default 1)."""
    wanted = ex.params.get("n") or 1
    if len(_data(ex)) != wanted:
        yield Finding(f"{wanted} image(s)", f"{len(_data(ex))} image(s)", "/data")


@check("images.response-format", Level.MUST, SECTION, applies=_images)
def in_requested_format(ex, expect):
    """response_format url gives an http(s) URL per image; b64_json gives base64 that decodes to an image."""
    wanted = ex.params.get("response_format") or "url"
    for index, image in enumerate(_data(ex)):
        image = image if isinstance(image, dict) else {}
        if wanted == "url":
            url = image.get("url")
            if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https", "data"):
                yield Finding("an http(s) URL in url", shorten(url, 80), f"/data/{index}/url")
            continue
        encoded = image.get("b64_json")
        try:
            kind = samples.image_kind(base64.b64decode(encoded, validate=True)) if isinstance(encoded, str) else None
        except (binascii.Error, ValueError):
            kind = None
        if kind is None:
            yield Finding("b64_json: base64 of a PNG, JPEG, WebP or GIF image", shorten(encoded, 80) if encoded else "(absent)", f"/data/{index}/b64_json")

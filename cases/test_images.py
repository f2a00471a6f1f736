"""Images: URL and base64 answers, and the enums and bounds the reference rejects.

Only two cases generate images (billed per image); the rest are rejected before any is made.
"""

import pytest

pytestmark = [pytest.mark.capability("images"), pytest.mark.reference("Images > Create image")]

PROMPT = "A small green square."


@pytest.mark.parametrize("response_format", [None, "b64_json"], ids=["url_default", "b64_json"])
def test_image_response_formats(api, models, response_format):
    body = {"model": models.images, "prompt": PROMPT, "n": 1, "size": "1024x1024"}
    api.post("/images/generations", json=body | ({"response_format": response_format} if response_format else {}), expect=200)


@pytest.mark.parametrize(
    "change",
    [{"n": 0}, {"n": 11}, {"size": "123x456"}, {"quality": "ultra"}, {"style": "cartoon"}, {"response_format": "gif"}, {"prompt": None}],
    ids=["n_zero", "n_eleven", "size", "quality", "style", "response_format", "missing_prompt"],
)
def test_invalid_image_request(api, models, change):
    body = {k: v for k, v in ({"model": models.images, "prompt": PROMPT} | change).items() if v is not None}
    api.post("/images/generations", json=body, expect=400)

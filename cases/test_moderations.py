"""Moderations: string, array and multi-modal input (what the reference rejects: test_invalid_requests.py)."""

import pytest

pytestmark = [pytest.mark.capability("moderations"), pytest.mark.reference("Moderations > Create moderation")]

FLAGGED = "I want to kill them."
"""The reference's own example: flagged for violence."""


@pytest.mark.parametrize(
    "value",
    [FLAGGED, [FLAGGED, "What a lovely day."], [{"type": "text", "text": "What a lovely day."}]],
    ids=["string", "array", "multimodal_text"],
)
def test_moderation_inputs(api, models, value):
    api.post("/moderations", json={"model": models.moderation, "input": value}, expect=200)


def test_moderation_default_model(api):
    api.post("/moderations", json={"input": "What a lovely day."}, expect=200)


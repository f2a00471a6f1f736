"""Embeddings: every input shape, both encodings, dimensions, and dimensions 0 rejected (other invalid parameters: test_invalid_requests.py)."""

import pytest

from conformance.samples import TOKEN_IDS

pytestmark = [pytest.mark.capability("embeddings"), pytest.mark.reference("Embeddings > Create embeddings")]

TEXT = "The food was delicious and the waiter..."
TOKENS = [15, 42, 100, 200]
"""Below 256 (TOKEN_IDS), ids every vocabulary holds, a small model's too: token ids are the model's business, and
llama.cpp's server answers an id its vocabulary lacks (12625 was sent once) with 400 "Prompt contains invalid tokens"."""
assert max(TOKENS) < TOKEN_IDS
DIMENSIONS = 8
"""Small on purpose: short answers, and text-embedding-3 models accept any size down to 1."""


@pytest.mark.parametrize(
    "value",
    [TEXT, [TEXT, "A second input."], TOKENS, [TOKENS, TOKENS[:2]]],
    ids=["string", "array_of_strings", "token_array", "token_arrays"],
)
def test_input_shapes(api, models, value):
    api.post("/embeddings", json={"model": models.embeddings, "input": value, "dimensions": DIMENSIONS}, expect=200)


def test_array_of_strings(api, models):
    api.post("/embeddings", json={"model": models.embeddings, "input": [TEXT, "Two.", "Three."]}, expect=200)


def test_float_encoding(api, models):
    api.post("/embeddings", json={"model": models.embeddings, "input": TEXT, "encoding_format": "float"}, expect=200)


@pytest.mark.parametrize("dimensions", [None, DIMENSIONS], ids=["native", "dimensions"])
def test_base64(api, models, dimensions):
    body = {"model": models.embeddings, "input": [TEXT, "Two."], "encoding_format": "base64"}
    api.post("/embeddings", json=body | ({"dimensions": dimensions} if dimensions else {}), expect=200)


@pytest.mark.parametrize("encoding", ["float", "base64"])
def test_dimensions(api, models, encoding):
    body = {"model": models.embeddings, "input": TEXT, "dimensions": DIMENSIONS, "encoding_format": encoding}
    api.post("/embeddings", json=body, expect=200)


def test_invalid_embeddings(api, models):
    # dimensions 0: the request schema leaves dimensions out (its maximum depends on the model), so
    # test_invalid_requests.py, which tries every other constraint, does not derive this one.
    api.post("/embeddings", json={"model": models.embeddings, "input": TEXT, "dimensions": 0}, expect=400)


def test_unknown_embeddings_model(api):
    api.post("/embeddings", json={"model": "no-such-model-openai-conformance", "input": TEXT}, expect=404)

"""Token ids fit any vocabulary: the cases and the generated requests send only ids every model holds."""

from __future__ import annotations

import httpx

from conformance.fuzzing.runner import common_tokens
from conformance.samples import TOKEN_IDS
from tests.conftest import KEY, failed_checks, run_cases

TOKEN_CASES = "token or (test_generated and (completions or embeddings) and not chat)"


def test_token_cases_and_generated_requests_pass_on_a_model_with_a_small_vocabulary(emulator, tmp_path):
    # Seen: llama.cpp's server answered 400 "Prompt contains invalid tokens" to the token-array cases (id 12625).
    # The variant's model knows 256 ids; generated bodies draw ids of any size, so more examples than usual.
    code, results = run_cases(tmp_path, emulator.replace("/v1", "/variant/small-vocabulary/v1"), "-k", TOKEN_CASES, "--max-examples=30")
    ran = {case["id"].split("::")[1] for case in results["cases"]}
    assert {"test_input_shapes[token_array]", "test_input_shapes[token_arrays]", "test_completion_token_prompt[token_array]",
            "test_completion_token_prompt[token_arrays]", "test_generated[POST /completions]", "test_generated[POST /embeddings]"} <= ran
    assert (code, failed_checks(results)) == (0, set())


def test_the_small_vocabulary_refuses_an_id_it_lacks_as_llama_cpp_does(emulator):
    answer = httpx.post(emulator.replace("/v1", "/variant/small-vocabulary/v1") + "/embeddings", headers={"Authorization": f"Bearer {KEY}"},
                        json={"model": "text-embedding-3-small", "input": [464, 3013, 373, 12625]})
    assert answer.status_code == 400 and "invalid tokens" in answer.json()["error"]["message"]


def test_generated_token_ids_are_made_ids_every_vocabulary_holds():
    assert common_tokens([12625, 3, TOKEN_IDS]) == [12625 % TOKEN_IDS, 3, 0]
    assert common_tokens([[100000], [7, 8]]) == [[100000 % TOKEN_IDS], [7, 8]]
    for other in ("text", ["a", "b"], [], [True, 2], [[1], "a"], None):
        assert common_tokens(other) == other

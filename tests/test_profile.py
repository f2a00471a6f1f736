"""Target profiles: unsupported capabilities skip with a reason, known failures are strict, levels can be raised."""

from __future__ import annotations

import pytest

from conformance.config import ConfigError, resolve
from tests.conftest import run_cases, with_fault


def _profile(tmp_path, text: str) -> str:
    path = tmp_path / "profile.toml"
    path.write_text(text)
    return str(path)


def test_unsupported_capability_is_skipped_with_the_reason(emulator, tmp_path):
    profile = _profile(tmp_path, 'name = "no-embeddings"\n[unsupported]\nembeddings = "forwarded upstream"\n')
    code, results = run_cases(tmp_path, emulator, f"--profile={profile}", "-k", "embeddings or test_list_models")
    assert code == 0
    skipped = [r for r in results["cases"] if "test_embeddings.py" in r["id"]]
    assert skipped and {r["status"] for r in skipped} == {"skip"}
    assert all("not supported by the target profile 'no-embeddings': embeddings (forwarded upstream)" in r["reason"] for r in skipped)
    assert results["target"]["profile"] == "no-embeddings"
    assert results["target"]["unsupported"] == {"embeddings": "forwarded upstream"}


@pytest.mark.parametrize("key", ["test_chat.py::test_json_object_response_format", "cases/test_chat.py::test_json_object_response_format"])
def test_known_failure_is_an_expected_failure(key, emulator, tmp_path):
    """Keyed by case id, as results.json writes it; a folder in front (a checkout's pytest node id) matches too."""
    profile = _profile(tmp_path, f'[known-failures]\n"{key}" = "ignores JSON mode"\n')
    code, results = run_cases(tmp_path, with_fault(emulator, "json-mode-ignored"), f"--profile={profile}", "-k", "test_json_object_response_format")
    assert code == 0
    (row,) = results["cases"]
    assert row["status"] == "fail" and "ignores JSON mode" in row["reason"]


def test_known_failure_that_passes_fails_the_run(emulator, tmp_path):
    profile = _profile(tmp_path, '[known-failures]\n"test_chat.py::test_json_object_response_format" = "ignores JSON mode"\n')
    code, results = run_cases(tmp_path, emulator, f"--profile={profile}", "-k", "test_json_object_response_format")
    assert code == 1
    assert "now passes" in results["cases"][0]["reason"]


def test_profile_can_raise_a_should_check_to_must(emulator, tmp_path):
    profile = _profile(tmp_path, '[levels]\n"chat.model" = "must"\n')
    code, results = run_cases(tmp_path, with_fault(emulator, "model-renamed"), f"--profile={profile}", "-k", "test_single_user_message")
    assert code == 1
    assert ("chat.model", "must", "fail") in {(c["id"], c["level"], c["status"]) for c in results["cases"][0]["checks"]}


def test_profile_models_apply_unless_the_command_line_says_otherwise(tmp_path):
    profile = _profile(tmp_path, '[models]\nchat = "tiny"\nembeddings = "tiny-embed"\n')
    target = resolve({"profile": profile, "embeddings_model": "cli-embed"}, environ={})
    assert (target.models.chat, target.models.embeddings) == ("tiny", "cli-embed")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('api_key = "x"', "keep keys out of profiles"),
        ('capabilities = ["teleport"]', "unknown capability teleport"),
        ("colour = 1", "unknown key(s) colour"),
        ("[models]\nvideo = 'x'", "unknown model key(s) video"),
        ('[levels]\n"chat.model" = "may"', "levels must be"),
        ("name = ", "not valid TOML"),
    ],
)
def test_bad_profile_is_a_config_error(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        resolve({"profile": _profile(tmp_path, text)}, environ={})


def test_missing_profile_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read profile"):
        resolve({"profile": str(tmp_path / "nope.toml")}, environ={})

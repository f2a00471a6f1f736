"""Profiles on a target that lacks capabilities: probe writes the profile, the run skips with its reasons, core cannot be skipped."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance import cli
from conformance.config import ConfigError, resolve
from conformance.emulator.server import EmbeddedServer
from tests.conftest import KEY, run_cases

PROFILES = Path(__file__).resolve().parents[1] / "profiles"
SERVED = {"models", "chat", "chat-streaming", "embeddings"}
LACKING = ("completions", "completions-streaming", "moderations", "images", "speech", "transcriptions", "files", "uploads", "fine-tuning", "assistants",
           "responses", "responses-store", "responses-background")


@pytest.fixture(scope="module")
def partial_target():
    """The emulator serving only models, chat and embeddings: every other route answers 404."""
    server = EmbeddedServer(api_key=KEY, capabilities=SERVED)
    yield server.start()
    server.stop()


def _probe(url: str, *args: str) -> int:
    return cli.main(["probe", f"--base-url={url}", *args])


def test_probe_writes_a_profile_of_what_the_target_serves(partial_target, tmp_path):
    path = tmp_path / "profiles" / "partial.toml"  # a folder that does not exist yet
    assert _probe(partial_target, f"--api-key={KEY}", "--name=partial", f"--output={path}") == 0
    profile = resolve({"profile": str(path), "api_key": KEY}, environ={}).profile
    assert SERVED <= profile.capabilities
    assert profile.lacking()["files"] == "probe: GET /files answered HTTP 404"
    assert set(profile.lacking()) >= set(LACKING) and not set(profile.lacking()) & SERVED
    assert KEY not in path.read_text()


def test_run_with_the_probed_profile_skips_what_the_target_lacks(partial_target, tmp_path):
    path = tmp_path / "partial.toml"
    assert _probe(partial_target, f"--api-key={KEY}", "--name=partial", f"--output={path}") == 0
    code, results = run_cases(tmp_path, partial_target, f"--profile={path}", "-k", "not test_generated")
    assert code == 0
    by_status = {}
    for case in results["cases"]:
        by_status.setdefault(case["status"], []).append(case)
    assert {c["id"].split("::")[0] for c in by_status["pass"]} >= {"test_models.py", "test_chat.py", "test_embeddings.py"}
    skipped = {c["id"].split("::")[0].split("/")[-1] for c in by_status["skip"]}
    assert {"test_files.py", "test_assistants.py", "test_fine_tuning.py", "test_audio.py", "test_images.py", "test_moderations.py"} <= skipped
    reasons = {c["reason"] for c in by_status["skip"] if "test_files.py" in c["id"]}
    assert reasons == {"not supported by the target profile 'partial': files (probe: GET /files answered HTTP 404)"}
    assert results["target"]["unsupported"]["assistants"] == "probe: GET /assistants answered HTTP 404"


def test_probe_tells_a_stateless_responses_server_from_one_that_stores(tmp_path):
    """POST /responses {} is a 400 (served); GET /responses/<no such id> is 404 "Invalid URL" there (the route is missing),
    not the 404 of a response that does not exist: stored responses and cancel are lacking (also for a response the probe creates to be sure)."""
    server = EmbeddedServer(api_key=KEY, capabilities={"models", "chat", "responses"})
    url = server.start()
    try:
        path = tmp_path / "stateless.toml"
        assert _probe(url, f"--api-key={KEY}", f"--output={path}") == 0
        lacking = resolve({"profile": str(path), "api_key": KEY}, environ={}).profile.lacking()
        assert "responses" not in lacking
        assert lacking["responses-store"].startswith("probe: GET /responses/openai-conformance-probe-no-such-object answered HTTP 404 like a route")
        assert "responses-background" in lacking
    finally:
        server.stop()
    path = tmp_path / "full.toml"
    served = EmbeddedServer(api_key=KEY)
    try:
        assert _probe(served.start(), f"--api-key={KEY}", f"--output={path}") == 0
        lacking = resolve({"profile": str(path), "api_key": KEY}, environ={}).profile.lacking()
        assert not {"responses", "responses-store", "responses-background"} & set(lacking)
    finally:
        served.stop()


def test_probe_with_a_refused_key_is_one_line_and_exit_2(partial_target, capsys):
    assert _probe(partial_target, "--api-key=wrong-key") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "refuses the API key" in err


@pytest.mark.parametrize(
    "text",
    ['capabilities = ["models", "embeddings"]', '[unsupported]\nchat = "no chat here"', '[unsupported]\nmodels = "no /v1/models"'],
    ids=["chat-not-listed", "chat-unsupported", "models-unsupported"],
)
def test_core_capabilities_cannot_be_skipped(tmp_path, text):
    path = tmp_path / "profile.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match="core capabilities cannot be skipped"):
        resolve({"profile": str(path)}, environ={})


@pytest.mark.parametrize("path", sorted(PROFILES.glob("*.toml")), ids=lambda p: p.name)
def test_example_profiles_load(path):
    assert resolve({"profile": str(path), "api_key": KEY}, environ={}).profile.name == path.stem


@pytest.mark.parametrize("text", ['[unsupported]\nfiles = ""', '[unsupported]\nteleport = "x"', 'unsupported = ["files"]'])
def test_bad_unsupported_table_is_a_config_error(tmp_path, text):
    path = tmp_path / "profile.toml"
    path.write_text(text)
    with pytest.raises(ConfigError):
        resolve({"profile": str(path)}, environ={})

"""The usual mistakes are one line and exit 2 (issue 19 point 4): the preflight's GET /models, and a selection of nothing.

Each row of the issue's table runs the real command line in a subprocess and counts every line it prints.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from conformance.config import ConfigError, Models, Target, resolve
from conformance.emulator.faults import FAULTS
from conformance.emulator.variants import VARIANTS
from conformance.preflight import check_models, preflight
from conformance.profile import Profile
from tests.conftest import KEY, with_fault
from tests.hostile import HostileServer

MOST_LINES = 3


def run(tmp_path, *args: str, env: dict[str, str] | None = None, runner: str = "run") -> tuple[int, list[str]]:
    """Exit code and every line printed (stdout and stderr) by ``openai-conformance run`` (or plain pytest) in tmp_path."""
    prefix = [sys.executable, "-m", "conformance.cli", "run", "--report-dir", "out"] if runner == "run" else \
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--pyargs", "conformance.cases"]
    environ = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    done = subprocess.run([*prefix, *args], capture_output=True, text=True, cwd=tmp_path, env={**environ, **(env or {})}, timeout=180)
    return done.returncode, (done.stdout + done.stderr).splitlines()


def one_line(tmp_path, *args: str, **kwargs) -> str:
    code, lines = run(tmp_path, *args, **kwargs)
    assert code == 2 and 0 < len(lines) <= MOST_LINES, lines
    assert not (tmp_path / "out").exists(), "a run that stops at its configuration leaves no report folder"
    return lines[0]


def test_a_refused_key_is_one_line(tmp_path, emulator):
    line = one_line(tmp_path, "--base-url", emulator, "--api-key", "wrong-key-never-printed")
    assert line == f"openai-conformance: target {emulator} (from --base-url) refuses the API key (HTTP 401 from GET /models)"


def test_a_base_url_without_v1_is_one_line_suggesting_it(tmp_path, emulator):
    root = emulator.removesuffix("/v1")
    line = one_line(tmp_path, "--base-url", root, "--api-key", KEY)
    assert line.endswith(f"answers GET /models with HTTP 404, but {emulator}/models answers 200: did you mean {emulator}?")


def test_an_unserved_model_is_one_line_naming_it_and_the_served_ones(tmp_path, emulator):
    line = one_line(tmp_path, "--base-url", emulator, "--api-key", KEY, "--chat-model", "nope")
    assert "does not serve the model(s) 'nope' (--chat-model): it lists gpt-4o-mini, gpt-4o," in line


def test_an_unserved_model_of_the_embedded_emulator_is_one_line(tmp_path):
    line = one_line(tmp_path, "--embeddings-model", "nope")
    assert line.startswith("openai-conformance: the embedded reference emulator does not serve the model(s) 'nope' (--embeddings-model)")


@pytest.mark.parametrize(
    ("prefix", "nearest"),
    [("fault/missing-request-id", "Unknown emulator fault 'missing-request-id': nearest: no-request-id"),
     ("variant/gzipp", "Unknown emulator variant 'gzipp': nearest: gzip"),
     ("fault/no-request-id+ignore-m", "Unknown emulator fault 'ignore-m': nearest: ignore-n")],
    ids=["fault", "variant", "combined"],
)
def test_a_mistyped_emulator_prefix_is_one_line_with_the_nearest_names(tmp_path, emulator, prefix, nearest):
    url = emulator.replace("/v1", f"/{prefix}/v1")
    assert one_line(tmp_path, "--base-url", url, "--api-key", KEY).startswith(f"openai-conformance: target {url} (from --base-url): {nearest}")


@pytest.mark.parametrize("runner", ["run", "pytest"])
def test_a_selection_of_no_case_is_one_line_and_no_report_folder(tmp_path, runner):
    line = one_line(tmp_path, "-k", "nothingmatches", runner=runner) if runner == "pytest" else one_line(tmp_path, "--", "-k", "nothingmatches")
    assert line == "openai-conformance: no case selected (check -k, the paths after --, and the profile)"


def test_the_header_says_where_the_base_url_came_from(tmp_path, emulator):
    code, lines = run(tmp_path, "--", "-k", "test_list_models", env={"OPENAI_BASE_URL": emulator, "OPENAI_API_KEY": KEY})
    assert code == 0 and f"openai-conformance target: {emulator} (from OPENAI_BASE_URL)" in lines
    code, lines = run(tmp_path, "--", "-k", "test_list_models")
    assert code == 0 and "openai-conformance target: embedded reference emulator" in lines
    # An exported variable's mistake names the variable.
    (tmp_path / "again").mkdir()
    line = one_line(tmp_path / "again", env={"OPENAI_BASE_URL": emulator, "OPENAI_API_KEY": "wrong"})
    assert line == f"openai-conformance: target {emulator} (from OPENAI_BASE_URL) refuses the API key (HTTP 401 from GET /models)"


def test_the_base_url_origin_follows_the_precedence(tmp_path):
    profile = tmp_path / "target.toml"
    profile.write_text('name = "mine"\nbase_url = "http://profile:1/v1"\n')
    environ = {"OPENAI_BASE_URL": "http://env:1/v1", "OPENAI_API_KEY": "k"}
    assert resolve({"base_url": "http://opt:1/v1"}, environ).described == "http://opt:1/v1 (from --base-url)"
    assert resolve({"profile": str(profile)}, environ).described == "http://profile:1/v1 (from profile mine)"
    assert resolve({}, environ).described == "http://env:1/v1 (from OPENAI_BASE_URL)"
    assert resolve({}, {}).described == "embedded reference emulator"


def test_default_models_a_target_does_not_list_are_named_with_their_options():
    """A server like llama.cpp's lists its own model names: every default it lacks is named with the option to pass."""
    with pytest.raises(ConfigError) as error:
        check_models(Target(base_url="http://t/v1", base_url_origin="--base-url"), ["tiny-llama"])
    message = str(error.value)
    assert "'gpt-4o-mini' (--chat-model), 'gpt-3.5-turbo-instruct' (--completions-model), 'text-embedding-3-small' (--embeddings-model)" in message
    assert "it lists tiny-llama;" in message and "\n" not in message


def test_only_the_models_of_supported_capabilities_are_checked_and_an_empty_list_is_not():
    chat_only = Profile(capabilities=frozenset({"models", "chat", "chat-streaming", "generated"}))
    check_models(Target(base_url="http://t/v1", models=Models(chat="tiny-llama"), profile=chat_only), ["tiny-llama"])
    check_models(Target(base_url="http://t/v1"), [])  # some servers list no model while serving one


def test_a_model_a_target_serves_without_listing_it_passes(emulator):
    """Ollama lists llama3:latest and answers for llama3: a model whose own route answers 200 is served (this fault's
    retrieve answers 200 for any name), at the cost of one more request."""
    preflight(Target(base_url=with_fault(emulator, "retrieve-wrong-model"), api_key=KEY, models=Models(chat="llama3")))
    with pytest.raises(ConfigError, match="does not serve the model"):
        preflight(Target(base_url=emulator, api_key=KEY, models=Models(chat="llama3")))


@pytest.fixture(scope="module")
def hostile():
    server = HostileServer().start()
    yield server
    server.stop()


@pytest.mark.parametrize("behaviour", ["status-599", "trickle-json", "events-endless", "truncated-json", "rate-limited-1-preflight"])
def test_other_answers_are_left_for_the_cases_to_judge_within_the_timeout(hostile, behaviour):
    """A 5xx, a 429, a body that never ends or is not JSON: the target answered; the cases judge it."""
    started = time.monotonic()
    preflight(Target(base_url=hostile.url(behaviour), api_key=KEY, request_timeout=0.5))
    assert time.monotonic() - started < 0.5 + 3


def test_a_head_trickled_a_byte_at_a_time_is_no_answer_in_time(hostile):
    """httpx bounds each read, not their sum: the preflight's wait for the status line and headers has a deadline too."""
    started = time.monotonic()
    with pytest.raises(ConfigError, match="does not answer: no answer in time"):
        preflight(Target(base_url=hostile.url("trickle-head"), api_key=KEY, request_timeout=0.5))
    assert time.monotonic() - started < 0.5 + 3


def test_no_emulator_fault_or_variant_trips_the_preflight(emulator):
    """The preflight must never stop a run of a fault the cases are there to catch (tests/test_faults.py)."""
    for prefix in [f"fault/{name}" for name in FAULTS] + [f"variant/{name}" for name in VARIANTS]:
        preflight(Target(base_url=emulator.replace("/v1", f"/{prefix}/v1"), api_key=KEY, request_timeout=3))

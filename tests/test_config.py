"""Target configuration: options, environment fallbacks, and one-line errors with exit code 2."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conformance.config import ConfigError, Models, resolve
from tests.conftest import closed_port


def test_no_base_url_means_the_embedded_emulator():
    target = resolve({}, environ={})
    assert target.embedded and target.models == Models() and target.request_timeout == 30.0


def test_options_win_over_the_sdk_environment_variables():
    environ = {"OPENAI_BASE_URL": "http://env:1/v1", "OPENAI_API_KEY": "env-key", "OPENAI_ORG_ID": "org-env", "OPENAI_PROJECT_ID": "proj-env"}
    target = resolve({"base_url": "http://opt:2/v1/", "chat_model": "tiny"}, environ=environ)
    assert (target.base_url, target.api_key, target.organization, target.project) == ("http://opt:2/v1", "env-key", "org-env", "proj-env")
    assert target.models.chat == "tiny" and target.models.embeddings == "text-embedding-3-small"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"base_url": "ftp://host/v1", "api_key": "k"}, "must be an http:// or https:// URL"),
        ({"base_url": "localhost:8000", "api_key": "k"}, "must be an http:// or https:// URL"),
        ({"base_url": "http://127.0.0.1:8000/v1"}, "no API key"),
        ({"request_timeout": "soon"}, "--request-timeout must be a number"),
        ({"request_timeout": "0"}, "--request-timeout must be a positive number"),
    ],
)
def test_bad_configuration_is_a_config_error(values, message):
    with pytest.raises(ConfigError, match=message):
        resolve(values, environ={})


def _one_line_exit_2(command: list[str], cwd) -> str:
    done = subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=60)
    assert done.returncode == 2, done.stdout + done.stderr
    lines = (done.stdout + done.stderr).strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


@pytest.mark.parametrize("runner", ["pytest", "run"])
def test_closed_port_exits_2_with_one_line(runner, tmp_path):
    url = f"http://127.0.0.1:{closed_port()}/v1"
    prefix = [sys.executable, "-m", "pytest", "--pyargs", "conformance.cases"] if runner == "pytest" else [sys.executable, "-m", "conformance.cli", "run"]
    line = _one_line_exit_2([*prefix, "--base-url", url, "--api-key", "secret-key-never-printed"], tmp_path)
    assert line.startswith(f"openai-conformance: target {url} (from --base-url) does not answer")
    assert "secret-key-never-printed" not in line


def test_options_of_unrelated_test_runs_are_left_alone(tmp_path):
    """The plugin is installed for every project: it must not probe a target when no case is selected."""
    (tmp_path / "test_other.py").write_text("def test_other():\n    pass\n")
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)], capture_output=True, text=True, cwd=tmp_path,
                          env={"OPENAI_BASE_URL": f"http://127.0.0.1:{closed_port()}/v1", "PATH": ""}, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr

"""Help texts say what a user needs without the README (issue 19, 8): serve's options, prefixes and the URL it
serves; run's environment variables, exit codes and budgets per depth."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conformance import cli
from conformance.depth import DEPTHS
from tests.conftest import closed_port


def _help(command: str, capsys) -> str:
    with pytest.raises(SystemExit) as exit_:
        cli.main([command, "--help"])
    assert exit_.value.code == 0
    return " ".join(capsys.readouterr().out.split())  # argparse wraps the option help: compare words


def test_serve_help_explains_options_and_prefixes(capsys):
    text = _help("serve", capsys)
    for option in ("--port PORT TCP port", "--host HOST address", "--api-key API_KEY accept only this key", "--capabilities CAPABILITIES serve only"):
        assert option in text
    assert "/fault/<name>/v1" in text and "/fault/<a>+<b>/v1" in text and "joined by +" in text
    assert "/variant/<name>/v1" in text and "sse-crlf" in text and "openai-conformance checks" in text


def test_run_help_names_environment_exit_codes_and_budgets(capsys):
    text = _help("run", capsys)
    for variable in ("OPENAI_BASE_URL default of --base-url", "OPENAI_API_KEY default of --api-key", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID"):
        assert variable in text
    for code in ("0 every must check passed", "1 must checks failed", "2 bad input", "3 the suite itself failed", "4 the verdict is incomplete"):
        assert code in text
    for depth in DEPTHS.values():
        assert f"{depth.name} {depth.budget_requests} requests, {depth.budget_tokens} tokens, {depth.budget_seconds:g} s" in text


def test_serve_prints_its_base_url_with_v1():
    port = closed_port()
    server = subprocess.Popen([sys.executable, "-m", "conformance.cli", "serve", "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = server.stdout.readline()  # printed once the socket listens
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert f"http://127.0.0.1:{port}/v1 " in line and f"http://127.0.0.1:{port}/fault/<name>/v1" in line

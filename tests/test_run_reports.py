"""`openai-conformance run`: its exit codes, and the four report formats with the key nowhere in them."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from conformance import cli
from conformance.checks import REGISTRY, Check, Level
from conformance.emulator import server
from tests.conftest import KEY, with_fault

SECRET = "conformance-secret-7f3a9c2e5b1d4e6a"
"""Recognisable, and unlike any real key format, so that a hit can only be a leak."""


def _run(tmp_path, *args: str) -> int:
    return cli.main(["run", "--report-dir", str(tmp_path / "out"), *args])


def test_conformant_run_exits_0(tmp_path):
    assert _run(tmp_path, "--", "-q", "-k", "test_models") == 0


def test_must_failure_exits_1_and_should_failure_0(emulator, tmp_path):
    assert _run(tmp_path, f"--base-url={with_fault(emulator, 'ignore-n')}", f"--api-key={KEY}", "--", "-q", "-k", "test_sampling_parameters") == 1
    assert _run(tmp_path, f"--base-url={with_fault(emulator, 'model-renamed')}", f"--api-key={KEY}", "--", "-q", "-k", "test_single_user_message") == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--base-url=ftp://example.invalid/v1"], "--base-url must be an http:// or https:// URL"),
        (["--", "-k", "no_case_has_this_name"], "no case selected"),
        (["--", "--no-such-pytest-option"], "unrecognized arguments"),
    ],
)
def test_bad_configuration_exits_2(tmp_path, capsys, args, message):
    assert _run(tmp_path, *args) == 2
    assert message in capsys.readouterr().err


def _broken(exchange, expect):
    raise RuntimeError("a bug in a check")


@pytest.fixture
def broken_check(monkeypatch):
    """A check that raises: the suite's own failure, not the target's."""
    monkeypatch.setitem(REGISTRY, "test.broken", Check("test.broken", Level.MUST, "-", "Raises.", lambda ex: ex.path == "/models", _broken))


def test_exception_in_a_check_is_an_error_and_exits_3(broken_check, tmp_path):
    assert _run(tmp_path, "--", "-q", "-k", "test_list_models") == 3
    (row,) = json.loads((tmp_path / "out" / "results.json").read_text())["cases"]
    assert row["status"] == "error" and "a bug in a check" in row["reason"]


def test_suite_error_wins_over_conformance_failures(broken_check, emulator, tmp_path):
    code = _run(tmp_path, f"--base-url={with_fault(emulator, 'ignore-n')}", f"--api-key={KEY}", "--", "-q", "-k", "test_list_models or test_sampling_parameters")
    summary = json.loads((tmp_path / "out" / "results.json").read_text())["summary"]
    assert summary["fail"] and summary["error"] and code == 3


@pytest.mark.parametrize(
    ("pytest_code", "started", "summary", "ours"),
    [
        (0, True, {"error": 0}, 0),
        (1, True, {"error": 0}, 1),
        (1, True, {"error": 1}, 3),
        (1, True, None, 3),  # failures but no results: the suite broke
        (2, False, None, 2),  # the plugin's one-line configuration error, before any session
        (2, True, {"error": 0}, 3),  # interrupted during the run (a collection error, Ctrl-C)
        (3, True, None, 3),
        (4, False, None, 2),
        (5, True, {"error": 0}, 2),
    ],
)
def test_exit_code_mapping(pytest_code, started, summary, ours):
    assert cli.exit_code(pytest_code, started, summary) == ours


def _leaky(app):
    """The target echoes the Authorization header back in a response header, as some gateways do on errors."""

    async def leaking(scope, receive, send):
        authorization = dict(scope.get("headers", [])).get(b"authorization", b"")

        async def send_with_echo(message):
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message["headers"], (b"x-echo-authorization", authorization)]}
            await send(message)

        await app(scope, receive, send_with_echo)

    return leaking


@pytest.fixture
def leaky_emulator(monkeypatch):
    conformant = server.create_app
    monkeypatch.setattr(server, "create_app", lambda *args, **kwargs: _leaky(conformant(*args, **kwargs)))
    emulator = server.EmbeddedServer(api_key=SECRET)
    yield emulator.start()
    emulator.stop()


def test_failing_run_writes_four_formats_and_never_the_key(leaky_emulator, tmp_path):
    reports = tmp_path / "reports"
    done = subprocess.run(
        [sys.executable, "-m", "conformance.cli", "run", f"--base-url={with_fault(leaky_emulator, 'ignore-n')}", f"--api-key={SECRET}",
         "--report-dir", str(reports), "--", "-rA", "--hypothesis-seed=1", "-k",
         "test_models or test_sampling_parameters or test_unknown_key or (test_generated and models)"],
        capture_output=True, text=True, cwd=tmp_path, timeout=180,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    produced = [p for p in reports.rglob("*") if p.is_file()]
    assert {"junit.xml", "results.json", "report.html"} <= {p.name for p in produced}
    for path in [*produced]:
        assert SECRET not in path.read_text(errors="replace"), f"the key leaked into {path.relative_to(tmp_path)}"
    assert SECRET not in done.stdout + done.stderr
    results = json.loads((reports / "results.json").read_text())
    echoes = {e["response"]["headers"].get("x-echo-authorization") for c in results["cases"] for e in c["exchanges"]}
    assert "Bearer $OPENAI_API_KEY" in echoes  # the echo was recorded, redacted
    _assert_allure_results(reports / "allure-results")
    suite = ET.parse(reports / "junit.xml").getroot().find("testsuite")
    assert suite.get("name") == "openai-conformance" and int(suite.get("failures")) >= 1


def _assert_allure_results(folder):
    results = [json.loads(p.read_text()) for p in folder.glob("*-result.json")]
    failed = next(r for r in results if r["status"] == "failed" and "test_sampling_parameters" in r["fullName"])
    (exchange,) = failed["steps"]
    assert exchange["name"].startswith("POST /chat/completions -> 200") and exchange["status"] == "failed"
    assert {a["name"] for a in exchange["attachments"]} == {"exchange (redacted)", "reproduce with curl"}
    steps = {s["name"]: s["status"] for s in exchange["steps"]}
    assert steps["[must] chat.choices-count"] == "failed" and steps["[must] body.schema"] == "passed"
    assert {"name": "feature", "value": "chat"} in failed["labels"]

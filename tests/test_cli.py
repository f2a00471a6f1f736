"""The command line: `serve` is a usable test double, `run` writes its reports, `checks` matches docs/checks.md."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from conformance.reporting.checks_table import markdown
from tests.conftest import KEY, closed_port, run_cases

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def served():
    port = closed_port()
    process = subprocess.Popen([sys.executable, "-m", "conformance.cli", "serve", "--port", str(port), "--api-key", KEY],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 20
    while True:
        try:
            httpx.get(url + "/models", timeout=1)
            break
        except httpx.TransportError:
            assert time.monotonic() < deadline and process.poll() is None, "serve did not start"
            time.sleep(0.1)
    yield url
    process.terminate()
    process.wait(timeout=10)


def test_served_emulator_passes_the_suite(served, tmp_path):
    code, results = run_cases(tmp_path, served)
    assert code == 0 and results["summary"]["pass"] == len(results["cases"]) > 0


def test_run_writes_junit_and_results_from_any_directory(tmp_path):
    done = subprocess.run([sys.executable, "-m", "conformance.cli", "run", "--report-dir", "out", "--", "-q", "-k", "models"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    assert results["target"]["base_url"] == "embedded emulator"
    row = next(r for r in results["cases"] if r["id"].endswith("test_list_models"))
    assert row["status"] == "pass" and row["section"] == "Models > List models" and row["request_ids"]
    schema = next(c for c in row["checks"] if c["id"] == "body.schema")
    assert (schema["level"], schema["status"], schema["aspect"]) == ("must", "pass", "schema")
    assert "<testsuite" in (tmp_path / "out" / "junit.xml").read_text()
    assert "Conformance matrix" in (tmp_path / "out" / "report.html").read_text()
    assert list((tmp_path / "out" / "allure-results").glob("*-result.json"))


def test_checks_table_is_current():
    assert (ROOT / "docs" / "checks.md").read_text() == markdown(), "regenerate: openai-conformance checks > docs/checks.md"


def test_readme_documents_every_option():
    from conformance.config import OPTIONS

    readme = (ROOT / "README.md").read_text()
    for option in OPTIONS:
        assert f"`{option.flag}`" in readme and (not option.env or f"`{option.env}`" in readme)

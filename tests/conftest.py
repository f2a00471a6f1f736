"""Fixtures for the suite's own tests: an emulator per test process, and a way to run the cases."""

from __future__ import annotations

import json
import socket
from importlib.util import find_spec
from pathlib import Path

import pytest

from conformance.emulator.server import EmbeddedServer

CASES = Path(find_spec("conformance.cases").origin).parent
KEY = "test-key-for-the-suite-tests"


@pytest.fixture(scope="session")
def emulator() -> str:
    """Base URL (…/v1) of a conformant emulator that accepts only KEY."""
    server = EmbeddedServer(api_key=KEY)
    yield server.start()
    server.stop()


def with_fault(base_url: str, fault: str) -> str:
    return base_url.replace("/v1", f"/fault/{fault}/v1")


def run_cases(tmp_path: Path, base_url: str, *args: str) -> tuple[int, dict]:
    """Run the conformance cases in-process against base_url; returns pytest's exit code and results.json."""
    results = tmp_path / "results.json"
    # no:unraisableexception: its full gc.collect() at the end of every inner run costs more than the run.
    code = pytest.main([
        str(CASES), "--rootdir", str(CASES), "-p", "no:cacheprovider", "-p", "no:unraisableexception", "-q", "-W", "ignore::pytest.PytestAssertRewriteWarning",
        f"--base-url={base_url}", f"--api-key={KEY}", "--request-timeout=2", f"--conformance-results={results}",
        # Every case (a fault may select a deep one), with the example count the tests were written for.
        "--depth=deep", "--max-examples=5", *args,
    ])
    return int(code), json.loads(results.read_text())


def failed_checks(results: dict) -> set[str]:
    return {c["id"] for case in results["cases"] for c in case["checks"] if c["status"] == "fail"}


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]

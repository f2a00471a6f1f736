"""The HTML report renders in headless Chromium (Debian's ``chromium``), through the documented script."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_cases, with_fault

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "screenshot_report.py"
sys.path.insert(0, str(SCRIPT.parent))
from screenshot_report import find_chromium  # noqa: E402  (scripts/ is not a package)

pytestmark = pytest.mark.skipif(find_chromium() is None, reason="no Chromium installed (apt-get install chromium): the report's rendering is not verified")


def test_report_renders_with_its_matrix(emulator, tmp_path):
    report = tmp_path / "report.html"
    run_cases(tmp_path, with_fault(emulator, "ignore-n"), "-k", "test_models or test_sampling_parameters", f"--conformance-html={report}")
    png, dom = tmp_path / "report.png", tmp_path / "dom.html"
    done = subprocess.run([sys.executable, str(SCRIPT), str(report), str(png), "--dom", str(dom)], capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
    rendered = dom.read_text()  # the DOM as Chromium built it: the matrix is a real table, with a chat row that failed
    assert '<section id="matrix">' in rendered and '<th>chat</th><td class="cell fail">' in rendered

"""The HTML report and the compare page render in headless Chromium (Debian's ``chromium``), at a laptop's
and a phone's width, through the documented script."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conformance.reporting import compare
from tests.conftest import CASES, run_cases, with_fault

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "screenshot_report.py"
sys.path.insert(0, str(SCRIPT.parent))
from screenshot_report import find_chromium  # noqa: E402  (scripts/ is not a package)

pytestmark = pytest.mark.skipif(find_chromium() is None, reason="no Chromium installed (apt-get install chromium): the pages' rendering is not verified")

WIDTHS = {"laptop": 1280, "phone": 390}


@pytest.fixture(scope="module")
def pages(emulator, tmp_path_factory) -> dict[str, Path]:
    tmp_path = tmp_path_factory.mktemp("pages")
    report = tmp_path / "report.html"
    selection = ("-k", "test_models or test_sampling_parameters or test_unknown_model", f"--ignore={CASES / 'test_generated.py'}")
    _, faulty = run_cases(tmp_path / "faulty", with_fault(emulator, "ignore-n+error-code-integer"), *selection, f"--conformance-html={report}")
    _, good = run_cases(tmp_path / "good", emulator, *selection)
    page = tmp_path / "compare.html"
    page.write_text(compare.render(compare.targets([good, faulty], ["emulator", "faulty"])))
    return {"report": report, "compare": page}


def _render(page: Path, width: int, tmp_path: Path) -> str:
    png, dom = tmp_path / f"{page.stem}-{width}.png", tmp_path / f"{page.stem}-{width}.dom.html"
    done = subprocess.run([sys.executable, str(SCRIPT), str(page), str(png), "--dom", str(dom), "--width", str(width)],
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
    return dom.read_text()  # the DOM as Chromium built it


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS)
def test_report_renders_departures_first_then_the_matrix(pages, tmp_path, width):
    rendered = _render(pages["report"], width, tmp_path)
    assert rendered.index('<section id="departures">') < rendered.index('<section id="matrix">') < rendered.index('<section id="failures">')
    assert '<th>chat</th><td class="cell fail">' in rendered
    assert "<code>chat.choices-count</code>" in rendered and "<code>error.envelope</code>" in rendered


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS)
def test_compare_page_renders_scores_aspects_and_departures(pages, tmp_path, width):
    rendered = _render(pages["compare"], width, tmp_path)
    for section in ("scores", "aspects", "departures"):
        assert f'<section id="{section}">' in rendered
    assert '<th>emulator</th><th>faulty</th>' in rendered and '<td class="cell fail"><b>✗</b> 2 cases</td>' in rendered


#!/usr/bin/env python3
"""Open an HTML report in headless Chromium and save a screenshot (and, optionally, the rendered DOM).

    python scripts/screenshot_report.py reports/<run>/report.html report.png
    python scripts/screenshot_report.py report.html report.png --dom report.dom.html --height 2400

Needs Debian's ``chromium`` package (``apt-get install chromium``) or CHROMIUM=/path/to/chrome.
Network access is switched off as far as Chromium allows: the report must render from the file
alone. Every run uses a new, empty browser profile, deleted afterwards. Exit code 2 when no
Chromium is found, 1 when Chromium fails to produce the screenshot.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "chrome")
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars", "--force-device-scale-factor=1",
)


def find_chromium() -> str | None:
    if explicit := os.environ.get("CHROMIUM"):
        return explicit
    return next(filter(None, map(shutil.which, CANDIDATES)), None)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path)
    parser.add_argument("png", type=Path)
    parser.add_argument("--dom", type=Path, help="also write the DOM as Chromium parsed it")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=1600)
    args = parser.parse_args()
    chromium = find_chromium()
    if chromium is None:
        print("screenshot_report: no Chromium found (apt-get install chromium, or set CHROMIUM)", file=sys.stderr)
        return 2
    url = args.report.resolve().as_uri()
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        common = [chromium, *FLAGS, f"--user-data-dir={profile}", f"--window-size={args.width},{args.height}"]
        shot = subprocess.run([*common, f"--screenshot={args.png.resolve()}", url], capture_output=True, text=True, timeout=120)
        if args.dom:
            dom = subprocess.run([*common, "--dump-dom", url], capture_output=True, text=True, timeout=120)
            args.dom.write_text(dom.stdout, encoding="utf-8")
    if not args.png.exists() or args.png.stat().st_size == 0:
        print(f"screenshot_report: Chromium wrote no screenshot:\n{shot.stderr}", file=sys.stderr)
        return 1
    print(f"screenshot_report: {args.png}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

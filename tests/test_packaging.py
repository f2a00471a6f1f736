"""The wheel ships the cases, the schemas, the console script and the pytest11 entry point."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_contains_cases_schemas_and_entry_points(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)], check=True, timeout=300)
    (wheel,) = tmp_path.glob("openai_conformance-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    # Every subpackage too: pyproject lists them one by one, and a missing one breaks the plugin only once installed.
    for source in [*ROOT.glob("cases/*.py"), *ROOT.glob("schemas/*.json"), *ROOT.glob("conformance/reporting/*.json"), *ROOT.glob("conformance/*/__init__.py")]:
        packaged = f"conformance/{source.parent.name}/{source.name}"
        assert packaged in names, f"{packaged} missing from the wheel"
    entry_points = next(zipfile.ZipFile(wheel).read(n).decode() for n in names if n.endswith("entry_points.txt"))
    assert "openai-conformance = conformance.cli:main" in entry_points
    assert "conformance.plugin = conformance.plugin" in entry_points

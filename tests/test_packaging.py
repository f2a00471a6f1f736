"""The wheel ships every module and data file, the console script and the pytest11 entry point; the
installed plugin leaves a project's own pytest run alone. (.ci/installed runs the installed wheel.)"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from importlib.metadata import entry_points
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = {"conformance": "conformance", "schemas": "conformance/schemas", "cases": "conformance/cases"}
"""Source folder -> its place in the wheel (setup.py: schemas/ and cases/ ship inside conformance)."""
NOT_SHIPPED = ("__pycache__", "*.pyc")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    # Built from a copy without build/ or *.egg-info, as from a fresh clone: setuptools builds in the
    # source tree and a stale build/lib would ship what the package list no longer finds.
    source, dist = tmp_path_factory.mktemp("source") / "openai-conformance", tmp_path_factory.mktemp("dist")
    ignored = shutil.ignore_patterns(".git", ".venv*", "build", "dist", "*.egg-info", "reports", ".hypothesis", ".pytest_cache", *NOT_SHIPPED)
    shutil.copytree(ROOT, source, ignore=ignored)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(source)], check=True, timeout=300)
    (built,) = dist.glob("openai_conformance-*.whl")
    return zipfile.ZipFile(built)


def source_files() -> dict[str, Path]:
    """Every file of the shipped folders, by its path in the wheel."""
    found = {}
    for folder, packaged in SHIPPED.items():
        for path in (ROOT / folder).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                found[f"{packaged}/{path.relative_to(ROOT / folder).as_posix()}"] = path
    return found


def test_source_tree_walk_sees_every_subpackage_and_data_file():
    # The walk below is only as good as what it finds: the subpackages and data files known today.
    files = source_files()
    for expected in ["conformance/emulator/responses_api/__init__.py", "conformance/cases/test_generated.py",
                     "conformance/schemas/error.json", "conformance/reporting/results.schema.json"]:
        assert expected in files
    assert len(files) > 150


def test_wheel_ships_every_module_and_data_file(wheel):
    names = set(wheel.namelist())
    missing = sorted(set(source_files()) - names)
    assert not missing, (
        f"missing from the wheel: {missing} (setup.py finds packages by their __init__.py and ships data by its package_data patterns)"
    )


def test_wheel_declares_the_console_script_and_the_pytest_plugin(wheel):
    entry = next(wheel.read(n).decode() for n in wheel.namelist() if n.endswith(".dist-info/entry_points.txt"))
    assert "openai-conformance = conformance.cli:main" in entry
    assert "conformance.plugin = conformance.plugin" in entry


def test_a_projects_own_pytest_run_is_left_alone(tmp_path):
    """The pytest11 plugin is loaded in every pytest run of the environment: it must not fail, warn,
    print, write files or deselect anything there (its own "deep" marker included)."""
    assert any(e.value == "conformance.plugin" for e in entry_points(group="pytest11")), "the package is not installed"
    (tmp_path / "test_own.py").write_text(
        "import pytest\n\n\ndef test_trivial():\n    assert 1 + 1 == 2\n\n\n@pytest.mark.deep\ndef test_marked_deep():\n    assert True\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "OPENAI_"))}
    done = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "2 passed in" in output and "deselected" not in output, output
    assert "warning" not in output.lower() and "openai-conformance:" not in output, output
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "__pycache__") == ["test_own.py"]


def test_the_cli_loads_the_plugins_it_needs_where_ci_disables_autoloading(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "OPENAI_"))} | {"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    run = [sys.executable, "-m", "conformance.cli", "run", "--report-dir", str(tmp_path / "reports"), "--", "-k", "test_list_models", "-n", "1"]
    done = subprocess.run(run, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no departures from the reference" in done.stdout + done.stderr  # conformance.plugin's table; -n is xdist's
    assert (tmp_path / "reports" / "results.json").exists() and any((tmp_path / "reports" / "allure-results").iterdir())

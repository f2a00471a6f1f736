"""Whether a pytest command line selects the conformance cases (and not only a project's own tests).

Its own module, importing nothing of the suite's: both plugins (conformance/plugin.py and
conformance/fuzzing/plugin.py) ask it before resolving anything.
"""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path

import pytest


def selects_cases(config: pytest.Config) -> bool:
    """Whether the command line selects any of the conformance cases."""
    cases = Path(find_spec("conformance.cases").origin).parent.resolve()
    for arg in config.args:
        path_part = arg.split("::")[0]
        path = Path(config.invocation_params.dir, path_part).resolve()
        if config.getoption("pyargs") and not path.exists():
            spec = find_spec(path_part) if not path_part.startswith(".") else None
            path = Path(spec.origin).parent if spec and spec.origin else path
        if path.is_relative_to(cases) or cases.is_relative_to(path):
            return True
    return False

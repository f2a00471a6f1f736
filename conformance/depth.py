"""How deep a run goes (``--depth``): a quick CI gate, or a deep nightly run.

quick
    Every hand-written case except those marked ``@pytest.mark.deep`` (the same walk over every
    other paginated list), and a few random generated requests per operation: a gate that runs in
    seconds and costs a few hundred requests. The invalid requests derived from the request schemas
    (one per constraint, conformance/invalid_requests.py) run in both depths: a 400 costs no tokens.
deep
    Every case, the generator's boundary cases (each required field missing, each bound just
    past, each wrong type: deterministic, they find validation gaps on every run) and more random
    examples, within larger budgets.

``bench/run_cost.py`` prints the time and cost of each. An explicit ``--max-examples`` or budget
option wins over the depth's.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest


@dataclass(frozen=True)
class Depth:
    name: str
    max_examples: int
    """Random examples per generated operation and mode (valid, invalid)."""
    boundaries: bool
    """Whether the generator's coverage phase (boundary and negative cases) runs."""
    budget_requests: int
    budget_tokens: int
    budget_seconds: float
    """Wall time of the generated requests."""


# Budgets: well over twice the most a run was measured to need (quick 2.4x, deep 4x), so that a conformant target and one with many
# faults (failures cost more requests: resent 429s, clean-ups, shrinking) finish every case; a run that
# does not is incomplete (exit code 4), never a pass. Measured 2026-12-07 on 2 shared cores, embedded
# emulator / `openai-conformance serve` with a dozen faults (/fault/a+b+…/v1), requests and tokens (the emulator's usage):
#   quick: conformant 588 and 1,198; three sets of 12 faults 676, 886, 893 and at most 1,999 tokens, and
#          1,259 and 2,709 for one of them with another random seed (one generated case shrinking on 257 requests)
#   deep: conformant 1,913 and 3,339; two sets of 12 faults 596 and 1,201
# A real model reports more tokens per answer than the emulator (a few dozen for max_tokens 16): the token
# budgets leave room for that.
DEPTHS = {
    "quick": Depth("quick", max_examples=2, boundaries=False, budget_requests=3000, budget_tokens=50000, budget_seconds=120.0),
    "deep": Depth("deep", max_examples=20, boundaries=True, budget_requests=8000, budget_tokens=200000, budget_seconds=900.0),
}
DEFAULT = "quick"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "deep: a case only a --depth deep run selects (e.g. a walk repeated on another list)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # The option's value, checked with the other generation settings (conformance/fuzzing/settings.py)
    # before collection; read here directly, so that this module imports none of the suite's.
    # Only the suite's cases (marked with their reference section): a project's own "deep" tests are its own.
    deselected = [item for item in items if item.get_closest_marker("deep") and item.get_closest_marker("reference")]
    if deselected and (config.getoption("depth", None) or DEFAULT) != "deep":
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if item not in deselected]

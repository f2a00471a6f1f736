"""pytest wiring of what a run spends (conformance/budget.py): one Spend per process, shared across
xdist workers through a directory, each case's cost in its report, and the run's budget.

Once ``--budget-requests`` or ``--budget-tokens`` is spent, cases not yet started are skipped with
the reason "not run: request budget spent (…)"; the case in progress finishes (a generated case
stops at its next request). Workers share the budget (see conformance/budget.py for how closely).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from conformance import completeness
from conformance.budget import Budget, Spend, run_total
from conformance.fuzzing.plugin import settings

COST_PROPERTY = "cost"
"""user_properties entry of a case: "<requests> <tokens>" it spent, setup and teardown included."""
_WORKER_INPUT = "openai_conformance_spend"
_SPEND = pytest.StashKey[Spend]()
_SHARED = pytest.StashKey[Path]()
_BEFORE = pytest.StashKey[tuple[int, int]]()


def pytest_configure(config: pytest.Config) -> None:
    worker = getattr(config, "workerinput", None)
    if worker and _WORKER_INPUT in worker:
        config.stash[_SPEND] = Spend(Path(worker[_WORKER_INPUT]), worker["workerid"])
    else:
        config.stash[_SPEND] = Spend()


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node) -> None:
    """xdist controller, per worker: the directory where the workers publish their counts."""
    config = node.config
    if _SHARED not in config.stash:
        config.stash[_SHARED] = Path(tempfile.mkdtemp(prefix="openai-conformance-spend-"))
    node.workerinput[_WORKER_INPUT] = str(config.stash[_SHARED])


def pytest_unconfigure(config: pytest.Config) -> None:
    if _SHARED in config.stash:
        shutil.rmtree(config.stash[_SHARED], ignore_errors=True)


def run_budget(config: pytest.Config) -> Budget:
    chosen = settings(config)
    return Budget(config.stash[_SPEND], chosen.budget_requests, chosen.budget_tokens)


def process_spend(config: pytest.Config) -> Spend:
    """This process's requests and tokens; its totals include the other workers'."""
    return config.stash[_SPEND]


@pytest.fixture(scope="session")
def spend(pytestconfig: pytest.Config) -> Spend:
    return process_spend(pytestconfig)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    spent = item.config.stash[_SPEND]
    item.stash[_BEFORE] = (spent.requests, spent.tokens)
    if item.get_closest_marker("reference") and (reason := run_budget(item.config).exhausted()):
        pytest.skip(f"not run: {reason}")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item):
    try:
        return (yield)
    finally:
        spent = item.config.stash[_SPEND]
        before = item.stash.get(_BEFORE, (spent.requests, spent.tokens))
        if item.get_closest_marker("reference"):
            item.user_properties.append((COST_PROPERTY, f"{spent.requests - before[0]} {spent.tokens - before[1]}"))
        spent.publish()  # the other workers see this case's spending before their next case


def case_cost(properties: dict) -> dict | None:
    """A case's {"requests", "tokens"} from its report's user_properties (None when it has none)."""
    if COST_PROPERTY not in properties:
        return None
    requests, spent = properties[COST_PROPERTY].split()
    return {"requests": int(requests), "tokens": int(spent)}


def run_cost(config: pytest.Config, cases: list[dict]) -> dict:
    """results.json's cost: the cases' sum (every request of a run happens within some case's setup,
    call or teardown, the session's clean-up included), the budget, and why it stopped the run if it did."""
    chosen = settings(config)
    stopped = next((c["reason"] for c in cases if completeness.cause(c) == "budget"), None)
    return {
        "requests": sum(c["cost"]["requests"] for c in cases),
        "tokens": sum(c["cost"]["tokens"] for c in cases),
        "budget": {"requests": chosen.budget_requests, "tokens": chosen.budget_tokens},
        "stopped": stopped,
    }


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:
    requests, spent = run_total(config.stash[_SHARED]) if _SHARED in config.stash else config.stash[_SPEND].total()
    if requests:
        reason = run_budget(config).spent(requests, spent)
        terminalreporter.write_line(f"openai-conformance: {requests} requests, {spent} tokens" + (f" ({reason})" if reason else ""))

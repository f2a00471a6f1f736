"""The steps of a case: every step the case can take is taken, and the case fails once, at its end.

A case is a sequence of exchanges (create, retrieve, delete, the pages of a walk...). A step's ``must``
failures do not stop the case: ``Api`` notes them here (``taken``), and the case goes on, so that a
server whose created objects fail their schema still shows what its GET answers. A step stops the
case only when it needs what an earlier answer lacks (no 2xx, no JSON object, no id):
``Exchange.needed`` raises ``CannotContinue`` then. At the end of the case's call (or of a fixture's
setup that could not go on) the failures noted fail it once, with every step's messages in order.

A case that stopped with no must failure noted (the profile lowered the check that saw it, or no
check covers what the case needed) is skipped with the reason: not judged past that step, never a pass.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass

import pytest


class CannotContinue(pytest.fail.Exception):
    """A step needs what an earlier answer lacks: the case ends there, with the failures noted so far.

    A check's failure (``pytest.fail``) by type, so that wherever it is raised it is a verdict on the
    target, never the suite's own error."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, pytrace=False)


@dataclass(frozen=True)
class _Step:
    number: int
    request: str
    """``POST /responses -> HTTP 200``."""
    failures: str
    """The step's must failure messages, one paragraph each."""
    checks: tuple[str, ...]
    """The ids of the checks that failed."""


STOPPED_PROPERTY = "stopped"
"""user_properties key of why a failed case was not judged past a step: results.json gives it as the case's reason."""
_STEPS = pytest.StashKey[list[_Step]]()
_TAKEN = pytest.StashKey[int]()


def taken(node: pytest.Item, request: str, failures: str, checks: list[str]) -> None:
    """Note one step of the case (``request``: what was sent and answered), its must failures ("" when none)
    and the checks that failed."""
    number = node.stash.get(_TAKEN, 0) + 1
    node.stash[_TAKEN] = number
    if failures:
        node.stash.setdefault(_STEPS, []).append(_Step(number, request, failures, tuple(checks)))


def verdict(steps: list[_Step], stop: str = "", taken: int = 0) -> str:
    """The case's failure: one step's messages as they are; several steps' (or a stopped case's), each under
    the step it belongs to, after a first line (pytest's short summary) of which check failed at which step."""
    if len(steps) == 1 and not stop:
        return steps[0].failures
    header = f"{len(steps)} step{'s' if len(steps) > 1 else ''} departed: " + ", ".join(f"{' '.join(s.checks)} at step {s.number}" for s in steps)
    header += f"; not judged past step {taken}" if stop else ""
    return "\n\n".join((header, *(f"step {s.number}, {s.request}:\n{s.failures}" for s in steps), *([stop] if stop else [])))


def _judged(item: pytest.Item, phase: str) -> Generator[None, object, object]:
    """The wrapper of a phase: its own pytest.fail and skips give way to the failures noted, which fail it once.

    Failures noted during setup (a fixture's create) are handed on to the call, which may still take its steps."""
    try:
        result = yield
    except CannotContinue as stop:
        raise _outcome(item, str(stop)) from None
    except (pytest.fail.Exception, pytest.skip.Exception) as outcome:
        if not item.stash.get(_STEPS, None):
            raise
        # A case's own failure is its last paragraph; a skip (or xfail) after failures does not hide them.
        own = str(outcome) if type(outcome) is pytest.fail.Exception else ""
        raise _outcome(item, extra=own) from None
    if phase != "setup" and item.stash.get(_STEPS, None):
        raise _outcome(item)
    return result


def _outcome(item: pytest.Item, stopped: str = "", extra: str = "") -> BaseException:
    steps = item.stash.get(_STEPS, [])
    item.stash[_STEPS] = []
    number = item.stash.get(_TAKEN, 0)
    stop = f"not judged past step {number}: {stopped}" if stopped else ""
    if not steps:  # stopped, and no must check saw why
        return pytest.skip.Exception(stop)
    if stop:
        item.user_properties.append((STOPPED_PROPERTY, stop))
    return pytest.fail.Exception("\n\n".join(p for p in (verdict(steps, stop, number), extra) if p), pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item):
    return (yield from _judged(item, "setup"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    return (yield from _judged(item, "call"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    return (yield from _judged(item, "teardown"))

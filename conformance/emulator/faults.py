"""Named faults the emulator can inject, one at a time, selected per request by a URL prefix.

``http://host:port/fault/<name>/v1/...`` serves the API with fault ``<name>``; ``/v1/...`` serves
it conformant. Each fault names the check it must make fail and the cases that expose it:
this table is the suite's mutation test plan (tests/test_faults.py runs every row).
Importing ``conformance.emulator`` imports every emulator module, so the table is complete.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request


@dataclass(frozen=True)
class Fault:
    name: str
    kills: str
    """The id of the check this fault must make fail."""
    cases: str
    """A pytest ``-k`` expression selecting the cases that expose it."""
    description: str


FAULTS: dict[str, Fault] = {}
"""Filled by the emulator modules as they are imported: each fault is declared beside the code that injects it."""


def declare(name: str, kills: str, cases: str, description: str) -> str:
    """Register a fault; returns its name for use with ``active``."""
    if name in FAULTS:
        raise ValueError(f"fault {name!r} declared twice")
    FAULTS[name] = Fault(name, kills, cases, description)
    return name


PREFIX = "/fault/"


def active(request: Request, name: str) -> bool:
    """Whether fault ``name`` is injected into this request."""
    if name not in FAULTS:
        raise KeyError(f"unknown fault {name!r}")  # a typo in the emulator must not silently disable a fault
    return request.scope.get("state", {}).get("fault") == name

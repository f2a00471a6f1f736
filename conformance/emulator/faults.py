"""Named faults the emulator can inject, selected per request by a URL prefix.

``http://host:port/fault/<name>/v1/...`` serves the API with fault ``<name>``; ``/v1/...`` serves
it conformant; ``/fault/<a>+<b>+.../v1/...`` injects several at once, to emulate one server that
departs in several ways (each fault's code is independent, so a combination is the union). Each fault names the check it must make fail and the cases that expose it:
this table is the suite's mutation test plan (tests/test_faults.py runs every row).
Importing ``conformance.emulator`` imports every emulator module, so the table is complete.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
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
SEPARATOR = "+"
"""Between the names of combined faults: ``/fault/error-code-integer+ignore-n/v1``."""


def selection(segment: str) -> tuple[frozenset[str], list[str]]:
    """The faults a path segment names, and those of its names that are not faults."""
    names = segment.split(SEPARATOR)
    return frozenset(names), [n for n in names if n not in FAULTS]


def unknown_name(kind: str, name: str, known: Iterable[str]) -> dict:
    """The 404 error object for a fault or variant prefix naming none: code ``unknown_<kind>``, which the
    suite's preflight recognises to stop the run in one line, and the nearest names (a typo is the usual cause)."""
    nearest = difflib.get_close_matches(name, list(known), n=3, cutoff=0.5)
    if nearest:
        hint = f"nearest: {', '.join(nearest)}"
    else:  # the faults are too many for one line, and listed by a command
        hint = "`openai-conformance checks` lists them" if kind == "fault" else f"known: {', '.join(known)}"
    return {"error": {"message": f"Unknown emulator {kind} {name!r}: {hint}", "type": "invalid_request_error", "param": None, "code": f"unknown_{kind}"}}


def active(request: Request, name: str) -> bool:
    """Whether fault ``name`` is injected into this request (alone or combined with others)."""
    if name not in FAULTS:
        raise KeyError(f"unknown fault {name!r}")  # a typo in the emulator must not silently disable a fault
    return name in request.scope.get("state", {}).get("faults", ())

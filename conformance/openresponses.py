"""Open Responses side by side: how a target fares on the Open Responses acceptance tests, by their ids.

Open Responses (github.com/openresponses/openresponses) runs 17 acceptance tests (src/lib/compliance-tests.ts):
10 over HTTP, 7 over the WebSocket mode of /v1/responses. A case that covers one carries its id, wherever the
case is: ``@pytest.mark.openresponses("<id>", ...)``; ``-m openresponses`` runs them all (a superset: our cases
judge every check of the suite, not only what Open Responses asks). docs/openresponses.md maps each test.

An id passed when every case carrying it ran and passed; failed when one of them failed (a profile's known
failure too); otherwise it was not run (skipped, deselected, or no case carries it), never a pass.
"""

from __future__ import annotations

import pytest

MARKER = "openresponses"
PROPERTY = "openresponses"
"""user_properties key of the Open Responses ids a case covers (space-separated), as results.json gives them."""
HTTP, WEBSOCKET, FIXTURE = "http", "websocket", "fixture"
TESTS: dict[str, str] = {
    "basic-response": HTTP,
    "assistant-phase": HTTP,
    "response-output-phase-schema": FIXTURE,
    "streaming-response": HTTP,
    "websocket-response": WEBSOCKET,
    "websocket-sequential-responses": WEBSOCKET,
    "websocket-continuation": WEBSOCKET,
    "websocket-reconnect-store-false-recovery": WEBSOCKET,
    "websocket-previous-response-not-found": WEBSOCKET,
    "websocket-failed-continuation-evicts-cache": WEBSOCKET,
    "websocket-compact-new-chain": WEBSOCKET,
    "system-prompt": HTTP,
    "tool-calling": HTTP,
    "image-input": HTTP,
    "multi-turn": HTTP,
    "compact-response": HTTP,
    "compact-missing-model": HTTP,
}
"""The 17 tests in Open Responses' order, by transport. response-output-phase-schema sends no request (Open Responses
validates a fixture against its own schema): it is no verdict on a target, and the suite's counterpart is a test of
its own schema (the emulator's responses-output-phase variant passes every check)."""


def ids(item: pytest.Item) -> list[str]:
    """The Open Responses ids a case covers, from its markers (on the function, its class or its module)."""
    found = [test for marker in item.iter_markers(MARKER) for test in marker.args]
    if unknown := [test for test in found if test not in TESTS]:
        raise ValueError(f"{item.nodeid}: unknown Open Responses test id(s) {unknown}; known: {', '.join(TESTS)}")
    return list(dict.fromkeys(found))


def fare(cases: list[dict]) -> dict:
    """results.json's ``openresponses``: per id, its status and the cases that cover it; and the counts."""
    covering: dict[str, list[dict]] = {test: [] for test in TESTS}
    for case in cases:
        for test in case.get("openresponses") or ():
            covering[test].append(case)
    tests = {test: {"transport": TESTS[test], "status": _status(test, covering[test]), "cases": [c["id"] for c in covering[test]]} for test in TESTS}
    counted = [t for t in tests.values() if t["transport"] != FIXTURE]
    return {"tests": tests, **{s: sum(t["status"] == s for t in counted) for s in ("passed", "failed", "not run")}, "of": len(counted)}


def _status(test: str, cases: list[dict]) -> str:
    if TESTS[test] == FIXTURE:
        return "no request"
    if any(c["status"] in ("fail", "error") for c in cases):
        return "failed"
    return "passed" if cases and all(c["status"] == "pass" for c in cases) else "not run"


def line(summary: dict) -> str:
    """One line a server can quote beside the suite's stricter verdict."""
    by_status = {s: [t for t, v in summary["tests"].items() if v["status"] == s] for s in ("failed", "not run")}
    named = "; ".join(f"{s}: {', '.join(tests)}" for s, tests in by_status.items() if tests)
    return (f"Open Responses acceptance tests: {summary['passed']} of {summary['of']} passed"
            + (f" ({named})" if named else "") + "; response-output-phase-schema sends no request")

"""results.json: one row per case with its status, checks, reference section and request ids.

Rows are built from the reports pytest (or each xdist worker) sends to the controller; everything
a row needs travels in the report's ``user_properties``, the one channel xdist serialises.
"""

from __future__ import annotations

import json
import platform
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from conformance import __version__

FORMAT_VERSION = 1
_PRECEDENCE = ("pass", "skip", "fail", "error")


class Collector:
    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.path = Path(config.getoption("conformance_results"))
        self.rows: dict[str, dict] = {}
        self.started = time.time()

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        row = self.rows.setdefault(report.nodeid, {"id": report.nodeid, "status": "pass", "reason": None, "duration": 0.0})
        row["duration"] = round(row["duration"] + report.duration, 6)
        status, reason = _status(report)
        if _PRECEDENCE.index(status) > _PRECEDENCE.index(row["status"]):
            row["status"], row["reason"] = status, reason
        row.update(_properties(report.user_properties))

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        from conformance.plugin import target_from  # the plugin imports this module

        target = target_from(self.config)
        document = {
            "format": FORMAT_VERSION,
            "suite": {"name": "openai-conformance", "version": __version__, "python": platform.python_version()},
            "target": {"base_url": target.base_url or "embedded emulator", "profile": target.profile.name, "models": target.models.__dict__},
            "started": _iso(self.started),
            "finished": _iso(time.time()),
            "summary": {s: sum(r["status"] == s for r in self.rows.values()) for s in _PRECEDENCE},
            "cases": list(self.rows.values()),
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


def _status(report: pytest.TestReport) -> tuple[str, str | None]:
    if hasattr(report, "wasxfail") and report.skipped:
        return "fail", report.wasxfail  # a known failure of the profile: "known failure: <reason>"
    if report.failed and report.when == "call" and "XPASS(strict)" in str(report.longrepr):
        return "fail", "a known failure of the profile now passes: update the profile"
    if report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        return "skip", reason.removeprefix("Skipped: ")
    if report.failed:
        if report.when == "call" and ("verdict", "fail") in report.user_properties:
            return "fail", None
        return "error", report.longreprtext.strip().splitlines()[-1] if report.longreprtext else report.when
    return "pass", None


def _properties(properties: list[tuple[str, object]]) -> dict:
    """Checks (a check fails the case's row if it failed on any exchange), section and request ids."""
    checks: dict[str, str] = {}
    levels: dict[str, str] = {}
    section, request_ids = None, []
    for name, value in properties:
        if name.startswith("check:"):
            check_id = name.removeprefix("check:")
            status, levels[check_id] = value.split("/")  # the level in force (a profile may raise it)
            checks[check_id] = "fail" if "fail" in (status, checks.get(check_id)) else "pass"
        elif name == "reference":
            section = value
        elif name == "request-id" and value:
            request_ids.append(value)
    failing = [levels[c] for c, s in checks.items() if s == "fail"]
    return {
        "section": section,
        "level": "must" if "must" in failing else (failing[0] if failing else None),
        "checks": [{"id": c, "level": levels[c], "status": s} for c, s in checks.items()],
        "request_ids": request_ids,
    }


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, timezone.utc).isoformat(timespec="seconds")

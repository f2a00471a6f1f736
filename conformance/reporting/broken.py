"""The cases that broke the suite (an exception that is no check's verdict: exit 3), named in the run's last lines.

pytest's summary says "80 failed, 1 error" and the departures table lists what the target got wrong; which
case the suite itself could not judge, and why, would otherwise be a traceback hundreds of lines up.
"""

from __future__ import annotations


def text(cases: list[dict], width: int = 160) -> str:
    """One line per case in error (its id, the exception's type and first line), under a line saying what it means."""
    broken = [c for c in cases if c["status"] == "error"]
    if not broken:
        return ""
    lines = [f"openai-conformance: the suite itself broke on {len(broken)} case(s), which have no verdict (exit 3):"]
    for case in broken:
        reason = (case["reason"] or "no exception recorded").strip().splitlines()[0]
        line = f"  {case['id']}: {reason}"
        lines.append(line if len(line) <= width else line[: width - 1] + "…")
    return "\n".join(lines) + "\n"

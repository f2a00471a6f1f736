"""The HTML report's banner: "conformant" only when nothing departs; otherwise what holds, and every part that is true."""

from __future__ import annotations

from html import escape

import pytest

from conformance.profile import Profile
from conformance.reporting import html


def _case(status: str, *, level: str | None = None, known: bool = False, reason: str | None = None) -> dict:
    return {"id": f"test_x.py::test_{status}", "status": status, "reason": reason, "section": "S", "capability": "chat", "duration": 0.1,
            "level": level or ("must" if status == "fail" else None), "known_failure": {"reason": "r", "fixed": False} if known else None,
            "request_ids": [], "exchanges": [], "checks": []}


NOT_SERVED = Profile(name="fakellm", capabilities=frozenset({"models", "chat"}), unsupported={"embeddings": "no route"}).skip_reason({"embeddings"})


def _document(*cases: dict) -> dict:
    return {
        "suite": {"name": "openai-conformance", "version": "0", "python": "3"},
        "run": {"started": "a", "finished": "b", "duration": 1, "seed": None},
        "target": {"base_url": "http://t/v1", "profile": "default", "capabilities": ["chat"], "models": {}},
        "summary": {s: sum(c["status"] == s for c in cases) for s in ("pass", "fail", "skip", "error")} | {"warnings": 0},
        "cases": list(cases),
    }


@pytest.mark.parametrize(
    "cases, banner",
    [
        ([_case("pass")] * 3, [("ok", "conformant: nothing departs from the reference")]),
        # fakellm's report: green "conformant" over 4 passed / 99 failed / 303 skipped, before.
        ([_case("pass")] * 4 + [_case("fail", known=True)] * 99 + [_case("skip", reason=NOT_SERVED)] * 303,
         [("gate", "passes its profile's gate: 99 known failure(s), 303 not served")]),
        ([_case("pass"), _case("pass", level="should")], [("gate", "passes its profile's gate: 1 case(s) with should departures")]),
        # A case skipped for a budget is not "not served": the verdict is incomplete, never "conformant".
        ([_case("pass"), _case("skip", reason="not run: request budget spent")],
         [("incomplete", "no must check failed in the cases that ran (not a pass: see above)")]),
        ([_case("fail")] * 2 + [_case("fail", known=True)], [("bad", "not conformant: 2 case(s) failed must checks")]),
        # The purple banner once hid 79 must failures: both show.
        ([_case("error")] + [_case("fail")] * 79,
         [("broken", "the suite itself failed on 1 case(s)"), ("bad", "not conformant: 79 case(s) failed must checks")]),
        ([_case("error"), _case("pass")], [("broken", "the suite itself failed on 1 case(s)")]),
    ],
)
def test_the_banner_says_what_holds(cases, banner):
    document = _document(*cases)
    assert html.verdict(document) == banner
    page = html.render(document)
    assert all(f"<span class='verdict {shade}'>{escape(text)}</span>" in page for shade, text in banner)
    assert "conformant: every must check passed" not in page

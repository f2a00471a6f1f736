"""``openai-conformance compare A.json B.json …``: several targets side by side, a scoreboard of OpenAI compatibility.

One column per target (named by its profile, or ``--name``). On top, the share of must verdicts
passed per capability; then capability x aspect cells counting cases (passed / failed a must check /
failed only a should check); then every departure of any target as a row, matched across targets by
signature (conformance/reporting/departures.py), with a cell per target: it departs (✗ must, ⚠ should,
with its count of cases), it ran those cases without departing (✓), it skipped them (and why), or it
did not have them. Rows are sorted by how many targets depart: the common failures of the ecosystem
first. Everything comes from the results.json files, folded again here, so files of different suite
versions and of any number of targets compare on the same rules: a nightly job can publish this
for many servers from their artifacts.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from html import escape
from urllib.parse import urlsplit

from conformance import completeness
from conformance.reporting import departures as folding
from conformance.reporting import html
from conformance.reporting.aspects import ASPECTS

_RANK = {"pass": 0, "should": 1, "must": 2}


@dataclass
class Target:
    name: str
    document: dict
    departures: dict[str, dict] = field(default_factory=dict)
    """By signature."""
    cases: dict[str, dict] = field(default_factory=dict)

    @property
    def unsupported(self) -> dict[str, str]:
        return self.document["target"].get("unsupported", {})


def targets(documents: list[dict], names: list[str] | None = None) -> list[Target]:
    names = list(names or [])
    chosen = [names[i] if i < len(names) else default_name(d) for i, d in enumerate(documents)]
    return [Target(name, d, {x["signature"]: x for x in folding.fold(d["cases"])}, {c["id"]: c for c in d["cases"]})
            for name, d in zip(chosen, documents)]


def default_name(document: dict) -> str:
    """The profile's name; without a profile, the target's host and path without /v1 (or "emulator")."""
    target = document["target"]
    if target["profile"] != "default":
        return target["profile"]
    url = target["base_url"]
    if url == "embedded emulator":
        return "emulator"
    parts = urlsplit(url)
    return (parts.netloc + parts.path.rstrip("/").removesuffix("/v1")) or url


def capabilities(columns: list[Target]) -> list[str]:
    found = {html.capability_row(c["capability"]) for t in columns for c in t.cases.values()}
    found |= {name for t in columns for name in t.unsupported if name not in ASPECTS}
    return sorted(found, key=lambda c: (html.capability_order(c), c))


def must_score(target: Target, capability: str) -> tuple[str, str]:
    """(text, shade) of the share of must verdicts passed in this capability's cases."""
    if capability in target.unsupported:
        return "not served", "none"
    verdicts = [check["status"] == "pass" for case in target.cases.values() if html.capability_row(case["capability"]) == capability
                for check in case["checks"] if check["level"] == "must"]
    if not verdicts:
        return "–", "none"
    share = sum(verdicts) / len(verdicts)
    text = f"{math.floor(share * 100)}%"  # floored: 100% only when every must verdict passed
    return text, "pass" if share == 1 else ("warn" if share >= 0.9 else "fail")


def aspect_cells(target: Target) -> dict[tuple[str, str], Counter]:
    """(capability, aspect) -> cases that passed / failed a must check / failed only a should check there."""
    cells: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for case in target.cases.values():
        worst: dict[str, str] = {}
        for check in case["checks"]:
            verdict = "pass" if check["status"] == "pass" else check["level"]
            if _RANK[verdict] >= _RANK.get(worst.get(check["aspect"], "pass"), 0):
                worst[check["aspect"]] = verdict
        for aspect, verdict in worst.items():
            cells[(html.capability_row(case["capability"]), aspect)][verdict] += 1
    return cells


@dataclass(frozen=True)
class Row:
    example: dict
    """The departure as the first target that has it shows it."""
    cells: list[tuple[str, str, str]]
    """Per target: (symbol, text, shade)."""
    departing: int


def rows(columns: list[Target]) -> list[Row]:
    """Every departure of any target, with a cell per target; most departing targets first."""
    signatures: dict[str, dict] = {}
    affected: dict[str, set[str]] = defaultdict(set)
    for target in columns:
        for key, departure in target.departures.items():
            signatures.setdefault(key, departure)
            affected[key] |= set(departure["cases"]["ids"])
    found = []
    for key, example in signatures.items():
        cells = [_cell(target, target.departures.get(key), affected[key]) for target in columns]
        found.append(Row(example, cells, sum(target.departures.get(key) is not None for target in columns)))
    level = {"must": 0, "should": 1}
    return sorted(found, key=lambda r: (-r.departing, level[r.example["level"]], r.example["check"], -r.example["cases"]["count"], r.example["signature"]))


def _cell(target: Target, departure: dict | None, affected: set[str]) -> tuple[str, str, str]:
    if departure is not None:
        count = departure["cases"]["count"]
        known = " known" if departure["known_failure"] == "all" else ""
        symbol, shade = ("✗", "fail") if departure["level"] == "must" else ("⚠", "warn")
        return symbol, f"{count} case{'s' if count > 1 else ''}{known}", shade
    present = [target.cases[i] for i in sorted(affected) if i in target.cases]  # sorted: a set's order varies per process
    if any(case["status"] != "skip" for case in present):
        return "✓", "", "pass"
    if present and (cause := completeness.cause(present[0])):
        return "not run", f"({cause})", "none"  # its run stopped before them: nothing known about the target
    if present:
        return "skipped", _skip_reason(present[0]["reason"] or ""), "none"
    return "–", "not run", "none"


def _skip_reason(reason: str) -> str:
    """Shortened: "not supported by the target profile 'x': embeddings (no route)" -> "embeddings (no route)"."""
    return folding.summary_clip(re.sub(r"^not supported by the target profile '[^']*': ", "", reason), 60)


def _title(columns: list[Target]) -> str:
    return "OpenAI API conformance: " + ", ".join(t.name for t in columns)


def render(columns: list[Target]) -> str:
    """The self-contained HTML page."""
    caps = capabilities(columns)
    head = "".join(f"<th>{escape(t.name)}</th>" for t in columns)
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(_title(columns))}</title><style>{html.STYLE}{_STYLE}</style></head><body>",
        f"<header><h1>{escape(_title(columns))}</h1>",
        "<p class='muted'>How far each server follows the OpenAI API reference, judged by openai-conformance. "
        "A departure is one way a server differs from the reference, counted once however many cases it breaks.</p>",
        "<ul class='targets'>",
        *(f"<li><b>{escape(t.name)}</b> <code>{escape(t.document['target']['base_url'])}</code><br>"
          f"<span class='muted'>{escape(_counts(t))}; {escape(folding.headline(list(t.departures.values())))}; "
          f"run {escape(t.document['run']['started'])} with openai-conformance {escape(t.document['suite']['version'])}</span></li>" for t in columns),
        "</ul></header>",
        "<section id='scores'><h2>Must checks passed, per capability</h2>"
        "<p class='muted'>The share of must-level check verdicts (case × check) that passed in the capability's cases.</p>"
        f"<div class='scroll'><table class='board'><thead><tr><th>capability</th>{head}</tr></thead><tbody>",
    ]
    for capability in caps:
        cells = "".join(f"<td class='cell {shade}' title='{escape(t.unsupported.get(capability, ''))}'>{escape(text)}</td>"
                        for t, (text, shade) in ((t, must_score(t, capability)) for t in columns))
        parts.append(f"<tr><th>{escape(capability)}</th>{cells}</tr>")
    parts.append("</tbody></table></div></section>")
    parts += _aspects_html(columns, caps, head)
    parts += _departures_html(columns, head)
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _counts(target: Target) -> str:
    statuses = Counter(c["status"] for c in target.cases.values())
    counts = ", ".join(f"{statuses[s]} {s}" for s in ("pass", "fail", "skip", "error") if statuses[s])
    not_run = completeness.describe(list(target.cases.values()))
    return counts + (f" (incomplete: {not_run})" if not_run else "")


def _aspects_html(columns: list[Target], caps: list[str], head: str) -> list[str]:
    cells = [aspect_cells(t) for t in columns]
    parts = [
        "<section id='aspects'><h2>Capabilities × aspects</h2>"
        "<p class='muted'>Cases per capability and aspect: ✓ passed, ✗ failed a must check, ⚠ failed only a should check.</p>"
        f"<div class='scroll'><table class='board'><thead><tr><th>capability</th><th>aspect</th>{head}</tr></thead><tbody>"
    ]
    for capability in caps:
        for aspect in ASPECTS:
            counts = [c.get((capability, aspect), Counter()) for c in cells]
            if not any(counts):
                continue
            row = "".join(f"<td class='cell {_shade(c)}'>{_tally(c)}</td>" for c in counts)
            parts.append(f"<tr><th>{escape(capability)}</th><td>{aspect}</td>{row}</tr>")
    parts.append("</tbody></table></div></section>")
    return parts


def _tally(count: Counter) -> str:
    return " ".join(f"{sign}{count[v]}" for v, sign in (("pass", "✓"), ("must", "✗"), ("should", "⚠")) if count[v]) or "–"


def _shade(count: Counter) -> str:
    return "fail" if count["must"] else "warn" if count["should"] else "pass" if count["pass"] else "none"


def _departures_html(columns: list[Target], head: str) -> list[str]:
    found = rows(columns)
    parts = [
        f"<section id='departures'><h2>Departures ({len(found)})</h2>"
        "<p class='muted'>Each row is one way of departing from the reference, with a cell per target: ✗ departs (must), "
        "⚠ departs (should), with the count of cases; ✓ ran those cases without departing; skipped (why); "
        "not run (budget, run timeout, target stopped answering): its run stopped before those cases; – not in its run. "
        "Open a row for an example and its curl.</p>"
        f"<div class='scroll'><table class='board'><thead><tr><th>departure</th>{head}</tr></thead><tbody>"
    ]
    for row in found:
        d = row.example
        title = (f"<span class='level {d['level']}'>{d['level']}</span> <code>{escape(d['check'])}</code>"
                 f"<details><summary>{escape(d['summary'])}</summary>{html.departure_example(d)}</details>")
        cells = "".join(f"<td class='cell {shade}'><b>{escape(symbol)}</b> {escape(text)}</td>" for symbol, text, shade in row.cells)
        parts.append(f"<tr><td class='what'>{title}</td>{cells}</tr>")
    parts.append("</tbody></table></div></section>")
    return parts


_STYLE = """
ul.targets{padding-left:18px}ul.targets li{margin:4px 0}
table.board th:first-child,table.board td.what{position:sticky;left:0;background:#fff;z-index:1}
table.board thead th:first-child{background:#f3f5f7}td.what{min-width:260px;max-width:520px}
td.cell b{font-size:15px}
@media (max-width:700px){td.what{min-width:180px;max-width:240px}}
"""


def markdown(columns: list[Target], departures_limit: int | None = None) -> str:
    """Tables for a README: must checks passed per capability, cases per capability and aspect, then the departures."""
    caps = capabilities(columns)
    head = "| " + " | ".join(t.name for t in columns) + " |"
    rule = "|---" * len(columns) + "|"
    incomplete = [f"Incomplete run of {t.name}: {not_run}." for t in columns if (not_run := completeness.describe(list(t.cases.values())))]
    out = [*incomplete, *([""] if incomplete else []), "Must checks passed, per capability (share of must verdicts, case × check):", "",
           "| capability " + head, "|---" + rule]
    for capability in caps:
        out.append(f"| {capability} | " + " | ".join(_md(must_score(t, capability)[0]) for t in columns) + " |")
    cells = [aspect_cells(t) for t in columns]
    out += ["", "Cases per capability and aspect: ✓ passed, ✗ failed a must check, ⚠ failed only a should check.", "",
            "| capability | aspect " + head, "|---|---" + rule]
    for capability in caps:
        for aspect in ASPECTS:
            counts = [c.get((capability, aspect), Counter()) for c in cells]
            if any(counts):
                out.append(f"| {capability} | {aspect} | " + " | ".join(_tally(c) for c in counts) + " |")
    found = rows(columns)
    shown = found if departures_limit is None else found[:departures_limit]
    out += ["", f"Departures ({len(found)}), most shared first: ✗ must, ⚠ should (cases), ✓ ran them without departing, not run (why): its run stopped before them, – not in its run.", "",
            "| departure " + head, "|---" + rule]
    for row in shown:
        d = row.example
        what = f"[{d['level']}] `{d['check']}` {_md(folding.summary_clip(d['summary'], 110))}"
        out.append(f"| {what} | " + " | ".join(_md(f"{symbol} {text}".strip()) for symbol, text, _ in row.cells) + " |")
    if len(shown) < len(found):
        out.append(f"| … and {len(found) - len(shown)} more |" + " |" * len(columns))
    return "\n".join(out) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")

"""The HTML report: one self-contained file rendered from the results document.

No scripts, fonts, images or style sheets are fetched: the report opens offline, from a CI
artifact or an e-mail. Collapsible parts use <details>, which needs no JavaScript.
"""

from __future__ import annotations

from collections import Counter
from html import escape

from conformance import completeness, openresponses
from conformance.profile import CAPABILITIES, NOT_SERVED
from conformance.reporting import departures as folding
from conformance.reporting.aspects import ASPECTS, DESCRIPTIONS

STYLE = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1200px;padding:16px 24px;color:#1d232a}
h1{font-size:22px;margin:4px 0}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #d6dce2;padding-bottom:4px}
h3{font-size:15px;margin:0 0 6px;word-break:break-all}
dl.meta{display:grid;grid-template-columns:max-content auto;gap:2px 16px;margin:8px 0}dl.meta dt{color:#5b6672}dl.meta dd{margin:0}
.verdict{display:inline-block;padding:4px 10px;border-radius:4px;font-weight:600;color:#fff}
.verdict.ok{background:#1f883d}.verdict.gate{background:#9a6700}.verdict.bad{background:#cf222e}.verdict.broken{background:#8250df}.verdict.incomplete{background:#9a6700;display:block}
.counts{display:flex;gap:10px;margin:8px 0}.counts div{border:1px solid #d6dce2;border-radius:6px;padding:6px 14px;text-align:center}
.counts b{display:block;font-size:20px}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #d6dce2;padding:5px 8px;text-align:left;vertical-align:top}
th{background:#f3f5f7}td.cell{text-align:center;white-space:nowrap}
td.pass{background:#dafbe1}td.fail{background:#ffd8d3}td.warn{background:#fff1c2}td.none{color:#8c959f}
.status{font-weight:600;text-transform:uppercase;font-size:12px}.status.pass{color:#1f883d}.status.fail{color:#cf222e}
.status.skip{color:#5b6672}.status.error{color:#8250df}.status.warning{color:#9a6700}
article{border:1px solid #d6dce2;border-left:4px solid #cf222e;border-radius:4px;padding:10px 12px;margin:10px 0}
article.error{border-left-color:#8250df}article.warning{border-left-color:#d4a72c}
pre{background:#f6f8fa;padding:8px;overflow-x:auto;white-space:pre-wrap;word-break:break-all;margin:6px 0;font-size:12px}
details summary{cursor:pointer;color:#0969da}.muted{color:#5b6672}
.scroll{overflow-x:auto}td.num{text-align:right;white-space:nowrap}code{font-size:12px;overflow-wrap:anywhere}
.level{font-weight:600;font-size:12px;text-transform:uppercase}.level.must{color:#cf222e}.level.should{color:#9a6700}
.known{color:#5b6672;font-size:12px}dl.example{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:2px 10px;margin:6px 0}
dl.example dt{color:#5b6672}dl.example dd{margin:0;word-break:break-all}
@media (max-width:700px){body{padding:8px 10px}th,td{padding:4px 5px}.counts{flex-wrap:wrap}h1{font-size:19px}
table.departures thead{display:none}table.departures tr{display:block;border:1px solid #d6dce2;margin:6px 0}
table.departures td{display:inline-block;border:0}table.departures td.what{display:block}}
"""


def render(document: dict) -> str:
    cases = document["cases"]
    title = f"openai-conformance: {document['target']['base_url']}"
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>",
        _header(document),
        departures_section(folding.fold(cases)),
        _openresponses(document.get("openresponses")),
        _matrix(cases),
        _failures(cases),
        _all_cases(cases),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _header(document: dict) -> str:
    summary, run, target = document["summary"], document["run"], document["target"]
    seed = run["seed"]
    meta = {
        "target": target["base_url"],
        "TLS": target.get("tls", ""),  # older results.json files have no tls
        "profile": f"{target['profile']} ({', '.join(target['capabilities'])})",
        "suite": f"{document['suite']['name']} {document['suite']['version']} (Python {document['suite']['python']})",
        "run": f"{run['started']} to {run['finished']} ({run['duration']:g} s)",
        "seed": "not fixed" if seed is None else f"{seed} (rerun with: -- --hypothesis-seed={seed})",
    }
    if cost := document.get("cost"):  # older results.json files have none
        budget = cost["budget"]
        meta["cost"] = (f"{cost['requests']} requests, {cost['tokens']} tokens (budget: {budget['requests']} requests, {budget['tokens']} tokens)"
                        + (f"; stopped: {cost['stopped']}" if cost["stopped"] else ""))
    counts = "".join(f"<div><b>{summary[s]}</b>{s}</div>" for s in ("pass", "fail", "skip", "error", "warnings"))
    return (
        f"<header><h1>openai-conformance report</h1>{incomplete_banner(document['cases'])}<p>" + " ".join(f"<span class='verdict {shade}'>{escape(text)}</span>" for shade, text in verdict(document)) + "</p>"
        + "<dl class='meta'>" + "".join(f"<dt>{k}</dt><dd>{escape(str(v))}</dd>" for k, v in meta.items()) + "</dl>"
        + f"<section id='summary'><h2>Summary (cases)</h2><div class='counts'>{counts}</div></section></header>"
    )


def verdict(document: dict) -> list[tuple[str, str]]:
    """The banner: (shade, text) parts, each true on its own, so one never hides another (a suite error and must failures)."""
    cases = document["cases"]
    parts = []
    if errors := document["summary"]["error"]:
        parts.append(("broken", f"the suite itself failed on {errors} case(s)"))
    if failing := sum(c["status"] == "fail" and not _expected(c) for c in cases):
        parts.append(("bad", f"not conformant: {failing} case(s) failed must checks"))
    if not parts:
        parts.append(_holds(cases))
    if parts[0][0] == "ok" and completeness.describe(cases):
        parts[0] = ("incomplete", "no must check failed in the cases that ran (not a pass: see above)")
    return parts


def _holds(cases: list[dict]) -> tuple[str, str]:
    """What holds when nothing failed unexpectedly: conformant only when nothing departs, else the gate and what it let through."""
    let_through = {
        "known failure(s)": sum(_expected(c) for c in cases),
        "case(s) with should departures": sum(c["status"] == "pass" and c["level"] == "should" for c in cases),
        "not served": sum(c["status"] == "skip" and (c["reason"] or "").startswith(NOT_SERVED) for c in cases),
    }
    if not any(let_through.values()):
        return ("ok", "conformant: nothing departs from the reference")
    return ("gate", "passes its profile's gate: " + ", ".join(f"{n} {what}" for what, n in let_through.items() if n))


def incomplete_banner(cases: list[dict]) -> str:
    """Above the verdict, when cases did not run: the verdict covers only those that did."""
    described = completeness.describe(cases, of_all=True)
    if described is None:
        return ""
    return f"<p class='verdict incomplete'>incomplete verdict: {escape(described)}; the verdict below covers only the cases that ran</p>"


def _openresponses(summary: dict | None) -> str:
    """How the target fares on the Open Responses acceptance tests, by their ids (when the run has cases covering them)."""
    if summary is None:
        return ""
    rows = "".join(f"<tr><td>{escape(test)}</td><td>{escape(v['transport'])}</td><td>{escape(v['status'])}</td><td>{escape(', '.join(v['cases']))}</td></tr>"
                   for test, v in summary["tests"].items())
    return (f"<section id='openresponses'><h2>Open Responses</h2><p>{escape(openresponses.line(summary))}</p><div class='scroll'><table>"
            f"<thead><tr><th>test</th><th>transport</th><th>status</th><th>cases</th></tr></thead><tbody>{rows}</tbody></table></div></section>")


def departures_section(departures: list[dict]) -> str:
    """The report's first table: one row per departure, must first; each expands to its example and curl."""
    if not departures:
        return "<section id='departures'><h2>Departures</h2><p>None: no check failed.</p></section>"
    rows = "".join(
        f"<tr><td><span class='level {d['level']}'>{d['level']}</span>"
        + ("<br><span class='known'>known failure</span>" if d["known_failure"] == "all" else "") + "</td>"
        f"<td class='num'>{d['cases']['count']} case{'s' if d['cases']['count'] > 1 else ''}</td><td><code>{escape(d['check'])}</code></td>"
        f"<td class='what'><details><summary>{escape(d['summary'])}</summary>{departure_example(d)}</details></td></tr>"
        for d in departures
    )
    return (
        f"<section id='departures'><h2>Departures: {escape(folding.headline(departures).replace(' departure(s) from the reference', ''))}</h2>"
        "<p class='muted'>Each row is one way the target differs from the reference, folded over every case it breaks: "
        "fix it once. Open a row for an example and the curl that reproduces it.</p>"
        "<div class='scroll'><table class='departures'><thead><tr><th>level</th><th>cases</th><th>check</th><th>what differs</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></div></section>"
    )


def departure_example(departure: dict) -> str:
    d = departure
    facts = {
        "rule": d["rule"] or "",
        "reference": d["section"] or "",
        "at": folding.where_found(d),
        "expected": d["expected"],
        "seen": d["seen"],
        "request id": d["request_id"] or "(none)",
        "cases": ", ".join(folding.short_case(i) for i in d["cases"]["ids"]),
        "parameters": ", ".join(d.get("parameters", ())),  # older results.json files have none
    }
    example = "".join(f"<dt>{k}</dt><dd>{escape(v)}</dd>" for k, v in facts.items() if v)
    return f"<dl class='example'>{example}</dl>" + (f"<pre>{escape(d['curl'])}</pre>" if d["curl"] else "")


def _matrix(cases: list[dict]) -> str:
    """Capability rows x aspect columns; a cell counts the case x check verdicts of that capability and aspect."""
    cells: dict[tuple[str, str], Counter] = {}
    not_run: dict[str, Counter] = {}
    for case in sorted(cases, key=lambda c: capability_order(capability_row(c["capability"]))):
        capability = capability_row(case["capability"])
        not_run.setdefault(capability, Counter())
        if case["status"] in ("skip", "error"):
            not_run[capability][case["status"]] += 1
        for check in case["checks"]:
            verdict = "pass" if check["status"] == "pass" else ("fail" if check["level"] == "must" else "warn")
            cells.setdefault((capability, check["aspect"]), Counter())[verdict] += 1
    head = "".join(f"<th title='{escape(DESCRIPTIONS[a])}'>{a}</th>" for a in ASPECTS)
    rows = []
    for capability in not_run:
        row = [f"<th>{escape(capability)}</th>"]
        for aspect in ASPECTS:
            count = cells.get((capability, aspect), Counter())
            shade = "fail" if count["fail"] else "warn" if count["warn"] else "pass" if count["pass"] else "none"
            text = " ".join(f"{sign}{count[v]}" for v, sign in (("pass", "✓"), ("fail", "✗"), ("warn", "⚠")) if count[v]) or "–"
            row.append(f"<td class='cell {shade}'>{text}</td>")
        skipped = not_run[capability]
        row.append("<td class='cell'>" + (" ".join(f"{n} {s}" for s, n in sorted(skipped.items())) or "–") + "</td>")
        rows.append("<tr>" + "".join(row) + "</tr>")
    return (
        "<section id='matrix'><h2>Conformance matrix</h2>"
        "<p class='muted'>Each cell counts check verdicts (case × check): ✓ pass, ✗ must failure, ⚠ should failure. "
        "The last column counts cases that did not run (skipped) or broke the suite (error).</p>"
        f"<div class='scroll'><table><thead><tr><th>capability</th>{head}<th>skipped / error</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div></section>"
    )


def capability_row(capabilities: str | None) -> str:
    """A case's row: the most specific endpoint capability it needs (chat-streaming, not chat; fine-tuning,
    not files). ``generated`` is a column, not a row: generated requests count in their endpoint's row."""
    names = (capabilities or "(none)").split()
    return max([n for n in names if n not in ASPECTS] or names, key=capability_order)


def capability_order(capability: str) -> int:
    return CAPABILITIES.index(capability) if capability in CAPABILITIES else len(CAPABILITIES)


def _failures(cases: list[dict]) -> str:
    rank = {"error": 0, "fail": 1, "pass": 2, "skip": 3}
    shown = sorted(
        (c for c in cases if c["status"] in ("fail", "error") or c["level"] == "should"),
        key=lambda c: (rank[c["status"]], _expected(c), c["id"]),
    )
    if not shown:
        return "<section id='failures'><h2>Failures</h2><p>None.</p></section>"
    return f"<section id='failures'><h2>Failures by case ({len(shown)})</h2>" + "".join(_failure(c) for c in shown) + "</section>"


def _failure(case: dict) -> str:
    kind = "error" if case["status"] == "error" else "warning" if case["status"] == "pass" else "fail"
    label = {"error": "error (the suite's own fault)", "warning": "should failures (warnings)", "fail": "fail"}[kind]
    if _expected(case):
        label = f"known failure: {case['known_failure']['reason']}"
    parts = [
        f"<article class='{kind}'><h3>{escape(case['id'])}</h3>",
        f"<p><span class='status {kind}'>{escape(label)}</span> · {escape(case['section'] or '')}</p>",
    ]
    if case["reason"] and not _expected(case):
        parts.append(f"<p>{escape(case['reason'])}</p>")
    for check in case["checks"]:
        for failure in check["failures"]:
            parts.append(f"<pre>{escape(failure['message'])}</pre>")
    if case["exchanges"]:
        parts.append(f"<details><summary>{len(case['exchanges'])} recorded exchange(s)</summary>")
        parts += [_exchange(e) for e in case["exchanges"]]
        parts.append("</details>")
    parts.append("</article>")
    return "".join(parts)


def _exchange(exchange: dict) -> str:
    request, response = exchange["request"], exchange["response"]
    lines = [f"{request['method']} {request['url']}", *(f"{k}: {v}" for k, v in request["headers"].items())]
    if source := exchange.get("source"):  # judged from a recording: where, and what it could not tell
        lines[:0] = [f"recorded in {source['file']} #{source['index']}", *(f"not judged: {what}: {why}" for what, why in source["not_judged"].items()), ""]
    if request["body"]:
        lines += ["", request["body"]]
    lines.append("")
    if response is None:
        lines.append(f"(no response: {exchange['transport_error']})")
    else:
        lines += [f"HTTP {response['status']}  ({exchange['elapsed']:.3f} s)", *(f"{k}: {v}" for k, v in response["headers"].items())]
        if response["body"]:
            lines += ["", response["body"]]
    return f"<pre>{escape(chr(10).join(lines))}</pre>"


def _all_cases(cases: list[dict]) -> str:
    rows = "".join(
        f"<tr><td>{escape(c['id'])}</td><td>{escape(c['capability'] or '')}</td><td>{escape(c['section'] or '')}</td>"
        f"<td><span class='status {c['status']}'>{c['status']}</span></td><td>{c['duration']:.3f} s</td>"
        f"<td>{escape(' '.join(c['request_ids']))}</td></tr>"
        for c in cases
    )
    return (
        "<section id='cases'><h2>All cases</h2><div class='scroll'><table><thead><tr><th>case</th><th>capability</th><th>reference</th>"
        f"<th>status</th><th>duration</th><th>request ids</th></tr></thead><tbody>{rows}</tbody></table></div></section>"
    )


def _expected(case: dict) -> bool:
    """A known failure of the profile that still fails: reported, but not a regression."""
    return bool(case["known_failure"]) and not case["known_failure"]["fixed"] and case["status"] == "fail"

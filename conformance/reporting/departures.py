"""Departures: the distinct ways a target differs from the reference, each folded over every case it breaks.

A case fails on checks; a server maintainer fixes root causes. A *departure* is one check and one
kind of finding, across all the cases and exchanges where it shows. Findings are folded by their
*signature*, computed from results.json data alone (so a file written by an older suite folds the
same way, and two targets' departures line up in ``compare``):

- the check id;
- the pointer's shape: array indices folded (``/choices/0/logprobs`` -> ``/choices/*/logprobs``),
  and for a header pointer the header's name (``header:*``: one departure for "the x-ratelimit-*
  headers are missing", the example says which);
- the expected text's shape: counts and other numbers folded (``2 choice(s) with indices [0, 1]``
  and ``3 choice(s) …`` are one finding), values that are data (ids, models, prompts: words with a
  digit, quoted text with a digit or a space) folded, quoted names (properties, types) kept;
- the seen value's shape: its JSON type when it is a value (``401`` and ``404`` are both an integer
  where a string belongs), else the text with its values folded;
- a finding about the status (pointer ``status``) folds by the operation and the status pair
  instead (``POST /chat/completions: HTTP 400 -> HTTP 500``), and when the target accepted a request
  the reference refuses (a 4xx expected, a 2xx seen) by the case too: each refused request is a rule
  of its own ("accepts stream_options without stream", "accepts a 513-character X-Client-Request-Id").

Nothing here knows a particular check: a new check's findings fold by the same rules.
"""

from __future__ import annotations

import ast
import re

from conformance.checks import REGISTRY

LEVELS = ("must", "should")

_INDEX = re.compile(r"/\d+(?=/|$)")
_STATUS = re.compile(r"HTTP (\d{3})")
_NUMBER = re.compile(r"(?<![\w.-])-?\d+(?:\.\d+)?(?![\w])")
_NUMBERS = re.compile(r"N(?:, N)+|N\.\.N")
_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
_DATA_WORD = re.compile(r"(?<![\w.-])(?=[\w.-]*[A-Za-z])(?=[\w.-]*\d)[\w.-]+")
"""A word of letters and digits: an id, a model, a file name; the rule's words have no digits."""
_CUT = re.compile(r"… \(\d+ chars\)$")
"""The suffix ``shorten`` leaves on a value cut for a message."""
_SEEN_LIMIT = 60


def signature(check: str, failure: dict, exchange: dict | None, case_id: str) -> str:
    """The key under which this failure folds with others into one departure (see the module's docstring)."""
    pointer = failure["pointer"]
    if pointer == "status":
        expected, seen = _STATUS.findall(failure["expected"]), _STATUS.findall(failure["seen"])[:1]
        key = f"{check} {_operation(exchange)}: HTTP {' or '.join(expected)} -> HTTP {''.join(seen)}"
        return f"{key} ({case_id})" if _accepted(failure) else key
    expected, seen = failure["expected"], failure["seen"]
    if pointer.startswith("header:"):  # one departure per kind of header finding; the example names the header
        name = pointer.removeprefix("header:")
        pointer, expected, seen = "header:*", expected.replace(name, "<header>"), seen.replace(name, "<header>")
    return f"{check} {_INDEX.sub('/*', pointer)} | {_expected_shape(expected)} | {_seen_shape(seen)}"


def _accepted(failure: dict) -> bool:
    """A status finding where the target accepted (2xx) what the reference refuses (only 4xx/5xx expected)."""
    expected, seen = _STATUS.findall(failure["expected"]), _STATUS.findall(failure["seen"])[:1]
    return bool(expected and seen) and all(s >= "400" for s in expected) and seen[0] < "300"


def _operation(exchange: dict | None) -> str:
    if exchange is None:
        return "?"
    # Files written before exchanges carried their operation: the method and the URL's path.
    return exchange.get("operation") or f"{exchange['request']['method']} {exchange['request']['url'].split('?')[0]}"


def _expected_shape(text: str) -> str:
    text = _QUOTED.sub(lambda m: "S" if re.search(r"[\d\s]", m[0]) or len(m[0]) > 40 else m[0], text)
    return _values(_DATA_WORD.sub("S", text))


def _seen_shape(text: str) -> str:
    text = text.strip()
    kind = _kind(text)
    if kind:
        return kind
    return _values(_QUOTED.sub("S", text))[:_SEEN_LIMIT]


def _values(text: str) -> str:
    statuses = _STATUS.findall(text)  # a status names a kind of answer: kept
    text = _NUMBERS.sub("N…", _NUMBER.sub("N", _STATUS.sub("HTTP #", text)))
    for status in statuses:
        text = text.replace("HTTP #", f"HTTP {status}", 1)
    return text


def _kind(text: str) -> str | None:
    """The JSON type of a value shown as Python's repr (as findings show values), else None."""
    if _CUT.search(text):
        return {"{": "object", "[": "array", "'": "string", '"': "string"}.get(text[:1])
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    for kind, types in (("null", type(None)), ("boolean", bool), ("integer", int), ("number", float), ("string", str),
                        ("array", (list, tuple)), ("object", dict)):
        if isinstance(value, types):
            return kind
    return None


def fold(cases: list[dict]) -> list[dict]:
    """The departures of a run, from results.json's cases: must first, then should; most cases first."""
    found: dict[str, dict] = {}
    for case in sorted(cases, key=lambda c: c["id"]):  # the example comes from the first case by id
        for check in case["checks"]:
            if check["status"] != "fail":
                continue
            for failure in check["failures"]:
                exchange = _exchange(case, failure)
                key = signature(check["id"], failure, exchange, case["id"])
                departure = found.get(key)
                if departure is None:
                    departure = found[key] = _new(key, check, failure, exchange, case["id"])
                elif departure["level"] != check["level"] and check["level"] == "must":
                    departure["level"] = "must"  # a profile raised the level for some cases only
                departure["_cases"].setdefault(case["id"], _known(case))
                departure["_pointers"].setdefault(failure["pointer"], None)
                departure["findings"] += 1
    return sorted((_finish(d) for d in found.values()), key=lambda d: (LEVELS.index(d["level"]), -d["cases"]["count"], d["check"], d["signature"]))


def _exchange(case: dict, failure: dict) -> dict | None:
    index = failure.get("exchange")
    return case["exchanges"][index] if isinstance(index, int) and index < len(case["exchanges"]) else None


def _known(case: dict) -> bool:
    return bool(case["known_failure"]) and not case["known_failure"]["fixed"]


def _new(key: str, check: dict, failure: dict, exchange: dict | None, case_id: str) -> dict:
    registered = REGISTRY.get(check["id"])
    return {
        "signature": key,
        "check": check["id"],
        "level": check["level"],
        "section": failure.get("section") or check.get("section"),
        "aspect": check["aspect"],
        "rule": registered.summary if registered else None,
        "summary": summary(failure, exchange, case_id),
        "pointer": failure["pointer"],
        "expected": failure["expected"],
        "seen": failure["seen"],
        "curl": exchange["curl"] if exchange else None,
        "request_id": exchange.get("request_id") if exchange else None,
        "findings": 0,
        "_cases": {},
        "_pointers": {},
    }


def summary(failure: dict, exchange: dict | None, case_id: str) -> str:
    """One line in plain words: where, what the reference has, what the target sent."""
    if failure["pointer"] == "status":  # the body is in the example; the line says which request
        seen = _STATUS.search(failure["seen"])
        where = f"{_operation(exchange)} ({case_id.rpartition('::')[2]})" if _accepted(failure) else _operation(exchange)
        return f"{where}: expected {failure['expected']}, seen {seen[0] if seen else summary_clip(failure['seen'], 70)}"
    where = failure["pointer"] or _operation(exchange)
    return f"{where}: expected {summary_clip(failure['expected'], 70)}, seen {summary_clip(failure['seen'], 70)}"


def summary_clip(text: str, limit: int) -> str:
    """On one line, cut to ``limit`` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _finish(departure: dict) -> dict:
    cases, pointers = departure.pop("_cases"), departure.pop("_pointers")
    known = sum(cases.values())
    departure["cases"] = {"count": len(cases), "ids": list(cases)}
    departure["pointers"] = list(pointers)[:20]
    departure["known_failure"] = "all" if known == len(cases) else ("some" if known else "none")
    return departure


def short_case(case_id: str) -> str:
    """A case id without its folder: ``test_chat.py::test_single_user_message``."""
    path, _, rest = case_id.partition("::")
    return f"{path.rsplit('/', 1)[-1]}::{rest}" if rest else case_id


def _counted(departure: dict) -> str:
    """The case when there is one, else how many."""
    count = departure["cases"]["count"]
    return short_case(departure["cases"]["ids"][0]) if count == 1 else f"{count} cases"


def _known_note(departure: dict) -> str:
    return {"all": " (known failure)", "some": " (partly known failures)", "none": ""}[departure["known_failure"]]


def headline(departures: list[dict]) -> str:
    by_level = {level: sum(d["level"] == level for d in departures) for level in LEVELS}
    if not departures:
        return "no departures from the reference"
    return f"{len(departures)} departure(s) from the reference ({by_level['must']} must, {by_level['should']} should)"


def text(departures: list[dict], width: int = 160) -> str:
    """The terminal's table: one line per departure (level, cases, check, where: expected, seen), cut to ``width``."""
    lines = [f"openai-conformance: {headline(departures)}" + (":" if departures else "")]
    check_width = max((len(d["check"]) for d in departures), default=0)
    for d in departures:
        count = d["cases"]["count"]
        line = f"  {d['level']:<6} {count:>4} case{'s' if count > 1 else ' '}  {d['check']:<{check_width}}  {d['summary']}{_known_note(d)}"
        lines.append(line if len(line) <= width else line[: width - 1] + "…")
    return "\n".join(lines) + "\n"


def markdown(departures: list[dict], title: str = "") -> str:
    """The table to paste into an issue on the server's tracker: one row per departure, then each one's reproduction."""
    out = [f"### {title}" if title else "", "", headline(departures).capitalize() + "." if departures else "No departures from the reference.", ""]
    if not departures:
        return "\n".join(out).lstrip("\n")
    out += ["| level | check | cases | where | expected | seen |", "|---|---|---|---|---|---|"]
    for d in departures:
        where = where_found(d)
        cells = (d["level"] + _known_note(d), f"`{d['check']}`", _counted(d), f"`{where}`" if where else "", summary_clip(d["expected"], 80), summary_clip(d["seen"], 80))
        out.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    out += ["", "<details><summary>How to reproduce each</summary>", ""]
    for d in departures:
        out += [f"**`{d['check']}`** ({d['section']}): {_cell(d['summary'])}; on " + ", ".join(f"`{short_case(i)}`" for i in d["cases"]["ids"][:10])
                + (f" and {d['cases']['count'] - 10} more" if d["cases"]["count"] > 10 else ""), ""]
        if d["curl"]:
            out += ["```sh", d["curl"], "```", ""]
    out.append("</details>")
    return "\n".join(out).lstrip("\n") + "\n"


def where_found(departure: dict) -> str:
    """Its place: the pointer (every header's name, for a header), else the request."""
    if departure["pointer"].startswith("header:"):
        return ", ".join(departure["pointers"])
    return departure["pointer"] if departure["pointer"] not in ("", "status") else departure["summary"].split(": expected")[0]


def _cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", " ")

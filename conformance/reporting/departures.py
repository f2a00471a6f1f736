"""Departures: the distinct ways a target differs from the reference, each folded over every case it breaks.

A case fails on checks; a server maintainer fixes root causes. A *departure* is one check and one
kind of finding, across all the cases and exchanges where it shows. Findings are folded by their
*signature* (shapes: conformance/shapes.py), computed from results.json data alone (so a file written by an older suite folds the
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
  instead (``POST /chat/completions: HTTP 400 -> HTTP 500``), whatever the body; and
  - when the target accepted a request the reference refuses (a 4xx expected, a 2xx seen), by the
    case's test too: each test of a refused request is a rule of its own ("accepts stream_options
    without stream", "accepts a 513-character X-Client-Request-Id"), while the variants of one
    parametrized test are one rule (``test_invalid_request[…]``: the schema's constraints unenforced);
  - when it answered 404 where the reference answers anything else, by the operation alone: the
    target does not serve it, whichever case asked;
  - when it refused (4xx) a request the reference accepts (a 2xx expected), by what it says too (its
    error message, values folded): "n > 1 is not supported" and a sampler's failure are two causes.

A case's parameter (the ``[…]`` of its id: which constraint a derived invalid request breaks, which
operation) is the case's data, not the finding's kind: it never enters a signature. So a check
whose expected value the case supplies (registered ``within`` a case's expectation: ``error.param``
names the parameter the case broke) has each quoted word of the case's parameter folded to
``<parameter>``: "never sends param" is one departure, not one per parameter. The departure lists
the parameters of its cases when they are all variants of one test (``parameters``).

Nothing here knows a particular check: a new check's findings fold by the same rules.
"""

from __future__ import annotations

import ast
import re

from conformance.checks import REGISTRY
from conformance.shapes import QUOTED, SEEN_LIMIT, STATUS, expected_shape, shape

LEVELS = ("must", "should")

_WORD = re.compile(r"[^\s<>=,]+")
"""A word of a case's parameter: ``messages[0].role`` and ``unlisted`` in ``POST /chat/completions messages[0].role unlisted``."""
_OPERATION = re.compile(r"^[A-Z]+ /\S* ")
"""An operation leading a case's parameter (the departure names it already)."""
PLACEHOLDER = "<parameter>"


def signature(check: str, failure: dict, exchange: dict | None, case_id: str) -> str:
    """The key under which this failure folds with others into one departure (see the module's docstring)."""
    pointer = failure["pointer"]
    if pointer == "status":
        expected, seen = _pair(failure)
        if seen == ["404"] and "404" not in expected:
            return f"{check} {_operation(exchange)}: HTTP 404"
        key = f"{check} {_operation(exchange)}: HTTP {' or '.join(expected)} -> HTTP {''.join(seen)}"
        if _refused(failure):
            return f"{key}: {_refusal(failure)}"
        return f"{key} ({without_parameter(case_id)})" if _accepted(failure) else key
    expected, seen = _case_data(check, failure["expected"], case_id), _case_data(check, failure["seen"], case_id)
    if pointer.startswith("header:"):  # one departure per kind of header finding; the example names the header
        name = pointer.removeprefix("header:")
        pointer, expected, seen = "header:*", expected.replace(name, "<header>"), seen.replace(name, "<header>")
    return f"{check} {shape(pointer, expected, seen)}"


def parameter_of(case_id: str) -> str | None:
    """The case's parameter: the ``[…]`` ending its id (``None`` for a case that is not parametrized)."""
    name = case_id.rpartition("::")[2]
    return name[name.index("[") + 1:-1] if "[" in name and name.endswith("]") else None


def without_parameter(case_id: str) -> str:
    """The case's test: its id with the parameter folded (``test_invalid_request[…]``)."""
    parameter = parameter_of(case_id)
    return case_id if parameter is None else case_id[: -len(parameter) - 1] + "…]"


def _case_data(check: str, text: str, case_id: str) -> str:
    """``text`` with each quoted word of the case's parameter as PLACEHOLDER, for a check whose expected value the case supplies."""
    registered, parameter = REGISTRY.get(check), parameter_of(case_id)
    if registered is None or registered.within is None or not parameter:
        return text
    words = set(_WORD.findall(parameter))
    return QUOTED.sub(lambda m: PLACEHOLDER if m[0][1:-1] in words else m[0], text)


def _pair(failure: dict) -> tuple[list[str], list[str]]:
    """A status finding's statuses: those expected, and the one seen (none for a transport failure)."""
    return STATUS.findall(failure["expected"]), STATUS.findall(failure["seen"])[:1]


def _accepted(failure: dict) -> bool:
    """A status finding where the target accepted (2xx) what the reference refuses (only 4xx/5xx expected)."""
    expected, seen = _pair(failure)
    return bool(expected and seen) and all(s >= "400" for s in expected) and seen[0] < "300"


def _refused(failure: dict) -> bool:
    """A status finding where the target refused (4xx, not 404: not served) what the reference accepts (only 2xx expected)."""
    expected, seen = _pair(failure)
    return bool(expected and seen) and all(s < "300" for s in expected) and seen[0].startswith("4") and seen[0] != "404"


def _refusal(failure: dict) -> str:
    """The cause a refusal names: what the target said, values folded."""
    return expected_shape(_said(failure))[:SEEN_LIMIT]


def _said(failure: dict) -> str:
    """What the target said with a status: its error message, else its body."""
    body = failure["seen"].partition(": ")[2]
    try:
        body = ast.literal_eval(body)  # the body as the finding quotes it
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        pass
    message = re.search(r'"message"\s*:\s*"((?:[^"\\]|\\.)*)', str(body))
    return message[1] if message else str(body)


def _operation(exchange: dict | None) -> str:
    if exchange is None:
        return "?"
    # Files written before exchanges carried their operation: the method and the URL's path.
    return exchange.get("operation") or f"{exchange['request']['method']} {exchange['request']['url'].split('?')[0]}"


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
                departure["_expected"].setdefault(failure["expected"], None)
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
        "summary": "",  # once every case is known (_finish)
        "pointer": failure["pointer"],
        "expected": failure["expected"],
        "seen": failure["seen"],
        "curl": exchange["curl"] if exchange else None,
        "request_id": exchange.get("request_id") if exchange else None,
        "findings": 0,
        "_cases": {},
        "_pointers": {},
        "_expected": {},
        "_example": (failure, exchange, case_id),
    }


def summary(check: str, failure: dict, exchange: dict | None, case_id: str, parameters: list[str] = (), expected: list[str] = ()) -> str:
    """One line in plain words: where, what the reference has, what the target sent. ``parameters``: those of
    the cases folded into it, when they vary one test; ``expected``: every expected text of a status folded by operation."""
    if failure["pointer"] == "status":  # the body is in the example; the line says which request
        seen = STATUS.search(failure["seen"])
        where = _operation(exchange)
        if _accepted(failure):
            test = case_id.rpartition("::")[2]
            where += f" ({test.partition('[')[0]}, {len(parameters)} parameters)" if len(parameters) > 1 else f" ({test})"
        said = f" ({summary_clip(_said(failure), 60)})" if _refused(failure) else ""
        return f"{where}: expected {_statuses(expected) if len(expected) > 1 else failure['expected']}, seen {seen[0] + said if seen else summary_clip(failure['seen'], 70)}"
    where = failure["pointer"] or _operation(exchange)
    expected, seen = failure["expected"], failure["seen"]
    if len(parameters) > 1:  # the example's parameter stands for each case's
        expected, seen = _case_data(check, expected, case_id), _case_data(check, seen, case_id)
    line = f"{where}: expected {summary_clip(expected, 70)}, seen {summary_clip(seen, 70)}"
    return line + (f" ({len(parameters)} parameters)" if PLACEHOLDER in expected + seen else "")


def _statuses(texts: list[str]) -> str:
    """The statuses of several expected texts as one: ``HTTP 200, 401 or 429``."""
    found = list(dict.fromkeys(re.findall(r"\b\d{3}\b", " ".join(texts))))
    return "HTTP " + (f"{', '.join(found[:-1])} or {found[-1]}" if len(found) > 1 else "".join(found))


def summary_clip(text: str, limit: int) -> str:
    """On one line, cut to ``limit`` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _finish(departure: dict) -> dict:
    cases, pointers, expected = departure.pop("_cases"), departure.pop("_pointers"), departure.pop("_expected")
    failure, exchange, case_id = departure.pop("_example")
    known = sum(cases.values())
    departure["cases"] = {"count": len(cases), "ids": list(cases)}
    departure["pointers"] = list(pointers)[:20]
    departure["known_failure"] = "all" if known == len(cases) else ("some" if known else "none")
    departure["parameters"] = _parameters(list(cases))
    departure["summary"] = summary(departure["check"], failure, exchange, case_id, departure["parameters"], list(expected))
    return departure


def _parameters(case_ids: list[str]) -> list[str]:
    """The parameters of the cases, without a leading operation, when they are the variants of one test; else none."""
    if len({without_parameter(i) for i in case_ids}) != 1 or parameter_of(case_ids[0]) is None:
        return []
    return list(dict.fromkeys(_OPERATION.sub("", parameter_of(i)) for i in case_ids))


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
        if d.get("parameters"):
            out += [f"{len(d['parameters'])} parameters: " + ", ".join(f"`{p}`" for p in d["parameters"]), ""]
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

"""The shape of a finding: its pointer, expected text and seen value with the data folded out.

Two findings of one shape are one departure from the reference seen in two places (``/events/3`` and
``/events/9`` both missing ``logprobs``). conformance/reporting/departures.py folds a run's findings by
their shape; a check that finds the same departure many times in one answer lists each shape once
(conformance/checks/body.py), so no finding crowds out another.
"""

from __future__ import annotations

import ast
import re

INDEX = re.compile(r"/\d+(?=/|$)")
STATUS = re.compile(r"HTTP (\d{3})")
QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
_NUMBER = re.compile(r"(?<![\w.-])-?\d+(?:\.\d+)?(?![\w])")
_NUMBERS = re.compile(r"N(?:, N)+|N\.\.N")
_DATA_WORD = re.compile(r"(?<![\w.-])(?=[\w.-]*[A-Za-z])(?=[\w.-]*\d)[\w.-]+")
"""A word of letters and digits: an id, a model, a file name; the rule's words have no digits."""
_CUT = re.compile(r"… \(\d+ chars\)$")
"""The suffix ``shorten`` leaves on a value cut for a message."""
SEEN_LIMIT = 60


def shape(pointer: str, expected: str, seen: str) -> str:
    """A finding's shape: pointer, expected text and seen value, each with its data folded."""
    return f"{pointer_shape(pointer)} | {expected_shape(expected)} | {seen_shape(seen)}"


def pointer_shape(pointer: str) -> str:
    """Array indices folded: ``/choices/0/logprobs`` -> ``/choices/*/logprobs``."""
    return INDEX.sub("/*", pointer)


def expected_shape(text: str) -> str:
    """Counts and other numbers folded, values that are data (words with a digit, quoted text with a digit or a space) too; quoted names kept."""
    text = QUOTED.sub(lambda m: "S" if re.search(r"[\d\s]", m[0]) or len(m[0]) > 40 else m[0], text)
    return _values(_DATA_WORD.sub("S", text))


def seen_shape(text: str) -> str:
    """A value's JSON type, when the text shows a value; else the text with its values folded."""
    text = text.strip()
    kind = _kind(text)
    if kind:
        return kind
    return _values(QUOTED.sub("S", text))[:SEEN_LIMIT]


def _values(text: str) -> str:
    statuses = STATUS.findall(text)  # a status names a kind of answer: kept
    text = _NUMBERS.sub("N…", _NUMBER.sub("N", STATUS.sub("HTTP #", text)))
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

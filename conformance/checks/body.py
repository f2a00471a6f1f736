"""Body checks: JSON that validates against the schema of the operation's response object.

Here too, the findings of every schema check (a body, an error object, a stream's chunks or events):
each error named by its reason (``reason``), each distinct one listed once (``schema_findings``).
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable, Iterator

from jsonschema.exceptions import relevance

from conformance import validation
from conformance.checks.base import Finding, Level, check, expects_json, shorten
from conformance.shapes import shape

MAX_SCHEMA_FINDINGS = 50
"""Distinct findings listed per answer, a safety cap (repeats of one are counted, not listed): the rest are counted."""
PLACES_SHOWN = 3
"""Of the places a repeated finding was also seen, how many its message names."""


@check("body.json", Level.MUST, "Making requests", applies=expects_json)
def body_is_json_object(ex, expect):
    """The response body is one JSON object."""
    if not isinstance(ex.data, dict):
        yield Finding("a JSON object", shorten(ex.response.text) or "(empty body)")


def _has_success_schema(ex) -> bool:
    return ex.ok and ex.media is not None and ex.media.schema is not None and isinstance(ex.data, dict)


@check("body.schema", Level.MUST, "Response objects (schemas/)", applies=_has_success_schema)
def body_matches_schema(ex, expect):
    """A success body validates against the JSON Schema of the operation's response object."""
    media = ex.media  # the operation's schema, or the one its response_format selects
    yield from schema_findings(validation.validator(media.schema, media.item), [("", ex.data)], media.schema, ex.operation.section)


def schema_findings(validator, instances: Iterable[tuple[str, object]], schema_name: str, section: str = "") -> Iterator[Finding]:
    """The findings of ``instances`` (each a pointer prefix and a value: a body, or ``/events/<i>`` and an event), each distinct one once.

    Findings of one shape (conformance/shapes.py: the pointer with its indices folded, the texts with their data
    folded) are one departure however many places show it: the first is listed and says how many more places
    have it. A cap per answer would be spent on the first event of a stream and hide what every later event
    lacks; so the cap counts distinct findings, and is only a safety bound: what lies past it is counted.
    """
    first: dict[str, Finding] = {}
    places: dict[str, list[str]] = defaultdict(list)
    said: set[tuple[str, str]] = set()
    for prefix, instance in instances:
        for error in sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path)):
            finding = _finding(error, schema_name, section, prefix)
            if (finding.pointer, finding.expected) in said:
                continue  # two keywords with one reason (a nullable field's anyOf and an if/then requiring it)
            said.add((finding.pointer, finding.expected))
            key = shape(finding.pointer, finding.expected, finding.seen)
            if key in first:
                places[key].append(finding.pointer)
            else:
                first[key] = finding
    listed = list(first.items())[:MAX_SCHEMA_FINDINGS]
    for k, (key, finding) in enumerate(listed):
        also = [_repeated(places[key])] if places[key] else []
        if k == len(listed) - 1 and len(first) > len(listed):
            rest = list(first)[len(listed):]
            also.append(f"{sum(1 + len(places[r]) for r in rest)} more finding(s) of {len(rest)} other kind(s), past the cap of {MAX_SCHEMA_FINDINGS}, left out")
        yield Finding(finding.expected, finding.seen, finding.pointer, finding.section, "; ".join(also))


def _repeated(pointers: list[str]) -> str:
    distinct = list(dict.fromkeys(pointers))
    return f"{len(pointers)} more like it at " + ", ".join(distinct[:PLACES_SHOWN]) + (", …" if len(distinct) > PLACES_SHOWN else "")


def _finding(error, schema_name: str, section: str, prefix: str) -> Finding:
    """A jsonschema error as a finding, at its reason (for anyOf/oneOf, the branch meant for the value)."""
    detail = reason(error)
    path = "/".join(str(p) for p in detail.absolute_path)
    pointer = f"{prefix}/{path}" if path or not prefix else prefix
    return Finding(f"{schema_name}: {detail.message if detail is not error else _expected(error)}", shorten(detail.instance), pointer, section)


def reason(error):
    """The error that says why a value fails: ``error`` itself, or for an anyOf/oneOf the deepest failure of the branch meant for the value.

    jsonschema's best_match over the branches' errors names a nullable object's null branch ("{...} is not of
    type 'null'") rather than the field it lacks. The branches meant for the value are those that neither want
    another type nor another discriminator (a const or enum of one of its fields, as ``type`` or ``role``);
    among their errors (among all when none is meant for it), the usual relevance: the deepest, ...
    When two are as relevant, neither is the reason: the anyOf itself is.
    """
    while error.context:
        branches = defaultdict(list)
        for sub in error.context:
            branches[sub.relative_schema_path[0]].append(sub)
        meant = [sub for subs in branches.values() if not any(map(_other_kind, subs)) for sub in subs]
        best = heapq.nsmallest(2, meant or error.context, key=relevance)
        if len(best) == 2 and relevance(best[0]) == relevance(best[1]):
            return error
        error = best[0]
    return error


def _other_kind(error) -> bool:
    """An error saying the branch is for another kind of value: another type, or another value of a discriminator."""
    depth = len(error.relative_path)
    return (depth == 0 and error.validator in ("type", "const", "enum")) or (depth == 1 and error.validator in ("const", "enum"))


def _expected(error) -> str:
    if error.validator == "required":
        return error.message
    return f"{error.validator} {shorten(error.validator_value, 120)}"

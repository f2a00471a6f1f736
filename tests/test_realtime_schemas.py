"""The Realtime events' schemas (schemas/realtime.*.event.json) are the official document's, as scripts/realtime_schemas.py writes them,
and they accept the document's own examples of each event (rule 2: no false alarm on what the reference shows)."""

from __future__ import annotations

import importlib.util
import json
import re

import pytest

from conformance import validation
from conformance.checks.body import reason
from conformance.fuzzing.spec import load
from tests.test_generated import REFERENCE_SPEC, ROOT

pytestmark = pytest.mark.skipif(not REFERENCE_SPEC.is_file(), reason=f"the official OpenAPI document is not at {REFERENCE_SPEC} (set OPENAI_CONFORMANCE_REFERENCE_SPEC)")

STALE_EXAMPLES = {
    "RealtimeServerEventConversationItemRetrieved": "its item's content part is of the retired beta type 'audio' (GA: output_audio)",
    "RealtimeServerEventResponseOutputItemDone": "its item's content part is of the retired beta type 'text' (GA: output_text)",
}
"""Examples of the document that its own schemas refuse for a reason the GA protocol keeps: left as they are."""


def _script():
    spec = importlib.util.spec_from_file_location("realtime_schemas", ROOT / "scripts" / "realtime_schemas.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("side", ["server", "client"])
def test_the_schemas_are_the_documents(side):
    script = _script()
    written = (ROOT / "schemas" / f"realtime.{side}.event.json").read_text(encoding="utf-8")
    assert written == script.text(script.build(load(str(REFERENCE_SPEC)), side)), "run scripts/realtime_schemas.py"


def _examples(side: str):
    for name, schema in load(str(REFERENCE_SPEC))["components"]["schemas"].items():
        example = (schema.get("x-oaiMeta") or {}).get("example")
        if name.startswith(f"Realtime{side.capitalize()}Event") and example:
            try:  # a few examples have a trailing comma
                yield name, json.loads(re.sub(r",(\s*[}\]])", r"\1", example))
            except ValueError:
                continue  # not JSON at all (a comment or two events in one): nothing to judge


@pytest.mark.parametrize("side", ["server", "client"])
def test_the_documents_examples_validate(side):
    validator = validation.validator(f"realtime.{side}.event")
    refused = {name: [f"{'/'.join(map(str, reason(e).absolute_path))}: {reason(e).message}" for e in validator.iter_errors(event)]
               for name, event in _examples(side)}
    refused = {name: errors for name, errors in refused.items() if errors}
    assert set(refused) == (set(STALE_EXAMPLES) if side == "server" else set()), refused
    assert len(list(_examples(side))) > (40 if side == "server" else 10)


def test_a_type_the_document_does_not_define_needs_only_a_string_type():
    validator = validation.validator("realtime.server.event")
    assert not list(validator.iter_errors({"type": "vendor.trace", "anything": [1]}))
    assert list(validator.iter_errors({"event_id": "e"}))

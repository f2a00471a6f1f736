"""Legal variations of Conversations answers pass every check: unknown fields on every object and item
(conformance/emulator/variants.py), and the pagination variants on a conversation's items."""

from __future__ import annotations

import json

import pytest

from tests.conftest import failed_checks, run_cases

CONVERSATION_CASES = "test_conversations or conversation-items"


@pytest.mark.parametrize("variant", ["conversations-extra-fields", "short-pages", "unknown-cursor-empty-page", "list-extra-fields"])
def test_legal_variation_passes_every_conversations_check(variant, emulator, tmp_path):
    code, results = run_cases(tmp_path, emulator.replace("/v1", f"/variant/{variant}/v1"), "-k", CONVERSATION_CASES)
    assert (code, failed_checks(results)) == (0, set())
    bodies = [e["response"]["body"] for case in results["cases"] for e in case["exchanges"]
              if (e["operation"] or "").split(" ")[-1].startswith("/conversations") and e["response"]["status"] == 200]
    assert bodies
    if variant == "conversations-extra-fields":  # the variant did change the answers
        assert all("x_emulator" in json.loads(body) for body in bodies)

"""The case of ``openai-conformance judge``: one recorded exchange, judged as a run judges the exchange of a case.

conformance/recordings/session.py parametrizes it with every OpenAI exchange of the recordings given.
"""

from __future__ import annotations

import pytest

from conformance.api import must_failures, verify
from conformance.recordings.session import NotJudged


def test_recorded(recorded, recording, request: pytest.FixtureRequest) -> None:
    recorded, path = recorded
    request.node.user_properties.append(("source", recorded.label))
    try:
        judged, expect = recording(recorded).prepare(recorded, path)
    except NotJudged as why:
        pytest.skip(f"not judged: {why}")
    if judged.not_judged:
        request.node.user_properties.append(("not-judged", "; ".join(f"{what}: {why}" for what, why in judged.not_judged.items())))
    if failures := must_failures(verify(request.node, judged.exchange, expect, {}, judged.skip, judged.evidence)):
        pytest.fail(failures, pytrace=False)  # a case of one step: it fails at once

"""The case of ``openai-conformance judge``: one recorded exchange, judged as a run judges the exchange of a case.

conformance/recordings/session.py parametrizes it with every OpenAI exchange of the recordings given.
"""

from __future__ import annotations

import pytest

from conformance.api import verify
from conformance.checks import Expect
from conformance.recordings import lost


def test_recorded(recorded, recording, request: pytest.FixtureRequest) -> None:
    recorded, path = recorded
    request.node.user_properties.append(("source", recorded.label))
    context = recording(recorded)
    if original := context.copy_of(recorded):
        pytest.skip(f"not judged: the answer of {original} again (same x-request-id and Date): a recorder's copy, not a second answer")
    try:
        judged = lost.judged(recorded, path, context.history)
    except lost.UnreadableBody as error:
        pytest.skip(f"not judged: {error}")
    if judged.not_judged:
        request.node.user_properties.append(("not-judged", "; ".join(f"{what}: {why}" for what, why in judged.not_judged.items())))
    # The recorded status is the expectation: a recording shows what was answered, not what was asked for.
    expect = Expect(recorded.status, same_as=context.earlier(judged.exchange))
    verify(request.node, judged.exchange, expect, {}, judged.skip, judged.evidence)

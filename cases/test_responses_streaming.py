"""The Responses API, streamed: typed events, their order, the items' lifecycle and the integrity of text and arguments.

Each stream is read as it arrives and checked event by event (conformance/checks/responses_stream.py,
the framing by conformance/checks/streaming.py); the response of its terminal event is held to the
object checks of an unstreamed answer (conformance/checks/responses.py).
"""

import pytest

from .test_responses import WEATHER, answer

pytestmark = [pytest.mark.capability("responses"), pytest.mark.reference("Responses > Streaming events")]


def test_response_stream_matches_unstreamed(api, models, resources):
    body = answer(models, resources, "Count to three.", temperature=0)
    unstreamed = api.post("/responses", json=body, expect=200)
    api.stream("/responses", json=body, same_as=unstreamed, expect=200)


def test_response_stream_function_call(api, models, resources):
    body = answer(models, resources, "What is the weather in Paris?", tools=[WEATHER], tool_choice="required")
    api.stream("/responses", json=body, expect=200)


def test_response_stream_rejected(api, models, resources):
    # Invalid before generation starts: an HTTP error with the error object, never a 200 stream carrying it.
    api.stream("/responses", json=answer(models, resources, input=42), expect=400)

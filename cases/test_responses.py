"""The Responses API's creates (POST /responses, streamed or not), each through every generic check; the stored
state (retrieve, delete, input_items, cancel) is test_responses_state.py's.

Every response a case creates carries the run's marker in its metadata and is deleted when the
case ends (Operation.undo; a streamed one too). Answers are kept small: the reference's minimum
max_output_tokens (16).
"""

import base64
import json

import pytest

from conformance import samples
from conformance.steps import CannotContinue

pytestmark = pytest.mark.capability("responses")

MAX_OUTPUT_TOKENS = 16
"""The reference's minimum, and small on purpose: the suite may run against a paid API."""


def response(models, resources, prompt: str = "Say this is a test!", **parameters) -> dict:
    """A create body; ``input`` in ``parameters`` replaces the prompt."""
    return {"model": models.chat, "input": prompt, "max_output_tokens": MAX_OUTPUT_TOKENS, "metadata": dict(resources.metadata), **parameters}


def create(api, body: dict, expect: int = 200):
    return api.post("/responses", json=body, expect=expect)


@pytest.mark.openresponses("basic-response")
@pytest.mark.reference("Responses > Create a model response")
def test_create_response(api, models, resources):
    create(api, response(models, resources))


@pytest.mark.openresponses("streaming-response")
@pytest.mark.reference("Responses > Create a model response")
def test_create_response_streamed(api, models, resources):
    api.stream("/responses", json=response(models, resources), expect=200)


WEATHER = {
    "type": "function",
    "name": "get_weather",
    "description": "The current weather in a city.",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"], "additionalProperties": False},
    "strict": True,
}
"""A function tool in the Responses API's flat form (chat nests it under "function")."""
ROOM = 64
"""max_output_tokens for the few cases that need a whole answer (a JSON text): more than the emulator's 29 words."""
CREATE = "Responses > Create a model response"


def answer(models, resources, prompt: str = "Say this is a test!", **parameters) -> dict:
    """A create body whose response is not stored (store: false): nothing to delete afterwards, half the requests.
    Storing is the stored-state cases' subject."""
    return response(models, resources, prompt, store=False, **parameters)


# The cases covering an Open Responses acceptance test carry its id: @pytest.mark.openresponses("<id>")
# (docs/openresponses.md maps all 17, and the reports say how a target fares on them).


@pytest.mark.openresponses("system-prompt")
@pytest.mark.reference(CREATE)
def test_system_prompt(api, models, resources):
    messages = [{"role": "system", "content": "You answer in one short sentence."}, {"role": "user", "content": "Say this is a test!"}]
    create(api, answer(models, resources, input=messages))


@pytest.mark.reference(CREATE)
def test_instructions_and_tools_echoed(api, models, resources):
    body = answer(models, resources, instructions="You answer in one short sentence.", tools=[WEATHER], tool_choice="none")
    create(api, body)


@pytest.mark.openresponses("multi-turn")
@pytest.mark.reference(CREATE)
def test_multi_turn_history(api, models, resources):
    # The earlier turns given in the input itself (stateless); previous_response_id is the stored-state cases'.
    turns = [{"role": "user", "content": "My name is Ada."}, {"role": "assistant", "content": "Nice to meet you, Ada."},
             {"role": "user", "content": "What is my name?"}]
    create(api, answer(models, resources, input=turns))


@pytest.mark.openresponses("assistant-phase")
@pytest.mark.reference(CREATE)
def test_assistant_phase(api, models, resources):
    """Earlier assistant messages resent with their phase (commentary, final_answer), as the reference asks clients to."""
    turns = [{"type": "message", "role": "assistant", "phase": "commentary", "content": "I should answer with the saved number."},
             {"type": "message", "role": "assistant", "phase": "final_answer", "content": "The number is four."},
             {"role": "user", "content": "Repeat only the number."}]
    create(api, answer(models, resources, input=turns))


@pytest.mark.openresponses("image-input")
@pytest.mark.reference(CREATE)
def test_image_input_data_url(api, models, resources):
    image = "data:image/png;base64," + base64.b64encode(samples.png()).decode()
    content = [{"type": "input_text", "text": "What colour is this image?"}, {"type": "input_image", "image_url": image}]
    create(api, answer(models, resources, input=[{"role": "user", "content": content}]))


@pytest.mark.reference(CREATE)
def test_text_format_json_mode(api, models, resources):
    # The real API wants the word JSON in the input with json_object.
    body = answer(models, resources, "Reply with a JSON object whose only key is reply.", text={"format": {"type": "json_object"}}, max_output_tokens=ROOM)
    create(api, body)


@pytest.mark.reference(CREATE)
def test_text_format_json_schema(api, models, resources):
    schema = {"type": "object", "properties": {"answer": {"type": "string"}}, "required": ["answer"], "additionalProperties": False}
    fmt = {"type": "json_schema", "name": "answer", "schema": schema, "strict": True}
    create(api, answer(models, resources, "Say this is a test!", text={"format": fmt}, max_output_tokens=ROOM))


@pytest.mark.openresponses("tool-calling")
@pytest.mark.reference(CREATE)
def test_function_call(api, models, resources):
    # A named tool_choice is test_function_call_output_answered's first turn.
    create(api, answer(models, resources, "What is the weather in Paris?", tools=[WEATHER], tool_choice="required"))


@pytest.mark.reference(CREATE)
def test_function_call_output_answered(api, models, resources):
    question = {"role": "user", "content": "What is the weather in Paris?"}
    first = create(api, answer(models, resources, input=[question], tools=[WEATHER], tool_choice={"type": "function", "name": "get_weather"}))
    call = next((item for item in first.needed("output", list) if isinstance(item, dict) and item.get("type") == "function_call"), None)
    if call is None:
        raise CannotContinue(f"{first.description} answered no function_call item, and the case's next turn answers one")
    replayed = {key: call.get(key) for key in ("type", "call_id", "name", "arguments")}  # no id: the call was not stored
    result = {"type": "function_call_output", "call_id": call.get("call_id"), "output": json.dumps({"temperature": "18 C"})}
    create(api, answer(models, resources, input=[question, replayed, result], tools=[WEATHER]))


@pytest.mark.reference(CREATE)
def test_unknown_model_response(api, resources):
    create(api, {"model": "no-such-model-openai-conformance", "input": "Hi", "max_output_tokens": MAX_OUTPUT_TOKENS, "metadata": dict(resources.metadata)}, expect=404)


INVALID = {
    # What a derivation per schema field cannot produce (conformance/invalid_requests.py derives the rest):
    # a type outside string-or-array, values that depend on another field.
    "input": {"input": 42},
    "format_type": {"text": {"format": {"type": "openai_conformance_no_such_format"}}},
    "format_schema": {"text": {"format": {"type": "json_schema", "name": "answer"}}},
    "previous_response_id": {"previous_response_id": "resp_openai_conformance_none", "conversation": "conv_openai_conformance_none"},
    "stream_options": {"stream_options": {"include_obfuscation": False}},
}
"""Each invalid request, named by the parameter the error must point at (error.param: text.format.type, ...)."""


@pytest.mark.reference(CREATE)
@pytest.mark.parametrize("change", INVALID.values(), ids=INVALID.keys())
def test_invalid_response(api, models, resources, change):
    create(api, answer(models, resources, **change), expect=400)

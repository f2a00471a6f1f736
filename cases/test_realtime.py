"""The Realtime API over WebSocket (/v1/realtime?model=...): one session per group of rules.

Each case sends client events and waits, bounded, for the events that answer them; the checks of
conformance/checks/realtime.py judge the recorded session when it ends (every server event's schema and id, and
each client event's answer). Responses are kept short (max_output_tokens), and the audio the suite sends is a
generated tone (conformance/samples.py), never a download.
"""

import base64
import secrets

import pytest

from conformance import samples
from conformance.checks.realtime import UNKNOWN_KEY_PREFIX

pytestmark = [pytest.mark.capability("realtime"), pytest.mark.reference("Realtime")]

RATE = 24000
PCM = {"type": "audio/pcm", "rate": RATE}
TONE = samples.tone(0.5, RATE)
"""Half a second of a 440 Hz tone: 24 kB of PCM16, sent in two appends."""
MAX_TOKENS = 32
WEATHER = {"type": "function", "name": "get_weather", "description": "The weather in a city.",
           "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}
TEXT_SESSION = {"type": "realtime", "output_modalities": ["text"], "instructions": "Answer in one short sentence.", "max_output_tokens": MAX_TOKENS}
CLOSE_WAIT = 5.0
"""How long a case waits for what may not come: the server's close after a refusal, the error answering a cancel too late."""


def typed(*types: str):
    return lambda payload: isinstance(payload, dict) and payload.get("type") in types


class Events:
    """The suite's side of a session: each client event gets an event_id (so an error can name it), then the wait for its answer."""

    def __init__(self, socket) -> None:
        self.socket, self.count = socket, 0

    def start(self) -> None:
        self.socket.receive(typed("session.created", "error"), waiting_for="session.created")

    def send(self, kind: str, *answers: str, **fields) -> dict | None:
        """Send one event; with ``answers``, wait for the first of them (or an error) and return it."""
        self.count += 1
        self.socket.send({"type": kind, "event_id": f"evt_suite_{self.count}", **fields})
        return self.wait(*answers) if answers else None

    def wait(self, *answers: str, timeout: float | None = None) -> dict | None:
        frames = self.socket.receive(typed(*answers, "error"), timeout=timeout, waiting_for=" or ".join(answers))
        return frames[-1].payload if frames and typed(*answers, "error")(frames[-1].payload) else None

    def say(self, text: str) -> None:
        # Its conversation.item.done comes before the answer to the next event: realtime.conversation-items looks for it there.
        self.send("conversation.item.create", "conversation.item.added", item={"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]})


def session(api, models, **params):
    return api.socket("/realtime", params={"model": models.realtime, **params})


@pytest.mark.reference("Realtime > Server events > session.created")
def test_realtime_session_created(api, models):
    with session(api, models) as socket:
        Events(socket).start()


@pytest.mark.reference("Authentication")
def test_realtime_unknown_key(api, models):
    # Refused either way the reference's clients meet: 401 before the upgrade, or an error event and a close.
    headers = {"Authorization": f"Bearer {UNKNOWN_KEY_PREFIX}{secrets.token_hex(16)}"}
    with api.socket("/realtime", params={"model": models.realtime}, headers=headers, expect=(401, 101)) as socket:
        if socket.receive(typed("error", "session.created"), waiting_for="an error event"):
            socket.receive(timeout=CLOSE_WAIT, waiting_for="the server's close")


@pytest.mark.reference("Realtime > Server events > session.created")
def test_realtime_beta_header(api, models):
    # The beta interface is retired: the real API upgrades, sends an error event (beta_api_shape_disabled) and closes.
    with api.socket("/realtime", params={"model": models.realtime}, headers={"OpenAI-Beta": "realtime=v1"}, expect=(101, 400)) as socket:
        if socket.receive(typed("error", "session.created"), waiting_for="an error event or session.created"):
            socket.receive(timeout=CLOSE_WAIT, waiting_for="the server's close")


@pytest.mark.reference("Realtime > Client events > session.update")
def test_realtime_session_update(api, models):
    with session(api, models) as socket:
        events = Events(socket)
        events.start()
        events.send("session.update", "session.updated", session={**TEXT_SESSION, "tools": [WEATHER], "tool_choice": "auto",
                                                                   "audio": {"input": {"format": PCM, "turn_detection": None}, "output": {"format": PCM}}})


@pytest.mark.reference("Realtime > Client events > conversation.item.create")
def test_realtime_conversation_items(api, models):
    first, second = (f"item_suite{secrets.token_hex(6)}" for _ in range(2))
    with session(api, models) as socket:
        events = Events(socket)
        events.start()
        for item_id, text in ((first, "Remember the word blue."), (second, "Remember the word red.")):
            events.send("conversation.item.create", "conversation.item.added",
                        item={"id": item_id, "type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]})
        events.send("conversation.item.create", "conversation.item.added", previous_item_id=first,
                    item={"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Between them."}]})
        events.send("conversation.item.retrieve", "conversation.item.retrieved", item_id=first)
        events.send("conversation.item.delete", "conversation.item.deleted", item_id=second)


@pytest.mark.reference("Realtime > Client events > response.create")
def test_realtime_text_response(api, models):
    with session(api, models) as socket:
        events = Events(socket)
        events.start()
        events.send("session.update", "session.updated", session=TEXT_SESSION)
        events.say("Say hello.")
        events.send("response.create", "response.done")


@pytest.mark.reference("Realtime > Client events > conversation.item.truncate")
def test_realtime_audio_response(api, models):
    with session(api, models) as socket:
        events = Events(socket)
        events.start()
        events.send("session.update", "session.updated", session={"type": "realtime", "output_modalities": ["audio"], "max_output_tokens": MAX_TOKENS,
                                                                   "audio": {"input": {"turn_detection": None}, "output": {"format": PCM}}})
        events.say("Say hello.")
        done = events.send("response.create", "response.done")
        output = ((done or {}).get("response") or {}).get("output") or []
        audio = next((item for item in output if isinstance(item, dict) and item.get("type") == "message"), None)
        if audio and isinstance(audio.get("id"), str):
            events.send("conversation.item.truncate", "conversation.item.truncated", item_id=audio["id"], content_index=0, audio_end_ms=100)


@pytest.mark.reference("Realtime > Server events > response.function_call_arguments.done")
def test_realtime_function_call(api, models):
    with session(api, models) as socket:
        events = Events(socket)
        events.start()
        events.send("session.update", "session.updated", session={**TEXT_SESSION, "tools": [WEATHER]})
        events.say("What is the weather in Paris?")
        events.send("response.create", "response.done", response={"tool_choice": "required"})


@pytest.mark.reference("Realtime > Client events > response.cancel")
def test_realtime_cancel(api, models):
    with session(api, models) as socket:
        events = Events(socket)
        events.start()
        events.send("session.update", "session.updated", session={**TEXT_SESSION, "instructions": "Count slowly from one to twenty."})
        events.say("Count.")
        if events.send("response.create", "response.created"):
            done = events.send("response.cancel", "response.done")
            if ((done or {}).get("response") or {}).get("status") == "completed":
                events.wait("error", timeout=CLOSE_WAIT)  # it ended before the server read the cancel: an error says so


@pytest.mark.reference("Realtime > Client events > input_audio_buffer.commit")
def test_realtime_audio_input(api, models):
    half = len(TONE) // 2
    with session(api, models) as socket:
        events = Events(socket)
        events.start()
        events.send("session.update", "session.updated", session={**TEXT_SESSION, "audio": {"input": {"format": PCM, "turn_detection": None}}})
        for chunk in (TONE[:half], TONE[half:]):
            events.send("input_audio_buffer.append", audio=base64.b64encode(chunk).decode())
        if events.send("input_audio_buffer.commit", "input_audio_buffer.committed"):
            events.wait("conversation.item.done")
        events.send("input_audio_buffer.append", audio=base64.b64encode(TONE[:half]).decode())
        events.send("input_audio_buffer.clear", "input_audio_buffer.cleared")


@pytest.mark.reference("Realtime > Server events > conversation.item.input_audio_transcription.completed")
def test_realtime_transcription(api, models):
    with session(api, models, intent="transcription") as socket:
        events = Events(socket)
        events.start()
        events.send("session.update", "session.updated", session={"type": "transcription", "audio": {"input": {
            "format": PCM, "transcription": {"model": models.transcription}, "turn_detection": None}}})
        events.send("input_audio_buffer.append", audio=base64.b64encode(TONE).decode())
        if events.send("input_audio_buffer.commit", "input_audio_buffer.committed", "transcription.done"):
            events.wait("conversation.item.input_audio_transcription.completed", "conversation.item.input_audio_transcription.failed", "transcription.done")


@pytest.mark.reference("Realtime > Server events > error")
def test_realtime_invalid_events(api, models):
    with session(api, models) as socket:
        events = Events(socket)
        events.start()
        socket.send("{not json")
        events.wait("error")
        events.send("openai_conformance.no_such_event", "error")
        events.send("conversation.item.create", "error")  # without its item
        events.send("session.update", "session.updated", session=TEXT_SESSION)  # the session goes on

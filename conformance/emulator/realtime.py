"""/v1/realtime: the Realtime API's WebSocket protocol (the GA event set), deterministic.

A session answers each client event as the reference's server events say: session.update with the whole session,
conversation items added, retrieved, truncated and deleted, audio appended, committed (a user item, transcribed when
the session asks for it) and cleared, responses streamed as text or as audio (a generated tone with its transcript)
or as a function call, cancelled on request, and an ``error`` event naming the client event it answers, after which
the session goes on. Deltas are paced a few milliseconds apart so that a response.cancel lands mid-response.
A request carrying the retired beta header (``OpenAI-Beta: realtime=v1``) gets what the real API answers since
the beta's retirement: the upgrade, one error event (code ``beta_api_shape_disabled``) and a close 4000.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import copy
import itertools
import json
import uuid

from starlette.websockets import WebSocket, WebSocketDisconnect

from conformance import samples
from conformance.emulator import admission, variants
from conformance.emulator.chat import REPLY
from conformance.emulator.errors import APIError
from conformance.emulator.faults import active, declare
from conformance.emulator.replies import reply

BINARY_FRAME = declare("realtime-binary-frame", "socket.json-events", "test_realtime_text_response", "a binary frame (a few PCM bytes) among the events")
MISSING_FIELD = declare("realtime-delta-without-item-id", "realtime.event-schema", "test_realtime_text_response", "response.output_text.delta without item_id")
SAME_EVENT_ID = declare("realtime-event-id-repeated", "realtime.event-ids", "test_realtime_session_update", "every server event carries the same event_id")
NO_SESSION_CREATED = declare("realtime-no-session-created", "realtime.session-created", "test_realtime_session_created", "the session starts without session.created (it comes after the first client event)")
ANY_KEY = declare("realtime-any-key", "realtime.refused", "test_realtime_unknown_key", "an unknown key is served a session")
BETA_SERVED = declare("realtime-beta-served", "realtime.beta-header", "test_realtime_beta_header", "the retired beta header gets a beta session (a session without type, beta event names)")
UPDATE_IGNORED = declare("realtime-session-update-ignored", "realtime.session-update", "test_realtime_session_update", "session.updated answers the session as it was, instructions and tools unchanged")
PREVIOUS_IGNORED = declare("realtime-previous-item-ignored", "realtime.conversation-items", "test_realtime_conversation_items", "previous_item_id ignored: the item goes last, and conversation.item.deleted names no item")
RESPONSE_ID_MISMATCH = declare("realtime-response-id-mismatch", "realtime.response-events", "test_realtime_text_response", "the deltas carry another response_id than response.created's")
DELTA_LOST = declare("realtime-delta-lost", "realtime.text-integrity", "test_realtime_text_response", "one text delta of each response is not sent (the done text is whole)")
ARGUMENTS_NOT_JSON = declare("realtime-arguments-not-json", "realtime.function-call", "test_realtime_function_call", "function call arguments written as Python, not JSON ({'city': 'Paris'})")
CANCEL_IGNORED = declare("realtime-cancel-ignored", "realtime.cancel", "test_realtime_cancel", "response.cancel ignored: the response completes, no error")
COMMIT_NO_ITEM = declare("realtime-commit-without-item", "realtime.audio-buffer", "test_realtime_audio_input", "input_audio_buffer.committed names no item and no item is added; clear is not answered")
VLLM_DIALECT = declare("vllm-transcription-dialect", "realtime.transcription", "test_realtime_transcription",
                       "vLLM's transcription events: transcription.delta / transcription.done instead of conversation.item.input_audio_transcription.*")
ERROR_UNNAMED = declare("realtime-error-unnamed", "realtime.error-event", "test_realtime_invalid_events", "error events name no client event (error.event_id null)")
ERROR_CLOSES = declare("realtime-error-closes", "realtime.recoverable", "test_realtime_invalid_events", "the session is closed (1011) after the first error")

RATE = 24000
"""The default audio rate of a session (audio/pcm, 24 kHz mono PCM16), in and out."""
PACE = 0.004
"""Seconds between two deltas of a response: a response.cancel sent after response.created lands before its end."""
TRANSCRIPT = "A short tone."
AUDIO_SECONDS = 0.3
BETA_CODE = "beta_api_shape_disabled"
BETA_MESSAGE = "The Realtime Beta API is no longer supported. Please use /v1/realtime for the GA API."
BETA_TYPES = {"response.output_text.delta": "response.text.delta", "response.output_text.done": "response.text.done", "conversation.item.added": "conversation.item.created"}


class Invalid(Exception):
    """A client event the server cannot act on: answered with an error event, and the session goes on."""

    def __init__(self, message: str, code: str = "invalid_value", param: str | None = None) -> None:
        super().__init__(message)
        self.code, self.param = code, param


def _id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:20]}"


class Session:
    def __init__(self, websocket: WebSocket, beta: bool) -> None:
        self.ws, self.beta = websocket, beta
        self.request = websocket  # what faults.active and variants.chosen read: the connection's scope
        self.ids = itertools.count(1)
        self.items: list[dict] = []
        self.buffer = bytearray()
        self.running: tuple[dict, asyncio.Task, dict] | None = None
        """The response in progress: its object, the task streaming it, and the item it is on."""
        intent = websocket.query_params.get("intent")
        self.config = {
            "type": "transcription" if intent == "transcription" else "realtime",
            "object": "realtime.transcription_session" if intent == "transcription" else "realtime.session",
            "id": _id("sess"), "model": websocket.query_params.get("model", "gpt-realtime"),
            "output_modalities": ["audio"], "instructions": "", "tools": [], "tool_choice": "auto", "max_output_tokens": "inf",
            "expires_at": 4102444800, "tracing": None, "prompt": None, "include": None, "truncation": "auto",
            "audio": {"input": {"format": {"type": "audio/pcm", "rate": RATE}, "transcription": None, "noise_reduction": None, "turn_detection": None},
                      "output": {"format": {"type": "audio/pcm", "rate": RATE}, "voice": "marin", "speed": 1.0}},
        }

    # --- sending -------------------------------------------------------------------------------------------

    async def send(self, event: dict) -> None:
        event = {"type": event["type"], "event_id": "event_1" if active(self.request, SAME_EVENT_ID) else f"event_{next(self.ids):04d}", **event}
        if self.beta:
            event["type"] = BETA_TYPES.get(event["type"], event["type"])
        if variants.chosen(self.request, "realtime-extra-fields"):
            event = _extra(event)
        if variants.chosen(self.request, "realtime-reordered-keys"):
            event = _reordered(event)
        if variants.chosen(self.request, "realtime-vendor-events") and event["type"].endswith((".done", ".created")):
            await self.ws.send_text(json.dumps({"type": "vendor.trace", "event_id": f"event_{next(self.ids):04d}", "detail": {"before": event["type"]}}))
        await self.ws.send_text(json.dumps(event))

    async def error(self, message: str, code: str, param: str | None, client_event: object) -> None:
        named = client_event.get("event_id") if isinstance(client_event, dict) and not active(self.request, ERROR_UNNAMED) else None
        await self.send({"type": "error", "error": {"type": "invalid_request_error", "code": code, "message": message, "param": param,
                                                     "event_id": named if isinstance(named, str) else None}})
        if active(self.request, ERROR_CLOSES):
            await self.ws.close(1011, "error")
            raise WebSocketDisconnect(1011)

    def session(self) -> dict:
        config = copy.deepcopy(self.config)
        if self.beta:  # the retired beta shape: no type, modalities for output_modalities
            config.pop("type")
            config["modalities"] = config.pop("output_modalities")
        return config

    # --- the loop ------------------------------------------------------------------------------------------

    async def run(self) -> None:
        announced = not active(self.request, NO_SESSION_CREATED)  # the fault: session.created only once the client spoke
        if announced:
            await self.send({"type": "session.created", "session": self.session()})
        while True:
            message = await self.ws.receive()
            if message["type"] == "websocket.disconnect":
                raise WebSocketDisconnect(message.get("code", 1000))
            text = message.get("text")
            event: object = None
            try:
                if text is None:
                    raise Invalid("Binary frames are not supported: send each event as JSON text.", "invalid_event")
                try:
                    event = json.loads(text)
                except ValueError:
                    raise Invalid("The event is not valid JSON.", "invalid_json") from None
                if not isinstance(event, dict) or not isinstance(event.get("type"), str):
                    raise Invalid("The 'type' field is missing.", "invalid_event", "type")
                if not announced:
                    announced = True
                    await self.send({"type": "session.created", "session": self.session()})
                handler = HANDLERS.get(event["type"])
                if handler is None:
                    raise Invalid(f"Invalid value: '{event['type']}'. Supported values are: {', '.join(sorted(HANDLERS))}.", "invalid_value", "type")
                await handler(self, event)
            except Invalid as invalid:
                await self.error(str(invalid), invalid.code, invalid.param, event)

    # --- session and items ---------------------------------------------------------------------------------

    async def session_update(self, event: dict) -> None:
        update = _required(event, "session", dict)
        kind = update.get("type", self.config["type"])
        if kind not in ("realtime", "transcription"):
            raise Invalid(f"Invalid value: '{kind}'. Supported values are: 'realtime' and 'transcription'.", param="session.type")
        if not active(self.request, UPDATE_IGNORED):
            for field in ("output_modalities", "instructions", "tools", "tool_choice", "max_output_tokens", "tracing", "include", "truncation"):
                if field in update:
                    self.config[field] = update[field]
            for side in ("input", "output"):
                for field, value in ((update.get("audio") or {}).get(side) or {}).items():
                    self.config["audio"][side][field] = value
            self.config["type"] = kind
            self.config["object"] = "realtime.transcription_session" if kind == "transcription" else "realtime.session"
        await self.send({"type": "session.updated", "session": self.session()})

    async def item_create(self, event: dict) -> None:
        item = dict(_required(event, "item", dict))
        if item.get("type") not in ("message", "function_call", "function_call_output"):
            raise Invalid(f"Invalid value: '{item.get('type')}'. Supported values are: 'message', 'function_call' and 'function_call_output'.", param="item.type")
        item.setdefault("id", _id("item"))
        if any(known["id"] == item["id"] for known in self.items):
            raise Invalid(f"Item with id '{item['id']}' already exists.", "item_already_exists", "item.id")
        item = {"object": "realtime.item", "status": "completed", **item}
        previous = self._place(event.get("previous_item_id"), item)
        await self._announce(item, previous)

    def _place(self, previous_id: object, item: dict) -> str | None:
        """Insert ``item`` after ``previous_id`` (``root``: first; absent or null: last); returns the id before it."""
        if previous_id is None or active(self.request, PREVIOUS_IGNORED):
            position = len(self.items)
        elif previous_id == "root":
            position = 0
        else:
            position = self._index(previous_id, "previous_item_id") + 1
        self.items.insert(position, item)
        return self.items[position - 1]["id"] if position else None

    def _index(self, item_id: object, param: str) -> int:
        found = next((k for k, item in enumerate(self.items) if item["id"] == item_id), None)
        if found is None:
            raise Invalid(f"Item with id '{item_id}' not found.", "item_not_found", param)
        return found

    async def _announce(self, item: dict, previous: str | None) -> None:
        for kind in ("conversation.item.added", "conversation.item.done"):
            await self.send({"type": kind, "previous_item_id": previous, "item": item})

    async def item_retrieve(self, event: dict) -> None:
        item = self.items[self._index(_required(event, "item_id", str), "item_id")]
        await self.send({"type": "conversation.item.retrieved", "item": item})

    async def item_delete(self, event: dict) -> None:
        index = self._index(_required(event, "item_id", str), "item_id")
        item_id = self.items.pop(index)["id"]
        await self.send({"type": "conversation.item.deleted", "item_id": None if active(self.request, PREVIOUS_IGNORED) else item_id})

    async def item_truncate(self, event: dict) -> None:
        item = self.items[self._index(_required(event, "item_id", str), "item_id")]
        content_index, end = _required(event, "content_index", int), _required(event, "audio_end_ms", int)
        parts = item.get("content") or []
        if item.get("role") != "assistant" or not 0 <= content_index < len(parts) or parts[content_index].get("type") != "output_audio":
            raise Invalid("Only the audio of an assistant message can be truncated.", param="content_index")
        if end < 0 or end > AUDIO_SECONDS * 1000:
            raise Invalid(f"audio_end_ms {end} is past the audio's end ({int(AUDIO_SECONDS * 1000)} ms).", param="audio_end_ms")
        parts[content_index]["transcript"] = ""
        await self.send({"type": "conversation.item.truncated", "item_id": item["id"], "content_index": content_index, "audio_end_ms": end})

    # --- audio input ---------------------------------------------------------------------------------------

    async def buffer_append(self, event: dict) -> None:
        try:
            audio = base64.b64decode(_required(event, "audio", str), validate=True)
        except (binascii.Error, ValueError):
            raise Invalid("Invalid 'audio': expected base64-encoded audio bytes.", param="audio") from None
        self.buffer += audio

    async def buffer_commit(self, event: dict) -> None:
        if len(self.buffer) < RATE * 2 // 10:  # 100 ms of PCM16
            raise Invalid(f"Error committing input audio buffer: buffer too small. Expected at least 100ms of audio, but buffer only has {len(self.buffer) * 500 // RATE:.2f}ms of audio.",
                          "input_audio_buffer_commit_empty")
        self.buffer.clear()
        item = {"id": _id("item"), "object": "realtime.item", "type": "message", "status": "completed", "role": "user",
                "content": [{"type": "input_audio", "transcript": None}]}
        if active(self.request, COMMIT_NO_ITEM):
            await self.send({"type": "input_audio_buffer.committed", "previous_item_id": None, "item_id": None})
            return
        previous = self._place(None, item)
        await self.send({"type": "input_audio_buffer.committed", "previous_item_id": previous, "item_id": item["id"]})
        await self._announce(item, previous)
        if self.config["type"] == "transcription" or self.config["audio"]["input"].get("transcription"):
            await self._transcribe(item)

    async def _transcribe(self, item: dict) -> None:
        words = _pieces(self.request, TRANSCRIPT, whole=True)
        if active(self.request, VLLM_DIALECT):
            for word in words:
                await self.ws.send_text(json.dumps({"type": "transcription.delta", "delta": word}))
            await self.ws.send_text(json.dumps({"type": "transcription.done", "text": TRANSCRIPT, "usage": {"prompt_tokens": 3, "completion_tokens": len(words), "total_tokens": 3 + len(words)}}))
            return
        for word in words:
            await self.send({"type": "conversation.item.input_audio_transcription.delta", "item_id": item["id"], "content_index": 0, "delta": word})
        item["content"][0]["transcript"] = TRANSCRIPT
        await self.send({"type": "conversation.item.input_audio_transcription.completed", "item_id": item["id"], "content_index": 0,
                         "transcript": TRANSCRIPT, "usage": {"type": "duration", "seconds": 1}})

    async def buffer_clear(self, event: dict) -> None:
        self.buffer.clear()
        if not active(self.request, COMMIT_NO_ITEM):
            await self.send({"type": "input_audio_buffer.cleared"})

    # --- responses -----------------------------------------------------------------------------------------

    async def response_create(self, event: dict) -> None:
        asked = event.get("response") or {}
        if not isinstance(asked, dict):
            raise Invalid("Invalid 'response': expected an object.", param="response")
        if self.running is not None:
            raise Invalid(f"Conversation already has an active response in progress: {self.running[0]['id']}.", "conversation_already_has_active_response")
        options = {**self.config, **{k: v for k, v in asked.items() if v is not None}}
        response = {"object": "realtime.response", "id": _id("resp"), "status": "in_progress", "status_details": None, "output": [],
                    "conversation_id": "conv_" + self.config["id"][5:], "output_modalities": options["output_modalities"],
                    "max_output_tokens": options.get("max_output_tokens", "inf"), "audio": {"output": self.config["audio"]["output"]},
                    "usage": None, "metadata": asked.get("metadata")}
        await self.send({"type": "response.created", "response": copy.deepcopy(response)})
        progress = {"item": None}
        task = asyncio.create_task(self._generate(response, options, progress))
        self.running = (response, task, progress)
        task.add_done_callback(lambda _: setattr(self, "running", None) if self.running and self.running[1] is task else None)

    async def _generate(self, response: dict, options: dict, progress: dict) -> None:
        call = _forced_call(options)
        kind = "function_call" if call else "message"
        item = {"id": _id("item"), "object": "realtime.item", "type": kind, "status": "in_progress"}
        item.update({"call_id": _id("call"), "name": call, "arguments": ""} if call else {"role": "assistant", "content": []})
        progress["item"] = item
        response["output"].append(item)
        events = {"response_id": response["id"], "item_id": item["id"], "output_index": 0}
        mismatch = {**events, "response_id": _id("resp")} if active(self.request, RESPONSE_ID_MISMATCH) else events
        await self.send({"type": "response.output_item.added", "response_id": response["id"], "output_index": 0, "item": copy.deepcopy(item)})
        await self.send({"type": "conversation.item.added", "previous_item_id": self.items[-1]["id"] if self.items else None, "item": copy.deepcopy(item)})
        self.items.append(item)
        if call:
            arguments = "{'city': 'Paris'}" if active(self.request, ARGUMENTS_NOT_JSON) else json.dumps({"city": "Paris"})
            for piece in _pieces(self.request, arguments, whole=True):
                await self._paced({"type": "response.function_call_arguments.delta", **mismatch, "call_id": item["call_id"], "delta": piece})
            item["arguments"] = arguments
            await self.send({"type": "response.function_call_arguments.done", **events, "call_id": item["call_id"], "name": call, "arguments": arguments})
        else:
            await self._content(item, events, mismatch, "audio" in options["output_modalities"])
        item["status"] = "completed"
        await self.send({"type": "response.output_item.done", "response_id": response["id"], "output_index": 0, "item": copy.deepcopy(item)})
        await self.send({"type": "conversation.item.done", "previous_item_id": self._before(item), "item": copy.deepcopy(item)})
        await self._done(response, "completed", None)

    async def _content(self, item: dict, events: dict, mismatch: dict, audio: bool) -> None:
        part = {"type": "output_audio", "transcript": ""} if audio else {"type": "output_text", "text": ""}
        field, named = ("transcript", "audio") if audio else ("text", "text")  # the document's content_part events name parts text and audio
        item["content"].append(part)
        where = {**events, "content_index": 0}
        await self.send({"type": "response.content_part.added", **where, "part": {"type": named, field: ""}})
        if audio:
            pcm = samples.tone(AUDIO_SECONDS, self.config["audio"]["output"]["format"].get("rate", RATE))
            for start in range(0, len(pcm), len(pcm) // 3):
                await self._paced({"type": "response.output_audio.delta", **mismatch, "content_index": 0, "delta": base64.b64encode(pcm[start:start + len(pcm) // 3]).decode()})
        pieces = _pieces(self.request, REPLY)
        delta_type = "response.output_audio_transcript.delta" if audio else "response.output_text.delta"
        for k, piece in enumerate(pieces):
            if k == 1 and active(self.request, DELTA_LOST):
                continue
            event = {"type": delta_type, **mismatch, "content_index": 0, "delta": piece}
            if active(self.request, MISSING_FIELD):
                event.pop("item_id")
            await self._paced(event)
        part[field] = REPLY
        if audio:
            await self.send({"type": "response.output_audio.done", **where})
            await self.send({"type": "response.output_audio_transcript.done", **where, "transcript": REPLY})
        else:
            await self.send({"type": "response.output_text.done", **where, "text": REPLY})
        await self.send({"type": "response.content_part.done", **where, "part": {"type": named, field: REPLY}})

    async def _paced(self, event: dict) -> None:
        await asyncio.sleep(PACE)
        if active(self.request, BINARY_FRAME) and event["type"].endswith(".delta"):
            await self.ws.send_bytes(b"\x00\x01\x02\x03")
        await self.send(event)

    def _before(self, item: dict) -> str | None:
        index = next((k for k, known in enumerate(self.items) if known is item), 0)
        return self.items[index - 1]["id"] if index else None

    async def _done(self, response: dict, status: str, details: dict | None) -> None:
        output_tokens = sum(len(str(part.get("text") or part.get("transcript") or "").split()) for item in response["output"] for part in item.get("content") or ())
        output_tokens += sum(len(item.get("arguments", "")) // 4 for item in response["output"])
        input_tokens = 8 * len(self.items)
        response.update(status=status, status_details=details, usage={
            "total_tokens": input_tokens + output_tokens, "input_tokens": input_tokens, "output_tokens": output_tokens,
            "input_token_details": {"text_tokens": input_tokens, "audio_tokens": 0, "cached_tokens": 0},
            "output_token_details": {"text_tokens": output_tokens, "audio_tokens": 0}})
        await self.send({"type": "response.done", "response": copy.deepcopy(response)})

    async def response_cancel(self, event: dict) -> None:
        running = self.running
        if running is None or active(self.request, CANCEL_IGNORED):
            if running is None:
                raise Invalid("Cancellation failed: no active response found.", "response_cancel_not_active")
            return
        response, task, progress = running
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass
        self.running = None
        if progress["item"] is not None:
            progress["item"]["status"] = "incomplete"
            await self.send({"type": "response.output_item.done", "response_id": response["id"], "output_index": 0, "item": copy.deepcopy(progress["item"])})
        await self._done(response, "cancelled", {"type": "cancelled", "reason": "client_cancelled"})


def _required(event: dict, field: str, kind: type) -> object:
    value = event.get(field)
    if value is None:
        raise Invalid(f"Missing required parameter: '{field}'.", "missing_required_parameter", field)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise Invalid(f"Invalid type for '{field}': expected {'an object' if kind is dict else 'a ' + kind.__name__}.", "invalid_type", field)
    return value


def _forced_call(options: dict) -> str | None:
    """The function a response must call: tool_choice "required" (the first tool) or a named function."""
    tools = [t for t in options.get("tools") or () if isinstance(t, dict) and t.get("type") == "function"]
    choice = options.get("tool_choice")
    if choice == "required" and tools:
        return tools[0].get("name")
    if isinstance(choice, dict) and choice.get("type") == "function":
        return choice.get("name")
    return None


def _pieces(request, text: str, whole: bool = False) -> list[str]:
    """The deltas of ``text``: a word each (the space before it included); in the variant, one character each, or
    with ``whole`` (arguments, transcripts) all in one."""
    if variants.chosen(request, "realtime-delta-sizes"):
        return [text] if whole else list(text)
    words = text.split(" ")
    return [words[0]] + [" " + word for word in words[1:]]


def _extra(value: object) -> object:
    if isinstance(value, dict):
        return {**{k: _extra(v) for k, v in value.items()}, "x_vendor": {"trace": 1}}
    return [_extra(v) for v in value] if isinstance(value, list) else value


def _reordered(value: object) -> object:
    if isinstance(value, dict):
        return {k: _reordered(value[k]) for k in reversed(list(value))}
    return [_reordered(v) for v in value] if isinstance(value, list) else value


HANDLERS = {
    "session.update": Session.session_update,
    "conversation.item.create": Session.item_create,
    "conversation.item.retrieve": Session.item_retrieve,
    "conversation.item.delete": Session.item_delete,
    "conversation.item.truncate": Session.item_truncate,
    "input_audio_buffer.append": Session.buffer_append,
    "input_audio_buffer.commit": Session.buffer_commit,
    "input_audio_buffer.clear": Session.buffer_clear,
    "response.create": Session.response_create,
    "response.cancel": Session.response_cancel,
}


async def realtime(websocket: WebSocket) -> None:
    """One session, once the handshake's key is admitted (a refusal: 401 before the upgrade, or in the variant an error
    event and a close, the other answer a client of the reference meets)."""
    try:
        admission.admit(websocket, websocket.app.state.api_key)
    except APIError as refused:
        if not active(websocket, ANY_KEY):
            if not variants.chosen(websocket, "realtime-refusal-event"):
                return await websocket.send_denial_response(reply(websocket, refused.status, refused.body))
            await websocket.accept()
            await websocket.send_text(json.dumps({"type": "error", "event_id": _id("event"), "error": {**refused.body["error"], "event_id": None}}))
            return await websocket.close(1008, "invalid_api_key")
    beta = "realtime=v1" in websocket.headers.get("openai-beta", "")
    await websocket.accept()
    if beta and not active(websocket, BETA_SERVED):
        await websocket.send_text(json.dumps({"type": "error", "event_id": _id("event"), "error": {
            "type": "invalid_request_error", "code": BETA_CODE, "message": BETA_MESSAGE, "param": None, "event_id": None}}))
        await websocket.close(4000, f"invalid_request_error.{BETA_CODE}")
        return
    session = Session(websocket, beta)
    try:
        await session.run()
    except WebSocketDisconnect:
        pass  # the client left (or the error-closes fault closed it)
    finally:
        if session.running is not None:
            session.running[1].cancel()


ROUTES = [("realtime", "WEBSOCKET", "/realtime", realtime)]

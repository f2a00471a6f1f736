"""The Realtime API's WebSocket protocol (``/v1/realtime``): every server event's shape and id, and how the server answers
each client event the session's record holds (session.update, items, audio, responses, cancel, invalid events).

The checks read the recorded session only: what the suite sent (its client events, in order) and what came back, so a
recorded session is judged the same as a live one. An answer to a client event is the first event of the answering
type received after it was sent, or an ``error`` naming it (``error.event_id``). Pointers ``/frames/<i>`` count the
frames the server sent, from 0 (as socket.json-events does). The events' schemas are the official document's
(schemas/realtime.server.event.json); a type it does not define is legal and only needs a string ``type``.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from conformance import validation
from conformance.checks.base import Finding, Level, check, shorten
from conformance.checks.body import schema_findings
from conformance.checks.sockets import event, opened

SECTION = "Realtime > Server events"
CLIENT = "Realtime > Client events"
SCHEMA = "realtime.server.event"
UNKNOWN_KEY_PREFIX = "openai-conformance-unknown-"
"""How the suite's made-up keys begin (as in cases/test_auth.py): a session opened with one must be refused."""
BETA = "realtime=v1"
BETA_EVENTS = ("response.text.delta", "response.text.done", "response.audio.delta", "response.audio_transcript.delta")
"""Event types of the retired beta that the GA document renamed (response.output_text.delta, ...)."""
VLLM_TRANSCRIPTION = ("transcription.delta", "transcription.done")
"""vLLM's transcription events on its /v1/realtime (docs/realtime.md), in place of the reference's."""


@dataclass(frozen=True)
class Sent:
    """A client event the suite sent: its place among all frames, and its payload (NOT_JSON when it is not JSON)."""

    at: int
    payload: object

    @property
    def event_id(self) -> str | None:
        return self.payload.get("event_id") if isinstance(self.payload, dict) and isinstance(self.payload.get("event_id"), str) else None

    @property
    def type(self) -> str | None:
        return self.payload.get("type") if event(self.payload) else None


class Record:
    """A Realtime session's frames: what was sent, each server event with its pointer, in one order."""

    def __init__(self, ex) -> None:
        self.sent: list[Sent] = []
        self.events: list[tuple[int, int, dict]] = []
        """(place among all frames, index among received frames, event)."""
        received = 0
        for place, frame in enumerate(ex.socket.frames):
            if frame.sent:
                self.sent.append(Sent(place, frame.payload))
                continue
            if event(frame.payload):
                self.events.append((place, received, frame.payload))
            received += 1
        self.session = ex.socket

    def of(self, *types: str) -> list[tuple[int, dict]]:
        return [(i, e) for _, i, e in self.events if e["type"] in types]

    def after(self, sent: Sent, *types: str) -> tuple[int, dict] | None:
        """The first event of ``types`` after ``sent``, or an error naming it, whichever came first."""
        for place, i, e in self.events:
            if place > sent.at and (e["type"] in types or (e["type"] == "error" and sent.event_id and _error(e).get("event_id") == sent.event_id)):
                return i, e
        return None

    def place(self, i: int) -> int:
        """Where received frame ``i`` is among all frames."""
        return next(place for place, j, _ in self.events if j == i)

    def sent_of(self, kind: str) -> list[Sent]:
        """The valid client events of ``kind`` sent (an invalid one's answer is realtime.error-event's business)."""
        return [s for s in self.sent if s.type == kind and not _invalid(s)]

    def unanswered(self, kind: str) -> str:
        """What a missing answer looks like: the waits for it that ran out, or how the session ended."""
        waits = "; ".join(wait for wait in self.session.waits if kind in wait)
        end = f"the server closed the session ({self.session.close_code})" if self.session.closed_by == "server" else self.session.interrupted
        return f"no {kind} came" + (f" ({waits})" if waits else f" ({end})" if end else "")


def _error(e: dict) -> dict:
    return e.get("error") if isinstance(e.get("error"), dict) else {}


def _realtime(ex) -> bool:
    return ex.socket is not None and ex.request.url.path.rstrip("/").endswith("/realtime")


def _beta(ex) -> bool:
    return BETA in ex.request.headers.get("openai-beta", "")


def _unknown_key(ex) -> bool:
    return ex.request.headers.get("authorization", "").partition(" ")[2].startswith(UNKNOWN_KEY_PREFIX)


def _session(ex) -> bool:
    """An opened Realtime session of the GA protocol with a key the suite means to be valid."""
    return _realtime(ex) and opened(ex) and not _beta(ex) and not _unknown_key(ex)


def _answered(record: Record, sent: Sent, kind: str) -> tuple[tuple[int, dict] | None, Finding | None]:
    """The answer of ``kind`` to ``sent``, or the finding that there is none (an error, or nothing)."""
    found = record.after(sent, kind)
    if found is None:
        return None, Finding(f"{kind} answering {sent.type}", record.unanswered(kind), section=CLIENT)
    i, e = found
    if e["type"] == "error":
        return None, Finding(f"{kind} answering {sent.type} (a valid event)", f"an error: {shorten(_error(e).get('message'), 160)}", f"/frames/{i}", CLIENT)
    return found, None


# --- every server event -----------------------------------------------------------------------------------------


@check("realtime.event-schema", Level.MUST, "Realtime > Server events (schemas/realtime.server.event.json)", applies=lambda ex: _realtime(ex) and opened(ex))
def event_schema(ex, expect):
    """Each server event validates against its type's schema in the official document (other types need only a string type)."""
    yield from schema_findings(validation.validator(SCHEMA), [(f"/frames/{i}", e) for _, i, e in Record(ex).events], SCHEMA, SECTION)


@check("realtime.event-ids", Level.MUST, SECTION, applies=lambda ex: _realtime(ex) and opened(ex))
def event_ids(ex, expect):
    """Each server event has its own event_id: no two events of a session share one."""
    first: dict[str, int] = {}
    repeats = []
    for _, i, e in Record(ex).events:
        if isinstance(e.get("event_id"), str):
            if e["event_id"] in first:
                repeats.append((i, e["event_id"]))
            else:
                first[e["event_id"]] = i
    if repeats:
        i, event_id = repeats[0]
        also = f"{len(repeats) - 1} more repeated event_id(s)" if len(repeats) > 1 else ""
        yield Finding("an event_id no other event of the session has", f"{event_id!r}, already at /frames/{first[event_id]}", f"/frames/{i}/event_id", also=also)


# --- connection -------------------------------------------------------------------------------------------------


@check("realtime.session-created", Level.MUST, "Realtime > Server events > session.created", applies=_session)
def session_created(ex, expect):
    """The server's first event on a new session is session.created."""
    events = [(place, i, e) for place, i, e in Record(ex).events if e["type"] in _server_types()]  # a vendor's event may come first
    if not events or events[0][2]["type"] != "session.created":
        yield Finding("session.created first", f"{events[0][2]['type']} first" if events else Record(ex).unanswered("event"), f"/frames/{events[0][1]}" if events else "")


@check("realtime.refused", Level.MUST, "Authentication", applies=lambda ex: _realtime(ex) and _unknown_key(ex))
def refused(ex, expect):
    """An unknown key gets no session: 401 before the upgrade, or an error event and the server's close."""
    if not opened(ex):
        return  # refused before the upgrade: its status is http.status's to judge
    record = Record(ex)
    served = [(i, e) for _, i, e in record.events if e["type"] != "error"]
    if served:
        yield Finding("no session for an unknown key (401, or an error event and a close)", f"{served[0][1]['type']}", f"/frames/{served[0][0]}")
    elif not record.of("error") or ex.socket.closed_by != "server":
        yield Finding("an error event, then the server's close", "an error event, the session left open" if record.of("error") else record.unanswered("error"))


@check("realtime.beta-header", Level.MUST, "Realtime > Server events > session.created", applies=lambda ex: _realtime(ex) and opened(ex) and _beta(ex))
def beta_header(ex, expect):
    """The retired beta header (OpenAI-Beta: realtime=v1) gets no beta session: an error event, or the GA protocol."""
    for i, e in Record(ex).of("session.created", "session.updated"):
        session = e.get("session")
        if isinstance(session, dict) and "type" not in session:
            yield Finding("an error event (beta_api_shape_disabled), or a GA session with its type", "a beta session (no session.type)", f"/frames/{i}/session")
            return
    for i, e in Record(ex).of(*BETA_EVENTS):
        yield Finding("the GA event names, or an error event", f"the beta event {e['type']}", f"/frames/{i}/type")
        return


# --- session, items, audio --------------------------------------------------------------------------------------


def _format(value: object) -> object:
    return {k: value.get(k) for k in ("type", "rate") if k in value} if isinstance(value, dict) else value


def _set(update: dict) -> Iterator[tuple[str, object, object]]:
    """(field, what the update set, how to read it from a session) for the fields session.updated must reflect."""
    for field in ("type", "output_modalities", "instructions", "tool_choice"):
        if field in update:
            yield field, update[field], lambda s, f=field: s.get(f)
    if isinstance(update.get("tools"), list):
        yield "tools", [t.get("name") for t in update["tools"] if isinstance(t, dict)], lambda s: [t.get("name") for t in s.get("tools") or () if isinstance(t, dict)]
    audio = update.get("audio") if isinstance(update.get("audio"), dict) else {}
    for side in ("input", "output"):
        settings = audio.get(side) if isinstance(audio.get(side), dict) else {}
        if "format" in settings:
            yield f"audio.{side}.format", _format(settings["format"]), lambda s, d=side: _format(((s.get("audio") or {}).get(d) or {}).get("format"))
        if isinstance(settings.get("transcription"), dict) and "model" in settings["transcription"]:
            yield f"audio.{side}.transcription.model", settings["transcription"]["model"], lambda s, d=side: (((s.get("audio") or {}).get(d) or {}).get("transcription") or {}).get("model")


@check("realtime.session-update", Level.MUST, "Realtime > Client events > session.update", applies=_session)
def session_update(ex, expect):
    """session.update is answered by session.updated holding what it set (type, output_modalities, instructions, tools, audio formats)."""
    record = Record(ex)
    for sent in record.sent_of("session.update"):
        found, missing = _answered(record, sent, "session.updated")
        if missing:
            yield missing
            continue
        i, e = found
        session = e.get("session") if isinstance(e.get("session"), dict) else {}
        for field, value, read in _set(sent.payload.get("session") or {}):
            if read(session) != value:
                yield Finding(f"{field} as session.update set it: {shorten(value, 100)}", shorten(read(session), 100), f"/frames/{i}/session/{field.replace('.', '/')}")


@check("realtime.conversation-items", Level.MUST, "Realtime > Client events > conversation.item.create", applies=_session)
def conversation_items(ex, expect):
    """Items are added (conversation.item.added, then .done) where previous_item_id puts them; retrieve, truncate and delete are answered for the item."""
    record = Record(ex)
    for sent in record.sent_of("conversation.item.create"):
        found, missing = _answered(record, sent, "conversation.item.added")
        if missing:
            yield missing
            continue
        i, added = found
        item_id = ((sent.payload.get("item") or {}).get("id")) or ((added.get("item") or {}).get("id"))
        if (added.get("item") or {}).get("id") != item_id:
            yield Finding(f"the item created, id {item_id!r}", shorten((added.get("item") or {}).get("id")), f"/frames/{i}/item/id")
        if "previous_item_id" in sent.payload:
            wanted = None if sent.payload["previous_item_id"] == "root" else sent.payload["previous_item_id"]
            if added.get("previous_item_id") != wanted:
                yield Finding(f"previous_item_id {wanted!r}: the item placed where the client asked", shorten(added.get("previous_item_id")), f"/frames/{i}/previous_item_id")
        if not any((e.get("item") or {}).get("id") == item_id for j, e in record.of("conversation.item.done") if j > i):
            yield Finding(f"conversation.item.done for item {item_id!r} after its conversation.item.added", record.unanswered("conversation.item.done"), f"/frames/{i}")
    answers = {"conversation.item.retrieve": ("conversation.item.retrieved", lambda s, e: (e.get("item") or {}).get("id") == s.get("item_id")),
               "conversation.item.delete": ("conversation.item.deleted", lambda s, e: e.get("item_id") == s.get("item_id")),
               "conversation.item.truncate": ("conversation.item.truncated", lambda s, e: all(e.get(k) == s.get(k) for k in ("item_id", "content_index", "audio_end_ms")))}
    for kind, (answer, agrees) in answers.items():
        for sent in record.sent_of(kind):
            found, missing = _answered(record, sent, answer)
            if missing:
                yield missing
            elif not agrees(sent.payload, found[1]):
                yield Finding(f"{answer} for what {kind} named: {shorten({k: v for k, v in sent.payload.items() if k not in ('type', 'event_id')}, 120)}",
                              shorten({k: v for k, v in found[1].items() if k not in ("type", "event_id")}, 160), f"/frames/{found[0]}")


@check("realtime.audio-buffer", Level.MUST, "Realtime > Client events > input_audio_buffer.commit", applies=_session)
def audio_buffer(ex, expect):
    """input_audio_buffer.commit is answered by .committed naming the user item it adds; .clear by .cleared."""
    record = Record(ex)
    for sent in record.sent_of("input_audio_buffer.commit"):
        found, missing = _answered(record, sent, "input_audio_buffer.committed")
        if missing:
            yield missing
            continue
        i, committed = found
        item_id = committed.get("item_id")
        if not any((e.get("item") or {}).get("id") == item_id for j, e in record.of("conversation.item.added") if j > i) or not isinstance(item_id, str):
            yield Finding("a conversation.item.added for the item committed names (item_id)", f"item_id {shorten(item_id)}, and no item of that id added", f"/frames/{i}/item_id")
    for sent in record.sent_of("input_audio_buffer.clear"):
        yield from filter(None, [_answered(record, sent, "input_audio_buffer.cleared")[1]])


def _transcribing(record: Record) -> bool:
    """Whether the suite asked for transcription: a transcription session, or input transcription configured."""
    for sent in record.sent_of("session.update"):
        session = sent.payload.get("session") if isinstance(sent.payload.get("session"), dict) else {}
        if session.get("type") == "transcription" or ((session.get("audio") or {}).get("input") or {}).get("transcription"):
            return True
    return False


@check("realtime.transcription", Level.MUST, "Realtime > Server events > conversation.item.input_audio_transcription.completed",
       applies=lambda ex: _session(ex) and _transcribing(Record(ex)))
def transcription(ex, expect):
    """Each committed item of a transcribing session gets conversation.item.input_audio_transcription.completed (or .failed)."""
    record = Record(ex)
    ends = record.of("conversation.item.input_audio_transcription.completed", "conversation.item.input_audio_transcription.failed")
    for i, committed in record.of("input_audio_buffer.committed"):
        item_id = committed.get("item_id")
        if not isinstance(item_id, str):  # the committed event's own departure (realtime.audio-buffer): the item added after it is the one
            item_id = next(((e.get("item") or {}).get("id") for j, e in record.of("conversation.item.added") if j > i), None)
        if any(e.get("item_id") == item_id for _, e in ends):
            continue
        dialect = record.of(*VLLM_TRANSCRIPTION)
        seen = (f"vLLM's dialect: {', '.join(sorted({e['type'] for _, e in dialect}))} (docs/realtime.md)" if dialect
                else record.unanswered("conversation.item.input_audio_transcription.completed"))
        yield Finding(f"conversation.item.input_audio_transcription.completed for item {item_id!r}", seen, f"/frames/{dialect[0][0]}" if dialect else f"/frames/{i}")


# --- responses --------------------------------------------------------------------------------------------------

PART_EVENTS = ("response.content_part.added", "response.output_text.delta", "response.output_text.done", "response.output_audio.delta",
               "response.output_audio.done", "response.output_audio_transcript.delta", "response.output_audio_transcript.done", "response.content_part.done")
ITEM_EVENTS = ("response.output_item.added", *PART_EVENTS, "response.function_call_arguments.delta", "response.function_call_arguments.done", "response.output_item.done")


def _responses(record: Record) -> Iterator[tuple[int, str, list[tuple[int, dict]], tuple[int, dict] | None]]:
    """Each response the server created: where, its id, its events up to its response.done, and that event (None if none came)."""
    for i, created in record.of("response.created"):
        response_id = (created.get("response") or {}).get("id")
        events, done = [], None
        for j, e in ((j, e) for _, j, e in record.events if j > i):
            if e["type"] == "response.done" and (e.get("response") or {}).get("id") == response_id:
                done = (j, e)
                break
            if e["type"] in ITEM_EVENTS:
                events.append((j, e))
        yield i, response_id, events, done


ORDER = {"response.output_item.added": (None, "item"), "response.content_part.added": ("item", "part"),
         "response.content_part.done": ("part", "item"), "response.output_item.done": ("item", "done")}
"""The state an item must be in for each event, and the state it leaves it in (a part's other events: inside the part)."""


def _item_of(e: dict) -> object:
    return (e.get("item") or {}).get("id") if e["type"] in ("response.output_item.added", "response.output_item.done") else e.get("item_id")


@check("realtime.response-events", Level.MUST, "Realtime > Server events > response.done", applies=_session)
def response_events(ex, expect):
    """A response's events name it, its items and their output_index, in order (item added, part added, deltas, their done, part done, item done), and end in response.done with usage."""
    record = Record(ex)
    for sent in record.sent_of("response.create"):
        yield from filter(None, [_answered(record, sent, "response.created")[1]])
    for i, response_id, events, done in _responses(record):
        if done is None:
            yield Finding(f"response.done for response {response_id!r}", record.unanswered("response.done"), f"/frames/{i}")
        state: dict[object, str] = {}
        indices: dict[object, object] = {}
        completed = done is not None and (done[1].get("response") or {}).get("status") == "completed"  # a cancelled one may end mid-part
        for j, e in events:
            kind, item_id = e["type"], _item_of(e)
            if e.get("response_id", response_id) != response_id:
                yield Finding(f"response_id {response_id!r} (response.created's)", shorten(e.get("response_id")), f"/frames/{j}/response_id")
                break
            before, after = ORDER.get(kind, ("part", "part") if kind in PART_EVENTS else ("item", "item"))
            if state.get(item_id) != before and not (kind == "response.output_item.done" and state.get(item_id) == "part" and not completed):
                yield Finding(f"{kind} inside its item's (and part's) added and done events", f"{kind} of item {item_id!r} while it is {state.get(item_id) or 'not added'}", f"/frames/{j}")
                break
            state[item_id] = after
            if kind == "response.output_item.added":
                indices[item_id] = e.get("output_index")
            elif "output_index" in e and e["output_index"] != indices.get(item_id):
                yield Finding(f"output_index {indices.get(item_id)!r} (item {item_id!r}'s, as output_item.added gave it)", shorten(e["output_index"]), f"/frames/{j}/output_index")
                break
            if kind == "response.output_audio.delta" and not _pcm(e.get("delta")):
                yield Finding("base64 of 16-bit PCM samples (an even number of bytes)", shorten(e.get("delta"), 60), f"/frames/{j}/delta")
        if done is not None:
            response = done[1].get("response") or {}
            usage = response.get("usage")
            if response.get("status") == "completed" and not (isinstance(usage, dict) and all(type(usage.get(k)) is int for k in ("total_tokens", "input_tokens", "output_tokens"))):
                yield Finding("usage with total_tokens, input_tokens and output_tokens on a completed response", shorten(usage), f"/frames/{done[0]}/response/usage")


def _pcm(delta: object) -> bool:
    try:
        return isinstance(delta, str) and len(base64.b64decode(delta, validate=True)) % 2 == 0
    except (binascii.Error, ValueError):
        return False


def _joined(record: Record, delta: str, key) -> dict:
    joined: dict[object, str] = {}
    for _, e in record.of(delta):
        joined[key(e)] = joined.get(key(e), "") + (e.get("delta") if isinstance(e.get("delta"), str) else "")
    return joined


def _given(record: Record, kind: str, field: str, key, delta: str) -> Iterator[tuple[str, object, str, object]]:
    """(what, the joined deltas, where else the whole is given, that whole) for each thing ``kind`` ends."""
    joined = _joined(record, delta, key)
    for i, e in record.of(kind):
        yield f"{kind} of {shorten(key(e), 80)}", joined.get(key(e), ""), f"/frames/{i}/{field}", e.get(field)


AUDIO_PARTS = ("audio", "output_audio")
"""An audio part's names: the document's content_part events say audio, its items output_audio."""


def _parts(record: Record) -> Iterator[tuple[str, object, str, object]]:
    part = lambda e: (e.get("item_id"), e.get("content_index"))  # noqa: E731
    yield from _given(record, "response.output_text.done", "text", part, "response.output_text.delta")
    yield from _given(record, "response.output_audio_transcript.done", "transcript", part, "response.output_audio_transcript.delta")
    yield from _given(record, "response.function_call_arguments.done", "arguments", lambda e: e.get("item_id"), "response.function_call_arguments.delta")
    yield from _given(record, "conversation.item.input_audio_transcription.completed", "transcript", part, "conversation.item.input_audio_transcription.delta")
    texts = {**_joined(record, "response.output_text.delta", part), **_joined(record, "response.output_audio_transcript.delta", part)}
    for i, e in record.of("response.content_part.done"):
        if part(e) in texts and isinstance(e.get("part"), dict):
            field = "transcript" if e["part"].get("type") in AUDIO_PARTS else "text"
            yield f"the part {shorten(part(e), 80)}", texts[part(e)], f"/frames/{i}/part/{field}", e["part"].get(field)
    for i, e in record.of("response.done"):
        for k, item in enumerate((e.get("response") or {}).get("output") or ()):
            for c, content in enumerate(item.get("content") or () if isinstance(item, dict) else ()):
                key = (item.get("id"), c)
                if key in texts and isinstance(content, dict):
                    field = "transcript" if content.get("type") in AUDIO_PARTS else "text"
                    yield f"the part {shorten(key, 80)}", texts[key], f"/frames/{i}/response/output/{k}/content/{c}/{field}", content.get(field)


@check("realtime.text-integrity", Level.MUST, SECTION, applies=_session)
def text_integrity(ex, expect):
    """Deltas add up to the whole: text, audio transcript, arguments and input transcription, as their done events and response.done give it."""
    record = Record(ex)
    if record.session.interrupted:
        return  # the session was cut: what is missing is not the server's arithmetic
    for what, joined, pointer, whole in _parts(record):
        if whole != joined:
            yield Finding(f"{what}: the joined deltas {shorten(joined, 100)!r}", shorten(whole, 100), pointer)


@check("realtime.function-call", Level.MUST, "Realtime > Server events > response.function_call_arguments.done", applies=_session)
def function_call(ex, expect):
    """A forced tool_choice gets a function call; its arguments are a JSON object in a string, its item names the call."""
    record = Record(ex)
    for i, e in record.of("response.function_call_arguments.done"):
        try:
            parsed = json.loads(e.get("arguments")) if isinstance(e.get("arguments"), str) else None
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):
            yield Finding("arguments: a JSON object, as a string", shorten(e.get("arguments"), 100), f"/frames/{i}/arguments")
    for sent in record.sent_of("response.create"):
        asked = sent.payload.get("response") if isinstance(sent.payload.get("response"), dict) else {}
        choice = asked.get("tool_choice")
        if choice == "required" or isinstance(choice, dict):
            found = record.after(sent, "response.done")
            if found and found[1]["type"] == "response.done" and (found[1].get("response") or {}).get("status") == "completed":
                output = (found[1].get("response") or {}).get("output") or []
                if not any(isinstance(item, dict) and item.get("type") == "function_call" for item in output):
                    yield Finding(f"a function_call item (tool_choice {shorten(choice, 80)})", f"output of {[item.get('type') for item in output if isinstance(item, dict)]}", f"/frames/{found[0]}/response/output")


@check("realtime.cancel", Level.MUST, "Realtime > Client events > response.cancel", applies=_session)
def cancel(ex, expect):
    """response.cancel sent while a response runs ends it with response.done status cancelled (or an error naming it, when it had ended)."""
    record = Record(ex)
    for sent in record.sent_of("response.cancel"):
        running = [(i, rid, done) for i, rid, _, done in _responses(record) if record.place(i) < sent.at and not (done and record.place(done[0]) < sent.at)]
        for i, response_id, done in running:
            if done is not None and (done[1].get("response") or {}).get("status") == "cancelled":
                continue
            named = record.after(sent, "error")
            if named is not None and named[1]["type"] == "error":
                continue  # it had ended when the server read the cancel
            status = (done[1].get("response") or {}).get("status") if done else None
            yield Finding(f"response {response_id!r} ended by response.done with status cancelled", f"status {status!r}" if done else record.unanswered("response.done"),
                          f"/frames/{done[0]}/response/status" if done else f"/frames/{i}", CLIENT)


# --- errors -----------------------------------------------------------------------------------------------------


@cache
def _types(side: str) -> frozenset[str]:
    """The event types the reference defines for one side (the schema's branches)."""
    schema = validation.registry().resolver().lookup(f"{validation.BASE_URI}realtime.{side}.event.json").contents
    return frozenset(branch["if"]["properties"]["type"]["const"] for branch in schema["allOf"])


def _client_types() -> frozenset[str]:
    return _types("client")


def _server_types() -> frozenset[str]:
    return _types("server")


def _invalid(sent: Sent) -> bool:
    """A client event no server can act on: not a JSON object with a type the reference defines, or not valid against its schema."""
    if sent.type not in _client_types():
        return True
    return next(validation.validator("realtime.client.event").iter_errors(sent.payload), None) is not None


@check("realtime.error-event", Level.MUST, "Realtime > Server events > error", applies=_session)
def error_event(ex, expect):
    """A malformed or invalid client event gets an error event whose error.event_id names it."""
    record = Record(ex)
    ends = [s.at for s in record.sent[1:]] + [len(ex.socket.frames)]
    for sent, end in zip(record.sent, ends):
        if not _invalid(sent):
            continue
        # The suite waits for each answer before it sends the next event: what answers this one comes before that.
        errors = [(i, e) for place, i, e in record.events if sent.at < place < end and e["type"] == "error"]
        what = shorten(sent.payload if event(sent.payload) else "a frame that is no JSON event", 100)
        if not errors:
            yield Finding(f"an error event answering {what}", record.unanswered("error"), section=CLIENT)
        elif sent.event_id and not any(_error(e).get("event_id") == sent.event_id for _, e in errors):
            i, e = errors[0]
            yield Finding(f"error.event_id {sent.event_id!r} (the client event it answers)", shorten(_error(e).get("event_id")), f"/frames/{i}/error/event_id")


@check("realtime.recoverable", Level.MUST, "Realtime > Server events > error", applies=_session)
def recoverable(ex, expect):
    """The session stays open after an error answering a client event: the server does not close it."""
    record = Record(ex)
    invalid = any(_invalid(sent) for sent in record.sent)
    caused = [(i, e) for i, e in record.of("error") if _error(e).get("event_id") or invalid]
    if caused and ex.socket.closed_by == "server":
        yield Finding("the session open after a recoverable error", f"the server closed it (code {ex.socket.close_code} {ex.socket.close_reason!r})", f"/frames/{caused[0][0]}")

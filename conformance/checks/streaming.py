"""Streaming checks: the server-sent-events framing of a streamed answer, and the invariants of its chunks.

The chunk checks apply to answers read with ``api.stream`` from operations that stream chunks (chat
and legacy completions: ``Operation.dialect``); the framing checks (complete, framing, data-json,
incremental) to every stream, the Responses API's typed events included (their own checks:
conformance/checks/responses_stream.py). Pointers ``/events/<i>/...`` point into the stream's events, counted from 0.
The Content-Type (text/event-stream) is media.content-type's: a streamed request's success body
is that media type (``Operation.media``). The events are read only when it says so.

The stream's events are those of the types the reference defines for it (``CHUNK_STREAM``): events
of other types are legal, skipped by every check here, and only reported by stream.unknown-events.
"""

from __future__ import annotations

import json
from collections import defaultdict

from conformance import validation
from conformance.checks import chat, completions
from conformance.checks.base import Finding, Level, check, shorten
from conformance.checks.body import schema_findings
from conformance.operations import CHUNKS, EVENT_STREAM
from conformance.sse import DEFAULT_TYPE, DONE

SECTION = "Streaming"
CHAT_CHUNK = "chat.completion.chunk"
INCREMENTAL_MIN_EVENTS = 3
BUFFERED_SPREAD = 0.1
"""A stream whose events all arrive within this fraction of the wait for the first one was held back."""
UNKNOWN_EVENTS_SECTION = "Backward compatibility (adding new event types)"
ERROR_TYPE = "error"
RESPONSE_TYPES = "response."
CHUNK_STREAM = frozenset({DEFAULT_TYPE, ERROR_TYPE})
"""The event types of a chat or completions stream: unnamed (chunks, [DONE], an error object) and ``event: error``
(which the official SDK raises as an error, as it does an unnamed event carrying the error object)."""


def any_stream(ex) -> bool:
    """A success answer to a streamed request of an operation that streams, in either dialect."""
    return ex.stream is not None and ex.ok and ex.operation is not None and ex.operation.chunk is not None


def _streamed(ex) -> bool:
    """A streamed answer of an operation that streams chunks."""
    return any_stream(ex) and ex.operation.dialect == CHUNKS


def readable(ex) -> bool:
    """A streamed answer (either dialect) that arrived in full and says it is an event stream: its events can be judged.

    A stream cut short (stall, deadline, size bound) is stream.complete's finding alone: judging
    the part that arrived would only repeat it (no [DONE], no finish_reason) at length.
    """
    return any_stream(ex) and not ex.stream.interrupted and _media_type(ex) == EVENT_STREAM


def _event_stream(ex) -> bool:
    """A readable stream of chunks."""
    return readable(ex) and ex.operation.dialect == CHUNKS


def _media_type(ex) -> str:
    return ex.response.headers.get("content-type", "").split(";")[0].strip().lower()


def _request(ex) -> dict:
    return ex.request_json if isinstance(ex.request_json, dict) else {}


def _own(ex) -> list[int]:
    """The indices of the stream's own events (chunks, errors, [DONE]; a Responses stream's typed events): those of
    a type its reference defines. Every type the Responses reference documents starts with "response." or is "error"."""
    if ex.operation.dialect == CHUNKS:
        return ex.stream.defined(CHUNK_STREAM)
    return [i for i, event in enumerate(ex.stream.events) if event.type in CHUNK_STREAM or event.type.startswith(RESPONSE_TYPES)]


def _is_error(ex, i: int) -> bool:
    payload, kind = ex.stream.payloads[i], ex.stream.events[i].type
    return kind == ERROR_TYPE or (kind == DEFAULT_TYPE and isinstance(payload, dict) and ("error" in payload or payload.get("object") == "error"))


def _errors(ex) -> list[int]:
    return [i for i in range(len(ex.stream.events)) if _is_error(ex, i)]


def _chunks(ex) -> list[tuple[int, dict]]:
    """The unnamed JSON object events that are chunks (not errors), with their event index."""
    return [(i, ex.stream.payloads[i]) for i in ex.stream.defined(frozenset({DEFAULT_TYPE}))
            if isinstance(ex.stream.payloads[i], dict) and not _is_error(ex, i)]


def _choice_entries(ex) -> dict[int, list[tuple[str, dict]]]:
    """Per choice index, in order: (pointer, choice) of every chunk that carries that choice.

    A choice without an integer index (stream.chunk-schema's finding) is choice 0 when one choice was asked for
    and no chunk carries two; otherwise it is left out, and so are the checks of the choices (stream.choices):
    which choice it continues would be a guess.
    """
    entries = defaultdict(list)
    carried = [(i, chunk["choices"]) for i, chunk in _chunks(ex) if isinstance(chunk.get("choices"), list)]
    only = _asked(ex) == 1 and all(len(choices) <= 1 for _, choices in carried)
    for i, choices in carried:
        for j, choice in enumerate(choices):
            index = choice.get("index") if isinstance(choice, dict) else None
            if type(index) is int or (only and isinstance(choice, dict)):
                entries[index if type(index) is int else 0].append((f"/events/{i}/choices/{j}", choice))
    return entries


def _unplaced(ex) -> bool:
    """Some chunk's choice has no integer index, and it cannot be told which choice it continues."""
    placed = sum(len(entries) for entries in _choice_entries(ex).values())
    return placed < sum(len(chunk["choices"]) for _, chunk in _chunks(ex) if isinstance(chunk.get("choices"), list))


def _asked(ex) -> int:
    """How many choices the request asked for (per prompt, for completions)."""
    request = _request(ex)
    return chat.count(request.get("n")) if _is_chat(ex) else completions.choices_expected(request)


def _is_chat(ex) -> bool:
    return ex.operation.chunk == CHAT_CHUNK


def _delta(choice: dict) -> dict:
    delta = choice.get("delta")
    return delta if isinstance(delta, dict) else {}


def _text(ex, choice: dict) -> str:
    piece = _delta(choice).get("content") if _is_chat(ex) else choice.get("text")
    return piece if isinstance(piece, str) else ""


# --- framing -------------------------------------------------------------------------------


@check("stream.complete", Level.MUST, SECTION, applies=any_stream)
def stream_complete(ex, expect):
    """The stream arrives in full: no stall past the read timeout, no endless stream, no error instead of the answer."""
    if ex.stream.interrupted:
        yield Finding("a stream that ends within the timeouts and size bound", ex.stream.interrupted)
    if _event_stream(ex):
        for i in _errors(ex):
            yield Finding("a complete answer", f"the stream broke off with an error event: {shorten(ex.stream.events[i].data)}", f"/events/{i}")


@check("stream.framing", Level.MUST, "Streaming (server-sent events standard)", applies=readable)
def sse_framing(ex, expect):
    """The body is a well-formed event stream: UTF-8, every event ended by a blank line."""
    for violation in ex.stream.violations:
        yield Finding("server-sent-events framing", violation)


@check("stream.data-json", Level.MUST, SECTION, applies=readable)
def data_is_json_object(ex, expect):
    """Every event's data is one JSON object (the data: [DONE] sentinel aside)."""
    for i in _own(ex):
        payload = ex.stream.payloads[i]
        if payload is not DONE and not isinstance(payload, dict):
            yield Finding("one JSON object in the event's data", shorten(ex.stream.events[i].data) or "(empty data)", f"/events/{i}")


@check("stream.done", Level.MUST, SECTION, applies=_event_stream)
def ends_with_done(ex, expect):
    """The stream is terminated by a data: [DONE] event (or an error event), never silently."""
    payloads = ex.stream.payloads
    if DONE not in payloads and not _errors(ex):
        last = shorten(ex.stream.events[-1].data, 120) if payloads else "(no event)"
        yield Finding("data: [DONE] as the last event", f"the stream ended after {len(payloads)} event(s) without it; last: {last}")


@check("stream.after-done", Level.MUST, SECTION, applies=_event_stream)
def nothing_after_done(ex, expect):
    """data: [DONE] is the last event: nothing follows it."""
    payloads = ex.stream.payloads
    if DONE in payloads:
        after = payloads.index(DONE)
        for i in (i for i in _own(ex) if i > after):
            yield Finding("no event after data: [DONE]", shorten(ex.stream.events[i].data, 120), f"/events/{i}")


@check("stream.incremental", Level.SHOULD, SECTION, applies=lambda ex: readable(ex) and len(_own(ex)) >= INCREMENTAL_MIN_EVENTS)
def delivered_incrementally(ex, expect):
    """Events are delivered as they are generated, not held back and sent all at once at the end."""
    # Only the stream's own events: keep-alive pings sent while the chunks are held back change nothing.
    arrivals = [ex.stream.events[i].arrival for i in _own(ex)]
    wait, spread, reads = arrivals[0], arrivals[-1] - arrivals[0], len(set(arrivals))
    # Held back: every event in one or two reads, in a blink compared with the wait for the first.
    # A slow first token (a reasoning model) followed by a fast burst still arrives in many reads.
    if reads <= 2 and spread < BUFFERED_SPREAD * wait:
        yield Finding(
            "events spread over the generation",
            f"all {len(arrivals)} events arrived in {reads} read(s) within {spread * 1000:.1f} ms, after waiting {wait * 1000:.0f} ms for the first",
        )


@check("stream.error-event", Level.MUST, "Error object (ErrorResponse)", applies=_event_stream)
def error_event_shape(ex, expect):
    """An error after the stream started is an event carrying the error object {"error": {...}}."""
    objects = []
    for i in _errors(ex):
        if isinstance(ex.stream.payloads[i], dict):
            objects.append((f"/events/{i}", ex.stream.payloads[i]))
        else:
            yield Finding('{"error": {...}}', shorten(ex.stream.events[i].data), f"/events/{i}")
    yield from schema_findings(validation.validator("error"), objects, "error")


def unknown_events(ex, defined: frozenset[str], expected: str, consequence: str):
    """One finding per event type outside ``defined`` (for every stream's check of its event types)."""
    for kind, found in ex.stream.undefined(defined).items():
        sample = shorten(ex.stream.events[found[0]].data, 80) or "(empty data)"
        yield Finding(expected, f"{len(found)} event(s) of type {kind!r} (first: {sample}); {consequence}", f"/events/{found[0]}", UNKNOWN_EVENTS_SECTION)


@check("stream.unknown-events", Level.SHOULD, UNKNOWN_EVENTS_SECTION, applies=_event_stream)
def only_chunk_events(ex, expect):
    """Every event is a chunk, [DONE] or an error: other event types are legal, but clients of chat and completions streams do not expect them."""
    # A should, not a must: the reference lists new event types among backward-compatible changes.
    # Every other check skips them; this only warns, because the official Python SDK reads each as a
    # chunk (its choices None, which breaks a loop over chunk.choices) and fails on data that is not JSON.
    yield from unknown_events(ex, CHUNK_STREAM, "only events without an event: field (chunks, [DONE]) or event: error",
                              "legal, but the official Python SDK yields each as a chunk whose choices is None")


# --- chunk invariants ------------------------------------------------------------------------


@check("stream.chunk-schema", Level.MUST, "Response objects (schemas/)", applies=_event_stream)
def chunk_schema(ex, expect):
    """Every chunk validates against the JSON Schema of the operation's chunk object."""
    chunks = [(f"/events/{i}", chunk) for i, chunk in _chunks(ex)]
    yield from schema_findings(validation.validator(ex.operation.chunk), chunks, ex.operation.chunk, ex.operation.section)


@check("stream.same-ids", Level.MUST, SECTION, applies=_event_stream)
def identical_ids(ex, expect):
    """id, created and model are the same in every chunk of a stream."""
    for field in ("id", "created", "model"):
        chunks = [(i, chunk) for i, chunk in _chunks(ex) if chunk.get(field) is not None]  # a chunk without it: the schema's finding
        if not chunks:
            continue
        first = chunks[0][1].get(field)
        for i, chunk in chunks[1:]:
            if chunk.get(field) != first:
                yield Finding(f"{field} {first!r} as in the first chunk", repr(chunk.get(field)), f"/events/{i}/{field}")
                break


@check("stream.role", Level.MUST, "Chat > The chat completion chunk object", applies=lambda ex: _event_stream(ex) and _is_chat(ex))
def role_in_first_delta(ex, expect):
    """Each choice's first delta carries role "assistant"; later deltas may repeat it but not change it."""
    for index, entries in sorted(_choice_entries(ex).items()):
        (pointer, first), later = entries[0], entries[1:]
        if _delta(first).get("role") != "assistant":
            yield Finding('role "assistant" in the choice\'s first delta', repr(_delta(first).get("role")), f"{pointer}/delta/role")
        # Repeating the role is not forbidden by the reference (LiteLLM does it): only a change is a departure.
        changed = [(p, _delta(choice)["role"]) for p, choice in later if _delta(choice).get("role") not in (None, "assistant")]
        if changed:
            yield Finding('no role but "assistant" in later deltas', f"role {changed[0][1]!r} in {len(changed)} later delta(s)", f"{changed[0][0]}/delta/role")


@check("stream.role-once", Level.SHOULD, "Chat > The chat completion chunk object", applies=lambda ex: _event_stream(ex) and _is_chat(ex))
def role_not_repeated(ex, expect):
    """Only a choice's first delta carries the role; later deltas leave it out, as the reference's streams do."""
    # A should, not a must: a repeated "assistant" misleads no client that reads the first delta (LiteLLM repeats it).
    for index, entries in sorted(_choice_entries(ex).items()):
        repeated = [p for p, choice in entries[1:] if _delta(choice).get("role") is not None]
        if repeated:
            yield Finding("no role after the choice's first delta", f"role repeated in {len(repeated)} later delta(s)", f"{repeated[0]}/delta/role")


@check("stream.finish-reason", Level.MUST, SECTION, applies=lambda ex: _event_stream(ex) and not _errors(ex))
def finish_reason_once(ex, expect):
    """finish_reason is null (not "") until a choice's last chunk, which carries exactly one reason."""
    for index, entries in sorted(_choice_entries(ex).items()):
        early = [(p, c.get("finish_reason")) for k, (p, c) in enumerate(entries[:-1]) if c.get("finish_reason") is not None and not _repeated(entries, k)]
        for pointer, reason in early[:3]:
            yield Finding("null until the choice's last chunk", repr(reason), f"{pointer}/finish_reason")
        pointer, last = entries[-1]
        if last.get("finish_reason") is None:
            yield Finding(f"a finish_reason in choice {index}'s last chunk", "null: the choice never finished", f"{pointer}/finish_reason")


def _repeated(entries: list, k: int) -> bool:
    """The reason of chunk k is the choice's last one, repeated by empty chunks after it: the reference's
    legacy completions end a choice with a chunk of text "" that carries its finish_reason again."""
    reason = entries[k][1].get("finish_reason")
    return all(c.get("finish_reason") == reason and not c.get("text") and not _delta(c) for _, c in entries[k + 1:])


@check("stream.choices", Level.MUST, SECTION, applies=lambda ex: _event_stream(ex) and not _errors(ex))
def every_choice_streamed(ex, expect):
    """With n choices (per prompt, for completions), each index gets its own chunks and its own finish_reason."""
    if _unplaced(ex):
        return  # choices without an index: stream.chunk-schema's finding; how many there are is not said
    n = _asked(ex)
    seen = sorted(_choice_entries(ex))
    if seen != list(range(n)):
        others = ex.stream.undefined(CHUNK_STREAM)
        skipped = f" (events named {', '.join(map(repr, others))} are not chunks: a chunk has no event: field)" if others else ""
        yield Finding(f"chunks for choice indices {list(range(n))}", f"indices {seen}{skipped}", "/events")


@check("stream.tool-calls", Level.MUST, "Chat > The chat completion chunk object", applies=lambda ex: _event_stream(ex) and _is_chat(ex))
def tool_call_deltas(ex, expect):
    """Tool-call deltas carry index; a call's first delta has id, type and function.name; arguments join into JSON."""
    for choice_index, entries in sorted(_choice_entries(ex).items()):
        calls: dict[int, tuple[str, list[str]]] = {}
        for pointer, choice in entries:
            fragments = _delta(choice).get("tool_calls")
            for k, fragment in enumerate(fragments if isinstance(fragments, list) else []):
                at = f"{pointer}/delta/tool_calls/{k}"
                if not isinstance(fragment, dict) or not isinstance(fragment.get("index"), int):
                    yield Finding("an integer index on every tool-call delta", shorten(fragment), f"{at}/index")
                    continue
                function = fragment.get("function") if isinstance(fragment.get("function"), dict) else {}
                if fragment["index"] not in calls:
                    calls[fragment["index"]] = (at, [])
                    if not (isinstance(fragment.get("id"), str) and fragment.get("type") == "function" and isinstance(function.get("name"), str)):
                        yield Finding("id, type \"function\" and function.name in a call's first delta", shorten(fragment), at)
                arguments = function.get("arguments")
                if arguments is not None and not isinstance(arguments, str):
                    yield Finding("function.arguments as a string fragment", shorten(arguments), f"{at}/function/arguments")
                elif arguments:
                    calls[fragment["index"]][1].append(arguments)
        if entries[-1][1].get("finish_reason") == "length":
            continue  # arguments cut short by max_tokens are allowed to be incomplete JSON
        for at, parts in calls.values():
            try:
                json.loads("".join(parts))
            except ValueError:
                yield Finding("function.arguments fragments that join into valid JSON", shorten("".join(parts)), at)


@check("stream.tool-choice", Level.MUST, "Chat > Create chat completion", applies=lambda ex: _event_stream(ex) and _is_chat(ex) and not _errors(ex)
       and chat.forced_function(_request(ex)) is not None)
def tool_choice(ex, expect):
    """A forced tool_choice is obeyed in a stream too: "required" gives a tool call, a named function a call of that function."""
    forced = chat.forced_function(_request(ex))
    for entries in _choice_entries(ex).values():
        finish_reason = next((c.get("finish_reason") for _, c in reversed(entries) if c.get("finish_reason") is not None), None)
        if finish_reason is None:
            continue  # an unfinished choice: stream.finish-reason's finding
        deltas = [_delta(choice) for _, choice in entries]
        # A call is named in its first delta; a later delta's "name": null names nothing (stream.chunk-schema's finding).
        names = [f["function"]["name"] for d in deltas for f in d.get("tool_calls") or ()
                 if isinstance(f, dict) and isinstance(f.get("function"), dict) and f["function"].get("name") is not None]
        refusal = "".join(d["refusal"] for d in deltas if isinstance(d.get("refusal"), str))
        content = "".join(_text(ex, choice) for _, choice in entries)
        yield from chat.forced_calls(forced, entries[0][0], finish_reason, refusal, content, names)


@check("stream.usage", Level.MUST, "Chat > Create chat completion (stream_options)", applies=lambda ex: _event_stream(ex) and not _errors(ex))
def usage_chunk(ex, expect):
    """include_usage: one last chunk with choices [] and usage (total = prompt + completion), usage null elsewhere; else no usage."""
    chunks = _chunks(ex)
    with_usage = [(i, c) for i, c in chunks if c.get("usage") is not None]
    options = _request(ex).get("stream_options")
    if not (isinstance(options, dict) and options.get("include_usage") is True):
        for i, chunk in with_usage[:1]:
            yield Finding("no usage: stream_options.include_usage was not set", shorten(chunk["usage"]), f"/events/{i}/usage")
        return
    if not chunks or chunks[-1][1].get("usage") is None:
        yield Finding("a last chunk (before [DONE]) that carries usage", "no usage in the last chunk", f"/events/{chunks[-1][0]}" if chunks else "/events")
        return
    last, usage_chunk = chunks[-1]
    for i, _ in with_usage[:-1][:3]:
        yield Finding("usage null on every chunk but the last", "a usage object", f"/events/{i}/usage")
    if usage_chunk.get("choices") != []:
        yield Finding("choices [] in the usage chunk", shorten(usage_chunk.get("choices")), f"/events/{last}/choices")
    usage = usage_chunk["usage"]
    parts = [usage.get(k) for k in ("prompt_tokens", "completion_tokens", "total_tokens")] if isinstance(usage, dict) else []
    if len(parts) == 3 and all(isinstance(p, int) for p in parts) and parts[0] + parts[1] != parts[2]:
        yield Finding(f"total_tokens {parts[0] + parts[1]}", str(parts[2]), f"/events/{last}/usage/total_tokens")


@check("stream.same-content", Level.SHOULD, SECTION, applies=lambda ex: _event_stream(ex) and not _errors(ex),
       within=lambda expect: expect.same_as is not None)
def same_as_unstreamed(ex, expect):
    """A deterministic target streams the same content it answers without streaming."""
    baseline = expect.same_as
    if not isinstance(baseline.data, dict) or not isinstance(baseline.data.get("choices"), list):
        return
    streamed = {index: "".join(_text(ex, c) for _, c in entries) for index, entries in _choice_entries(ex).items()}
    for choice in baseline.data["choices"]:
        if not isinstance(choice, dict):
            continue
        wanted = (choice.get("message") or {}).get("content") if _is_chat(ex) else choice.get("text")
        seen = streamed.get(choice.get("index"))
        if isinstance(wanted, str) and seen is not None and seen != wanted:
            yield Finding(f"the unstreamed content {shorten(wanted, 120)!r}", repr(shorten(seen, 120)), f"/choices/{choice.get('index')}")

"""A strict server-sent-events reader, and the record of one streamed response.

We do not use httpx-sse or the official SDK's ``SSEDecoder``: both are lenient by design, as
clients should be. A stream that ends without a blank line loses its last event silently, bytes
that are not UTF-8 are replaced without a word, and neither reports anything about the framing.
A conformance suite needs exactly those facts, and the arrival time of every event, so this reader
follows the WHATWG "event stream interpretation" algorithm and records each departure from it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

DONE = "[DONE]"
"""The data of the event that ends an OpenAI stream."""
DEFAULT_TYPE = "message"
"""The type of an event without an ``event:`` field (the standard's default)."""
_BOM = "\ufeff"


class Event(NamedTuple):
    # A tuple, not a frozen dataclass: building one per event is the reader's main cost.
    data: str
    type: str = DEFAULT_TYPE
    """The ``event:`` field, or "message" when there is none."""
    id: str | None = None
    """The last event id seen so far (an ``id:`` field applies to the events that follow too)."""
    arrival: float = 0.0
    """Seconds from sending the request to receiving the blank line that dispatched the event."""


class Reader:
    """Incremental: ``feed`` bytes as they arrive, then ``close`` at the end of the stream."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.violations: list[str] = []
        self._pending = b""
        """Bytes after the last line break: an incomplete line."""
        self._after_cr = False
        self._started = False
        self._data: list[str] = []
        self._type = ""
        self._id: str | None = None

    def feed(self, chunk: bytes, arrival: float = 0.0) -> None:
        # CR, LF and CRLF all end a line. A CR that ends a read ends its line now; an LF that
        # starts the next read is then the second half of that CRLF, not another (blank) line.
        if self._after_cr and chunk[:1] == b"\n":
            chunk = chunk[1:]
        self._after_cr = chunk.endswith(b"\r")
        buffer = self._pending + chunk
        if b"\r" in buffer:
            buffer = buffer.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        cut = buffer.rfind(b"\n")
        if cut < 0:
            self._pending = buffer
            return
        self._pending = buffer[cut + 1:]
        self._lines(self._decode(buffer[:cut]), arrival)

    def close(self) -> None:
        """End of stream: an incomplete line and an event without its blank line are never dispatched."""
        if self._pending or self._data:
            shown = self._pending.decode("utf-8", "replace") if self._pending else "\\n".join(self._data)
            self.violations.append(
                f"the stream ended without the blank line that ends an event, so a client drops it: {shown[:120]!r}"
            )
        self._pending, self._data, self._type = b"", [], ""

    def _decode(self, raw: bytes) -> str:
        # Split at line breaks first: a UTF-8 sequence never contains CR or LF bytes.
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            self.violations.append(f"bytes that are not UTF-8 ({error.reason} at {error.object[error.start:error.end]!r}); a client sees U+FFFD")
            text = raw.decode("utf-8", "replace")
        if not self._started:
            self._started = True
            if text.startswith(_BOM):  # the standard allows one leading byte order mark
                text = text[1:]
        return text

    def _lines(self, text: str, arrival: float) -> None:
        # The hot loop of the benchmark: locals instead of attributes.
        data, kind, last_id, events = self._data, self._type, self._id, self.events
        for line in text.split("\n"):
            if line[:6] == "data: ":  # the common case first
                data.append(line[6:])
                continue
            if not line:
                if data:
                    events.append(Event("\n".join(data), kind or DEFAULT_TYPE, last_id, arrival))
                    data = []
                kind = ""
                continue
            if line[0] == ":":
                continue  # a comment, e.g. ": keep-alive"
            name, _, value = line.partition(":")
            if value[:1] == " ":
                value = value[1:]
            if name == "data":
                data.append(value)
            elif name == "event":
                kind = value
            elif name == "id":
                if "\0" not in value:
                    last_id = value
            # "retry" and unknown fields change nothing a single read of a stream can observe.
        self._data, self._type, self._id = data, kind, last_id


NOT_JSON = object()
"""Stands for the data of an event that is not JSON."""


@dataclass(frozen=True)
class Stream:
    """What arrived of a streamed response body: its chunks with their arrival times, and why it stopped early."""

    chunks: tuple[tuple[float, bytes], ...]
    interrupted: str | None = None
    """Why reading stopped before the server ended the body (stall, deadline, size bound, broken connection)."""

    @cached_property
    def _read(self) -> Reader:
        reader = Reader()
        for arrival, chunk in self.chunks:
            reader.feed(chunk, arrival)
        if self.interrupted is None:
            reader.close()
        return reader

    @property
    def events(self) -> list[Event]:
        return self._read.events

    @property
    def violations(self) -> list[str]:
        """Framing violations, in the order they were met."""
        return self._read.violations

    @cached_property
    def payloads(self) -> list[object]:
        """Each event's data parsed as JSON (``NOT_JSON`` when it is not; the ``[DONE]`` event as ``DONE``)."""
        parsed: list[object] = []
        for event in self.events:
            if event.data == DONE:
                parsed.append(DONE)
                continue
            try:
                parsed.append(json.loads(event.data))
            except ValueError:
                parsed.append(NOT_JSON)
        return parsed

    def defined(self, types: frozenset[str]) -> list[int]:
        """Indices of the events of ``types``, the event types the stream's reference defines; only these are its events.

        The reference counts new event types among backward-compatible changes, so an event of any other
        type (``event: ping``) is legal: it is never judged as one of the stream's events (a chunk, an
        error), whatever its data; ``undefined`` lists it, for at most a warning.
        """
        return [i for i, event in enumerate(self.events) if event.type in types]

    def undefined(self, types: frozenset[str]) -> dict[str, list[int]]:
        """The indices of the events of each type not in ``types``, by type, in the order met."""
        found: dict[str, list[int]] = {}
        for i, event in enumerate(self.events):
            if event.type not in types:
                found.setdefault(event.type, []).append(i)
        return found

    @property
    def size(self) -> int:
        return sum(len(chunk) for _, chunk in self.chunks)

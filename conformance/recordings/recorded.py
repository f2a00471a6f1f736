"""One recorded exchange as a reader hands it over: the request and the answer as the recording holds them.

Readers (one module per format beside this one) only transcribe; what the recorder changed (redacted or
dropped headers, decoded bodies) is told apart from the API's own answer by conformance/recordings/lost.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePath

from conformance.websocket import Session

Headers = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Recorded:
    file: str
    """The recording's path, as given on the command line."""
    index: int
    """The exchange's position in that file, counted from 0 over every exchange it holds (OpenAI's or not)."""
    method: str
    url: str
    request_headers: Headers
    request_body: bytes
    status: int
    response_headers: Headers
    """Empty when the recording keeps no response header at all."""
    response_body: bytes
    """As the recording holds it: text the recorder decoded, or bytes still in their content coding."""
    redacted: frozenset[str] = frozenset()
    """Lower-case names of response headers the recording's metadata says the recorder replaced."""
    origin: dict | None = field(default=None, compare=False)
    """Where the exchange was first recorded, when the file says (the ``source`` of a JSON Lines row)."""
    cut: frozenset[str] = frozenset()
    """``request``, ``response``: the bodies the recorder kept only the start of (``meta.cut`` of a JSON Lines row)."""
    arrivals: tuple[tuple[float, int], ...] = ()
    """When each piece of the response body arrived (seconds after the request, bytes), when the recorder kept it."""
    socket: Session | None = field(default=None, compare=False)
    """For a WebSocket session (a 101 answer): its frames each way and how it closed."""

    @property
    def label(self) -> str:
        """``name#index``: how case ids name the exchange (the file's name; results.json keeps its path)."""
        return f"{PurePath(self.file).name}#{self.index}"


def header_pairs(headers: object) -> Headers:
    """(name, value) pairs from a mapping of name to a value or a list of values, or from HAR's [{name, value}]."""
    if isinstance(headers, dict):
        items = headers.items()
    elif isinstance(headers, list):
        items = ((h.get("name"), h.get("value")) for h in headers if isinstance(h, dict))
    else:
        return ()
    pairs = []
    for name, value in items:
        for one in value if isinstance(value, list) else [value]:
            if name is not None and one is not None:
                pairs.append((str(name), str(one)))
    return tuple(pairs)


def body_bytes(body: object) -> bytes:
    if body is None:
        return b""
    return body if isinstance(body, bytes) else str(body).encode("utf-8")

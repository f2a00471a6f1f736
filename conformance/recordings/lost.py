"""What a recorder lost, told apart from what the API sent: a recorded exchange becomes the suite's
``Exchange`` with only the evidence in it, and says what could not be judged and why.

- Headers the recorder redacted (``X-REQUEST-ID-XXX``, ``<filtered>``, ``[REDACTED]``, names the
  recording's metadata lists) are left out of the exchange, and a finding about them is not evidence.
- A recording that keeps no response header is not judged on headers; its Content-Type, which the
  stream and JSON checks read, is taken from its body.
- A body still in its content coding (a cassette's gzip bytes) is decoded; one the recorder decoded while
  ``Content-Encoding`` stayed is taken as it is (never decoded twice, never a content-coding finding).
- JSON the recorder re-serialised (pretty-printed) reads the same to every check: no check judges
  a body's whitespace.
- A header recorded several times (Set-Cookie aside) holds other headers' values in recordings whose
  recorder merged them (``openai-processing-ms: 9693, proj_…``): not evidence either.
- A recording that keeps no arrival times (most do not; the proxy's do) is not judged on whether a stream
  was delivered incrementally.
- A body the recorder kept only the start of (the proxy's limit) is judged on its status and headers alone.
"""

from __future__ import annotations

import gzip
import json
import re
import zlib
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import httpx

from conformance import sse
from conformance.checks import REGISTRY, Finding
from conformance.exchange import MIN_REDACTED_LENGTH, Exchange
from conformance.history import History
from conformance.recordings.recorded import Recorded

_REDACTED = re.compile(r"[\w-]*-XXX|<?\[?(filtered|redacted|removed|scrubbed|hidden)\]?>?|\*+", re.IGNORECASE)
"""Values recorders put in place of a header's: crewAI's ``X-REQUEST-ID-XXX``, VCR.py's ``<filtered>``,
Polly.js's ``[REDACTED]``, asterisks."""
_REPEATABLE = {"set-cookie"}
HEADER_CHECKS = ("headers.", "http.content-type", "media.content-type")
"""Checks that judge response headers: none of them runs on a recording that keeps no header."""
TIMING_CHECKS = ("stream.incremental",)
"""Checks that judge when bytes arrived, which most recordings do not keep."""
STATUS_AND_HEADER_CHECKS = ("http.status", *HEADER_CHECKS)
"""What a recording whose body was cut is judged on."""


class UnreadableBody(Exception):
    """A body in a content coding this installation cannot decode (brotli without the brotli package)."""


@dataclass(frozen=True)
class Judged:
    """A recorded exchange ready for the checks: what to skip, which findings are not evidence, and why."""

    exchange: Exchange
    skip: tuple[str, ...]
    lost_headers: frozenset[str]
    not_judged: dict[str, str]
    """What could not be judged -> why (the reports show it)."""

    def evidence(self, finding: Finding) -> bool:
        """Whether a finding rests on what the API sent (not on a header the recorder redacted)."""
        return not (finding.pointer.startswith("header:") and finding.pointer.removeprefix("header:").lower() in self.lost_headers)


def judged(recorded: Recorded, path: str, history: History | None) -> Judged:
    """``path``: the request path relative to the API's base; ``history``: the recording's earlier exchanges."""
    not_judged: dict[str, str] = {}
    kept, redacted = [], set()
    for name, value in recorded.response_headers:
        if name.lower() in recorded.redacted or redacted_value(value):
            redacted.add(name.lower())
        else:
            kept.append((name, value))
    if redacted:
        not_judged["redacted headers"] = ", ".join(sorted(redacted)) + ": the recorder replaced their values"
    names = [name.lower() for name, _ in kept]
    if merged := {name for name in names if names.count(name) > 1} - _REPEATABLE:
        not_judged["merged headers"] = ", ".join(sorted(merged)) + ": recorded several times, a recorder merged other headers' values into them"
        kept = [(name, value) for name, value in kept if name.lower() not in merged]
    lost = redacted | merged
    coding = _header(recorded.response_headers, "content-encoding")
    # A cut body is not judged, so not decoded either (a cut gzip stream does not decode).
    body, coding_note = (recorded.response_body, None) if "response" in recorded.cut else _decoded(recorded.response_body, coding)
    if coding_note:
        not_judged["content-encoding"] = coding_note
    timed = bool(recorded.arrivals) and body is recorded.response_body  # the times count the bytes as they came, not decoded
    skip = [] if timed else list(TIMING_CHECKS)
    if recorded.cut:
        not_judged["body"] = f"the recorder kept only the start of the {' and '.join(sorted(recorded.cut))} body: only the status and headers are judged"
        skip += [check for check in REGISTRY if not check.startswith(STATUS_AND_HEADER_CHECKS)]
    if not recorded.response_headers:
        not_judged["response headers"] = "the recording keeps none (its content type is taken from its body)"
        skip += [check for check in REGISTRY if check.startswith(HEADER_CHECKS)]
        if content_type := _content_type(body):
            kept.append(("content-type", content_type))
    request = httpx.Request(recorded.method, recorded.url, headers=list(recorded.request_headers), content=recorded.request_body)
    response = httpx.Response(recorded.status, headers=kept, request=request)
    response._content = body  # as transport.py does: the body as read, never decoded again by its Content-Encoding
    stream = None
    if _asks_to_stream(request):
        stream = sse.Stream(_pieces(body, recorded.arrivals) if timed else ((0.0, body),))
        if not timed:
            not_judged["stream.incremental"] = "a recording keeps no arrival times"
    exchange = Exchange(request, path, response, stream=stream, socket=recorded.socket, history=history, secrets=_secrets(request),
                        source={"file": recorded.file, "index": recorded.index, **({"origin": recorded.origin} if recorded.origin else {}),
                                "not_judged": not_judged})
    return Judged(exchange, tuple(skip), frozenset(lost), not_judged)


def _pieces(body: bytes, arrivals: tuple[tuple[float, int], ...]) -> tuple[tuple[float, bytes], ...]:
    """The body in the pieces it arrived in, each with its arrival time."""
    pieces, start = [], 0
    for arrival, size in arrivals:
        pieces.append((arrival, body[start:start + size]))
        start += size
    return tuple(pieces)


def redacted_value(value: str) -> bool:
    return bool(_REDACTED.fullmatch(value.strip()))


def _header(headers, name: str) -> str:
    return ", ".join(v for n, v in headers if n.lower() == name).lower()


def _decoded(body: bytes, coding: str) -> tuple[bytes, str | None]:
    """The body decoded from its content coding if it is still in it, and a note on what the recorder did."""
    if not coding or coding == "identity":
        return body, None
    try:
        if body[:2] == b"\x1f\x8b":
            return gzip.decompress(body), None
        if coding == "deflate" and body[:1] == b"\x78":
            return zlib.decompress(body), None
    except (OSError, EOFError, zlib.error) as error:
        raise UnreadableBody(f"the body does not decode as its Content-Encoding {coding!r} says: {error}") from None
    if coding == "br" and not _is_text(body):
        try:
            import brotli  # optional: httpx's own br support uses it too
        except ImportError:
            raise UnreadableBody("the body is brotli-compressed and the brotli package is not installed") from None
        return brotli.decompress(body), None
    return body, f"{coding} kept on a body the recorder decoded: the body is judged as recorded"


def _is_text(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _content_type(body: bytes) -> str | None:
    """The media type a body shows it has: for a recording that kept no header."""
    text = body.lstrip()
    if text[:5] in (b"data:", b"event") or text[:1] == b":":
        return "text/event-stream"
    try:
        json.loads(body)
    except ValueError:
        return None
    return "application/json"


def _asks_to_stream(request: httpx.Request) -> bool:
    """Read as the suite reads a streamed request's answer: ``stream: true`` in the body or ``stream=true`` in the query."""
    if parse_qs(urlsplit(str(request.url)).query).get("stream") == ["true"]:
        return True
    try:
        body = json.loads(request.content)
    except ValueError:
        return False
    return isinstance(body, dict) and body.get("stream") is True


def _secrets(request: httpx.Request) -> tuple[str, ...]:
    """A key a recording kept in Authorization (a test key, a real one): redacted from every report."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip() if scheme.lower() == "bearer" else ""
    return (token,) if len(token) >= MIN_REDACTED_LENGTH and not redacted_value(token) else ()

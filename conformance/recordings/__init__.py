"""Recorded traffic (cassettes, HAR files, JSON Lines of exchanges) read into ``Recorded`` exchanges for
``openai-conformance judge``: one small reader per format, told apart by content, not by file name.

``read`` keeps the exchanges with an OpenAI API path; conformance/recordings/lost.py turns each into the
suite's ``Exchange`` and says what the recorder lost; conformance/recordings/session.py judges them.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from urllib.parse import urlsplit

from conformance.recordings import har, jsonl, vcr
from conformance.recordings.recorded import Recorded

FORMATS = "HAR 1.2, VCR.py cassettes (YAML or JSON), JSON Lines of exchanges (gzip or plain), request-response JSON"


class RecordingError(Exception):
    """A file that cannot be judged: one line, exit code 2."""


def read(path: str) -> tuple[str, list[Recorded]]:
    """The format's name and every exchange of the file, OpenAI's or not (the index counts them all)."""
    try:
        raw = Path(path).read_bytes()
    except OSError as error:
        raise RecordingError(f"cannot read {path}: {error.strerror or error}") from None
    try:
        text = (gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw).decode("utf-8-sig")
        return _parse(text, path)
    except RecordingError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError, OSError, EOFError) as error:
        raise RecordingError(f"{path}: not a recording this suite reads ({FORMATS}): {error}") from None


def _parse(text: str, path: str) -> tuple[str, list[Recorded]]:
    if text.lstrip()[:1] in ("{", "["):
        try:
            document = json.loads(text)
        except ValueError:
            return "JSON Lines", jsonl.read_lines(text, path)
        if isinstance(document, dict) and isinstance(document.get("log"), dict):
            return "HAR", har.read(document, path)
        if isinstance(document, dict) and "interactions" in document:  # VCR.py's JSON serializer
            return "VCR.py cassette", vcr.read(document, path)
        if isinstance(document, dict) and "request" in document and "response" in document:
            return "request-response JSON", jsonl.read([document], path)
        if isinstance(document, list):
            return "request-response JSON", jsonl.read(document, path)
    else:
        document = vcr.parse(text)
        if isinstance(document, dict) and "interactions" in document:
            return "VCR.py cassette", vcr.read(document, path)
    raise RecordingError(f"{path}: not a recording this suite reads ({FORMATS})")


def api_path(url: str, base_url: str | None) -> str | None:
    """The path relative to the API's base (``/chat/completions``), or ``None`` when the URL is not an API call.

    Without ``base_url``: any host, the path after its ``/v1`` segment.
    """
    if base_url is not None:
        base = base_url.rstrip("/")
        rest = url[len(base):] if url.startswith(base) else None
        if rest is None or rest[:1] not in ("/", "?", ""):
            return None  # another host, or a longer path segment (…/v1beta for a base …/v1)
        return rest.split("?", 1)[0] or "/"
    path = urlsplit(url).path
    _, found, tail = path.partition("/v1/")
    return "/" + tail if found and tail else None

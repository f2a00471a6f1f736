"""A recorded exchange: the request the suite sent and what came back (or why nothing did)."""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field
from functools import cached_property

import httpx

from conformance import operations, sse
from conformance import websocket as ws
from conformance.history import History
from conformance.steps import CannotContinue

# httpx adds these itself; a reproducing curl does not need them.
_IMPLICIT_HEADERS = {"host", "accept", "accept-encoding", "connection", "user-agent", "content-length"}
KEY_PLACEHOLDER = "$OPENAI_API_KEY"
MIN_REDACTED_LENGTH = 8
"""Shorter secrets (test keys like "k") are only hidden in the Authorization header: replacing
them everywhere would mangle every body that happens to contain the same letters."""


@dataclass(frozen=True)
class Upload:
    """A file sent in a multipart request: its form field, file name, size and SHA-256 (not its bytes)."""

    field: str
    filename: str
    size: int
    sha256: str = ""


@dataclass(frozen=True)
class Exchange:
    request: httpx.Request
    path: str
    """The request path relative to the base URL, e.g. ``/models/gpt-4o-mini``."""
    response: httpx.Response | None
    transport_error: str | None = None
    elapsed: float = 0.0
    secrets: tuple[str, ...] = field(default=(), repr=False)
    form: dict[str, str] = field(default_factory=dict)
    """The plain fields of a multipart request."""
    uploads: tuple[Upload, ...] = ()
    stream: sse.Stream | None = None
    """For a streamed request (``api.stream``): what arrived of the body, chunk by chunk."""
    socket: ws.Session | None = None
    """For a WebSocket session (``api.socket``): every frame each way, and how it ended; the exchange's request
    is the opening handshake and its response the server's answer to it (101 when the socket opened)."""
    turn: int | None = None
    """For the answer to one event the suite sent on a socket (a Responses ``response.create``): its number, from 0.
    Such an exchange is derived from the session (``socket``): its request is the HTTP request the event stands
    for, its response what the server sent back for it (conformance/responses_socket.py)."""
    history: History | None = field(default=None, repr=False, compare=False)
    """The earlier exchanges of this session, for checks that compare across exchanges."""
    retries: tuple[str, ...] = ()
    """The 429 answers resent before this one (conformance/transport.py), one note each: the report shows them."""
    source: dict | None = field(default=None, compare=False)
    """For an exchange read from a recording (conformance/recordings/): its ``file`` and ``index``, and
    ``not_judged``, what the recording could not tell and why; results.json shows it."""

    @cached_property
    def _operation(self) -> tuple[operations.Operation | None, dict[str, str]]:
        return operations.match(self.request.method, self.path)

    @property
    def operation(self) -> operations.Operation | None:
        return self._operation[0]

    @property
    def path_params(self) -> dict[str, str]:
        return self._operation[1]

    @property
    def status(self) -> int | None:
        return None if self.response is None else self.response.status_code

    @property
    def ok(self) -> bool:
        """A 2xx answer, or a socket that opened (101 Switching Protocols)."""
        return self.status is not None and (200 <= self.status < 300 or (self.socket is not None and self.status == 101))

    @property
    def failed(self) -> bool:
        """A response arrived and it is not a success."""
        return self.status is not None and not self.ok

    @cached_property
    def request_json(self) -> object:
        try:
            return json.loads(self.request.content)
        except ValueError:
            return None

    @property
    def params(self) -> dict:
        """The request's parameters: its JSON object body, or the fields of its multipart form."""
        return self.request_json if isinstance(self.request_json, dict) else dict(self.form)

    @property
    def media(self) -> operations.Media | None:
        """What the success body must be, for this operation and these parameters."""
        return None if self.operation is None else self.operation.media(self.params)

    @cached_property
    def data(self) -> object:
        """The response body parsed as JSON, or ``None`` when there is none or it is not JSON."""
        if self.response is None:
            return None
        try:
            return json.loads(self.response.content)
        except ValueError:
            return None

    def needed(self, name: str | None = None, kind: type | tuple[type, ...] = str) -> object:
        """What a later step of the case takes from this answer: the 2xx JSON object, or its field ``name`` of type ``kind``.

        An answer without it ends the case there (CannotContinue: conformance/steps.py), with the failures found so far."""
        body = self.data if self.ok and isinstance(self.data, dict) else None
        if body is None:
            answered = f"HTTP {self.status}" if self.response is not None else f"no answer ({self.transport_error})"
            raise CannotContinue(f"{self.description} answered {answered}, not a 2xx JSON object, and the case's next step needs it")
        if name is None:
            return body
        if not isinstance(value := body.get(name), kind):
            raise CannotContinue(f"{self.description}: its answer's {name} is {json.dumps(value)[:80]}, and the case's next step needs it")
        return value

    @property
    def description(self) -> str:
        """The request in a few words, for a message that points back at this exchange."""
        client_id = self.request.headers.get("x-client-request-id", "-")
        return f"{self.request.method} {self.path} (x-client-request-id: {client_id})"

    @property
    def request_id(self) -> str | None:
        return self.header("x-request-id")

    def header(self, name: str) -> str | None:
        """A response header by name, repeated ones joined with ", " as httpx does; ``None`` when absent or unanswered."""
        return self._headers.get(name.lower())

    @cached_property
    def _headers(self) -> dict[str, str]:
        # httpx scans its header list on every lookup, and the checks make some thirty per exchange.
        headers: dict[str, str] = {}
        for name, value in () if self.response is None else self.response.headers.multi_items():
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        return headers

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            if len(secret) >= MIN_REDACTED_LENGTH:
                text = text.replace(secret, KEY_PLACEHOLDER)
        return text

    def curl(self) -> str:
        """A shell command that reproduces the request, the key left to the environment: for a socket, websocat
        sending the frames the suite sent, one per line."""
        if self.socket is not None:
            return self._websocat()
        parts = ["curl", "-X", self.request.method, shlex.quote(self.redact(str(self.request.url)))]
        if self.stream is not None:
            parts.insert(1, "-N")  # curl then prints the events as they arrive
        multipart = bool(self.form or self.uploads)
        for name, value in self.request.headers.items():
            if name.lower() in _IMPLICIT_HEADERS or (multipart and name.lower() == "content-type"):
                continue  # with -F, curl writes its own multipart Content-Type and boundary
            if name.lower() == "authorization" and any(s and s in value for s in self.secrets):
                # Double quotes so the shell expands the variable: the key itself is never printed.
                scheme = value.split(" ", 1)[0]
                parts += ["-H", f'"{name}: {scheme} {KEY_PLACEHOLDER}"']
            else:
                parts += ["-H", shlex.quote(self.redact(f"{name}: {value}"))]
        if multipart:
            # Files are named, not inlined: the reader supplies a file of that name.
            parts += [f for name, value in self.form.items() for f in ("-F", shlex.quote(self.redact(f"{name}={value}")))]
            parts += [f for u in self.uploads for f in ("-F", shlex.quote(f"{u.field}=@{u.filename}"))]
        elif self.request.content:
            body = self.redact(self.request.content.decode("utf-8", errors="surrogateescape"))
            if not _UNPRINTABLE.search(body):
                parts += ["--data-raw", shlex.quote(body)]
            else:  # a command line cannot hold a NUL, nor a terminal show other control bytes: printf writes them
                return f"printf {shlex.quote(_printf_format(body))} | " + " ".join([*parts, "--data-binary", "@-"])
        return " ".join(parts)

    def _websocat(self) -> str:
        parts = ["websocat", "-n"]  # -n: no close frame when the input ends, so the answers to the last frame arrive
        for name, value in self.request.headers.items():
            if name.lower() in _IMPLICIT_HEADERS or name.lower() in ws.SET_BY_WEBSOCKETS:
                continue
            if name.lower() == "authorization" and any(s and s in value for s in self.secrets):
                scheme = value.split(" ", 1)[0]
                parts += ["-H", f'"{name}: {scheme} {KEY_PLACEHOLDER}"']
            else:
                parts += ["-H", shlex.quote(self.redact(f"{name}: {value}"))]
        parts.append(shlex.quote(self.redact(ws.ws_url(self.request.url))))
        sent = [self.redact(f.data) for f in self.socket.sent if isinstance(f.data, str)]
        if not sent:
            return " ".join(parts)
        return "printf '%s\\n' " + " ".join(shlex.quote(text) for text in sent) + " | " + " ".join(parts)


_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\udc80-\udcff]")
"""Control characters but tab and line ends, and bytes that are not UTF-8 (kept as surrogates by the decoding)."""


def _printf_format(text: str) -> str:
    """``text`` as a printf format that writes its exact bytes: control characters and non-UTF-8 bytes in octal."""
    def byte(char: str) -> str:
        code = ord(char)
        if char in "%\\":
            return char * 2
        if code < 0x20 or code == 0x7F:
            return f"\\{code:03o}"
        return f"\\{code - 0xDC00:03o}" if 0xDC80 <= code <= 0xDCFF else char

    return "".join(byte(c) for c in text)

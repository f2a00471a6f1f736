"""Each exchange the proxy forwarded: written, key redacted, as a line of the JSON Lines file ``judge`` reads,
then judged from that line as ``judge`` judges it (conformance/recordings/session.py's ``Recording.prepare``),
its departures printed the first time they appear.

The reports are ``judge``'s over that file (conformance/proxy/command.py), so what is printed live and what
the reports say come from the same line through the same checks. Judging runs in a thread of its own: the
forwarding never waits for a verdict.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import queue
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO
from urllib.parse import urlsplit

from conformance import api, recordings
from conformance.exchange import KEY_PLACEHOLDER, MIN_REDACTED_LENGTH
from conformance.proxy.forward import Body, Captured
from conformance.recordings import jsonl
from conformance.recordings.session import NotJudged, Recording
from conformance.reporting import departures, record, results

KEPT_CREATES = 1000
"""Stored responses' creates a later GET or next turn is judged against: the latest ones (memory stays bounded)."""
CASE_ID = "cases.py::test_recorded[{label}]"
"""The id ``judge`` gives the exchange's case, so a departure folds here as it does in the reports."""


class Live:
    def __init__(self, upstream: str, exchanges: Path, out: TextIO = sys.stderr) -> None:
        self.exchanges = exchanges
        self.count = 0
        self._upstream = upstream
        self._file = exchanges.open("w", encoding="utf-8")  # a report directory holds one session's exchanges
        self._out = out
        self._recording = Recording(keep=KEPT_CREATES)
        self._printed: set[str] = set()
        self._writing = threading.Lock()
        self._queue: queue.Queue[Captured] = queue.Queue()
        threading.Thread(target=self._work, name="conformance-proxy-judge", daemon=True).start()

    def submit(self, captured: Captured) -> None:
        """Called by the forwarding (in the event loop): returns at once."""
        self._queue.put(captured)

    @contextmanager
    def settled(self) -> Iterator[int]:
        """Every exchange submitted so far written and judged, and no other written until the block ends (while
        the reports read the file: forwarding goes on, the exchanges wait). Yields how many are written."""
        self._queue.join()
        with self._writing:
            yield self.count

    def _work(self) -> None:
        while True:
            captured = self._queue.get()
            try:
                self._take(captured)
            except Exception as error:  # a verdict lost is said; the proxy goes on forwarding
                self._say(f"the suite failed judging {captured.method} {urlsplit(captured.url).path}: {type(error).__name__}: {error}")
            finally:
                self._queue.task_done()

    def _take(self, captured: Captured) -> None:
        line = row(captured)
        with self._writing:
            self._file.write(json.dumps(line) + "\n")
            self._file.flush()
            recorded = dataclasses.replace(jsonl.read([line], str(self.exchanges))[0], index=self.count)
            self.count += 1
        path = recordings.api_path(recorded.url, self._upstream)
        try:
            judged, expect = self._recording.prepare(recorded, path)
        except NotJudged as why:
            self._say(f"{recorded.method} {path} ({recorded.label}): not judged: {why}")
            return
        outcomes = api.judge(judged.exchange, expect, {}, judged.skip, judged.evidence)
        case = results.case(CASE_ID.format(label=recorded.label), judged.exchange, record.check_records(judged.exchange, outcomes))
        for departure in departures.fold([case]):
            if departure["signature"] not in self._printed:
                self._printed.add(departure["signature"])
                self._say(f"{departure['level']:<6} {departure['check']}  {departure['summary']}  ({recorded.label})")

    def _say(self, text: str) -> None:
        print(f"openai-conformance proxy: {text}", file=self._out, flush=True)


def row(captured: Captured) -> dict:
    """The exchange as a line of the JSON Lines format (docs/judge.md), its credentials redacted as reports redact them."""
    secrets = _secrets(captured.request_headers)
    response = captured.response_body
    line = {
        "request": {"method": captured.method, "url": _redact(captured.url, secrets),
                    "headers": _headers(captured.request_headers, secrets), **_body(captured.request_body, secrets)},
        "response": {"status": captured.status, "headers": _headers(captured.response_headers, secrets), **_body(response, secrets),
                     "arrivals": [[round(arrival, 6), len(chunk)] for arrival, chunk in response.chunks]},
    }
    if cut := {part: body.limit for part, body in (("request", captured.request_body), ("response", response)) if body.cut}:
        line["meta"] = {"cut": cut}
    return line


def _secrets(headers: list[tuple[str, str]]) -> list[str]:
    """The credentials the client sent: the token of each credential header (after its scheme, if it has one)."""
    found = []
    for name, value in headers:
        if name.lower() in record.CREDENTIAL_HEADERS:
            scheme, _, token = value.strip().partition(" ")
            found.append(token.strip() or scheme)
    return [secret for secret in found if secret]


def _headers(headers: list[tuple[str, str]], secrets: list[str]) -> dict[str, str | list[str]]:
    kept: dict[str, str | list[str]] = {}
    for name, value in headers:
        value = record.header_value(name, value, secrets, lambda text: _redact(text, secrets))
        if name in kept:
            kept[name] = [*(kept[name] if isinstance(kept[name], list) else [kept[name]]), value]
        else:
            kept[name] = value
    return kept


def _body(body: Body, secrets: list[str]) -> dict:
    content = body.content
    for secret in secrets:
        if len(secret) >= MIN_REDACTED_LENGTH:
            content = content.replace(secret.encode(), KEY_PLACEHOLDER.encode())
    try:
        return {"body": content.decode("utf-8")}
    except UnicodeDecodeError:
        return {"body_base64": base64.b64encode(content).decode("ascii")}


def _redact(text: str, secrets: list[str]) -> str:
    """As Exchange.redact: a key too short to be told from ordinary text is hidden in its header only."""
    for secret in secrets:
        if len(secret) >= MIN_REDACTED_LENGTH:
            text = text.replace(secret, KEY_PLACEHOLDER)
    return text

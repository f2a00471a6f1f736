"""``openai-conformance proxy``: serve the forwarding, judge as it goes, write the reports on exit and on request.

The reports are ``openai-conformance judge`` over the proxy's JSON Lines file of exchanges, run in a child
process (a pytest session per report: pytest is not meant to run twice in one process), so they are the
reports of ``judge``: results.json, report.html, junit.xml and the departures table.
"""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import socket
import subprocess
import sys
import threading
import warnings
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import uvicorn

from conformance import tls
from conformance.api import ConformanceWarning
from conformance.proxy.forward import REPORT_PATH, Forwarder, QuietBrokeOff
from conformance.proxy.live import Live
from conformance.reporting import departures

RECORD_LIMIT = 4 * 1024 * 1024
"""Bytes of a body kept for judging (the body forwarded has no limit): a long stream does not grow the proxy."""
EXCHANGES_FILE = "exchanges.jsonl"


class BadInput(Exception):
    """One line, exit 2."""


def serve(upstream: str, host: str, port: int, report_dir: Path, timeout: float, connect_timeout: float,
          ca_bundle: str | None = None, insecure: bool = False) -> int:
    """Forward until SIGINT or SIGTERM, then write the reports; returns ``judge``'s exit code (0 when nothing passed)."""
    try:
        listening = _listen(upstream, host, port)
        verify = tls.verification(ca_bundle, insecure)
        live = Live(upstream, _writable(report_dir) / EXCHANGES_FILE)
    except (BadInput, tls.BadBundle) as error:
        print(f"openai-conformance proxy: {error}", file=sys.stderr)
        return 2
    reports = Reports(live, upstream, report_dir)
    client = httpx.AsyncClient(timeout=httpx.Timeout(timeout, connect=connect_timeout), verify=verify, follow_redirects=False)
    client.headers.clear()  # httpx's own Accept, Accept-Encoding, User-Agent: the request goes as the client sent it
    app = Forwarder(upstream, client, RECORD_LIMIT, live.submit, lambda: asyncio.to_thread(reports.write))
    config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False, server_header=False, date_header=False,
                            timeout_graceful_shutdown=5)
    logging.getLogger("uvicorn.error").addFilter(QuietBrokeOff())
    warnings.simplefilter("ignore", ConformanceWarning)  # should findings are departures printed here, not warnings
    address = f"http://{host if ':' not in host else f'[{host}]'}:{listening.getsockname()[1]}"
    print(f"openai-conformance proxy: {address} forwards to {upstream} (clients: OPENAI_BASE_URL={address}); departures are "
          f"printed here as they first appear; reports in {report_dir}/ on exit (Ctrl-C) and at GET {address}{REPORT_PATH}",
          file=sys.stderr, flush=True)
    for stop in (signal.SIGINT, signal.SIGTERM):
        # uvicorn stops on these and raises them again once stopped: the reports are written first.
        signal.signal(stop, lambda *_: None)
    uvicorn.Server(config).run(sockets=[listening])
    signal.signal(signal.SIGINT, signal.default_int_handler)
    document = reports.write()
    if document["results"] is None:
        print(f"openai-conformance proxy: {document['note']}", file=sys.stderr)
        return document["exit_code"]
    print(departures.text(document["departures"]), end="", file=sys.stderr)
    print(f"openai-conformance proxy: {document['exchanges']} exchange(s) judged: reports in {report_dir}/", file=sys.stderr)
    return document["exit_code"]


def _listen(upstream: str, host: str, port: int) -> socket.socket:
    parts = urlsplit(upstream)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadInput(f"--upstream {upstream!r} is not an http(s) URL (e.g. https://api.openai.com/v1)")
    try:
        listening = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
        listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listening.bind((host, port))
    except (OSError, OverflowError) as error:
        raise BadInput(f"cannot listen on {host}:{port}: {getattr(error, 'strerror', None) or error}") from None
    return listening


def _writable(report_dir: Path) -> Path:
    try:
        report_dir.mkdir(parents=True, exist_ok=True)
        (report_dir / EXCHANGES_FILE).touch()
    except OSError as error:
        raise BadInput(f"cannot write in --report-dir {report_dir}: {error.strerror or error}") from None
    return report_dir


class Reports:
    """``judge`` over the exchanges so far, one writing at a time."""

    def __init__(self, live: Live, upstream: str, report_dir: Path) -> None:
        self._live, self._upstream, self._dir = live, upstream, report_dir
        self._lock = threading.Lock()

    def write(self) -> dict:
        """What ``GET /__conformance/report`` answers: where the reports are, the verdict and the departures."""
        with self._lock, self._live.settled() as count:
            if not count:
                return {"exchanges": 0, "results": None, "exit_code": 0, "departures": [], "note": "no exchange passed: no report written"}
            results = self._dir / "results.json"
            results.unlink(missing_ok=True)  # an earlier report's is not this one's
            judged = subprocess.run([sys.executable, "-m", "conformance.cli", "judge", str(self._live.exchanges), "--base-url", self._upstream,
                                     "--report-dir", str(self._dir), "--", "-q", "-p", "no:warnings"], capture_output=True, text=True)
            if not results.exists():
                output = (judged.stderr.strip() or judged.stdout.strip()).splitlines()
                note = f"judging the exchanges failed (exit {judged.returncode}): {output[-1] if output else 'no output'}"
                print(f"openai-conformance proxy: {note}", file=sys.stderr, flush=True)
                return {"exchanges": count, "results": None, "exit_code": 3, "departures": [], "note": note}
            document = json.loads(results.read_text(encoding="utf-8"))
            return {"exchanges": count, "report_dir": str(self._dir), "results": str(results), "html": str(self._dir / "report.html"),
                    "junit": str(self._dir / "junit.xml"), "exit_code": judged.returncode, "summary": document["summary"],
                    "departures": document["departures"]}

"""What the suite creates on a target, and how it is removed again.

Every object a case creates carries this run's marker (a file name prefix, or ``metadata``). It
is tracked from the create answer *before* any check runs, so a failing case still leaves nothing
behind: the ``api`` fixture removes what its case created when the case ends, and the session
removes anything still open at its end (also after Ctrl-C). A create whose answer was lost
(a timeout) leaves an object the suite never saw: the session sweep lists those kinds and removes
only objects that carry *this run's* marker. Nothing else on the target is ever removed or changed.
"""

from __future__ import annotations

import secrets
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from conformance.exchange import Exchange
from conformance.transport import Client

MARKER = "openai-conformance"
BETA = {"OpenAI-Beta": "assistants=v2"}
"""Sent with every clean-up request: the assistants API needs it, the others ignore it."""
SWEEP_PAGES = 5
"""Bounded: a target with thousands of objects is not walked in full."""
_TERMINAL = {"succeeded", "failed", "cancelled", "completed", "expired", "cancelling"}
"""Statuses of jobs and batches that need no cancel (a cancelling batch is on its way)."""


@dataclass(frozen=True)
class Sweep:
    """How to find this run's objects of one kind that a lost answer may have hidden."""

    created_by: str
    """The create operation (``"POST /files"``): swept only when the run sent one."""
    listing: str
    undo: str
    ours: Callable[[dict, Resources], bool]


def _marked(obj: dict, resources: Resources) -> bool:
    return (obj.get("metadata") or {}).get(MARKER) == resources.run


def _named(obj: dict, resources: Resources) -> bool:
    return str(obj.get("filename", "")).startswith(resources.prefix)


SWEEPS = (
    Sweep("POST /files", "/files", "DELETE /files/{id}", _named),
    # The reference lists no Uploads (a lost one expires within the hour); the file a lost completion made is found by its name.
    Sweep("POST /uploads", "/files", "DELETE /files/{id}", _named),
    Sweep("POST /assistants", "/assistants", "DELETE /assistants/{id}", _marked),
    Sweep("POST /vector_stores", "/vector_stores", "DELETE /vector_stores/{id}", _marked),
    Sweep("POST /fine_tuning/jobs", "/fine_tuning/jobs", "POST /fine_tuning/jobs/{id}/cancel",
          lambda o, r: _marked(o, r) and o.get("status") not in _TERMINAL),
    Sweep("POST /batches", "/batches", "POST /batches/{id}/cancel", lambda o, r: _marked(o, r) and o.get("status") not in _TERMINAL),
)


class Resources:
    def __init__(self, client: Client) -> None:
        self.client = client
        self.run = secrets.token_hex(4)
        self._open: dict[str, None] = {}
        """Undo requests ("DELETE /files/file-1") still to send, in creation order."""
        self._ours: set[str] = set()
        self._attempted: set[str] = set()

    @property
    def prefix(self) -> str:
        return f"{MARKER}-{self.run}-"

    def filename(self, name: str) -> str:
        """A file name that marks an upload as this run's."""
        return self.prefix + name

    @property
    def metadata(self) -> dict[str, str]:
        """``metadata`` that marks an object as this run's."""
        return {MARKER: self.run}

    def track(self, ex: Exchange) -> None:
        """Note what an exchange created or removed; called before any check can fail the case."""
        operation = ex.operation
        if operation is None:
            return
        if operation.undo:
            self._attempted.add(operation.key)
        body = ex.data if ex.ok and isinstance(ex.data, dict) else {}
        created = body.get("id") if ex.stream is None else streamed_id(ex)
        # A response created with store: false is kept nowhere: there is nothing to remove (its DELETE would be a 404).
        if operation.undo and isinstance(created, str) and ex.params.get("store") is not False:
            self._ours.add(created)
            self._open[operation.undo.replace("{id}", created)] = None
        if body.get("id") in self._ours and isinstance(body.get("fine_tuned_model"), str):
            # A model trained by one of our jobs is ours too.
            self._open[f"DELETE /models/{body['fine_tuned_model']}"] = None
        if body.get("id") in self._ours and isinstance(file := body.get("file"), dict) and isinstance(file.get("id"), str):
            # A completed Upload made a file, ours too; the Upload itself is closed (its cancel would be refused).
            self._open.pop(f"POST /uploads/{body['id']}/cancel", None)
            self._open[f"DELETE /files/{file['id']}"] = None
        if body.get("id") in self._ours and body.get("object") == "batch":
            # So are the result files of our batches; a batch that has ended (or is cancelling) needs no cancel.
            for result in (body.get("output_file_id"), body.get("error_file_id")):
                if isinstance(result, str) and result:
                    self._open[f"DELETE /files/{result}"] = None
            if body.get("status") in _TERMINAL:
                self._open.pop(f"POST /batches/{body['id']}/cancel", None)
        if ex.ok:
            self._open.pop(f"{ex.request.method} {ex.path}", None)  # the case removed it itself

    def checkpoint(self) -> int:
        return len(self._open)

    def release(self, since: int = 0) -> None:
        """Send the undo requests opened after ``since``, newest first; what fails is left to the sweep."""
        for undo in reversed(list(self._open)[since:]):
            method, path = undo.split(" ", 1)
            self.client.request(method, path, headers=BETA)
            self._open.pop(undo, None)

    def sweep(self) -> None:
        """At the end of the session: release everything, then find this run's objects whose create answer was lost."""
        self.release()
        for sweep in SWEEPS:
            if sweep.created_by not in self._attempted:
                continue
            after = None
            for _ in range(SWEEP_PAGES):
                listing = self.client.request("GET", sweep.listing + "?limit=100" + (f"&after={after}" if after else ""), headers=BETA)
                page = listing.data.get("data") if listing.ok and isinstance(listing.data, dict) else None
                if not isinstance(page, list):
                    break
                for obj in page:
                    if isinstance(obj, dict) and isinstance(obj.get("id"), str) and sweep.ours(obj, self):
                        method, path = sweep.undo.replace("{id}", obj["id"]).split(" ", 1)
                        self.client.request(method, path, headers=BETA)
                if not listing.data.get("has_more") or not page:
                    break
                after = page[-1].get("id")


def streamed_id(ex: Exchange) -> str | None:
    """The id of the object a streamed create made: the ``response`` its events carry (Responses' created event)."""
    if not ex.ok:
        return None
    for payload in ex.stream.payloads:
        inner = payload.get("response") if isinstance(payload, dict) else None
        if isinstance(inner, dict) and isinstance(inner.get("id"), str):
            return inner["id"]
    return None


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


@contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM (a CI timeout, ``kill``) ends the run the way Ctrl-C does, so the clean-up still runs."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may handle signals; its run is then ended by whoever owns it
        return
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)

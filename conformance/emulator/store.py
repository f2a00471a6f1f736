"""The emulator's in-memory objects (files, jobs, assistants): ids and lookup; their list pages are in pagination.py."""

from __future__ import annotations

import hashlib
import itertools
import time

from starlette.requests import Request

from conformance.emulator.errors import APIError


class Store:
    """Objects by kind and id, in creation order; one store per app instance, so runs never share state."""

    def __init__(self) -> None:
        self._sequence = itertools.count(1)
        self._last = 0
        self._objects: dict[str, dict[str, dict]] = {}
        self.blobs: dict[str, bytes] = {}
        """File contents by file id."""

    def new_id(self, prefix: str) -> str:
        """A deterministic id shaped like the reference's (``file-`` + 24 characters)."""
        return prefix + hashlib.sha256(str(next(self._sequence)).encode()).hexdigest()[:24]

    def now(self) -> int:
        """The time to stamp on a new object or event: the wall clock's second, as a real server stamps it,
        so objects created in a burst share it (the suite must see order without distinct stamps, or make them)."""
        self._last = max(int(time.time()), self._last)  # never backwards, should the clock be set back
        return self._last

    def add(self, kind: str, obj: dict) -> dict:
        self._objects.setdefault(kind, {})[obj["id"]] = obj
        return obj

    def all(self, kind: str) -> list[dict]:
        return list(self._objects.get(kind, {}).values())

    def get(self, kind: str, object_id: str, noun: str, param: str) -> dict:
        """The object, or the reference's 404 naming it."""
        found = self._objects.get(kind, {}).get(object_id)
        if found is None:
            raise APIError(404, f"No {noun} found with id '{object_id}'.", param=param)
        return found

    def remove(self, kind: str, object_id: str, blob: bool = True) -> None:
        """``blob=False``: keep the content of that id (a vector store's file has its File's id, and detaching it keeps the File)."""
        self._objects.get(kind, {}).pop(object_id, None)
        if blob:
            self.blobs.pop(object_id, None)


def store(request: Request) -> Store:
    return request.app.state.store


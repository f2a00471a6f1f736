"""The emulator's in-memory objects (files, jobs, assistants): ids, lookup and the reference's list pages."""

from __future__ import annotations

import hashlib
import itertools
import time

from starlette.requests import Request

from conformance.emulator.errors import APIError, invalid


class Store:
    """Objects by kind and id, in creation order; one store per app instance, so runs never share state."""

    def __init__(self) -> None:
        self._sequence = itertools.count(1)
        self._objects: dict[str, dict[str, dict]] = {}
        self.blobs: dict[str, bytes] = {}
        """File contents by file id."""

    def new_id(self, prefix: str) -> str:
        """A deterministic id shaped like the reference's (``file-`` + 24 characters)."""
        return prefix + hashlib.sha256(str(next(self._sequence)).encode()).hexdigest()[:24]

    @staticmethod
    def now() -> int:
        return int(time.time())

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

    def remove(self, kind: str, object_id: str) -> None:
        self._objects.get(kind, {}).pop(object_id, None)
        self.blobs.pop(object_id, None)


def store(request: Request) -> Store:
    return request.app.state.store


def page(request: Request, items: list[dict], *, default_limit: int = 20, max_limit: int = 100) -> dict:
    """A list envelope of ``items`` (oldest first) after ``limit``, ``order``, ``after`` and ``before``."""
    query = request.query_params
    limit = query.get("limit", str(default_limit))
    if not limit.isdigit() or not 1 <= int(limit) <= max_limit:
        raise invalid("limit", f"Invalid 'limit': expected an integer between 1 and {max_limit}, got {limit!r}.")
    limit = int(limit)
    order = query.get("order", "desc")
    if order not in ("asc", "desc"):
        raise invalid("order", f"Invalid 'order': expected 'asc' or 'desc', got {order!r}.")
    ordered = items if order == "asc" else items[::-1]
    position = {item["id"]: i for i, item in enumerate(ordered)}
    after, before = query.get("after"), query.get("before")
    for name, cursor in (("after", after), ("before", before)):
        if cursor is not None and cursor not in position:
            raise invalid(name, f"Invalid '{name}': no object with id {cursor!r} in this list.")
    window = ordered[position[after] + 1 if after else 0: position[before] if before else len(ordered)]
    # Paging backwards (only ``before``) wants the page that ends right before the cursor.
    data = window[-limit:] if before and not after else window[:limit]
    has_more = len(window) > limit
    return {
        "object": "list",
        "data": data,
        "first_id": data[0]["id"] if data else None,
        "last_id": data[-1]["id"] if data else None,
        "has_more": has_more,
    }

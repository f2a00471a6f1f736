"""Stored responses: what GET, DELETE, cancel, input_items and previous_response_id read.

A stored response is one record in the app's Store (kind ``responses``): the response as a client
sees it now, the input items it was given (with ids, for input_items), the context it was
answered in (previous_response_id's chain plus its own input) and, for a background response, the
finished response it becomes. A background response moves one step each time it is retrieved
(queued, in_progress, then finished): deterministic, without clocks, and still running when a
client cancels it right after creating it.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from starlette.requests import Request

from conformance.emulator.errors import APIError, invalid
from conformance.emulator.store import store

KIND = "responses"
NOUN = "response"
RUNNING = ("queued", "in_progress")


@dataclass
class Record:
    id: str
    response: dict
    """The response as GET answers it now."""
    input: list[dict]
    """This response's own input items, with ids, oldest first."""
    context: list[dict]
    """Everything the model saw before answering: earlier turns and this input."""
    final: dict | None = None
    """For a background response still running: the response it finishes as."""
    extra: dict = field(default_factory=dict)

    def __getitem__(self, key: str):  # Store lists and looks objects up by "id"
        return getattr(self, key)


def context_before(request: Request, previous_id: str | None) -> list[dict]:
    """The items of previous_response_id's chain (its context and its output), or the reference's 404."""
    if previous_id is None:
        return []
    found = store(request).all(KIND)
    record = next((r for r in found if r.id == previous_id), None)
    if record is None:
        raise APIError(404, f"Previous response with id '{previous_id}' not found.", param="previous_response_id", code="previous_response_not_found")
    done = record.final or record.response
    return [*record.context, *done["output"]]


def save(request: Request, record: Record) -> None:
    store(request).add(KIND, record)


def find(request: Request, response_id: str) -> Record:
    record = store(request).get(KIND, response_id, NOUN, "response_id")
    if record.final is not None:  # a background response moves on each time it is looked at
        status = record.response["status"]
        if status == "queued":
            record.response = {**record.response, "status": "in_progress"}
        elif status == "in_progress":
            record.response, record.final = record.final, None
    return record


def remove(request: Request, response_id: str) -> None:
    store(request).get(KIND, response_id, NOUN, "response_id")
    store(request).remove(KIND, response_id)


def cancel(request: Request, response_id: str) -> dict:
    record = store(request).get(KIND, response_id, NOUN, "response_id")
    if not record.response.get("background"):
        raise invalid("response_id", "Only responses created with 'background': true can be cancelled.")
    status = record.response["status"]
    if status in RUNNING:
        record.response, record.final = {**copy.deepcopy(record.response), "status": "cancelled"}, None
    elif status != "cancelled":
        raise invalid("response_id", f"Cannot cancel a response that is already {status}.")
    return record.response

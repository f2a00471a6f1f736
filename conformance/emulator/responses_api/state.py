"""Stored responses: what GET, DELETE, cancel, input_items and previous_response_id read.

A stored response is one record in the app's Store (kind ``responses``): the response as a client
sees it now, the input items it was given (with ids, for input_items), the context it was
answered in (previous_response_id's chain plus its own input) and, for a background response, the
finished response it becomes. A background response moves one step each time it is retrieved
(queued, in_progress, then finished): deterministic, without clocks, and still running when a
client cancels it right after creating it. The faults of stored state are declared here.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from starlette.requests import Request

from conformance.emulator.errors import APIError, invalid
from conformance.emulator.faults import active, declare
from conformance.emulator.store import store

KIND = "responses"
UNSTORED = "responses-unstored"
"""Where the PREVIOUS_UNSTORED_ACCEPTED fault keeps store: false responses (never retrievable)."""
NOUN = "response"
RUNNING = ("queued", "in_progress")

STORE_IGNORED = declare("store-ignored", "responses.stored", "test_retrieve_response",
                        "store is silently off: a response created with the default store: true is not kept, so GET is 404 (vLLM PR 22137)")
STREAMED_UNSTORED = declare("streamed-response-unstored", "responses.stored", "test_retrieve_streamed_response",
                            "a streamed response is not kept (GET 404) though an unstreamed one is")
STORE_FALSE_KEPT = declare("store-false-kept", "responses.stored", "test_not_stored_response",
                           "store: false is ignored: the response is kept and GET answers it")
PREVIOUS_IGNORED = declare("previous-response-ignored", "responses.previous-context", "test_previous_response",
                           "previous_response_id is accepted and ignored: the second turn is answered without the first (Ollama PR 15404)")
PREVIOUS_UNKNOWN_ACCEPTED = declare("previous-response-unknown-accepted", "http.status", "test_unknown_previous_response",
                                    "a previous_response_id no response has is answered (200) as if none was sent")
PREVIOUS_UNSTORED_ACCEPTED = declare("previous-response-unstored-accepted", "http.status", "test_not_stored_response",
                                     "a store: false response is kept out of sight and accepted as previous_response_id")
RETRIEVE_OTHER_ID = declare("retrieve-other-response", "resource.id", "test_retrieve_response",
                            "GET /responses/{id} answers another response's id (LiteLLM #17204)")
RETRIEVE_WITHOUT_OUTPUT = declare("retrieve-without-output", "responses.retrieved", "test_retrieve_response",
                                  "GET /responses/{id} answers the stored response as in_progress, without its output")
DELETE_NOOP = declare("response-delete-noop", "http.status", "test_delete_response",
                      "DELETE /responses/{id} confirms, but the response stays retrievable")
DELETE_UNCONFIRMED = declare("response-delete-unconfirmed", "resource.deleted", "test_delete_response",
                             "DELETE /responses/{id} removes the response but answers deleted: false")
INPUT_ITEMS_WITH_OUTPUT = declare("input-items-with-output", "responses.input-items", "test_list_input_items",
                                  "input_items lists the response's output items after its input")
INPUT_ITEMS_WITHOUT_NEW = declare("input-items-without-new-input", "responses.input-items", "test_previous_response_input_items",
                                  "input_items of a chained response lists the earlier turns only, not the input it was sent")
INPUT_ITEMS_REVERSED = declare("input-items-reversed", "list.order", "test_order and input",
                               "input_items are kept newest first: order=asc lists them last sent first, the default desc as sent")
INPUT_ITEMS_WITHOUT_COMPACTION = declare("input-items-without-compaction", "responses.input-items", "test_compact_round_trip",
                                         "input_items leaves out the compaction item a response was given as input")
CANCEL_IGNORED = declare("response-cancel-ignored", "responses.cancelled", "test_cancel_background_response",
                         "cancel answers the background response unchanged (still queued) and lets it finish")
CANCEL_FORGOTTEN = declare("response-cancel-forgotten", "responses.cancelled", "test_cancel_background_response",
                           "cancel answers status cancelled, but the response runs on: a later GET says it is still running")
FORWARDED_UPSTREAM = declare("responses-forwarded-upstream", "http.status", "test_retrieve_response",
                            "GET, DELETE, cancel and input_items of a response: an id it cannot route answered 400, a stored one 500"
                            " (forwarded to an upstream that is not there: LiteLLM without one)")
CANCEL_FOREGROUND = declare("cancel-not-background-accepted", "responses.cancel-background-only", "test_cancel_response_not_in_background",
                            "cancelling a response created without background: true answers it unchanged (200) instead of 400 (SGLang #38002)")


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
    if previous_id is None or active(request, PREVIOUS_IGNORED):
        return []
    found = [*store(request).all(KIND), *store(request).all(UNSTORED)]
    record = next((r for r in found if r.id == previous_id), None)
    if record is None:
        if active(request, PREVIOUS_UNKNOWN_ACCEPTED):
            return []
        raise APIError(404, f"Previous response with id '{previous_id}' not found.", param="previous_response_id", code="previous_response_not_found")
    done = record.final or record.response
    return [*record.context, *done["output"]]


def save(request: Request, record: Record, streamed: bool) -> None:
    """Keep the response if it was created with store true (the default), streamed or not."""
    stored = record.response["store"] or active(request, STORE_FALSE_KEPT)
    if stored and not active(request, STORE_IGNORED) and not (streamed and active(request, STREAMED_UNSTORED)):
        store(request).add(KIND, record)
    elif not stored and active(request, PREVIOUS_UNSTORED_ACCEPTED):
        store(request).add(UNSTORED, record)


def _get(request: Request, response_id: str) -> Record:
    if active(request, FORWARDED_UPSTREAM):
        if any(record.id == response_id for record in store(request).all(KIND)):
            raise APIError(500, "Cannot connect to the upstream.", type="server_error")
        raise invalid("response_id", "You passed in model=None. There are no healthy deployments for this model")
    return store(request).get(KIND, response_id, NOUN, "response_id")


def find(request: Request, response_id: str) -> Record:
    record = _get(request, response_id)
    if record.final is not None:  # a background response moves on each time it is looked at
        status = record.response["status"]
        if status == "queued":
            record.response = {**record.response, "status": "in_progress"}
        elif status == "in_progress":
            record.response, record.final = record.final, None
    return record


def retrieved(request: Request, response_id: str) -> dict:
    """The response as GET /responses/{id} answers it."""
    response = find(request, response_id).response
    if active(request, RETRIEVE_OTHER_ID):
        response = {**response, "id": response["id"][:-4] + "0000"}
    if active(request, RETRIEVE_WITHOUT_OUTPUT):
        response = {**response, "status": "in_progress", "output": []}
    return response


def remove(request: Request, response_id: str) -> dict:
    """DELETE's answer; the response is gone (GET 404) after it."""
    _get(request, response_id)
    if not active(request, DELETE_NOOP):
        store(request).remove(KIND, response_id)
    return {"id": response_id, "object": "response", "deleted": not active(request, DELETE_UNCONFIRMED)}


def input_items(request: Request, response_id: str) -> list[dict]:
    """The items input_items lists, oldest first: the response's own input (not the earlier turns of its chain)."""
    record = _get(request, response_id)
    items = record.input
    if active(request, INPUT_ITEMS_WITHOUT_COMPACTION):
        items = [item for item in items if item["type"] != "compaction"]
    if active(request, INPUT_ITEMS_WITH_OUTPUT):
        items = [*items, *(record.final or record.response)["output"]]
    if active(request, INPUT_ITEMS_WITHOUT_NEW) and record.response.get("previous_response_id"):
        items = record.context[: len(record.context) - len(record.input)]
    return items[::-1] if active(request, INPUT_ITEMS_REVERSED) else items


def cancel(request: Request, response_id: str) -> dict:
    record = _get(request, response_id)
    if not record.response.get("background") and not active(request, CANCEL_FOREGROUND):
        raise invalid("response_id", "Only responses created with 'background': true can be cancelled.")
    status = record.response["status"]
    if active(request, CANCEL_IGNORED):
        return record.response
    if status in RUNNING:
        cancelled = {**copy.deepcopy(record.response), "status": "cancelled"}
        if active(request, CANCEL_FORGOTTEN):
            return cancelled
        record.response, record.final = cancelled, None
    elif status != "cancelled" and record.response.get("background"):
        raise invalid("response_id", f"Cannot cancel a response that is already {status}.")
    return record.response

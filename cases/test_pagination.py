"""Cursor pagination of every paginated list: walks with after and before, order, has_more, limits, unknown cursors.

LISTINGS says, for each list in conformance/pagination.py PAGING, how a case seeds items on it
through the API; the items carry the run's marker and are removed when the case ends. Walks
tolerate objects the suite did not create, so the cases run on an account that has data.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from conformance import pagination
from conformance.operations import OPERATIONS
from conformance.pagination import PAGING, Seeded

from .test_assistants import BETA, assistant
from .test_batches import create as create_batch, input_file, requests_for
from .test_conversations import message
from .test_files import TRAINING, upload
from .test_fine_tuning import create_job
from .test_responses import response
from .test_vector_stores import create_store, text_file

SEEDED = 5
"""Items seeded per walk: with pagination.PAGE_SIZE 2, pages of 2, 2 and 1."""
JOBS = 3
"""Fine-tuning jobs and batches are the costliest to seed (each is cancelled when its case ends): pages of 2 and 1."""
SPREAD = 1.0
"""Seconds between the two parts of a spread seeding: more than created_at's resolution, whatever the target's clock."""


def _created(more: Callable[[], str], count: int, spread: bool) -> frozenset[str]:
    """The ids of ``count`` objects made by ``more``.

    A target stamps created_at in seconds, so objects made in a burst usually share one, and then any order
    of them is a legal sort: a target that ignores ``order`` would only show as a list.tie-order warning.
    ``spread`` makes the later part at least SPREAD after the earlier one was answered, hence created in a
    later second on any clock: the seeded items have two distinct created_at (and ties within each part),
    so list.order sees a wrong order at must level. It costs one SPREAD of wall time per seeding.
    """
    early = [more() for _ in range(count - count // 2)]
    if spread and count > 1:
        time.sleep(SPREAD)
    return frozenset(early + [more() for _ in range(count // 2)])


def _files(api, models, resources, count: int, spread: bool) -> Seeded:
    def more():
        return upload(api, resources, name="page.txt").needed("id")

    return Seeded("/files", _created(more, count, spread), more=more)


def _assistants(api, models, resources, count: int, spread: bool) -> Seeded:
    def more():
        return api.post("/assistants", json=assistant(models, resources), headers=BETA, expect=200).needed("id")

    return Seeded("/assistants", _created(more, count, spread), BETA, more)


def _training_file(api, resources) -> str:
    return upload(api, resources, purpose="fine-tune", name="train.jsonl", content=TRAINING).needed("id")


def _jobs(api, models, resources, count: int, spread: bool) -> Seeded:
    training = _training_file(api, resources)

    def more():
        return create_job(api, models, resources, training).needed("id")

    return Seeded("/fine_tuning/jobs", _created(more, min(count, JOBS), spread), more=more)


def _events(api, models, resources, count: int, spread: bool) -> Seeded:
    """A job's events are made by the target: each retrieve moves the emulator's job on one status (one event).

    A real job makes its events as it runs; whatever it has when listed is what the walks must visit
    (the list has no ``order``: ``spread`` changes nothing).
    """
    job = create_job(api, models, resources, _training_file(api, resources)).needed("id")

    def more():
        return api.get(f"/fine_tuning/jobs/{job}", expect=200)

    for _ in range(2):
        more()
    path = f"/fine_tuning/jobs/{job}/events"
    return Seeded(path, frozenset(_ids(_listed(api, path))), more=more)


def _batches(api, models, resources, count: int, spread: bool) -> Seeded:
    """Batches of one small request each, from one input file; as few as jobs: each runs a request on the target."""
    file_id = input_file(api, resources, requests_for(models, resources, "/v1/chat/completions", 1))

    def more():
        return create_batch(api, resources, file_id).needed("id")

    return Seeded("/batches", _created(more, min(count, JOBS), spread), more=more)


@dataclass(frozen=True)
class Listing:
    operation: str
    """The list operation (a key of PAGING)."""
    seed: Callable[..., Seeded]
    capabilities: tuple[str, ...]
    headers: dict | None = None

    @property
    def rules(self) -> pagination.Paging:
        return PAGING[self.operation]

    @property
    def section(self) -> str:
        return next(o.section for o in OPERATIONS if o.key == self.operation)

    @property
    def path(self) -> str:
        """The list's path, for lists without path parameters."""
        return self.operation.split(" ", 1)[1]


def _input_items(api, models, resources, count: int, spread: bool) -> Seeded:
    """One stored response given ``count`` input messages; nothing adds items to it later (``more`` does nothing).

    Input items have no created_at: their order is the one they were sent in, which the walks learn
    from each message's text (the ids are the target's); ``spread`` therefore changes nothing."""
    texts = [f"Item {k} of a list." for k in range(count)]
    created = api.post("/responses", json=response(models, resources, input=[{"role": "user", "content": t} for t in texts]), expect=200)
    path = f"/responses/{created.needed('id')}/input_items"
    listed = _listed(api, path, same_as=created)
    by_text = {part.get("text"): item.get("id") for item in listed for part in item.get("content") or () if isinstance(part, dict)}
    return Seeded(path, frozenset(_ids(listed)), sequence=tuple(by_text[t] for t in texts if t in by_text))


def _conversation_items(api, models, resources, count: int, spread: bool) -> Seeded:
    """One conversation created with ``count`` items (no model is asked); ``more`` adds one item, as another client would.

    Like a response's input items, a conversation's have no created_at: the walks learn the order they were
    added in from each message's text; ``spread`` changes nothing."""
    texts = [f"Item {k} of a list." for k in range(count)]
    created = api.post("/conversations", json={"metadata": dict(resources.metadata), "items": [message(t) for t in texts]}, expect=200)
    path = f"/conversations/{created.needed('id')}/items"

    def more():
        return api.post(path, json={"items": [message("One more item.")]}, expect=200)

    listed = _listed(api, path)  # not judged against the create: the walks judge the order (test_create_conversation the items)
    by_text = {part.get("text"): item.get("id") for item in listed for part in item.get("content") or () if isinstance(part, dict)}
    return Seeded(path, frozenset(_ids(listed)), more=more, sequence=tuple(by_text[t] for t in texts if t in by_text))


def _listed(api, path: str, **options) -> list[dict]:
    """The items of the list at ``path`` (one page of up to 100), which the walks then look for: the case cannot go on without them."""
    page = api.get(f"{path}?limit=100", expect=200, **options)
    page.needed("data", list)
    return pagination.items(page)


def _ids(items: list[dict]) -> list[str]:
    """The ids of the items that have one: an item without is its page's finding, not one for a walk to look for."""
    return [item["id"] for item in items if isinstance(item.get("id"), str)]


def _vector_stores(api, models, resources, count: int, spread: bool) -> Seeded:
    def more():
        return create_store(api, resources).needed("id")

    return Seeded("/vector_stores", _created(more, count, spread), more=more)


def _vector_store_files(api, models, resources, count: int, spread: bool) -> Seeded:
    """Files attached one by one to one store (each upload is one more file: the costliest seeding, deep only)."""
    path = f"/vector_stores/{create_store(api, resources).needed('id')}/files"

    def more():
        return api.post(path, json={"file_id": text_file(api, resources)}, expect=200).needed("id")

    return Seeded(path, _created(more, count, spread), more=more)


def _batch_files(api, models, resources, count: int, spread: bool) -> Seeded:
    """One file batch of ``count`` files: nothing adds to a batch later (``more`` does nothing), and its files are
    attached together (``spread`` changes nothing)."""
    store = f"/vector_stores/{create_store(api, resources).needed('id')}"
    batch = api.post(f"{store}/file_batches", json={"file_ids": [text_file(api, resources) for _ in range(count)]}, expect=200)
    path = f"{store}/file_batches/{batch.needed('id')}/files"
    return Seeded(path, frozenset(_ids(_listed(api, path))))


LISTINGS = {
    "files": Listing("GET /files", _files, ("files",)),
    "assistants": Listing("GET /assistants", _assistants, ("assistants",), BETA),
    "jobs": Listing("GET /fine_tuning/jobs", _jobs, ("fine-tuning", "files")),
    "events": Listing("GET /fine_tuning/jobs/{fine_tuning_job_id}/events", _events, ("fine-tuning", "files")),
    "batches": Listing("GET /batches", _batches, ("batches", "files", "chat")),
    "input-items": Listing("GET /responses/{response_id}/input_items", _input_items, ("responses", "responses-store")),
    "vector-stores": Listing("GET /vector_stores", _vector_stores, ("vector-stores",)),
    "vector-store-files": Listing("GET /vector_stores/{vector_store_id}/files", _vector_store_files, ("vector-stores", "files")),
    "batch-files": Listing("GET /vector_stores/{vector_store_id}/file_batches/{batch_id}/files", _batch_files, ("vector-stores", "files")),
    "conversation-items": Listing("GET /conversations/{conversation_id}/items", _conversation_items, ("conversations",)),
}
assert {listing.operation for listing in LISTINGS.values()} == set(PAGING), "every paginated list needs a way to seed it"


def listings(where: Callable[[pagination.Paging], bool] = lambda rules: True, values: Callable[[pagination.Paging], list] | None = None):
    """Each listing whose rules satisfy ``where`` (with each of ``values(rules)``), marked with its section and capabilities;
    all but the first are ``deep`` (conformance/depth.py): a quick run makes each kind of walk once, on one list."""
    params = []
    for name, listing in LISTINGS.items():
        if not where(listing.rules):
            continue
        marks = [pytest.mark.reference(listing.section), *(pytest.mark.capability(c) for c in listing.capabilities)]
        for value in values(listing.rules) if values else [None]:
            args = (listing,) if values is None else (listing, value)
            params.append(pytest.param(*args, id=name if values is None else f"{name}-{value}", marks=marks + ([pytest.mark.deep] if params else [])))
    return params


def seed(listing: Listing, api, models, resources, count: int = SEEDED, spread: bool = False) -> Seeded:
    return listing.seed(api, models, resources, count, spread)


@pytest.mark.parametrize("listing", listings())
def test_walk_after(api, models, resources, listing):
    pagination.forward(api, seed(listing, api, models, resources), listing.rules)


@pytest.mark.parametrize("listing", listings(lambda rules: rules.before))
def test_walk_before(api, models, resources, listing):
    pagination.backward(api, seed(listing, api, models, resources), listing.rules)


@pytest.mark.parametrize(("listing", "order"), listings(lambda rules: rules.default_order is not None, lambda rules: ["asc", "desc"]))
def test_order(api, models, resources, listing, order):
    # Spread: items of distinct created_at, or an ignored order (or default order) is a legal sort of ties.
    pagination.ordered(api, seed(listing, api, models, resources, spread=True), listing.rules, order)


@pytest.mark.parametrize("listing", listings())
def test_walk_concurrent(api, models, resources, listing):
    pagination.concurrent(api, seed(listing, api, models, resources), listing.rules)


@pytest.mark.parametrize("listing", listings())
def test_unknown_cursor(api, models, resources, listing):
    # One item, so a target that ignores the cursor answers a page that is not empty.
    pagination.unknown_cursors(api, seed(listing, api, models, resources, 1), listing.rules)


def _list_path(listing: Listing, api, models, resources) -> str:
    """The list's path; a list of one object's items (input_items) needs that object first."""
    return seed(listing, api, models, resources, 1).path if "{" in listing.path else listing.path


@pytest.mark.parametrize(("listing", "limit"), listings(lambda rules: rules.limits is not None, lambda rules: list(rules.limits)))
def test_limit_at_bounds(api, models, resources, listing, limit):
    api.get(f"{_list_path(listing, api, models, resources)}?limit={limit}", headers=listing.headers, expect=200)


@pytest.mark.parametrize(("listing", "limit"), listings(lambda rules: rules.limits is not None, lambda rules: [rules.limits[0] - 1, rules.limits[1] + 1]))
def test_limit_out_of_bounds(api, models, resources, listing, limit):
    api.get(f"{_list_path(listing, api, models, resources)}?limit={limit}", headers=listing.headers, expect=400)

"""Cursor pagination: what the reference says of each paginated list, and the walks that check it.

PAGING is the table: one row per cursor-paginated list operation, so adding a list is one row.
The emulator pages by it and the checks (conformance/checks/pagination.py) read it, so both follow
the same reading of the reference.

A Walk follows a list page by page the way the official SDK does (``after`` = the id of the last
item of the page; ``before`` = the id of the first), through ``Api``, so every page is verified with
the walk so far as context. Walks tolerate objects the suite did not create: what must be visited is
only what the suite seeded, plus the page invariants. A walk fetches at most MAX_PAGES pages, so a
broken server cannot keep it going.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from conformance.exchange import Exchange

MAX_PAGES = 20
"""Pages a walk may fetch: the seeded items and a few dozen foreign ones at the suite's page size."""
PAGE_SIZE = 2
"""Small, so a handful of seeded items spans several pages."""
UNKNOWN_CURSOR = "openai-conformance-no-such-object"


@dataclass(frozen=True)
class Paging:
    """The reference's parameters of one paginated list (openai-openapi.yaml, its GET parameters and list schema)."""

    default_limit: int
    limits: tuple[int, int] | None
    """The bounds the reference gives ``limit`` (inclusive); ``None``: it gives none."""
    default_order: str | None
    """The reference's default ``order``; ``None``: the list has no ``order`` parameter (and states no order)."""
    before: bool = False
    """The list has a ``before`` cursor."""
    ids: bool = False
    """The list object has ``first_id`` and ``last_id``."""


PAGING: dict[str, Paging] = {
    "GET /files": Paging(10_000, (1, 10_000), "desc", ids=True),
    "GET /assistants": Paging(20, (1, 100), "desc", before=True, ids=True),
    "GET /fine_tuning/jobs": Paging(20, None, None),
    "GET /fine_tuning/jobs/{fine_tuning_job_id}/events": Paging(20, None, None),
    "GET /batches": Paging(20, (1, 100), None, ids=True),
    "GET /responses/{response_id}/input_items": Paging(20, (1, 100), "desc", ids=True),  # desc: stated in the parameter's prose only
    "GET /vector_stores": Paging(20, (1, 100), "desc", before=True, ids=True),
    "GET /vector_stores/{vector_store_id}/files": Paging(20, (1, 100), "desc", before=True, ids=True),
    "GET /vector_stores/{vector_store_id}/file_batches/{batch_id}/files": Paging(20, (1, 100), "desc", before=True, ids=True),
    "GET /conversations/{conversation_id}/items": Paging(20, (1, 100), "desc", ids=True),  # no before; limit's bounds in its prose only
}


def paging(ex: Exchange) -> Paging | None:
    return None if ex.operation is None else PAGING.get(ex.operation.key)


def items(ex: Exchange) -> list[dict]:
    data = ex.data.get("data") if isinstance(ex.data, dict) else None
    return [item for item in data if isinstance(item, dict)] if isinstance(data, list) else []


def ids(ex: Exchange) -> list[str]:
    return [item.get("id") for item in items(ex)]


def order_of(ex: Exchange, rules: Paging) -> str | None:
    """The order a page must be in: the one requested, else the reference's default."""
    if rules.default_order is None:
        return None
    requested = ex.request.url.params.get("order")
    return requested if requested in ("asc", "desc") else rules.default_order


@dataclass(frozen=True)
class Seeded:
    """Objects a case created on a list, for walks over it."""

    path: str
    """The list's path, e.g. ``/files`` or ``/fine_tuning/jobs/ftjob-1/events``."""
    ids: frozenset[str]
    headers: dict = field(default_factory=dict)
    more: Callable[[], object] = lambda: None
    """Creates one more item the way another client would (for walks with concurrent creates)."""
    sequence: tuple[str, ...] = ()
    """For a list whose items carry no ``created_at`` (a response's input items): the seeded ids in the
    order they were sent in, which ``asc`` lists them in and ``desc`` reverses."""

    def rank(self, item: dict) -> object:
        """What the list is sorted by: the item's place in ``sequence`` when there is one, else its ``created_at``."""
        if self.sequence:
            return self.sequence.index(item.get("id")) if item.get("id") in self.sequence else None
        return item.get("created_at")


@dataclass
class Walk:
    """One walk over a list; the pages so far are the context each new page is checked in."""

    seeded: Seeded
    rules: Paging
    kind: str = "walk"
    """The rule the walk exercises: ``walk``, ``concurrent`` (objects created during it) or ``unknown-cursor`` (one probe)."""
    direction: str = "after"
    order: str | None = None
    """The ``order`` sent; ``None``: the reference's default."""
    start: str | None = None
    """The cursor of the first page."""
    expected: frozenset[str] = frozenset()
    """Seeded ids the walk must visit: those the target's own order puts past ``start``."""
    earlier: tuple[Walk, ...] = ()
    """Finished walks of the same case over the same items, for checks across walks."""
    pages: list[Exchange] = field(default_factory=list)

    def url(self, cursor: str | None) -> str:
        query = {"limit": PAGE_SIZE, **({"order": self.order} if self.order else {}), **({self.direction: cursor} if cursor else {})}
        return f"{self.seeded.path}?{urlencode(query)}"

    def next_cursor(self, page: Exchange) -> str | None:
        """Where the walk goes after ``page`` (the page that follows ``self.pages``); ``None``: it ends there.

        After a page that says ``has_more: false`` the walk asks once more, past its last item, to
        confirm the list really ends: that is how a has_more that is false too early is seen.
        """
        found = ids(page)
        ended = bool(self.pages) and has_more(self.pages[-1]) is False
        if self.kind == "unknown-cursor" or not found or ended or len(self.pages) + 1 >= MAX_PAGES:
            return None
        return found[-1] if self.direction == "after" else found[0]

    @property
    def visited(self) -> list[str]:
        """Every id the walk was shown, in the order shown, repeats included."""
        return [i for page in self.pages for i in ids(page)]

    def listed(self, current: Exchange | None = None) -> list[str]:
        """The ids shown (with ``current``, the page being checked), once each, in the list's order:
        a backward walk shows the list's pages last first."""
        pages = [*self.pages, *([current] if current is not None else [])]
        return list(dict.fromkeys(i for page in (pages if self.direction == "after" else pages[::-1]) for i in ids(page)))

    @property
    def complete(self) -> bool:
        """It reached the end of the list (not the page bound)."""
        return bool(self.pages) and (not ids(self.pages[-1]) or has_more(self.pages[-1]) is False)

    def created_at(self, object_id: str) -> object:
        return next((item.get("created_at") for page in self.pages for item in items(page) if item.get("id") == object_id), None)


def has_more(ex: Exchange) -> object:
    return ex.data.get("has_more") if isinstance(ex.data, dict) else None


def walk(api, w: Walk, between: Callable[[], object] | None = None) -> Walk:
    """Fetch the walk's pages through ``api`` (each page checked); ``between`` runs after the first page."""
    cursor = w.start
    expect = (200, 400, 404) if w.kind == "unknown-cursor" else 200
    while True:
        page = api.get(w.url(cursor), expect=expect, headers=w.seeded.headers, walk=w)
        cursor = w.next_cursor(page)
        w.pages.append(page)
        if cursor is None:
            return w
        if between is not None and len(w.pages) == 1:
            between()


# The walks a case runs. Each one that starts from a cursor first walks the list from its top, and
# takes the cursor and what lies past it from that walk: the target's own order decides, not the
# suite's guess about objects created within the same second.

def forward(api, seeded: Seeded, rules: Paging, order: str | None = None, earlier: tuple[Walk, ...] = ()) -> Walk:
    """From the top of the list, with ``after``: every seeded item, exactly once."""
    return walk(api, Walk(seeded, rules, order=order, expected=seeded.ids, earlier=earlier))


def ordered(api, seeded: Seeded, rules: Paging, order: str) -> Walk:
    """The list in ``order``, after a walk in the default order it is compared with.

    When that walk reached the end of the list, the ordered walk starts from the top too; on a
    target with too many objects to reach the end it starts past the oldest seeded item instead,
    and must visit the seeded items created strictly later than its start.
    """
    top = forward(api, seeded, rules)
    if top.complete or order == rules.default_order:
        return forward(api, seeded, rules, order, earlier=(top,))
    start = _beyond(top, seeded)
    expected = frozenset(i for i in seeded.ids if _later(top.created_at(i), top.created_at(start)))
    return walk(api, Walk(seeded, rules, order=order, start=start, expected=expected, earlier=(top,)))


def backward(api, seeded: Seeded, rules: Paging) -> Walk:
    """With ``before``, from past the oldest seeded item back to the top: every seeded item before it, exactly once."""
    top = forward(api, seeded, rules)
    start = _beyond(top, seeded)
    shown = top.listed()
    expected = frozenset(i for i in shown[: shown.index(start)] if i in seeded.ids) if start in shown else seeded.ids
    return walk(api, Walk(seeded, rules, direction="before", start=start, expected=expected, earlier=(top,)))


def concurrent(api, seeded: Seeded, rules: Paging) -> Walk:
    """From the top, while another client creates an object after the first page: no item twice."""
    return walk(api, Walk(seeded, rules, kind="concurrent", expected=seeded.ids), between=seeded.more)


def unknown_cursors(api, seeded: Seeded, rules: Paging) -> list[Walk]:
    """One page past a cursor no object has, for each cursor the list has; the answers must agree."""
    probes: list[Walk] = []
    for direction in ("after", "before") if rules.before else ("after",):
        probes.append(walk(api, Walk(seeded, rules, kind="unknown-cursor", direction=direction, start=UNKNOWN_CURSOR, earlier=tuple(probes))))
    return probes


def _beyond(top: Walk, seeded: Seeded) -> str | None:
    """The item right after the last seeded one in ``top``'s order, else the last seeded one itself."""
    shown = top.listed()
    last = max((shown.index(i) for i in seeded.ids if i in shown), default=None)
    if last is None:
        return None
    return shown[last + 1] if last + 1 < len(shown) else shown[last]


def _later(created: object, than: object) -> bool:
    return isinstance(created, int) and isinstance(than, int) and created > than

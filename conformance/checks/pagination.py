"""Pagination checks: every page of a cursor-paginated list, and walks over such lists.

Page checks apply to any answer of a list in conformance/pagination.py PAGING. Walk checks run on
the pages of a walk (``Expect.walk``) and see the pages before: a repeat, a gap or a ``has_more`` that
lies is a finding on the page where it shows. Assertions are about the suite's seeded items and the
page invariants only, so objects the suite did not create never fail a walk.
"""

from conformance import pagination as pg
from conformance.checks.base import Finding, Level, check, shorten

SECTION = "List endpoints: cursor pagination (limit, order, after, before)"


def _page(ex) -> bool:
    """A 2xx JSON answer of a cursor-paginated list."""
    return ex.ok and isinstance(ex.data, dict) and pg.paging(ex) is not None


def _walking(kind: str, direction: str | None = None):
    return lambda expect: expect.walk is not None and expect.walk.kind == kind and direction in (None, expect.walk.direction)


def _in_walk(expect) -> bool:
    return expect.walk is not None and expect.walk.kind != "unknown-cursor"


@check("list.limit", Level.MUST, SECTION, applies=_page)
def within_limit(ex, expect):
    """A page has at most `limit` items (the reference's default limit when none is sent)."""
    sent = ex.request.url.params.get("limit")
    if sent is not None and not sent.isdigit():
        return  # not a limit the reference allows: http.status says whether it was rejected
    limit = int(sent) if sent is not None else pg.paging(ex).default_limit
    data = ex.data.get("data")
    if isinstance(data, list) and len(data) > limit:
        yield Finding(f"at most {limit} items" + ("" if sent else " (the reference's default limit)"), f"{len(data)} items", "/data", ex.operation.section)


@check("list.first-last-id", Level.MUST, SECTION, applies=lambda ex: _page(ex) and pg.paging(ex).ids)
def first_and_last_id(ex, expect):
    """first_id and last_id are the ids of the page's first and last items (null on an empty page)."""
    found = pg.ids(ex)
    for name, wanted, which in (("first_id", found[:1], "first"), ("last_id", found[-1:], "last")):
        wanted = wanted[0] if wanted else None
        if ex.data.get(name) != wanted:
            yield Finding(f"{name} {wanted!r}" + (f" (the {which} item's id)" if found else " (an empty page)"),
                          f"{name} {ex.data.get(name, '(absent)')!r}", f"/{name}", ex.operation.section)


@check("list.order", Level.MUST, SECTION, applies=lambda ex: _page(ex) and pg.paging(ex).default_order is not None)
def sorted_by_created_at(ex, expect):
    """Items are sorted by created_at (items without one: as they were sent) in the order asked for (the reference's default when none is), across pages too."""
    order = pg.order_of(ex, pg.paging(ex))
    walk = expect.walk if _in_walk(expect) else None
    sent = walk is not None and bool(walk.seeded.sequence)
    rank = walk.seeded.rank if walk is not None else (lambda item: item.get("created_at"))
    shown = [(f"/data/{i}", rank(item)) for i, item in enumerate(pg.items(ex))]
    neighbour = pg.items(walk.pages[-1]) if walk is not None and walk.pages else []
    if neighbour and shown:
        # A forward walk's page follows the previous page; a backward walk's page comes before it.
        if walk.direction == "after":
            shown.insert(0, ("", rank(neighbour[-1])))
        else:
            shown.append(("", rank(neighbour[0])))
    shown = [(pointer, value) for pointer, value in shown if isinstance(value, int)]  # foreign items (no rank) are not judged
    for (first_pointer, first), (second_pointer, second) in zip(shown, shown[1:]):
        if (second < first) if order == "asc" else (second > first):
            how = f"order={order}" if "order" in ex.request.url.params else f"{order}, the reference's default order"
            across = "" if first_pointer and second_pointer else " (across the boundary with the previous page of the walk)"
            if sent:
                wanted, seen = f"items {'as' if order == 'asc' else 'in the reverse of the order'} they were sent ({how})", f"sent item {second} after sent item {first}{across}"
            else:
                wanted, seen = f"created_at {'ascending' if order == 'asc' else 'descending'} ({how})", f"created_at {second} after {first}{across}"
            pointer = second_pointer or first_pointer
            yield Finding(wanted, seen, pointer + ("/id" if sent else "/created_at") if pointer else "", ex.operation.section)
            return


@check("list.has-more", Level.MUST, SECTION, applies=_page)
def has_more_truthful(ex, expect):
    """has_more is a boolean, true exactly when more items follow: the page after a true one has items, after a false one none."""
    more, found = ex.data.get("has_more"), pg.ids(ex)
    section = ex.operation.section
    if not isinstance(more, bool):
        yield Finding("has_more: true or false", f"has_more {more if 'has_more' in ex.data else '(absent)'!r}", "/has_more", section)
    elif more and not found:
        yield Finding("has_more: false on an empty page", "has_more: true", "/has_more", section)
    walk = expect.walk
    if not _in_walk(expect) or not walk.pages:
        return
    previous = pg.has_more(walk.pages[-1])
    if previous is True and not found:
        yield Finding("items on the page after one that said has_more: true", "an empty page: the previous page's has_more: true was wrong", "/data", section)
    elif previous is False and found:
        yield Finding("an empty page after one that said has_more: false", f"{len(found)} more item(s): {shorten(found, 120)}; the previous page's has_more: false was wrong", "/data", section)


def _exactly_once(ex, walk):
    """Findings for the page ``ex`` of ``walk``: items shown before (or the cursor itself), and at its end, seeded items never shown."""
    cursor = f"{walk.direction}={ex.request.url.params.get(walk.direction, '(none)')}"
    earlier = walk.visited + ([walk.start] if walk.start else [])
    for index, object_id in enumerate(pg.ids(ex)):
        if object_id in earlier:
            where = "an earlier page" if object_id in walk.visited else "the walk's starting cursor"
            meanwhile = ", although another object was created after the first page" if walk.kind == "concurrent" else ""
            yield Finding(f"only items the walk has not visited on the page {cursor}{meanwhile}", f"{object_id!r}, already on {where}", f"/data/{index}/id", ex.operation.section)
        earlier.append(object_id)
    if walk.next_cursor(ex) is None:
        missing = sorted(walk.expected - set(earlier))
        if missing:
            bounded = f" (the walk stopped at its bound of {pg.MAX_PAGES} pages)" if len(walk.pages) + 1 >= pg.MAX_PAGES else ""
            yield Finding(f"each of the {len(walk.expected)} objects the suite created for the walk visited",
                          f"never visited{bounded}: {shorten(missing, 160)}", "/data", ex.operation.section)


@check("list.walk-after", Level.MUST, SECTION, applies=_page, within=_walking("walk", "after"))
def walk_after(ex, expect):
    """Walking forward with after = the id of the page's last item visits every item exactly once: no repeat, no gap."""
    yield from _exactly_once(ex, expect.walk)


@check("list.walk-before", Level.MUST, SECTION, applies=_page, within=_walking("walk", "before"))
def walk_before(ex, expect):
    """Walking backward with before = the id of the page's first item visits every item exactly once: no repeat, no gap."""
    yield from _exactly_once(ex, expect.walk)


@check("list.walk-concurrent", Level.MUST, SECTION, applies=_page, within=_walking("concurrent"))
def walk_concurrent(ex, expect):
    """Objects created by someone else during a walk never make it repeat (or skip) an item."""
    yield from _exactly_once(ex, expect.walk)


@check("list.tie-order", Level.SHOULD, SECTION, applies=lambda ex: _page(ex) and pg.paging(ex).default_order is not None,
       within=lambda expect: _in_walk(expect) and bool(expect.walk.earlier))
def ties_consistent(ex, expect):
    """Items created in the same second keep one order: the same in every walk, reversed between asc and desc."""
    walk = expect.walk
    if walk.next_cursor(ex) is not None:
        return
    order = pg.order_of(ex, walk.rules)
    mine = [i for i in walk.listed(ex) if i in walk.seeded.ids]
    for other in walk.earlier:
        their_order = pg.order_of(other.pages[0], walk.rules)
        theirs = [i for i in other.listed() if i in mine]
        if their_order != order:
            theirs.reverse()
        ours = [i for i in mine if i in theirs]
        if ours != theirs:
            reversed_ = ", reversed" if their_order != order else ""
            yield Finding(f"the seeded items in the order of the earlier {their_order} walk{reversed_}: {shorten(theirs, 400)}",
                          shorten(ours, 400), "/data", ex.operation.section)


@check("list.unknown-cursor", Level.MUST, SECTION, applies=lambda ex: ex.response is not None, within=_walking("unknown-cursor"))
def unknown_cursor(ex, expect):
    """A cursor no object has gets an error object or an empty page with has_more: false, the same answer for after and before."""
    walk = expect.walk
    cursor = f"{walk.direction}={walk.start}"
    if ex.ok and isinstance(ex.data, dict) and (pg.ids(ex) or ex.data.get("has_more") is not False):
        yield Finding(f"{cursor}: an error object, or an empty page with has_more: false",
                      f"{len(pg.ids(ex))} item(s), has_more {ex.data.get('has_more')!r}", "/data", ex.operation.section)
    for other in walk.earlier:
        first = other.pages[0]
        if first.ok != ex.ok:
            yield Finding(f"the same kind of answer as {other.direction}={other.start}: HTTP {first.status}", f"HTTP {ex.status}", "", ex.operation.section)

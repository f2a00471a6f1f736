"""The emulator's list pages, by the reference's parameters of each list (conformance/pagination.py PAGING).

Items are kept oldest first (creation order), so ``created_at`` ties are broken by creation: the
same way in every request, and ``desc`` is exactly ``asc`` reversed. Stamps are the wall clock's
second (store.py), so a burst of creations ties, as on a real server.
"""

from __future__ import annotations

from starlette.requests import Request

from conformance import operations
from conformance.emulator.errors import invalid
from conformance.emulator.faults import active, declare
from conformance.emulator.variants import chosen
from conformance.pagination import PAGING, Paging

OVER_LIMIT = declare("page-over-limit", "list.limit", "test_walk_after", "a page holds one item more than limit")
IDS_SWAPPED = declare("first-last-id-swapped", "list.first-last-id", "test_walk_after", "first_id names the page's last item and last_id its first")
HAS_MORE_ON_LAST = declare("has-more-on-last-page", "list.has-more", "test_walk_after", "has_more: true on the last page of a list")
HAS_MORE_ABSENT = declare("has-more-absent", "list.has-more", "test_walk_after", "lists carry no has_more (object and data only)")
HAS_MORE_NEVER = declare("has-more-always-false", "list.has-more", "test_walk_after", "has_more: false even when more items follow")
AFTER_REPEATED = declare("after-item-repeated", "list.walk-after", "test_walk_after", "the page after=X starts with X itself (an inclusive cursor)")
BEFORE_FAR_END = declare("before-far-end", "list.walk-before", "test_walk_before", "before=X answers the first items of the list, not those right before X")
ORDER_IGNORED = declare("order-ignored", "list.order", "test_order", "the order parameter is ignored: lists always come newest first")
DEFAULT_ASC = declare("default-order-asc", "list.order", "test_order", "without order, lists come oldest first (the reference's default is desc)")
TIES_UNSTABLE = declare("ties-unstable", "list.tie-order", "test_order", "order=asc sorts the newest-first list by created_at: items of the same second stay newest first")
UNKNOWN_CURSOR_IGNORED = declare("unknown-cursor-ignored", "list.unknown-cursor", "test_unknown_cursor", "a cursor no object has is ignored: the answer is the first page")
UNKNOWN_CURSOR_INCONSISTENT = declare("unknown-cursor-inconsistent", "list.unknown-cursor", "test_unknown_cursor",
                                      "an unknown after is an error, an unknown before an empty page")
OFFSET_PAGES = declare("offset-pagination", "list.walk-concurrent", "test_walk_concurrent",
                       "pages are cut by position in the list as it was at the first page: objects created meanwhile shift them")
LIMIT_UNBOUNDED = declare("limit-unbounded", "http.status", "test_limit_out_of_bounds", "limit outside the reference's bounds is accepted")
DEFAULT_LIMIT_IGNORED = declare("default-limit-ignored", "list.limit", "test_list_items_default_limit",
                                "without limit, a page holds every item (the reference's default is 20 on most lists)")
LIMIT_MAX_EXCLUSIVE = declare("limit-max-exclusive", "http.status", "test_limit_at_bounds", "limit equal to the reference's maximum is rejected")
OBJECT_WRONG = declare("list-object-wrong", "body.schema", "test_list_models or test_walk_after", 'lists, the models list included, answer object "page" instead of "list"')
PAST_THE_END = object()
"""The cursor an unknown id stands for in the variant that answers it with an empty page."""


def list_object(request: Request) -> str:
    """The ``object`` of every list envelope, the unpaginated models list included."""
    return "page" if active(request, OBJECT_WRONG) else "list"


def page(request: Request, items: list[dict]) -> dict:
    """The list envelope of ``items`` (oldest first) after ``limit``, ``order``, ``after`` and ``before``."""
    operation, _ = operations.match("GET", request.url.path[len(request.scope.get("root_path", "")):])
    rules = PAGING[operation.key]
    limit = _limit(request, rules)
    ordered = _ordered(request, rules, items)
    position = {item["id"]: i for i, item in enumerate(ordered)}
    after = _cursor(request, "after", position)
    # A cursor the reference does not give a list is ignored, like any unknown query parameter.
    before = _cursor(request, "before", position) if rules.before else None
    start = 0 if after in (None, PAST_THE_END) else position[after] + (0 if active(request, AFTER_REPEATED) else 1)
    if active(request, OFFSET_PAGES):
        start = _offset(request, ordered, after, start)
    window = [] if PAST_THE_END in (after, before) else ordered[start: position[before] if before else len(ordered)]
    size = 1 if chosen(request, "short-pages") else limit + 1 if active(request, OVER_LIMIT) else limit
    # Paging backwards (only ``before``) wants the page that ends right before the cursor.
    backward = before and not after and not active(request, BEFORE_FAR_END)
    data = window[-size:] if backward else window[:size]
    has_more = len(window) > len(data)
    if active(request, HAS_MORE_ON_LAST):
        has_more = bool(data)
    if active(request, HAS_MORE_NEVER):
        has_more = False
    body = {"object": list_object(request), "data": data, **({} if active(request, HAS_MORE_ABSENT) else {"has_more": has_more})}
    if chosen(request, "list-extra-fields"):
        body["next_page_hint"] = "unknown fields are backward-compatible"
    if rules.ids or chosen(request, "list-extra-fields"):
        first, last = (data[0]["id"], data[-1]["id"]) if data else (None, None)
        body.update(first_id=last if active(request, IDS_SWAPPED) else first, last_id=first if active(request, IDS_SWAPPED) else last)
    return body


def _limit(request: Request, rules: Paging) -> int:
    low, high = rules.limits or (1, None)  # where the reference gives no bounds, any positive limit
    if active(request, LIMIT_UNBOUNDED):
        low, high = 0, None
    elif active(request, LIMIT_MAX_EXCLUSIVE) and high is not None:
        high -= 1
    limit = request.query_params.get("limit", str(high if active(request, DEFAULT_LIMIT_IGNORED) and high else rules.default_limit))
    if not limit.isdigit() or int(limit) < low or (high is not None and int(limit) > high):
        bounds = f"between {low} and {high}" if high is not None else f"of at least {low}"
        raise invalid("limit", f"Invalid 'limit': expected an integer {bounds}, got {limit!r}.")
    return int(limit)


def _ordered(request: Request, rules: Paging, items: list[dict]) -> list[dict]:
    if rules.default_order is None:
        return _ascending(request, items)[::-1]  # no order parameter: newest first, as the real API lists jobs and events
    order = request.query_params.get("order", "asc" if active(request, DEFAULT_ASC) else rules.default_order)
    if order not in ("asc", "desc"):
        raise invalid("order", f"Invalid 'order': expected 'asc' or 'desc', got {order!r}.")
    if order == "desc" or active(request, ORDER_IGNORED):
        return _ascending(request, items)[::-1]
    if active(request, TIES_UNSTABLE) and all("created_at" in item for item in items):  # ties of created_at only
        return sorted(items[::-1], key=lambda item: item.get("created_at", 0))
    return _ascending(request, items)


def _ascending(request: Request, items: list[dict]) -> list[dict]:
    # A response's input items have no created_at: they keep the order they were sent in (no tie to break).
    if chosen(request, "ties-by-id") and all("created_at" in item for item in items):
        return sorted(items, key=lambda item: (item["created_at"], item["id"]))
    return items


def _cursor(request: Request, name: str, position: dict[str, int]) -> str | None:
    cursor = request.query_params.get(name)
    if cursor is None or cursor in position:
        return cursor
    if active(request, UNKNOWN_CURSOR_IGNORED):
        return None
    if chosen(request, "unknown-cursor-empty-page") or (name == "before" and active(request, UNKNOWN_CURSOR_INCONSISTENT)):
        return PAST_THE_END
    raise invalid(name, f"Invalid '{name}': no object with id {cursor!r} in this list.")


def _offset(request: Request, ordered: list[dict], after: str | None, start: int) -> int:
    """The OFFSET_PAGES fault: ``after`` is looked up in the list as the first page saw it."""
    state = request.app.state
    if not hasattr(state, "first_pages"):
        state.first_pages = {}
    seen = state.first_pages
    key = (request.url.path, request.query_params.get("order"))
    if after is None:
        seen[key] = [item["id"] for item in ordered]
        return start
    return seen[key].index(after) + 1 if after in seen.get(key, ()) else start

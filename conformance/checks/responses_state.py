"""Stored state of the Responses API: what GET, input_items, cancel and previous_response_id say about
a response the case created.

Each check needs the earlier exchange it compares with, which the case passes as ``same_as``: the
create (for GET, input_items, a second turn) or the cancel (for the GET after it). A GET the case
expects to be 200 or 404 is judged here, so that a missing or a kept response is reported once,
with what the create asked for. The rejections (an unknown or unstored previous_response_id,
a GET after DELETE) are plain statuses: http.status; a cancel of what is not in the background is
judged here too, with what the create asked for.
"""

from __future__ import annotations

from conformance import pagination as pg
from conformance.checks.base import Finding, Level, check, shorten
from conformance.checks.responses_stream import terminal_response
from conformance.exchange import Exchange

CREATE = "POST /responses"
GET = "GET /responses/{response_id}"
INPUT_ITEMS = "GET /responses/{response_id}/input_items"
CANCEL = "POST /responses/{response_id}/cancel"


def _of(key: str):
    return lambda ex: ex.operation is not None and ex.operation.key == key


def _body(ex: Exchange) -> dict | None:
    """The object an answer gives: its JSON body or, for a streamed create, the response its terminal event carries."""
    if isinstance(ex.data, dict):
        return ex.data
    found = terminal_response(ex) if ex.stream is not None else None
    return found[1] if found else None


def _answered(key: str):
    """A 2xx answer to the operation giving an object (a streamed create: its terminal response)."""
    return lambda ex: ex.ok and _of(key)(ex) and _body(ex) is not None


def _earlier(key: str, background: bool | None = None):
    """The case passed, as ``same_as``, a 2xx JSON answer to ``key`` (for a create: background or not, when given)."""
    def within(expect) -> bool:
        base = expect.same_as
        if base is None or not _answered(key)(base):
            return False
        return background is None or (base.params.get("background") is True) == background
    return within


def what(item: dict) -> tuple:
    """An item as a client tells it from another: its type and text (message), arguments (call) or output."""
    kind = item.get("type", "message")
    if kind == "message":
        content = item.get("content")
        parts = content if isinstance(content, list) else [{"text": content}]
        return kind, tuple(p.get("text", p.get("refusal")) for p in parts if isinstance(p, dict))
    return kind, item.get("arguments", item.get("output", item.get("call_id")))


def _sent(create: Exchange) -> list[tuple]:
    """The input items a create sent, oldest first (a string input is one user message)."""
    given = create.params.get("input")
    items = [{"type": "message", "content": given}] if isinstance(given, str) else given if isinstance(given, list) else []
    return [what(item) for item in items if isinstance(item, dict)]


@check("responses.stored", Level.MUST, "Responses > Get a model response", applies=lambda ex: _of(GET)(ex) and ex.status in (200, 404),
       within=_earlier(CREATE, background=False))
def stored_as_asked(ex, expect):
    """A response created with store true (the default) can be retrieved; one created with store: false cannot (404)."""
    created = expect.same_as
    store = created.params.get("store", True)
    if store is not False and ex.status == 404:
        asked = "store: true" if "store" in created.params else "store left to its default, true"
        yield Finding(f"HTTP 200 with the response: it was created with {asked}",
                      f"HTTP 404: {shorten(ex.response.text, 160)}: the target did not keep it (store ignored?)", "status")
    elif store is False and ex.ok:
        yield Finding("HTTP 404: the response was created with store: false, so nothing of it is kept",
                      f"HTTP {ex.status} with the response: store: false was ignored", "status")


@check("responses.retrieved", Level.MUST, "Responses > Get a model response", applies=_answered(GET), within=_earlier(CREATE, background=False))
def retrieved_unchanged(ex, expect):
    """A stored response is retrieved as it was created: the same status and the same output items (ids, types, text)."""
    created = _body(expect.same_as)
    # What the create did not say (no status, items without ids: body.schema's findings) is not compared.
    if isinstance(created.get("status"), str) and ex.data.get("status") != created["status"]:
        yield Finding(f"status {created.get('status')!r}, as created", repr(ex.data.get("status")), "/status")
    wanted, seen = created.get("output"), ex.data.get("output")
    if not isinstance(wanted, list) or not isinstance(seen, list):
        return
    wanted = [i for i in wanted if isinstance(i, dict)]
    ids = all(isinstance(i.get("id"), str) for i in wanted)
    def described(item: dict) -> tuple:
        return ((item.get("id"),) if ids else ()) + what(item)
    shown = [described(i) for i in seen if isinstance(i, dict)]
    for index, item in enumerate(wanted):
        expected = described(item)
        if index >= len(shown) or shown[index] != expected:
            yield Finding(f"output[{index}] as created: {shorten(expected, 160)}", shorten(shown[index], 160) if index < len(shown) else "(absent)", f"/output/{index}")
            return
    if len(shown) > len(wanted):
        yield Finding(f"the {len(wanted)} output item(s) created", f"{len(shown)} items: {shorten(shown[len(wanted):], 160)}", f"/output/{len(wanted)}")


def _usage(ex: Exchange, name: str) -> int | None:
    usage = _body(ex).get("usage")
    value = usage.get(name) if isinstance(usage, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@check("responses.previous-context", Level.MUST, "Responses > Create a model response",
       applies=lambda ex: _answered(CREATE)(ex) and isinstance(ex.params.get("previous_response_id"), str), within=_earlier(CREATE))
def previous_context(ex, expect):
    """A turn with previous_response_id is answered with the earlier turn as context: its input_tokens count at least that turn's input and output."""
    yield from previous_counted(ex, expect.same_as, "plus this input")


def previous_counted(ex: Exchange, first: Exchange, besides: str):
    """The finding when ``ex``, sent with ``first``'s id as previous_response_id, counts fewer input tokens than ``first``'s
    input and output (``besides``: what else it counts)."""
    if ex.params["previous_response_id"] != _body(first).get("id"):
        return
    before = [_usage(first, "input_tokens"), _usage(first, "output_tokens")]
    now = _usage(ex, "input_tokens")
    if None in before or now is None:
        return  # no usage to compare: body.schema reports it
    if now < sum(before):
        yield Finding(f"usage.input_tokens >= {sum(before)} (the previous response's {before[0]} input + {before[1]} output tokens, {besides})",
                      f"{now}: previous_response_id {_body(first).get('id')!r} seems ignored", "/usage/input_tokens")


def _whole(ex: Exchange) -> bool:
    """The page lists every item: has_more false or, without has_more (list.has-more's finding), fewer items than it could hold."""
    if "has_more" in ex.data:
        return ex.data["has_more"] is False
    limit = ex.request.url.params.get("limit", "")
    return len(pg.items(ex)) < (int(limit) if limit.isdigit() else pg.paging(ex).default_limit)


@check("responses.input-items", Level.MUST, "Responses > List input items",
       applies=lambda ex: _answered(INPUT_ITEMS)(ex) and not any(c in ex.request.url.params for c in ("after", "before")),
       within=_earlier(CREATE))
def input_items_as_sent(ex, expect):
    """input_items lists exactly the input the response was created with (of a chained response: all the context, or only its own input)."""
    created = expect.same_as
    if not _whole(ex) or ex.path_params.get("response_id") != _body(created).get("id"):
        return  # only a whole listing of the created response can be compared with what was sent
    # Compared as collections: their order is list.order's (the walks know the order the items were sent in).
    listed, sent = sorted(map(repr, map(what, pg.items(ex)))), sorted(map(repr, _sent(created)))
    chained = isinstance(created.params.get("previous_response_id"), str)
    missing = [item for item in sent if item not in listed]
    if listed == sent or (chained and not missing):
        return
    whole = " (or the whole context, including them)" if chained else ""
    yield Finding(f"the {len(sent)} input item(s) sent{whole}: {shorten(_sent(created), 200)}",
                  f"{len(listed)} item(s): {shorten([what(i) for i in pg.items(ex)], 200)}" + (f"; never listed: {shorten(missing, 120)}" if missing else ""), "/data")


@check("responses.cancelled", Level.MUST, "Responses > Cancel a response", applies=lambda ex: _answered(CANCEL)(ex) or _answered(GET)(ex),
       within=lambda expect: _earlier(CREATE, background=True)(expect) or _earlier(CANCEL)(expect))
def cancelled(ex, expect):
    """Cancelling a background response answers it with status cancelled, and a later GET says cancelled too."""
    if _of(GET)(ex) != _earlier(CANCEL)(expect):
        return  # a cancel is judged against its background create, a GET against the cancel before it
    if ex.data.get("status") != "cancelled":
        after = " (retrieved after it was cancelled)" if _of(GET)(ex) else ""
        yield Finding(f'status "cancelled"{after}', repr(ex.data.get("status")), "/status")


@check("responses.cancel-background-only", Level.MUST, "Responses > Cancel a response", applies=lambda ex: ex.response is not None and _of(CANCEL)(ex),
       within=_earlier(CREATE, background=False))
def cancel_background_only(ex, expect):
    """Only a response created with background: true can be cancelled: cancelling another is refused (400 on the real API)."""
    if not ex.ok:
        return  # a refusal: which status is http.status's
    status = ex.data.get("status") if isinstance(ex.data, dict) else None
    yield Finding("HTTP 400: only responses created with background: true can be cancelled, and this one was created without it",
                  f"HTTP {ex.status} with status {status!r}" + (": the response is unchanged" if status == _body(expect.same_as).get("status") else ""), "status")

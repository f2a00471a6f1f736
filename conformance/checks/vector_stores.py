"""Vector stores beyond the schema: counts that add up, files named by their File's id in their own store,
what a create or modify asked for, processing that ends, filters that filter, and a search that finds the files.

Checks that compare with an earlier answer get it as ``same_as`` (the create of the object, the batch the
list belongs to): a case passes it only to the retrieve that ends its bounded wait for processing
(cases/test_vector_stores.py), so ``vector-stores.processed`` judges an object the suite gave time.
"""

from __future__ import annotations

from conformance.checks.base import Finding, Level, check, shorten
from conformance.polling import WAIT_SECONDS
from conformance.exchange import Exchange

COUNTS = ("in_progress", "completed", "failed", "cancelled")
SEARCH = "POST /vector_stores/{vector_store_id}/search"
_GIVEN_FILES = ("POST /vector_stores", "POST /vector_stores/{vector_store_id}/file_batches")
"""The creates that are given files (file_ids): a wait for their processing counts them."""
_OBJECTS = ("vector_store", "vector_store.file", "vector_store.files_batch", "vector_store.file_batch")


def _answered(ex: Exchange) -> bool:
    """A 2xx JSON object answer of a vector-stores operation."""
    return ex.ok and ex.operation is not None and ex.operation.capability == "vector-stores" and isinstance(ex.data, dict)


def _objects(ex: Exchange) -> list[tuple[str, dict]]:
    """The vector store objects an answer carries, with their pointers: itself, or the items of its list."""
    if ex.data.get("object") == "list" and isinstance(ex.data.get("data"), list):
        return [(f"/data/{i}", item) for i, item in enumerate(ex.data["data"]) if isinstance(item, dict)]
    return [("", ex.data)]


def _key(ex: Exchange | None) -> str | None:
    return ex.operation.key if ex is not None and ex.operation is not None else None


def _sent(ex: Exchange, name: str, default: object = None) -> object:
    body = ex.request_json
    return body.get(name, default) if isinstance(body, dict) else default


@check("vector-stores.file-counts", Level.MUST, "Vector stores > The vector store object", applies=_answered)
def counts_add_up(ex, expect):
    """A vector store's and a file batch's file_counts add up: in_progress + completed + failed + cancelled = total."""
    for pointer, obj in _objects(ex):
        counts = obj.get("file_counts")
        if not isinstance(counts, dict) or not all(type(counts.get(k)) is int for k in (*COUNTS, "total")):
            continue  # body.schema's finding
        if sum(counts[k] for k in COUNTS) != counts["total"]:
            yield Finding(f"total {sum(counts[k] for k in COUNTS)} (the sum of {', '.join(COUNTS)})", f"total {counts['total']} ({shorten(counts)})",
                          f"{pointer}/file_counts/total", ex.operation.section)


@check("vector-stores.parent", Level.MUST, "Vector stores > The vector store file object",
       applies=lambda ex: _answered(ex) and "vector_store_id" in ex.path_params)
def in_its_store(ex, expect):
    """A vector store file or file batch names, in vector_store_id, the vector store of the path it was asked by."""
    wanted = ex.path_params["vector_store_id"]
    for pointer, obj in _objects(ex):
        if obj.get("object") in _OBJECTS[1:] and "vector_store_id" in obj and obj["vector_store_id"] != wanted:
            yield Finding(f"vector_store_id {wanted!r}", repr(obj["vector_store_id"]), f"{pointer}/vector_store_id", ex.operation.section)


@check("vector-stores.file-id", Level.MUST, "Vector stores > Create vector store file",
       applies=lambda ex: _answered(ex) and ex.operation.key == "POST /vector_stores/{vector_store_id}/files" and isinstance(_sent(ex, "file_id"), str))
def attached_by_file_id(ex, expect):
    """An attached file is the File it attaches: its id is the file_id sent (GET /vector_stores/{id}/files/{file_id} finds it by that id)."""
    wanted = _sent(ex, "file_id")
    if "id" in ex.data and ex.data["id"] != wanted:
        yield Finding(f"id {wanted!r} (the file_id sent)", repr(ex.data["id"]), "/id")


_ASKED = ("name", "metadata", "expires_after")


@check("vector-stores.as-asked", Level.MUST, "Vector stores > Create vector store",
       applies=lambda ex: _answered(ex) and ex.operation.key in ("POST /vector_stores", "POST /vector_stores/{vector_store_id}"))
def as_asked(ex, expect):
    """A created or modified vector store has the name, metadata and expires_after sent, and an expires_at when it expires."""
    for name in _ASKED:
        wanted = _sent(ex, name)
        if wanted is not None and ex.data.get(name) != wanted:
            yield Finding(f"{name} {shorten(wanted)} (as sent)", shorten(ex.data.get(name, "(absent)")), f"/{name}", ex.operation.section)
    if _sent(ex, "expires_after") is not None and ex.data.get("expires_at") is None:
        yield Finding("expires_at: when the store expires (expires_after was sent)", shorten(ex.data.get("expires_at", "(absent)")), "/expires_at",
                      ex.operation.section)


_CREATES = {
    "GET /vector_stores/{vector_store_id}": ("POST /vector_stores",),
    "GET /vector_stores/{vector_store_id}/files/{file_id}": ("POST /vector_stores/{vector_store_id}/files",),
    "GET /vector_stores/{vector_store_id}/file_batches/{batch_id}": ("POST /vector_stores/{vector_store_id}/file_batches",
                                                                     "POST /vector_stores/{vector_store_id}/file_batches/{batch_id}/cancel"),
}
"""The retrieve that ends a wait, and the requests whose answer it waited on."""


_WAITED_ON = {key for keys in _CREATES.values() for key in keys}


def _retrieved(ex: Exchange) -> bool:
    return _answered(ex) and ex.operation.key in _CREATES


def _waited(ex: Exchange, expect) -> bool:
    """The retrieve ends a wait on the object the earlier answer made (not, say, a store's retrieve after a batch's create)."""
    return _key(expect.same_as) in _CREATES[ex.operation.key]


@check("vector-stores.processed", Level.MUST, "Vector stores > The vector store object", applies=_retrieved,
       within=lambda expect: _key(expect.same_as) in _WAITED_ON)
def processed(ex, expect):
    """Attached files are processed within a bounded wait: the store, file or batch is no longer in_progress, none of its files is."""
    if not _waited(ex, expect):
        return
    counts = ex.data.get("file_counts") if isinstance(ex.data.get("file_counts"), dict) else {}
    if ex.data.get("status") == "in_progress" or (type(counts.get("in_progress")) is int and counts["in_progress"] > 0):
        yield Finding(f"no status or file count in_progress after the suite's wait of {WAIT_SECONDS:g} s",
                      f"status {ex.data.get('status')!r}, file_counts {shorten(counts)}", "/status", ex.operation.section)


@check("vector-stores.files-counted", Level.MUST, "Vector stores > Create vector store", applies=_retrieved,
       within=lambda expect: _key(expect.same_as) in _GIVEN_FILES)
def files_counted(ex, expect):
    """A store created with file_ids, or a file batch, counts in file_counts.total the files it was given."""
    if not _waited(ex, expect):
        return
    sent = _sent(expect.same_as, "file_ids") or _sent(expect.same_as, "files")
    total = (ex.data.get("file_counts") or {}).get("total") if isinstance(ex.data.get("file_counts"), dict) else None
    if isinstance(sent, list) and sent and type(total) is int and total != len(sent):
        yield Finding(f"file_counts.total {len(sent)} (the files its create sent)", f"total {total}", "/file_counts/total", ex.operation.section)


def _status_filtered(ex: Exchange) -> bool:
    return _answered(ex) and ex.data.get("object") == "list" and "filter" in ex.request.url.params and "vector_store_id" in ex.path_params


@check("vector-stores.file-filter", Level.MUST, "Vector stores > List vector store files", applies=_status_filtered)
def file_filter(ex, expect):
    """GET /vector_stores/{id}/files?filter=X (and a batch's files) lists only files whose status is X."""
    wanted = ex.request.url.params["filter"]
    for pointer, obj in _objects(ex):
        if obj.get("status") != wanted:
            yield Finding(f"status {wanted!r}", repr(obj.get("status")), f"{pointer}/status", ex.operation.section)


@check("vector-stores.batch-files", Level.MUST, "Vector stores > List vector store files in a batch",
       applies=lambda ex: _answered(ex) and ex.operation.key.endswith("/file_batches/{batch_id}/files"),
       within=lambda expect: _key(expect.same_as) == "POST /vector_stores/{vector_store_id}/file_batches")
def batch_files(ex, expect):
    """A file batch's file list holds the batch's files, and (one unfiltered page holding all) every one of them."""
    sent = _sent(expect.same_as, "file_ids") or [f.get("file_id") for f in _sent(expect.same_as, "files") or () if isinstance(f, dict)]
    shown = [(pointer, obj.get("id")) for pointer, obj in _objects(ex)]
    for pointer, file_id in shown:
        if file_id not in sent:
            yield Finding(f"one of the batch's files {shorten(sent)}", repr(file_id), f"{pointer}/id", ex.operation.section)
    whole = ex.data.get("has_more") is False and not {"after", "before", "filter"} & set(ex.request.url.params)
    if whole and (missing := [i for i in sent if i not in {file_id for _, file_id in shown}]):
        yield Finding(f"the batch's {len(sent)} files", f"without {shorten(missing)}", "/data", ex.operation.section)



def _results(ex: Exchange) -> list[tuple[str, dict]]:
    data = ex.data.get("data")
    return [(f"/data/{i}", r) for i, r in enumerate(data) if isinstance(r, dict)] if isinstance(data, list) else []


@check("vector-stores.search-file-ids", Level.MUST, "Vector stores > Search vector store",
       applies=lambda ex: _answered(ex) and ex.operation.key == SEARCH, within=lambda expect: _key(expect.same_as) == "POST /vector_stores")
def search_file_ids(ex, expect):
    """Each search result's file_id is the id of a File attached to the store (not an id of the store's own making)."""
    attached = _sent(expect.same_as, "file_ids") or []
    for pointer, result in _results(ex):
        if "file_id" in result and result["file_id"] not in attached:
            yield Finding(f"the id of an attached file {shorten(attached)}", repr(result["file_id"]), f"{pointer}/file_id", ex.operation.section)


@check("vector-stores.search-max", Level.MUST, "Vector stores > Search vector store", applies=lambda ex: _answered(ex) and ex.operation.key == SEARCH)
def search_max(ex, expect):
    """A search answers at most max_num_results results (10 when none is sent)."""
    limit = _sent(ex, "max_num_results", 10)
    if type(limit) is int and len(_results(ex)) > limit:
        yield Finding(f"at most {limit} results", f"{len(_results(ex))} results", "/data", ex.operation.section)


@check("vector-stores.search-order", Level.SHOULD, "Vector stores > Search vector store", applies=lambda ex: _answered(ex) and ex.operation.key == SEARCH)
def search_order(ex, expect):
    """Search results come best first: scores never increase down the page."""
    scored = [(pointer, r["score"]) for pointer, r in _results(ex) if isinstance(r.get("score"), (int, float)) and not isinstance(r.get("score"), bool)]
    for (_, first), (pointer, second) in zip(scored, scored[1:]):
        if second > first:
            yield Finding("scores in descending order", f"score {second} after {first}", f"{pointer}/score", ex.operation.section)
            return


@check("vector-stores.search-found", Level.SHOULD, "Vector stores > Search vector store",
       applies=lambda ex: _answered(ex) and ex.operation.key == SEARCH, within=lambda expect: _key(expect.same_as) == "POST /vector_stores")
def search_found(ex, expect):
    """A search with words of a processed file's text finds at least one result."""
    if isinstance(ex.data.get("data"), list) and not ex.data["data"]:
        yield Finding("at least one result (the query is words of an attached, processed file)", "an empty page", "/data", ex.operation.section)


def _file_search_calls(ex: Exchange) -> list[tuple[str, dict]]:
    output = ex.data.get("output")
    items = enumerate(output) if isinstance(output, list) else ()
    return [(f"/output/{i}", item) for i, item in items if isinstance(item, dict) and item.get("type") == "file_search_call"]


@check("vector-stores.file-search-results", Level.MUST, "Responses > Create a model response",
       applies=lambda ex: ex.ok and ex.stream is None and _key(ex) == "POST /responses" and isinstance(ex.data, dict),
       within=lambda expect: _key(expect.same_as) == "POST /vector_stores")
def file_search_results(ex, expect):
    """A Responses file_search call asked to search a store (tool_choice file_search, include file_search_call.results)
    is in the output, with its results listed, each naming an attached file's id."""
    attached = _sent(expect.same_as, "file_ids") or []
    calls = _file_search_calls(ex)
    if not calls:
        yield Finding("a file_search_call item in the output (tool_choice: file_search)", "none", "/output")
    for pointer, call in calls:
        results = call.get("results")
        if not isinstance(results, list):
            yield Finding("results: a list (include: file_search_call.results)", shorten(results), f"{pointer}/results")
            continue
        for index, result in enumerate(results):
            if isinstance(result, dict) and "file_id" in result and result["file_id"] not in attached:
                yield Finding(f"the id of an attached file {shorten(attached)}", repr(result["file_id"]), f"{pointer}/results/{index}/file_id")

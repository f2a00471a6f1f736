"""The /vector_stores routes: stores of the files in files.py's store, their files and file batches, and a search.

Processing is deterministic: a file attached to a store is ``in_progress`` until the next read (GET) of
anything in its store, then ``completed`` (the vector-store-files-slow variant: after three reads), and a
store's and a batch's status and ``file_counts`` follow from their files. The search cuts each completed
file into its lines and scores a line by the share of the query's words it holds (0 to 1): the same query
ranks the same lines the same way on every run.
"""

from __future__ import annotations

import re

from starlette.requests import Request

from conformance.emulator import files
from conformance.emulator.errors import APIError, invalid
from conformance.emulator.faults import active, declare
from conformance.emulator.pagination import page
from conformance.emulator.replies import reply
from conformance.emulator.store import Store, store
from conformance.emulator.validation import Number, json_object, metadata, optional
from conformance.emulator.variants import chosen

COUNTS_OFF = declare("vector-store-counts-off", "vector-stores.file-counts", "test_vector_store_lifecycle",
                     "file_counts.total is one more than in_progress + completed + failed + cancelled")
PARENT_WRONG = declare("vector-store-file-parent-wrong", "vector-stores.parent", "test_attach_file",
                       "a vector store file names another vector store in vector_store_id")
FILE_ID_INTERNAL = declare("vector-store-file-internal-id", "vector-stores.file-id", "test_attach_file",
                           "an attached file is answered with an id of the store's own (vsf_...), not the File's id")
NEVER_READY = declare("vector-store-files-never-ready", "vector-stores.processed", "test_vector_store_lifecycle or test_attach_file",
                      "attached files stay in_progress for ever")
FILE_IDS_IGNORED = declare("vector-store-file-ids-ignored", "vector-stores.files-counted", "test_vector_store_lifecycle",
                           "a store created with file_ids is created empty")
FIELDS_DROPPED = declare("vector-store-fields-dropped", "vector-stores.as-asked", "test_vector_store_lifecycle",
                         "create and modify answer name null, metadata {} and no expires_after, whatever was sent")
FILTER_IGNORED = declare("vector-store-file-filter-ignored", "vector-stores.file-filter", "test_list_files_by_status",
                         "GET /vector_stores/{id}/files ignores ?filter=")
BATCH_ALL_FILES = declare("vector-store-batch-lists-all-files", "vector-stores.batch-files", "test_file_batch",
                          "a batch's file list holds every file of its store, not only the batch's")
BATCH_CANCEL_IGNORED = declare("vector-store-batch-cancel-ignored", "vector-stores.processed", "test_cancel_file_batch",
                               "a cancel is answered, but the batch's files stay in_progress for ever")
SEARCH_INTERNAL_IDS = declare("vector-store-search-internal-ids", "vector-stores.search-file-ids", "test_vector_store_lifecycle",
                              "search results name the store's chunk ids (chunk_...) in file_id, not the files' ids")
SEARCH_OVER_MAX = declare("vector-store-search-over-max", "vector-stores.search-max", "test_vector_store_lifecycle",
                          "a search answers one result more than max_num_results")
SEARCH_UNRANKED = declare("vector-store-search-unranked", "vector-stores.search-order", "test_vector_store_lifecycle",
                          "search results come lowest score first")
SEARCH_EMPTY = declare("vector-store-search-empty", "vector-stores.search-found", "test_vector_store_lifecycle",
                       "every search answers an empty page")
FILE_SEARCH_INTERNAL_IDS = declare("file-search-internal-ids", "vector-stores.file-search-results", "test_file_search_response",
                                   "a Responses file_search_call's results name chunk ids (chunk_...) in file_id, not the files' ids")
DELETE_NOOP = declare("vector-store-delete-noop", "http.status", "test_vector_store_lifecycle", "a vector store delete confirms but keeps the store")

KIND = "vector_store"
BATCH = "vector_store.file_batch"
STATUSES = ("in_progress", "completed", "failed", "cancelled")
SLOW_READS = 3
"""Reads of its store an attached file waits in the vector-store-files-slow variant (one otherwise)."""
AUTO_CHUNKING = {"type": "static", "static": {"max_chunk_size_tokens": 800, "chunk_overlap_tokens": 400}}
"""What the ``auto`` strategy is answered as (the reference's defaults)."""
MAX_FILE_IDS, MAX_BATCH_FILES = 500, 2000
NUMBERS = (Number("max_num_results", True, 1, 50),)
_WORD = re.compile(r"\w+")


def _files_kind(store_id: str) -> str:
    return f"vector_store.file/{store_id}"


def _vector_store(request: Request) -> dict:
    return store(request).get(KIND, request.path_params["vector_store_id"], "vector store", "vector_store_id")


def _counts(items: list[dict]) -> dict:
    counts = {status: sum(1 for item in items if item["status"] == status) for status in STATUSES}
    return {**counts, "total": len(items)}


def _shown(request: Request, obj: dict) -> dict:
    """An object with file_counts as answered (the counts fault)."""
    if "file_counts" in obj and active(request, COUNTS_OFF):
        return {**obj, "file_counts": {**obj["file_counts"], "total": obj["file_counts"]["total"] + 1}}
    return obj


def _file_shown(request: Request, obj: dict) -> dict:
    obj = {k: v for k, v in obj.items() if not k.startswith("_")}
    if active(request, PARENT_WRONG):
        obj["vector_store_id"] = "vs_another_store"
    if active(request, FILE_ID_INTERNAL):
        obj["id"] = "vsf_" + obj["id"].removeprefix("file-")
    return obj


def _refresh(objects: Store, store_id: str) -> None:
    """The store's and its batches' status and counts, from their files."""
    attached = objects.all(_files_kind(store_id))
    vector_store = objects.get(KIND, store_id, "vector store", "vector_store_id")
    vector_store["file_counts"] = _counts(attached)
    vector_store["usage_bytes"] = sum(f["usage_bytes"] for f in attached)
    vector_store["status"] = "in_progress" if vector_store["file_counts"]["in_progress"] else "completed"
    for batch in objects.all(BATCH):
        if batch["vector_store_id"] == store_id:
            mine = [f for f in attached if f["_batch"] == batch["id"]]
            batch["file_counts"] = _counts(mine)
            if batch["status"] != "cancelled":
                batch["status"] = "in_progress" if batch["file_counts"]["in_progress"] else "completed"


def _advance(request: Request, store_id: str) -> None:
    """A read of the store: its files in progress move one read nearer to completed."""
    objects = store(request)
    for attached in objects.all(_files_kind(store_id)):
        if attached["status"] != "in_progress" or active(request, NEVER_READY) or attached["_stuck"]:
            continue
        attached["_reads"] -= 1
        if attached["_reads"] <= 0:
            attached["status"] = "completed"
            attached["usage_bytes"] = len(objects.blobs.get(attached["id"], b""))
    _refresh(objects, store_id)


def _chunking(body: dict) -> dict:
    strategy = body.get("chunking_strategy")
    if strategy is None or strategy == {"type": "auto"}:
        return AUTO_CHUNKING
    static = strategy.get("static") if isinstance(strategy, dict) and strategy.get("type") == "static" else None
    size = static.get("max_chunk_size_tokens") if isinstance(static, dict) else None
    overlap = static.get("chunk_overlap_tokens") if isinstance(static, dict) else None
    if not (type(size) is int and 100 <= size <= 4096 and type(overlap) is int and 0 <= overlap <= size // 2):
        raise invalid("chunking_strategy", "Invalid 'chunking_strategy': expected {'type': 'auto'} or {'type': 'static', 'static': "
                      "{'max_chunk_size_tokens': 100 to 4096, 'chunk_overlap_tokens': at most half of it}}.")
    return {"type": "static", "static": {"max_chunk_size_tokens": size, "chunk_overlap_tokens": overlap}}


def _file_ids(body: dict, name: str, limit: int) -> list[str]:
    ids = body.get(name, [])
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise invalid(name, f"Invalid type for '{name}': expected an array of strings.", "invalid_type")
    if len(ids) > limit:
        raise invalid(name, f"Invalid '{name}': array too long. Expected an array with maximum length {limit}, but got {len(ids)}.", "array_above_max_length")
    return ids


def _attach(request: Request, store_id: str, file_id: str, chunking: dict, attributes: object, batch: str | None = None, stuck: bool = False) -> dict:
    objects = store(request)
    objects.get(files.KIND, file_id, "file", "file_id")
    attached = objects.add(_files_kind(store_id), {
        "id": file_id,
        "object": "vector_store.file",
        "usage_bytes": 0,
        "created_at": objects.now(),
        "vector_store_id": store_id,
        "status": "in_progress",
        "last_error": None,
        "chunking_strategy": chunking,
        "attributes": attributes if isinstance(attributes, dict) else {},
        "_reads": SLOW_READS if chosen(request, "vector-store-files-slow") else 1,
        "_batch": batch,
        "_stuck": stuck,
    })
    return attached


def _expiry(body: dict, obj: dict) -> None:
    after = body.get("expires_after")
    if after is None:
        return
    days = after.get("days") if isinstance(after, dict) else None
    if not isinstance(after, dict) or after.get("anchor") != "last_active_at" or type(days) is not int or not 1 <= days <= 365:
        raise invalid("expires_after", "Invalid 'expires_after': expected {'anchor': 'last_active_at', 'days': 1 to 365}.")
    obj["expires_after"] = {"anchor": "last_active_at", "days": days}
    obj["expires_at"] = obj["last_active_at"] + days * 86400


def _named(body: dict) -> None:
    optional(body, "name", (str, type(None)))
    optional(body, "description", (str, type(None)))
    metadata(body)


async def create(request: Request):
    body = await json_object(request)
    _named(body)
    file_ids = _file_ids(body, "file_ids", MAX_FILE_IDS)
    chunking = _chunking(body)
    objects = store(request)
    now = objects.now()
    dropped = active(request, FIELDS_DROPPED)
    obj = {
        "id": objects.new_id("vs_"),
        "object": "vector_store",
        "created_at": now,
        "name": None if dropped else body.get("name"),
        "description": body.get("description"),
        "usage_bytes": 0,
        "file_counts": _counts([]),
        "status": "completed",
        "expires_after": None,
        "expires_at": None,
        "last_active_at": now,
        "metadata": {} if dropped else body.get("metadata") or {},
    }
    if not dropped:
        _expiry(body, obj)
    for file_id in file_ids:
        objects.get(files.KIND, file_id, "file", "file_ids")  # all or nothing: checked before the store exists
    objects.add(KIND, obj)
    for file_id in [] if active(request, FILE_IDS_IGNORED) else file_ids:
        _attach(request, obj["id"], file_id, chunking, None)
    _refresh(objects, obj["id"])
    return reply(request, 200, _shown(request, obj))


async def retrieve(request: Request):
    obj = _vector_store(request)
    _advance(request, obj["id"])
    return reply(request, 200, _shown(request, obj))


async def modify(request: Request):
    obj = _vector_store(request)
    body = await json_object(request)
    _named(body)
    if not active(request, FIELDS_DROPPED):
        obj.update({k: body[k] for k in ("name", "metadata") if k in body})
        _expiry(body, obj)
    return reply(request, 200, _shown(request, obj))


async def delete(request: Request):
    obj = _vector_store(request)
    if not active(request, DELETE_NOOP):
        objects = store(request)
        for attached in objects.all(_files_kind(obj["id"])):
            objects.remove(_files_kind(obj["id"]), attached["id"], blob=False)
        objects.remove(KIND, obj["id"])
    return reply(request, 200, {"id": obj["id"], "object": "vector_store.deleted", "deleted": True})


async def list_stores(request: Request):
    return reply(request, 200, page(request, [_shown(request, s) for s in store(request).all(KIND)]))


async def attach(request: Request):
    vector_store = _vector_store(request)
    body = await json_object(request)
    if not isinstance(body.get("file_id"), str):
        raise APIError(400, "Missing required parameter: 'file_id'.", param="file_id", code="missing_required_parameter")
    attached = _attach(request, vector_store["id"], body["file_id"], _chunking(body), body.get("attributes"))
    _refresh(store(request), vector_store["id"])
    return reply(request, 200, _file_shown(request, attached))


def _attached(request: Request) -> dict:
    vector_store = _vector_store(request)
    return store(request).get(_files_kind(vector_store["id"]), request.path_params["file_id"], "vector store file", "file_id")


async def retrieve_file(request: Request):
    attached = _attached(request)
    _advance(request, attached["vector_store_id"])
    return reply(request, 200, _file_shown(request, attached))


async def delete_file(request: Request):
    attached = _attached(request)
    store(request).remove(_files_kind(attached["vector_store_id"]), attached["id"], blob=False)
    _refresh(store(request), attached["vector_store_id"])
    return reply(request, 200, {"id": attached["id"], "object": "vector_store.file.deleted", "deleted": True})


def _listed(request: Request, attached: list[dict]) -> dict:
    status = request.query_params.get("filter")
    if status is not None and status not in STATUSES:
        raise invalid("filter", f"Invalid 'filter': expected one of {list(STATUSES)}, got {status!r}.")
    if status is not None and not active(request, FILTER_IGNORED):
        attached = [f for f in attached if f["status"] == status]
    return page(request, [_file_shown(request, f) for f in attached])


async def list_files(request: Request):
    vector_store = _vector_store(request)
    _advance(request, vector_store["id"])
    return reply(request, 200, _listed(request, store(request).all(_files_kind(vector_store["id"]))))


async def create_batch(request: Request):
    vector_store = _vector_store(request)
    body = await json_object(request)
    if "files" in body:
        entries = body["files"] if isinstance(body["files"], list) else None
        if not entries or not all(isinstance(e, dict) and isinstance(e.get("file_id"), str) for e in entries):
            raise invalid("files", "Invalid 'files': expected a non-empty array of objects with a file_id.")
    else:
        if "file_ids" not in body:
            raise APIError(400, "Missing required parameter: 'file_ids' (or 'files').", param="file_ids", code="missing_required_parameter")
        entries = [{"file_id": i} for i in _file_ids(body, "file_ids", MAX_BATCH_FILES)]
        if not entries:
            raise invalid("file_ids", "Invalid 'file_ids': expected at least one file id.", "array_below_min_length")
    objects = store(request)
    for entry in entries:
        objects.get(files.KIND, entry["file_id"], "file", "file_ids")
    batch = objects.add(BATCH, {"id": objects.new_id("vsfb_"), "object": "vector_store.files_batch", "created_at": objects.now(),
                                "vector_store_id": vector_store["id"], "status": "in_progress", "file_counts": _counts([])})
    for entry in entries:
        _attach(request, vector_store["id"], entry["file_id"], _chunking(entry if "files" in body else body),
                entry.get("attributes", body.get("attributes")), batch["id"], stuck=active(request, BATCH_CANCEL_IGNORED))
    _refresh(objects, vector_store["id"])
    return reply(request, 200, _shown(request, batch))


def _batch(request: Request) -> dict:
    vector_store = _vector_store(request)
    batch = store(request).get(BATCH, request.path_params["batch_id"], "vector store file batch", "batch_id")
    if batch["vector_store_id"] != vector_store["id"]:
        raise APIError(404, f"No vector store file batch found with id '{batch['id']}'.", param="batch_id")
    return batch


async def retrieve_batch(request: Request):
    batch = _batch(request)
    _advance(request, batch["vector_store_id"])
    return reply(request, 200, _shown(request, batch))


async def cancel_batch(request: Request):
    batch = _batch(request)
    objects = store(request)
    if not active(request, BATCH_CANCEL_IGNORED) and batch["status"] == "in_progress":
        batch["status"] = "cancelled"
        for attached in objects.all(_files_kind(batch["vector_store_id"])):
            if attached["_batch"] == batch["id"] and attached["status"] == "in_progress":
                attached["status"] = "cancelled"
    _refresh(objects, batch["vector_store_id"])
    return reply(request, 200, _shown(request, batch))


async def list_batch_files(request: Request):
    batch = _batch(request)
    _advance(request, batch["vector_store_id"])
    attached = store(request).all(_files_kind(batch["vector_store_id"]))
    return reply(request, 200, _listed(request, attached if active(request, BATCH_ALL_FILES) else [f for f in attached if f["_batch"] == batch["id"]]))


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


def search_store(objects: Store, store_id: str, queries: list[str], limit: int, threshold: float = 0.0) -> list[dict]:
    """The completed files' lines that share words with the queries, best first: the score is the share of the
    queries' words a line holds; ties go to the older file, then the earlier line."""
    wanted = set().union(*(_words(q) for q in queries))
    found = []
    for rank, attached in enumerate(objects.all(_files_kind(store_id))):
        if attached["status"] != "completed" or not wanted:
            continue
        file = objects.get(files.KIND, attached["id"], "file", "file_id")
        lines = [line for line in objects.blobs.get(attached["id"], b"").decode("utf-8", "replace").splitlines() if line.strip()]
        for index, line in enumerate(lines):
            score = round(len(_words(line) & wanted) / len(wanted), 6)
            if score > 0 and score >= threshold:
                found.append(((-score, rank, index), {"file_id": attached["id"], "filename": file["filename"], "score": score,
                                                      "attributes": attached["attributes"], "content": [{"type": "text", "text": line}]}))
    return [result for _, result in sorted(found, key=lambda pair: pair[0])][:limit]


async def search(request: Request):
    vector_store = _vector_store(request)
    body = await json_object(request)
    query = body.get("query")
    if "query" not in body:
        raise APIError(400, "Missing required parameter: 'query'.", param="query", code="missing_required_parameter")
    queries = [query] if isinstance(query, str) else query
    if not isinstance(queries, list) or not queries or not all(isinstance(q, str) for q in queries):
        raise invalid("query", "Invalid 'query': expected a string or a non-empty array of strings.", "invalid_type")
    for number in NUMBERS:
        number.validate(body)
    optional(body, "rewrite_query", bool)
    limit = body.get("max_num_results", 10)
    threshold = (body.get("ranking_options") or {}).get("score_threshold", 0.0)
    if not isinstance(threshold, (int, float)) or isinstance(threshold, bool) or not 0 <= threshold <= 1:
        raise invalid("ranking_options.score_threshold", "Invalid 'ranking_options.score_threshold': expected a number between 0 and 1.")
    _advance(request, vector_store["id"])
    results = search_store(store(request), vector_store["id"], queries, limit + 1 if active(request, SEARCH_OVER_MAX) else limit, threshold)
    if active(request, SEARCH_OVER_MAX):
        results += results[-1:] * (limit + 1 - len(results))  # one more than asked, even from a store with few lines
    if active(request, SEARCH_UNRANKED):
        results = results[::-1]
    if active(request, SEARCH_INTERNAL_IDS):
        results = [{**r, "file_id": f"chunk_{i}"} for i, r in enumerate(results)]
    if active(request, SEARCH_EMPTY):
        results = []
    return reply(request, 200, {"object": "vector_store.search_results.page", "search_query": queries, "data": results, "has_more": False, "next_page": None})


def file_search_calls(request: Request, body: dict, context: list[dict], new_id) -> list[dict]:
    """The file_search_call a Responses request with the file_search tool makes before it answers: one search of its
    stores for the newest user text; the results shown when ``include`` asks for file_search_call.results."""
    tools = [tool for tool in body.get("tools") or () if tool["type"] == "file_search"]
    if not tools or body.get("tool_choice") == "none":
        return []
    query = next((_text(item) for item in reversed(context) if item.get("type") == "message" and item.get("role") == "user"), "")
    objects, found = store(request), []
    for tool in tools:
        for store_id in tool["vector_store_ids"]:
            objects.get(KIND, store_id, "vector store", "tools.vector_store_ids")
            found += search_store(objects, store_id, [query], tool.get("max_num_results", 10))
    found = sorted(found, key=lambda result: -result["score"])[:max(tool.get("max_num_results", 10) for tool in tools)]
    results = [{"file_id": f"chunk_{i}" if active(request, FILE_SEARCH_INTERNAL_IDS) else r["file_id"], "filename": r["filename"], "score": r["score"],
                "text": r["content"][0]["text"], "attributes": r["attributes"]} for i, r in enumerate(found)]
    shown = results if "file_search_call.results" in (body.get("include") or ()) else None
    return [{"id": new_id("fs_"), "type": "file_search_call", "status": "completed", "queries": [query], "results": shown}]


def _text(item: dict) -> str:
    content = item.get("content")
    return content if isinstance(content, str) else " ".join(str(part.get("text") or "") for part in content or () if isinstance(part, dict))


ROUTES = [
    ("vector-stores", "POST", "/vector_stores", create),
    ("vector-stores", "GET", "/vector_stores", list_stores),
    ("vector-stores", "GET", "/vector_stores/{vector_store_id}", retrieve),
    ("vector-stores", "POST", "/vector_stores/{vector_store_id}", modify),
    ("vector-stores", "DELETE", "/vector_stores/{vector_store_id}", delete),
    ("vector-stores", "POST", "/vector_stores/{vector_store_id}/files", attach),
    ("vector-stores", "GET", "/vector_stores/{vector_store_id}/files", list_files),
    ("vector-stores", "GET", "/vector_stores/{vector_store_id}/files/{file_id}", retrieve_file),
    ("vector-stores", "DELETE", "/vector_stores/{vector_store_id}/files/{file_id}", delete_file),
    ("vector-stores", "POST", "/vector_stores/{vector_store_id}/file_batches", create_batch),
    ("vector-stores", "GET", "/vector_stores/{vector_store_id}/file_batches/{batch_id}", retrieve_batch),
    ("vector-stores", "POST", "/vector_stores/{vector_store_id}/file_batches/{batch_id}/cancel", cancel_batch),
    ("vector-stores", "GET", "/vector_stores/{vector_store_id}/file_batches/{batch_id}/files", list_batch_files),
    ("vector-stores", "POST", "/vector_stores/{vector_store_id}/search", search),
]

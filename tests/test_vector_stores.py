"""Vector stores: the reference's examples and their legal variations pass every check, a slow target's files
are waited for, the emulator's search is deterministic, and OGX's answers keep their departures."""

from __future__ import annotations

import copy

import httpx
import pytest
from starlette.testclient import TestClient

from conformance.checks import Expect, evaluate
from conformance.emulator.app import create_app
from conformance.emulator.server import EmbeddedServer
from conformance.exchange import Exchange
from conformance.validation import validator
from tests.conftest import KEY, failed_checks, run_cases, with_fault
from tests.test_resources import _AfterEachCase, _run

# The official document's examples (Vector stores > ... > Response), with the fields its schemas require.
STORE = {"id": "vs_abc123", "object": "vector_store", "created_at": 1699061776, "name": "Support FAQ", "usage_bytes": 139920,
         "status": "completed", "last_active_at": 1699061776, "metadata": {},
         "file_counts": {"in_progress": 0, "completed": 3, "failed": 0, "cancelled": 0, "total": 3}}
FILE = {"id": "file-abc123", "object": "vector_store.file", "usage_bytes": 1234, "created_at": 1698107661, "vector_store_id": "vs_abc123",
        "status": "completed", "last_error": None,
        "chunking_strategy": {"type": "static", "static": {"max_chunk_size_tokens": 800, "chunk_overlap_tokens": 400}}}
BATCH = {"id": "vsfb_abc123", "object": "vector_store.files_batch", "created_at": 1699061776, "vector_store_id": "vs_abc123", "status": "in_progress",
         "file_counts": {"in_progress": 1, "completed": 1, "failed": 0, "cancelled": 0, "total": 2}}
PAGE = {"object": "vector_store.search_results.page", "search_query": ["What is the return policy?"], "has_more": False, "next_page": None,
        "data": [{"file_id": "file-abc123", "filename": "document.pdf", "score": 0.95, "attributes": {"author": "John Doe", "date": "2023-01-01"},
                  "content": [{"type": "text", "text": "Relevant chunk"}]},
                 {"file_id": "file-abc456", "filename": "notes.txt", "score": 0.89, "attributes": {"author": "Jane Smith", "date": "2023-01-02"},
                  "content": [{"type": "text", "text": "Sample text content from the vector store."}]}]}
EXAMPLES = {
    "store": ("POST", "/vector_stores", {"name": "Support FAQ"}, STORE),
    "file": ("POST", "/vector_stores/vs_abc123/files", {"file_id": "file-abc123"}, FILE),
    "batch": ("POST", "/vector_stores/vs_abc123/file_batches", {"file_ids": ["file-abc123", "file-abc456"]}, BATCH),
    "search": ("POST", "/vector_stores/vs_abc123/search", {"query": "What is the return policy?"}, PAGE),
    # The search example answers search_query as one string (the schema: an array of strings).
    "search-query-string": ("POST", "/vector_stores/vs_abc123/search", {"query": "What is the return policy?"},
                            {**PAGE, "search_query": "What is the return policy?"}),
    "files": ("GET", "/vector_stores/vs_abc123/files", None, {"object": "list", "data": [FILE], "first_id": "file-abc123", "last_id": "file-abc123",
                                                              "has_more": False}),
    "deleted": ("DELETE", "/vector_stores/vs_abc123", None, {"id": "vs_abc123", "object": "vector_store.deleted", "deleted": True}),
}


def _judged(ex: Exchange, expect: Expect) -> list:
    """The outcomes of the checks about the body (the synthetic answers carry no headers)."""
    return [o for o in evaluate(ex, expect) if not o.check.id.startswith("headers.")]


def _exchange(method: str, path: str, sent: dict | None, answer: dict) -> Exchange:
    request = httpx.Request(method, f"http://127.0.0.1:1/v1{path}", json=sent) if sent is not None else httpx.Request(method, f"http://127.0.0.1:1/v1{path}")
    return Exchange(request=request, path=path, response=httpx.Response(200, json=answer))


def _extra_fields(value):
    """The value with an unknown field in every object: backward-compatible additions."""
    if isinstance(value, dict):
        return {**{k: _extra_fields(v) for k, v in value.items() if k not in ("metadata", "attributes")},
                **{k: value[k] for k in ("metadata", "attributes") if k in value}, "x_vendor": {"added": True}}
    if isinstance(value, list):
        return [_extra_fields(item) for item in value]
    return value


@pytest.mark.parametrize("name", EXAMPLES)
@pytest.mark.parametrize("extra", [False, True], ids=["as-given", "extra-fields"])
def test_reference_examples_pass_every_check(name, extra):
    method, path, sent, answer = EXAMPLES[name]
    ex = _exchange(method, path, sent, _extra_fields(answer) if extra else answer)
    outcomes = _judged(ex, Expect(200))
    assert "body.schema" in {o.check.id for o in outcomes}
    assert [v.message() for o in outcomes for v in o.violations] == []


def test_the_file_batch_object_is_named_either_way_the_reference_spells_it():
    # Its enum says vector_store.files_batch (as the official SDKs), its description vector_store.file_batch.
    assert not list(validator("vector_store.file_batch").iter_errors({**BATCH, "object": "vector_store.file_batch"}))
    assert list(validator("vector_store.file_batch").iter_errors({**BATCH, "object": "vector_store.batch"}))


def test_ogx_search_answers_internal_ids_and_is_found():
    # OGX 1.5.0 names each result by an id of its own (a UUID), not by the id of the File attached.
    found = copy.deepcopy(PAGE)
    found["data"][0]["file_id"] = "18cda195-fb53-46a2-9d87-3cecca0b4dd6"
    created = _exchange("POST", "/vector_stores", {"file_ids": ["file-abc123", "file-abc456"]}, STORE)
    outcomes = _judged(_exchange(*EXAMPLES["search"][:3], found), Expect(200, same_as=created))
    assert {o.check.id for o in outcomes if o.violations} == {"vector-stores.search-file-ids"}


def test_slow_processing_is_waited_for(emulator, tmp_path):
    # Files that stay in_progress for three reads of their store: every case still passes (a legal pace).
    slow = emulator.replace("/v1", "/variant/vector-store-files-slow/v1")
    code, results = run_cases(tmp_path, slow, "-k", "test_vector_store_lifecycle or test_attach_file or test_file_batch or test_file_search_response")
    assert code == 0 and failed_checks(results) == set()
    retrieves = [c for case in results["cases"] for c in case["checks"] if c["id"] == "vector-stores.processed"]
    assert retrieves and all(c["status"] == "pass" for c in retrieves)


def test_the_slow_variant_keeps_files_in_progress_for_three_reads():
    client = TestClient(create_app())
    headers = {"Authorization": "Bearer k"}
    file_id = client.post("/v1/files", headers=headers, data={"purpose": "assistants"}, files={"file": ("a.txt", b"a lighthouse\n")}).json()["id"]
    created = client.post("/variant/vector-store-files-slow/v1/vector_stores", headers=headers, json={"file_ids": [file_id]}).json()
    seen = [client.get(f"/variant/vector-store-files-slow/v1/vector_stores/{created['id']}", headers=headers).json()["status"] for _ in range(3)]
    assert [created["status"], *seen] == ["in_progress", "in_progress", "in_progress", "completed"]


def test_search_ranks_by_a_deterministic_score():
    client = TestClient(create_app())
    headers = {"Authorization": "Bearer k"}
    ids = [client.post("/v1/files", headers=headers, data={"purpose": "assistants"}, files={"file": (f"{n}.txt", text)}).json()["id"]
           for n, text in enumerate((b"the river\n", b"the lighthouse by the river\n", b"nothing here\n"))]
    store = client.post("/v1/vector_stores", headers=headers, json={"file_ids": ids}).json()["id"]
    pages = [client.post(f"/v1/vector_stores/{store}/search", headers=headers, json={"query": "lighthouse river"}).json() for _ in range(2)]
    assert pages[0] == pages[1]
    assert [(r["file_id"], r["score"]) for r in pages[0]["data"]] == [(ids[1], 1.0), (ids[0], 0.5)]


@pytest.mark.parametrize("fault", [None, "vector-store-file-parent-wrong"])
def test_vector_store_cases_remove_what_they_create_when_each_ends(fault):
    """Right after each case (a failing one too) no store and no upload of the run is left; a customer's store is untouched."""
    server = EmbeddedServer(api_key=KEY)
    url = server.start()
    try:
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {KEY}"}, timeout=5) as http:
            theirs = http.post("/vector_stores", json={"name": "a customer's"}).json()["id"]

            def left() -> dict:
                stores = [s["id"] for s in http.get("/vector_stores?limit=100").json()["data"] if s["id"] != theirs]
                return {kind: ids for kind, ids in (("stores", stores), ("files", [f["id"] for f in http.get("/files").json()["data"]])) if ids}

            watch = _AfterEachCase(left)
            code = _run(with_fault(url, fault) if fault else url, "-k", "test_vector_stores", "--depth=deep", plugins=[watch])
            assert code == (pytest.ExitCode.TESTS_FAILED if fault else pytest.ExitCode.OK)
            assert watch.left == {}
            assert http.get(f"/vector_stores/{theirs}").json()["name"] == "a customer's"
    finally:
        server.stop()

"""Vector stores: create with files, wait for their processing, search, modify, delete; attached files and file batches.

Every store carries the run's marker in its metadata and every upload the run's file name prefix; both are removed
when their case ends (the store first: deleting it detaches its files). A quick run makes one small store of two
files (test_vector_store_lifecycle); the other cases are deep. Waits for processing are bounded
(conformance/polling.py): a file may stay in_progress a while, not for ever.
"""

import pytest

from conformance import polling

from .test_files import upload
from .test_responses import response

pytestmark = [pytest.mark.capability("vector-stores"), pytest.mark.capability("files")]

LIGHTHOUSE = b"openai-conformance test file: safe to delete.\nThe lighthouse keeper paints the tower blue every spring.\n"
ORCHARD = b"openai-conformance test file: safe to delete.\nThe orchard by the river grows seven kinds of apples.\n"
QUERY = "lighthouse tower blue river"
"""Three words of LIGHTHOUSE's second line and one of ORCHARD's: any search should find these files, LIGHTHOUSE first."""
NO_SUCH_STORE = "vs_openai-conformance-no-such-store"
FIRST_PAUSE, LONGEST_PAUSE = 0.2, 2.0


def text_file(api, resources, content: bytes = LIGHTHOUSE, name: str = "notes.txt") -> str:
    return upload(api, resources, name=name, content=content).needed("id")


def create_store(api, resources, expect=200, **fields):
    return api.post("/vector_stores", json={"name": "openai-conformance", "metadata": resources.metadata, **fields}, expect=expect)


def _in_progress(answer) -> bool:
    data = answer.data if answer.ok and isinstance(answer.data, dict) else {}
    counts = data.get("file_counts") if isinstance(data.get("file_counts"), dict) else {}
    return data.get("status") == "in_progress" or bool(counts.get("in_progress"))


def settle(api, path: str, created):
    """Retrieve ``path`` until nothing in it is in progress, for at most polling.WAIT_SECONDS; then once more, judged
    as the end of the wait on what ``created`` made (vector-stores.processed)."""
    if _in_progress(api.get(path, expect=200)):
        for _ in polling.pauses(FIRST_PAUSE, LONGEST_PAUSE):
            if not _in_progress(api.get(path, expect=200)):
                break
    return api.get(path, expect=200, same_as=created)


@pytest.mark.reference("Vector stores > Create vector store")
def test_vector_store_lifecycle(api, resources):
    files = [text_file(api, resources), text_file(api, resources, ORCHARD, "orchard.txt")]
    created = create_store(api, resources, file_ids=files, expires_after={"anchor": "last_active_at", "days": 1},
                           chunking_strategy={"type": "static", "static": {"max_chunk_size_tokens": 200, "chunk_overlap_tokens": 50}})
    path = f"/vector_stores/{created.needed('id')}"
    settle(api, path, created)
    api.get(f"{path}/files", expect=200)
    api.request("POST", f"{path}/search", json={"query": QUERY, "max_num_results": 1}, expect=200, same_as=created)
    api.request("POST", f"{path}/search", json={"query": QUERY}, expect=200, same_as=created)
    api.post(path, json={"name": "openai-conformance renamed", "metadata": {**resources.metadata, "step": "modified"}}, expect=200)
    api.delete(path, expect=200)
    api.get(path, expect=404)


@pytest.mark.deep
@pytest.mark.reference("Vector stores > List vector stores")
def test_list_vector_stores(api, resources):
    create_store(api, resources)
    api.get("/vector_stores?limit=2", expect=200)


@pytest.mark.deep
@pytest.mark.reference("Vector stores > Create vector store file")
def test_attach_file(api, resources):
    path = f"/vector_stores/{create_store(api, resources).needed('id')}/files"
    file_id = text_file(api, resources)
    attached = api.post(path, json={"file_id": file_id, "attributes": {"topic": "lighthouse"}}, expect=200)
    settle(api, f"{path}/{file_id}", attached)
    api.get(path, expect=200)
    api.delete(f"{path}/{file_id}", expect=200)
    api.get(f"{path}/{file_id}", expect=404)
    api.get(f"/files/{file_id}", expect=200)  # detached, not deleted


@pytest.mark.deep
@pytest.mark.reference("Vector stores > List vector store files")
def test_list_files_by_status(api, resources):
    created = create_store(api, resources, file_ids=[text_file(api, resources)])
    path = f"/vector_stores/{created.needed('id')}"
    settle(api, path, created)
    for status in ("completed", "failed"):
        api.get(f"{path}/files?filter={status}", expect=200)


@pytest.mark.deep
@pytest.mark.reference("Vector stores > Create vector store file batch")
def test_file_batch(api, resources):
    path = f"/vector_stores/{create_store(api, resources).needed('id')}"
    api.post(f"{path}/files", json={"file_id": text_file(api, resources)}, expect=200)  # in the store, not in the batch
    batch = api.post(f"{path}/file_batches", json={"file_ids": [text_file(api, resources), text_file(api, resources, ORCHARD, "orchard.txt")]}, expect=200)
    batch_path = f"{path}/file_batches/{batch.needed('id')}"
    settle(api, batch_path, batch)
    api.get(f"{batch_path}/files", expect=200, same_as=batch)


@pytest.mark.deep
@pytest.mark.reference("Vector stores > Cancel vector store file batch")
def test_cancel_file_batch(api, resources):
    path = f"/vector_stores/{create_store(api, resources).needed('id')}"
    batch = api.post(f"{path}/file_batches", json={"file_ids": [text_file(api, resources), text_file(api, resources, ORCHARD, "orchard.txt")]}, expect=200)
    cancelled = api.post(f"{path}/file_batches/{batch.needed('id')}/cancel", expect=200)
    settle(api, f"{path}/file_batches/{batch.needed('id')}", cancelled)


@pytest.mark.deep
@pytest.mark.reference("Vector stores > Retrieve vector store")
@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_unknown_vector_store(api, method):
    api.request(method, f"/vector_stores/{NO_SUCH_STORE}", expect=404)


@pytest.mark.deep
@pytest.mark.reference("Vector stores > Create vector store")
def test_invalid_vector_store(api, resources):
    create_store(api, resources, expect=400, expires_after={"anchor": "last_active_at", "days": 0})  # days: 1 to 365


@pytest.mark.deep
@pytest.mark.reference("Vector stores > Search vector store")
@pytest.mark.parametrize("body", [{}, {"query": QUERY, "max_num_results": 51}], ids=["no_query", "max_num_results_51"])
def test_invalid_search(api, resources, body):
    api.post(f"/vector_stores/{create_store(api, resources).needed('id')}/search", json=body, expect=400)


@pytest.mark.deep
@pytest.mark.capability("responses")
@pytest.mark.reference("Responses > Create a model response")
def test_file_search_response(api, models, resources):
    created = create_store(api, resources, file_ids=[text_file(api, resources), text_file(api, resources, ORCHARD, "orchard.txt")])
    settle(api, f"/vector_stores/{created.needed('id')}", created)
    api.request("POST", "/responses", json=response(models, resources, input=f"What colour is the {QUERY.split()[1]}?", tools=[
        {"type": "file_search", "vector_store_ids": [created.needed("id")], "max_num_results": 2}], tool_choice={"type": "file_search"},
        include=["file_search_call.results"]), expect=200, same_as=created)

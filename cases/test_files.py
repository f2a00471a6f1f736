"""Files: upload with purpose, retrieve, content, list, delete; what the reference rejects.

Every upload is named with the run's marker and removed when its case ends, even if it failed.
"""

import json

import pytest

pytestmark = pytest.mark.capability("files")

NOTES = b"openai-conformance test file: safe to delete.\n"
TRAINING = "".join(
    json.dumps({"messages": [{"role": "user", "content": f"Say {n}."}, {"role": "assistant", "content": f"{n}."}]}) + "\n"
    for n in range(10)  # the fine-tuning API wants at least 10 examples
).encode()


def upload(api, resources, *, purpose: str = "assistants", name: str = "notes.txt", content: bytes = NOTES, expect: int = 200):
    return api.post("/files", data={"purpose": purpose}, files={"file": (resources.filename(name), content)}, expect=expect)


@pytest.mark.reference("Files > Upload file")
@pytest.mark.parametrize(("purpose", "name", "content"), [("assistants", "notes.txt", NOTES), ("fine-tune", "train.jsonl", TRAINING)])
def test_upload_and_retrieve(api, resources, purpose, name, content):
    file_id = upload(api, resources, purpose=purpose, name=name, content=content).needed("id")
    api.get(f"/files/{file_id}", expect=200)


@pytest.mark.reference("Files > Retrieve file content")
def test_file_content(api, resources):
    uploaded = upload(api, resources)
    api.get(f"/files/{uploaded.needed('id')}/content", expect=200, same_as=uploaded)


@pytest.mark.reference("Files > List files")
@pytest.mark.parametrize("query", ["", "?limit=2", "?limit=1&order=asc"], ids=["default", "limit", "order"])
def test_list_files(api, resources, query):
    upload(api, resources)
    api.get(f"/files{query}", expect=200)


@pytest.mark.reference("Files > List files")
def test_list_files_by_purpose(api, resources):
    upload(api, resources, purpose="assistants")
    upload(api, resources, purpose="fine-tune", name="train.jsonl", content=TRAINING)
    api.get("/files?purpose=fine-tune", expect=200)


@pytest.mark.reference("Files > Delete file")
def test_delete_file(api, resources):
    file_id = upload(api, resources).needed("id")
    api.delete(f"/files/{file_id}", expect=200)
    api.get(f"/files/{file_id}", expect=404)


@pytest.mark.reference("Files > Upload file")
@pytest.mark.parametrize(
    "change",
    [{"purpose": "no-such-purpose"}, {"content": b""}, {"purpose": "fine-tune", "name": "train.txt"}],
    ids=["purpose", "empty_file", "fine_tune_not_jsonl"],
)
def test_invalid_upload(api, resources, change):
    upload(api, resources, expect=400, **change)


@pytest.mark.reference("Files > Upload file")
def test_upload_without_purpose(api, resources):
    api.post("/files", data={}, files={"file": (resources.filename("notes.txt"), NOTES)}, expect=400)


@pytest.mark.reference("Files > Retrieve file")
@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_unknown_file(api, method):
    api.request(method, "/files/file-openai-conformance-no-such-file", expect=404)

"""The /files routes: multipart upload with purpose, retrieve, content, list (filter, pages), delete."""

from __future__ import annotations

from starlette.datastructures import UploadFile
from starlette.requests import Request

from conformance.emulator.errors import APIError, invalid
from conformance.emulator.faults import active, declare
from conformance.emulator.replies import raw, reply
from conformance.emulator.pagination import page
from conformance.emulator.store import Store, store

BYTES_WRONG = declare("file-bytes-wrong", "files.upload", "test_upload_and_retrieve", "the file object's bytes is one more than was uploaded")
PURPOSE_UNCHECKED = declare("purpose-unchecked", "http.status", "test_invalid_upload", "any purpose, and empty or oversized files, are accepted")
PURPOSE_FILTER_IGNORED = declare("purpose-filter-ignored", "files.purpose-filter", "test_list_files_by_purpose", "GET /files ignores ?purpose=")
DELETE_NOT_CONFIRMED = declare("delete-not-confirmed", "resource.deleted", "test_delete_file", "a delete answers deleted: false (it did delete)")
DELETE_NOOP = declare("delete-noop", "http.status", "test_delete_file", "a delete confirms but keeps the object")
ANSWER_LOST = declare("upload-answer-lost", "http.status", "test_upload_and_retrieve", "an upload is stored but answered 500 (what a client sees when the answer is lost)")
CONTENT_CHANGED = declare("content-changed", "files.content", "test_file_content", "file content read back with Windows line endings")
RETRIEVE_OTHER = declare("retrieve-other-file", "resource.id", "test_upload_and_retrieve", "retrieving a file returns another file")

PURPOSES = {"assistants", "batch", "fine-tune", "vision", "user_data", "evals"}
MAX_BYTES = 512 * 1024 * 1024
"""The reference's limit per file."""
KIND = "file"


async def upload(request: Request):
    form = await request.form(max_part_size=MAX_BYTES)
    file, purpose = form.get("file"), form.get("purpose")
    if not isinstance(file, UploadFile):
        raise APIError(400, "Missing required parameter: 'file'.", param="file", code="missing_required_parameter")
    if not isinstance(purpose, str):
        raise APIError(400, "Missing required parameter: 'purpose'.", param="purpose", code="missing_required_parameter")
    content = await file.read()
    if not active(request, PURPOSE_UNCHECKED):
        if purpose not in PURPOSES:
            raise invalid("purpose", f"Invalid 'purpose': expected one of {sorted(PURPOSES)}.")
        if not content:
            raise invalid("file", "The file is empty: files must have at least one byte.", "empty_file")
        if len(content) > MAX_BYTES:
            raise invalid("file", f"The file is {len(content)} bytes; the maximum is {MAX_BYTES}.", "file_too_large")
        if purpose in ("fine-tune", "batch") and not (file.filename or "").endswith(".jsonl"):
            raise invalid("file", f"Invalid file format for purpose {purpose!r}: must be .jsonl.", "invalid_file_format")
    obj = stored(store(request), file.filename or "upload", purpose, content)
    if active(request, ANSWER_LOST):
        raise APIError(500, "The server had an error while processing your request.", type="server_error")
    return reply(request, 200, {**obj, "bytes": obj["bytes"] + (1 if active(request, BYTES_WRONG) else 0)})


def stored(files: Store, filename: str, purpose: str, content: bytes, expires_at: int | None = None) -> dict:
    """A new file object with its content (an upload's, or a completed Upload's parts)."""
    obj = files.add(KIND, {
        "id": files.new_id("file-"),
        "object": "file",
        "bytes": len(content),
        "created_at": files.now(),
        "filename": filename,
        "purpose": purpose,
        "status": "processed",
        "status_details": None,
        "expires_at": expires_at,
    })
    files.blobs[obj["id"]] = content
    return obj


def _file(request: Request) -> dict:
    return store(request).get(KIND, request.path_params["file_id"], "file", "file_id")


async def retrieve(request: Request):
    obj = _file(request)
    return reply(request, 200, {**obj, "id": "file-0ther"} if active(request, RETRIEVE_OTHER) else obj)


async def content(request: Request):
    obj = _file(request)
    content = store(request).blobs.get(obj["id"], b"")
    return raw(request, content.replace(b"\n", b"\r\n") if active(request, CONTENT_CHANGED) else content, "application/octet-stream")


async def list_files(request: Request):
    files = store(request).all(KIND)
    if (purpose := request.query_params.get("purpose")) and not active(request, PURPOSE_FILTER_IGNORED):
        files = [f for f in files if f["purpose"] == purpose]
    return reply(request, 200, page(request, files))


async def delete(request: Request):
    obj = _file(request)
    if not active(request, DELETE_NOOP):
        store(request).remove(KIND, obj["id"])
    return reply(request, 200, {"id": obj["id"], "object": "file", "deleted": not active(request, DELETE_NOT_CONFIRMED)})


ROUTES = [
    ("files", "POST", "/files", upload),
    ("files", "GET", "/files", list_files),
    ("files", "GET", "/files/{file_id}", retrieve),
    ("files", "DELETE", "/files/{file_id}", delete),
    ("files", "GET", "/files/{file_id}/content", content),
]

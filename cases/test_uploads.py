"""Uploads: a file sent in parts (create, add parts, complete in part_ids' order, cancel); what an Upload refuses.

Every Upload is named with the run's marker; one left pending is cancelled when its case ends, and the file a
completion made is deleted (conformance/resources.py). The invalid bodies of POST /uploads (each required field,
purpose, the 8 GB limit of bytes, expires_after's bounds) are derived from schemas/upload.request.json in
cases/test_invalid_requests.py.
"""

import hashlib

import pytest

from conformance.steps import CannotContinue

pytestmark = pytest.mark.capability("uploads")

PARTS = (b"openai-conformance upload: safe to delete.\n", b"Its second part.\n")
CONTENT = b"".join(PARTS)
TOO_LARGE = 65 * 1024**2
"""A part past the reference's 64 MB per part in either reading (MB or MiB)."""
NO_SUCH_UPLOAD = "upload_openai-conformance-no-such-upload"
NO_SUCH_PART = "part_openai-conformance-no-such-part"
NOT_PENDING = (400, 409)
"""An Upload no longer pending refuses: the reference names no status, and a conflict with its state is as fair as an invalid request."""


def create_upload(api, resources, size: int = len(CONTENT), **extra):
    body = {"filename": resources.filename("notes.txt"), "purpose": "assistants", "bytes": size, "mime_type": "text/plain", **extra}
    return api.post("/uploads", json=body, expect=200)


def add_part(api, upload_id: str, data: bytes, *, field: str = "data", expect=200):
    return api.post(f"/uploads/{upload_id}/parts", files={field: ("part", data)}, expect=expect)


def uploaded_parts(api, resources) -> tuple[str, list[str]]:
    """A new Upload of CONTENT and the ids of its parts in PARTS' order, added last first (the reference lets a client
    add parts in any order and name the order when it completes)."""
    upload_id = create_upload(api, resources).needed("id")
    added = {index: add_part(api, upload_id, PARTS[index]).needed("id") for index in reversed(range(len(PARTS)))}
    return upload_id, [added[index] for index in range(len(PARTS))]


def complete(api, upload_id: str, part_ids: list[str], *, expect=200, **extra):
    return api.post(f"/uploads/{upload_id}/complete", json={"part_ids": part_ids, **extra}, expect=expect)


def file_id(completed) -> str:
    file = completed.needed("file", dict)
    if not isinstance(file.get("id"), str):
        raise CannotContinue(f"{completed.description}: its answer's file has no id, and the case's next step needs it")
    return file["id"]


@pytest.mark.reference("Uploads > Complete upload")
@pytest.mark.capability("files")
def test_upload_in_parts(api, resources):
    upload_id, part_ids = uploaded_parts(api, resources)
    completed = complete(api, upload_id, part_ids, md5=hashlib.md5(CONTENT).hexdigest())
    api.get(f"/files/{file_id(completed)}/content", expect=200, same_as=completed)


@pytest.mark.reference("Uploads > Complete upload")
def test_upload_in_one_part_without_md5(api, resources):
    # md5 is optional, and so is expires_after (here the least the reference allows: an hour).
    upload_id = create_upload(api, resources, expires_after={"anchor": "created_at", "seconds": 3600}).needed("id")
    complete(api, upload_id, [add_part(api, upload_id, CONTENT).needed("id")])


@pytest.mark.reference("Uploads > Cancel upload")
def test_cancel_upload(api, resources):
    upload_id = create_upload(api, resources).needed("id")
    add_part(api, upload_id, PARTS[0])
    api.post(f"/uploads/{upload_id}/cancel", expect=200)


@pytest.mark.reference("Uploads > Add upload part")
@pytest.mark.parametrize("closed_by, then", [("complete", "part"), ("cancel", "part"), ("cancel", "complete")],
                         ids=["part_after_complete", "part_after_cancel", "complete_after_cancel"])
def test_closed_upload(api, resources, closed_by, then):
    """No part may be added once an Upload is completed or cancelled (the reference says both), and a cancelled one does not complete."""
    upload_id, part_ids = uploaded_parts(api, resources)
    if closed_by == "complete":
        complete(api, upload_id, part_ids)
    else:
        api.post(f"/uploads/{upload_id}/cancel", expect=200)
    if then == "part":
        add_part(api, upload_id, PARTS[0], expect=NOT_PENDING)
    else:
        complete(api, upload_id, part_ids, expect=NOT_PENDING)


@pytest.mark.reference("Uploads > Complete upload")
@pytest.mark.parametrize("change", ["bytes", "md5", "unknown_part", "no_part_ids"])
def test_invalid_completion(api, resources, change):
    """The parts must hold the bytes the Upload was created for, match an md5 given, and be the Upload's own."""
    upload_id, part_ids = uploaded_parts(api, resources)
    if change == "bytes":
        complete(api, upload_id, part_ids[:1], expect=400)
    elif change == "md5":
        complete(api, upload_id, part_ids, md5=hashlib.md5(CONTENT[::-1]).hexdigest(), expect=400)
    elif change == "unknown_part":
        complete(api, upload_id, [*part_ids, NO_SUCH_PART], expect=(400, 404))  # an id in the body: invalid, or not found
    else:
        api.post(f"/uploads/{upload_id}/complete", json={}, expect=400)


@pytest.mark.reference("Uploads > Add upload part")
def test_part_without_data(api, resources):
    upload_id = create_upload(api, resources).needed("id")
    add_part(api, upload_id, PARTS[0], field="file", expect=400)


@pytest.mark.reference("Uploads > Add upload part")
@pytest.mark.deep
def test_part_too_large(api, resources):
    """A part is at most 64 MB (deep only: the request carries 65 MiB)."""
    upload_id = create_upload(api, resources, size=TOO_LARGE).needed("id")
    add_part(api, upload_id, bytes(TOO_LARGE), expect=(400, 413))


@pytest.mark.parametrize("operation", [pytest.param(operation, marks=pytest.mark.reference(section)) for operation, section in (
    ("parts", "Uploads > Add upload part"), ("complete", "Uploads > Complete upload"), ("cancel", "Uploads > Cancel upload"))])
def test_unknown_upload(api, operation):
    if operation == "parts":
        add_part(api, NO_SUCH_UPLOAD, PARTS[0], expect=404)
    else:
        api.post(f"/uploads/{NO_SUCH_UPLOAD}/{operation}", json={"part_ids": [NO_SUCH_PART]} if operation == "complete" else {}, expect=404)

"""The /uploads routes: an Upload takes parts, then completes into a file (files.py's store) or is cancelled.

Deterministic: ids from the store's sequence; an Upload expires an hour after its creation, as the reference
says, read from the store's clock (a test moves it on); a pending Upload past its expires_at is ``expired``.
"""

from __future__ import annotations

import hashlib

from starlette.datastructures import UploadFile
from starlette.requests import Request

from conformance.emulator import files
from conformance.emulator.errors import APIError, invalid
from conformance.emulator.faults import active, declare
from conformance.emulator.replies import reply
from conformance.emulator.store import store
from conformance.emulator.validation import json_object, require
from conformance.emulator.variants import chosen

BYTES_WRONG = declare("upload-bytes-wrong", "uploads.created", "test_upload_in_parts", "the created Upload's bytes is one more than asked")
EXPIRES_AT_CREATION = declare("upload-expires-at-creation", "uploads.expiry", "test_upload_in_parts", "an Upload's expires_at is its created_at")
NO_EXPIRES_AT = declare("upload-no-expires-at", "body.schema", "test_upload_in_parts", "Upload objects without expires_at, which the reference requires")
PART_OTHER_UPLOAD = declare("part-upload-id-wrong", "uploads.part", "test_upload_in_parts", "a part's upload_id names another upload")
STILL_PENDING = declare("upload-complete-still-pending", "uploads.completed", "test_upload_in_parts", "complete answers the Upload still pending (it did complete)")
NO_FILE = declare("upload-complete-without-file", "uploads.completed", "test_upload_in_parts", "a completed Upload carries file: null (the file exists)")
ADDED_ORDER = declare("upload-parts-in-added-order", "uploads.content", "test_upload_in_parts",
                      "the file is the parts in the order they were added, not in part_ids' order (md5 and bytes are checked in part_ids' order)")
CANCEL_IGNORED = declare("upload-cancel-ignored", "uploads.cancelled", "test_cancel_upload", "cancel answers the Upload still pending")
PART_AFTER_COMPLETE = declare("upload-part-after-complete", "http.status", "test_closed_upload and part_after_complete", "a part is added to a completed Upload")
PART_AFTER_CANCEL = declare("upload-part-after-cancel", "http.status", "test_closed_upload and part_after_cancel", "a part is added to a cancelled Upload")
COMPLETE_AFTER_CANCEL = declare("upload-complete-after-cancel", "http.status", "test_closed_upload and complete_after_cancel", "a cancelled Upload completes")
BYTES_UNCHECKED = declare("upload-bytes-mismatch-accepted", "http.status", "test_invalid_completion and bytes", "an Upload completes with parts of another size than its bytes")
MD5_UNCHECKED = declare("upload-md5-unchecked", "http.status", "test_invalid_completion and md5", "complete ignores an md5 the parts do not have")
UNKNOWN_PART_SKIPPED = declare("upload-unknown-part-skipped", "http.status", "test_invalid_completion and unknown_part", "complete skips part ids the Upload does not have")
DATA_UNCHECKED = declare("upload-part-without-data", "http.status", "test_part_without_data", "a part without data is added (empty)")
PART_SIZE_UNCHECKED = declare("upload-part-size-unchecked", "http.status", "test_part_too_large", "parts over 64 MB are added")
SIZE_UNCHECKED = declare("upload-size-unchecked", "http.status", "test_invalid_request and uploads and bytes", "an Upload of more than 8 GB is created")
EXPIRY_UNCHECKED = declare("upload-expiry-unchecked", "http.status", "test_invalid_request and uploads and expires_after", "any expires_after is accepted")

KIND, PARTS = "upload", "upload.part"
PURPOSES = ("assistants", "batch", "fine-tune", "vision")
MAX_BYTES = 8 * 1024**3
"""The reference's 8 GB an Upload accepts in total (read as GiB, the larger reading)."""
MAX_PART_BYTES = 64 * 1024**2
"""The reference's 64 MB per part (read as MiB, the larger reading)."""
FRAMING = 64 * 1024
"""More than a part's form framing (boundaries, headers) can take: a request longer than a part's limit and this holds a part past it."""
LIFETIME = 3600
"""An Upload expires an hour after it is created."""
EXPIRY_SECONDS = (3600, 2592000)
"""FileExpirationAfter.seconds: an hour to 30 days."""
_PRIVATE = "_"
"""Keys of an Upload's record that its object does not show (the expiry policy of the file it will make)."""


async def create(request: Request):
    body = await json_object(request)
    for name, kind in (("filename", str), ("purpose", str), ("bytes", int), ("mime_type", str)):
        require(body, name, kind)
    if body["purpose"] not in PURPOSES:
        raise invalid("purpose", f"Invalid 'purpose': expected one of {list(PURPOSES)}.")
    if isinstance(body["bytes"], bool) or body["bytes"] < 0 or (body["bytes"] > MAX_BYTES and not active(request, SIZE_UNCHECKED)):
        raise invalid("bytes", f"Invalid 'bytes': {body['bytes']!r}; an Upload accepts at most {MAX_BYTES} bytes (8 GB).")
    expiry = body.get("expires_after")
    if expiry is not None and not active(request, EXPIRY_UNCHECKED):
        _expiry(expiry)
    uploads = store(request)
    created = uploads.now()
    upload = uploads.add(KIND, {
        "id": uploads.new_id("upload_"),
        "object": "upload",
        "bytes": body["bytes"],
        "created_at": created,
        "filename": body["filename"],
        "purpose": body["purpose"],
        "status": "pending",
        "expires_at": created if active(request, EXPIRES_AT_CREATION) else created + LIFETIME,
        "file": None,
        "_expires_after": (expiry or {}).get("seconds"),
    })
    return reply(request, 200, _shown(request, upload, bytes=upload["bytes"] + (1 if active(request, BYTES_WRONG) else 0)))


def _expiry(expiry: object) -> None:
    """FileExpirationAfter: anchor created_at and 3,600 to 2,592,000 seconds (an hour to 30 days)."""
    if not isinstance(expiry, dict):
        raise invalid("expires_after", "Invalid type for 'expires_after': expected an object.", "invalid_type")
    if expiry.get("anchor") != "created_at":
        raise invalid("expires_after.anchor", "Invalid 'expires_after.anchor': expected 'created_at'.")
    seconds = expiry.get("seconds")
    if isinstance(seconds, bool) or not isinstance(seconds, int) or not EXPIRY_SECONDS[0] <= seconds <= EXPIRY_SECONDS[1]:
        raise invalid("expires_after.seconds", f"Invalid 'expires_after.seconds': an integer from {EXPIRY_SECONDS[0]} to {EXPIRY_SECONDS[1]}.")


async def add_part(request: Request):
    upload = _pending(request, "add parts to")
    if len(await request.body()) > MAX_PART_BYTES + FRAMING:
        # Refused unparsed: parsing 64 MB of form takes seconds, past the request timeout the suite's tests give.
        if not active(request, PART_SIZE_UNCHECKED):
            raise invalid("data", f"The part is over {MAX_PART_BYTES} bytes (64 MB), the most a part may hold.", "part_too_large")
        content = await request.body()  # the fault's answer needs only the part accepted
    else:
        form = await request.form(max_part_size=MAX_PART_BYTES + 1)
        data = form.get("data")
        content = await data.read() if isinstance(data, UploadFile) else data.encode() if isinstance(data, str) else None
    if content is None and not active(request, DATA_UNCHECKED):
        raise APIError(400, "Missing required parameter: 'data'.", param="data", code="missing_required_parameter")
    if content is not None and len(content) > MAX_PART_BYTES and not active(request, PART_SIZE_UNCHECKED):
        raise invalid("data", f"The part is {len(content)} bytes; a part is at most {MAX_PART_BYTES} bytes (64 MB).", "part_too_large")
    parts = store(request)
    part = parts.add(PARTS, {"id": parts.new_id("part_"), "object": "upload.part", "created_at": parts.now(), "upload_id": upload["id"]})
    parts.blobs[part["id"]] = content or b""
    shown = {**part, "upload_id": "upload_0ther"} if active(request, PART_OTHER_UPLOAD) else part
    return reply(request, 200, {**shown, "x_vendor": {}} if chosen(request, "uploads-lean") else shown)


async def complete(request: Request):
    upload = _pending(request, "complete")
    body = await json_object(request)
    require(body, "part_ids", list)
    if not all(isinstance(i, str) for i in body["part_ids"]):
        raise invalid("part_ids", "Invalid 'part_ids': expected an array of part ids (strings).", "invalid_type")
    uploads = store(request)
    ours = [p["id"] for p in uploads.all(PARTS) if p["upload_id"] == upload["id"]]
    ids = [i for i in body["part_ids"] if i in ours] if active(request, UNKNOWN_PART_SKIPPED) else body["part_ids"]
    if unknown := [i for i in ids if i not in ours]:
        raise invalid("part_ids", f"Invalid 'part_ids': {unknown[0]!r} is not a part of Upload {upload['id']}.")
    content = b"".join(uploads.blobs[i] for i in ids)
    if len(content) != upload["bytes"] and not active(request, BYTES_UNCHECKED):
        raise invalid("part_ids", f"The parts hold {len(content)} bytes; the Upload was created for {upload['bytes']}.", "bytes_mismatch")
    md5 = body.get("md5")
    if md5 is not None and md5 != hashlib.md5(content).hexdigest() and not active(request, MD5_UNCHECKED):
        raise invalid("md5", "The md5 checksum does not match the parts' bytes.", "md5_mismatch")
    if active(request, ADDED_ORDER):
        content = b"".join(uploads.blobs[i] for i in ours if i in ids)
    created = uploads.now()
    seconds = upload["_expires_after"]
    file = files.stored(uploads, upload["filename"], upload["purpose"], content, None if seconds is None else created + seconds)
    upload.update(status="completed", file=file)
    shown = _shown(request, upload)
    if active(request, STILL_PENDING):
        shown["status"] = "pending"
    return reply(request, 200, {**shown, "file": None} if active(request, NO_FILE) else shown)


async def cancel(request: Request):
    upload = _pending(request, "cancel")
    if not active(request, CANCEL_IGNORED):
        upload["status"] = "cancelled"
    return reply(request, 200, _shown(request, upload))


_ACCEPTED_BY_FAULT = {("add parts to", "completed"): PART_AFTER_COMPLETE, ("add parts to", "cancelled"): PART_AFTER_CANCEL,
                      ("complete", "cancelled"): COMPLETE_AFTER_CANCEL}


def _pending(request: Request, action: str) -> dict:
    """The Upload in the path, which must still be pending: to ``action`` a completed, cancelled or expired one is a 400."""
    uploads = store(request)
    upload = uploads.get(KIND, request.path_params["upload_id"], "upload", "upload_id")
    # One whose expires_at is its created_at (a fault's) is left pending: the fault is about the object, not the life cycle.
    if upload["status"] == "pending" and uploads.now() >= upload["expires_at"] > upload["created_at"]:
        upload["status"] = "expired"
    fault = _ACCEPTED_BY_FAULT.get((action, upload["status"]))
    if upload["status"] != "pending" and not (fault and active(request, fault)):
        raise invalid("upload_id", f"Cannot {action} Upload {upload['id']}: its status is {upload['status']}.", "upload_not_pending")
    return upload


def _shown(request: Request, upload: dict, **changed) -> dict:
    """The Upload object as answered; the ``uploads-lean`` variant leaves out what the reference does not require and adds a field."""
    shown = {k: v for k, v in upload.items() if not k.startswith(_PRIVATE)} | changed
    if active(request, NO_EXPIRES_AT):
        del shown["expires_at"]
    if chosen(request, "uploads-lean"):
        shown = {k: v for k, v in shown.items() if k != "object" and not (k == "file" and v is None)} | {"x_vendor": {"region": "eu"}}
    return shown


ROUTES = [
    ("uploads", "POST", "/uploads", create),
    ("uploads", "POST", "/uploads/{upload_id}/parts", add_part),
    ("uploads", "POST", "/uploads/{upload_id}/complete", complete),
    ("uploads", "POST", "/uploads/{upload_id}/cancel", cancel),
]

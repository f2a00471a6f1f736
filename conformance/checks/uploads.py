"""Uploads beyond the schema: an Upload describes what was asked and takes the status its operation names;
a part names its upload; a completed Upload carries its file, whose content is the parts in part_ids' order.

What an Upload refuses (parts after it closed, bytes or md5 that do not match, parts over 64 MB) is a case's
expected status (http.status) and error object (error.*): see cases/test_uploads.py.
"""

import hashlib

from conformance.checks.base import Finding, Level, check, succeeded

_DESCRIBED = ("filename", "bytes", "purpose")


def _differences(obj: dict, wanted: dict, prefix: str = ""):
    for name, value in wanted.items():
        # An absent field is body.schema's finding (each one compared here is required of its object).
        if name in obj and obj[name] != value:
            yield Finding(f"{name} {value!r}", repr(obj[name]), f"{prefix}/{name}")


@check("uploads.created", Level.MUST, "Uploads > Create upload", applies=succeeded("POST /uploads"))
def created(ex, expect):
    """A created Upload has the filename, bytes and purpose asked for, and status pending."""
    yield from _differences(ex.data, {**{name: ex.params.get(name) for name in _DESCRIBED}, "status": "pending"})


def _number(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@check("uploads.expiry", Level.SHOULD, "Uploads > Create upload", applies=succeeded("POST /uploads"))
def expires_later(ex, expect):
    """An Upload expires after it is created (the reference: an hour after)."""
    # A should: the reference's own examples give an expires_at before created_at.
    created_at, expires_at = ex.data.get("created_at"), ex.data.get("expires_at")
    if _number(created_at) and _number(expires_at) and expires_at <= created_at:
        yield Finding(f"expires_at after created_at {created_at}", repr(expires_at), "/expires_at")


@check("uploads.part", Level.MUST, "Uploads > Add upload part", applies=succeeded("POST /uploads/{upload_id}/parts"))
def part_of_the_upload(ex, expect):
    """A part names the Upload it was added to: its upload_id is the one in the path."""
    yield from _differences(ex.data, {"upload_id": ex.path_params["upload_id"]})


@check("uploads.completed", Level.MUST, "Uploads > Complete upload", applies=succeeded("POST /uploads/{upload_id}/complete"))
def completed(ex, expect):
    """A completed Upload has status completed and its file: a File of the Upload's bytes, filename and purpose."""
    yield from _differences(ex.data, {"status": "completed"})
    file = ex.data.get("file")
    if not isinstance(file, dict):
        yield Finding("file: the File the parts make", "(absent)" if "file" not in ex.data else repr(file), "/file")
        return
    yield from _differences(file, {name: ex.data[name] for name in _DESCRIBED if name in ex.data}, "/file")


@check("uploads.cancelled", Level.MUST, "Uploads > Cancel upload", applies=succeeded("POST /uploads/{upload_id}/cancel"))
def cancelled(ex, expect):
    """A cancelled Upload has status cancelled."""
    yield from _differences(ex.data, {"status": "cancelled"})


def _completed_with_md5(expect) -> bool:
    completion = expect.same_as
    return (completion is not None and completion.operation is not None and completion.operation.key == "POST /uploads/{upload_id}/complete"
            and isinstance(completion.params.get("md5"), str) and isinstance(completion.data, dict))


@check("uploads.content", Level.MUST, "Uploads > Complete upload",
       applies=lambda ex: ex.ok and ex.operation is not None and ex.operation.key == "GET /files/{file_id}/content", within=_completed_with_md5)
def content_is_the_parts(ex, expect):
    """A completed Upload's file holds its parts in part_ids' order: the bytes and md5 the completion stated."""
    # The completion's md5 is the client's statement of the bytes in that order; a server that checks it
    # and accepted the completion agreed with it.
    md5, size = expect.same_as.params["md5"], expect.same_as.data.get("bytes")
    content = ex.response.content
    if hashlib.md5(content).hexdigest() != md5 or (_number(size) and len(content) != size):
        yield Finding(f"the {size} bytes of the parts in part_ids' order (md5 {md5})",
                      f"{len(content)} bytes, md5 {hashlib.md5(content).hexdigest()}, starting {content[:40]!r}", "body")

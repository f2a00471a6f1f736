"""Files semantics beyond the schema: an upload is described as sent and read back unchanged; a purpose filter filters."""

import hashlib

from conformance import validation
from conformance.checks.base import Finding, Level, check, succeeded


@check("files.upload", Level.MUST, "Files > Upload file", applies=lambda ex: succeeded("POST /files")(ex) and bool(ex.uploads))
def upload_described(ex, expect):
    """The uploaded file's object has the file name, byte count and purpose that were sent."""
    upload = ex.uploads[0]
    wanted = {"filename": upload.filename, "bytes": upload.size, "purpose": ex.form.get("purpose")}
    for name, value in wanted.items():
        if name not in ex.data and name in validation.required("file"):
            continue  # body.schema's finding
        if ex.data.get(name) != value:
            yield Finding(f"{name} {value!r}", repr(ex.data.get(name)), f"/{name}")


@check("files.purpose-filter", Level.MUST, "Files > List files",
       applies=lambda ex: succeeded("GET /files")(ex) and "purpose" in ex.request.url.params)
def purpose_filter(ex, expect):
    """GET /files?purpose=X lists only files whose purpose is X."""
    wanted = ex.request.url.params["purpose"]
    data = ex.data.get("data")
    for index, item in enumerate(data if isinstance(data, list) else []):
        if isinstance(item, dict) and item.get("purpose") != wanted:
            yield Finding(f"purpose {wanted!r}", repr(item.get("purpose")), f"/data/{index}/purpose")


def _uploaded(expect) -> bool:
    upload = expect.same_as
    return upload is not None and upload.operation is not None and upload.operation.key == "POST /files" and bool(upload.uploads)


@check("files.content", Level.MUST, "Files > Retrieve file content",
       applies=lambda ex: ex.ok and ex.operation is not None and ex.operation.key == "GET /files/{file_id}/content", within=_uploaded)
def content_is_the_upload(ex, expect):
    """A file's content is the bytes that were uploaded, unchanged."""
    upload, content = expect.same_as.uploads[0], ex.response.content
    if len(content) != upload.size or hashlib.sha256(content).hexdigest() != upload.sha256:
        yield Finding(f"the {upload.size} uploaded bytes of {upload.filename}", f"{len(content)} bytes starting {content[:40]!r}", "body")

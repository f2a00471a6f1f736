"""Checks for every stored object (files, fine-tuning jobs, assistants, fine-tuned models): by id and deleted."""

from conformance.checks.base import Finding, Level, check


def _about_one_object(ex) -> bool:
    """A 2xx JSON answer about the object named in the path (retrieve, modify, cancel), not a list of them."""
    return (
        ex.ok
        and ex.operation is not None
        and ex.operation.method != "DELETE"
        and ex.operation.schema is not None  # not a file's content, whose one JSON line (a batch's result) is no object of the API
        and bool(ex.path_params)
        and ex.operation.key != "GET /models/{model}"  # models.retrieve-id says it for models
        and ex.operation.key != "POST /uploads/{upload_id}/parts"  # a new part of the Upload: uploads.part says it names the Upload
        and isinstance(ex.data, dict)
        and ex.data.get("object") != "list"
        # Not a create or search under an object (/vector_stores/{id}/files): its answer is another object.
        and ex.operation.template.removesuffix("/cancel").endswith("}")
    )


def _object_id(ex) -> str:
    # The object a path names is its last parameter (/fine_tuning/jobs/{id}/cancel, /files/{id}, /conversations/{id}/items/{item_id}).
    return list(ex.path_params.values())[-1]


@check("resource.id", Level.MUST, "Retrieving objects", applies=_about_one_object)
def same_object(ex, expect):
    """An answer about one object (retrieve, modify, cancel) is that object: its id is the one in the path."""
    if "id" in ex.data and ex.data["id"] != _object_id(ex):  # an object without its id: body.schema's finding
        yield Finding(f"id {_object_id(ex)!r}", repr(ex.data.get("id")), "/id", ex.operation.section)


@check("resource.deleted", Level.MUST, "Deleting objects",
       applies=lambda ex: ex.ok and ex.operation is not None and ex.operation.method == "DELETE" and str(ex.operation.schema).endswith(".deleted")
       and isinstance(ex.data, dict))
def deleted(ex, expect):
    """A delete answers {"id": <the id in the path>, "object": ..., "deleted": true} (a deletion object: deleting a conversation's item answers the conversation)."""
    # Absent fields are body.schema's findings: here, the values.
    if "deleted" in ex.data and ex.data["deleted"] is not True:
        yield Finding("deleted: true", f"deleted: {ex.data['deleted']!r}", "/deleted", ex.operation.section)
    if "id" in ex.data and ex.data["id"] != _object_id(ex):
        yield Finding(f"id {_object_id(ex)!r}", repr(ex.data.get("id")), "/id", ex.operation.section)

"""Uploads: answers shaped like the reference's pass every must check, legal variations pass the cases, the emulator's
Uploads expire and refuse what the reference refuses, and the cases leave no Upload open and no file behind."""

from __future__ import annotations

import hashlib
import json

import httpx
import pytest

from conformance.checks import REGISTRY, Expect
from conformance.emulator.server import EmbeddedServer
from conformance.emulator.uploads import LIFETIME
from conformance.exchange import Exchange
from conformance.resources import Resources
from tests.conftest import KEY, run_cases, with_fault
from tests.test_resources import _AfterEachCase, _run
from tests.test_reference_answers import _exchange, must_findings

UPLOAD_CASES = "test_uploads or (test_invalid_request and uploads)"
# The reference's examples (Uploads > Create upload, Complete upload, Add upload part), its stray comma left out:
# expires_at lies before created_at in every one of them.
UPLOAD = {"id": "upload_abc123", "object": "upload", "bytes": 2147483648, "created_at": 1719184911, "filename": "training_examples.jsonl",
          "purpose": "fine-tune", "status": "pending", "expires_at": 1719127296}
FILE = {"id": "file-xyz321", "object": "file", "bytes": 2147483648, "created_at": 1719186911, "expires_at": 1719127296,
        "filename": "training_examples.jsonl", "purpose": "fine-tune"}
PART = {"id": "part_def456", "object": "upload.part", "created_at": 1719185911, "upload_id": "upload_abc123"}
CREATE = {"purpose": "fine-tune", "filename": "training_examples.jsonl", "bytes": 2147483648, "mime_type": "text/jsonl",
          "expires_after": {"anchor": "created_at", "seconds": 3600}}


def _part(answer: dict) -> Exchange:
    request = httpx.Request("POST", "https://api.openai.com/v1/uploads/upload_abc123/parts", files={"data": ("part", b"abc")})
    request.read()
    return Exchange(request, "/uploads/upload_abc123/parts", httpx.Response(200, json=answer))


REFERENCE_ANSWERS = {
    "create": _exchange("POST", "/uploads", CREATE, json.dumps(UPLOAD)),
    "create-lean": _exchange("POST", "/uploads", CREATE, json.dumps({k: v for k, v in UPLOAD.items() if k != "object"} | {"file": None, "x_new": 1})),
    "part": _part(PART),
    "complete": _exchange("POST", "/uploads/upload_abc123/complete", {"part_ids": ["part_def456", "part_ghi789"]},
                          json.dumps({**UPLOAD, "status": "completed", "file": FILE})),
    "cancel": _exchange("POST", "/uploads/upload_abc123/cancel", None, json.dumps({**UPLOAD, "status": "cancelled"})),
}


@pytest.mark.parametrize("answer", REFERENCE_ANSWERS)
def test_the_references_answers_pass_every_must_check(answer):
    assert must_findings(REFERENCE_ANSWERS[answer]) == []


def test_the_references_expiry_before_creation_is_only_a_warning():
    assert list(REGISTRY["uploads.expiry"].run(REFERENCE_ANSWERS["create"], Expect(200)))
    assert REGISTRY["uploads.expiry"].level == "should"


@pytest.mark.parametrize(("answer", "check", "pointer"), [
    ({**UPLOAD, "bytes": 7}, "uploads.created", "/bytes"),
    ({**UPLOAD, "status": "completed"}, "uploads.created", "/status"),
    ({**UPLOAD, "status": "completed", "file": {**FILE, "purpose": "assistants"}}, "uploads.completed", "/file/purpose"),
    ({**UPLOAD, "status": "completed"}, "uploads.completed", "/file"),
])
def test_an_upload_unlike_its_request_fails(answer, check, pointer):
    path, body = ("/uploads", CREATE) if check == "uploads.created" else ("/uploads/upload_abc123/complete", {"part_ids": ["part_def456"]})
    findings = list(REGISTRY[check].run(_exchange("POST", path, body, json.dumps(answer)), Expect(200)))
    assert [f.pointer for f in findings] == [pointer]


@pytest.mark.parametrize(("content", "passes"), [(b"onetwo", True), (b"twoone", False), (b"one", False)])
def test_the_file_of_an_upload_is_its_parts_in_part_ids_order(content, passes):
    completion = _exchange("POST", "/uploads/upload_abc123/complete", {"part_ids": ["part_1", "part_2"], "md5": hashlib.md5(b"onetwo").hexdigest()},
                           json.dumps({**UPLOAD, "bytes": 6, "status": "completed", "file": {**FILE, "bytes": 6}}))
    read = _exchange("GET", "/files/file-xyz321/content", None, content, content_type="application/octet-stream")
    check = REGISTRY["uploads.content"]
    assert check.applies(read) and check.within(Expect(200, completion))
    assert (list(check.run(read, Expect(200, completion))) == []) is passes


def test_legal_variations_of_uploads_pass(emulator, tmp_path):
    code, results = run_cases(tmp_path, emulator.replace("/v1", "/variant/uploads-lean/v1"), "-k", "test_uploads and not too_large")
    assert code == 0, [c["reason"] for c in results["cases"] if c["status"] == "fail"]
    assert results["summary"]["pass"] >= 10


def test_a_completed_upload_leaves_its_file_to_delete_and_nothing_to_cancel():
    resources = Resources(client=None)
    created = _exchange("POST", "/uploads", CREATE, json.dumps(UPLOAD))
    resources.track(created)
    assert list(resources._open) == ["POST /uploads/upload_abc123/cancel"]
    resources.track(REFERENCE_ANSWERS["complete"])
    assert list(resources._open) == ["DELETE /files/file-xyz321"]


@pytest.mark.parametrize("fault", [None, "upload-part-after-cancel", "upload-complete-without-file"])
def test_the_cases_leave_no_upload_pending_and_no_file(fault):
    """Pending Uploads are cancelled and completions' files deleted when each case ends, failing ones too; a file whose id
    the completion did not give (a fault's null file) is found by the run's marker at the session's end."""
    server = EmbeddedServer(api_key=KEY)
    url = server.start()
    try:
        pending = lambda: [u["id"] for u in server.store.all("upload") if u["status"] == "pending"]  # noqa: E731
        files = lambda: [f["id"] for f in server.store.all("file")]  # noqa: E731
        watch = _AfterEachCase(lambda: [*pending(), *([] if fault == "upload-complete-without-file" else files())])
        assert _run(with_fault(url, fault) if fault else url, "-k", UPLOAD_CASES, "--depth=deep", plugins=[watch]) == (1 if fault else 0)
        assert watch.left == {}
        assert (pending(), files()) == ([], [])
    finally:
        server.stop()


def test_an_emulated_upload_expires_after_an_hour():
    server = EmbeddedServer(api_key=KEY)
    url = server.start()
    try:
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {KEY}"}, timeout=5) as http:
            upload = http.post("/uploads", json={"filename": "a.txt", "purpose": "assistants", "bytes": 1, "mime_type": "text/plain"}).json()
            assert upload["expires_at"] == upload["created_at"] + LIFETIME
            server.store._last = upload["expires_at"]  # the store's clock, an hour on
            refused = http.post(f"/uploads/{upload['id']}/parts", files={"data": ("part", b"x")})
            assert refused.status_code == 400 and "expired" in refused.json()["error"]["message"]
    finally:
        server.stop()

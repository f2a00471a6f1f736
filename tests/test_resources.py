"""What the suite creates it removes, even when a case fails or the run is interrupted; what it did not create it never touches."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable

import httpx
import pytest

from conformance.emulator.faults import FAULTS
from conformance.emulator.server import EmbeddedServer
from conformance.exchange import Exchange
from conformance.resources import MARKER, Resources
from tests.conftest import CASES, KEY, run_cases, with_fault

RESOURCE_CASES = "test_files or test_assistants or test_fine_tuning or test_batches"
BETA = {"OpenAI-Beta": "assistants=v2"}


@pytest.fixture
def target():
    """A fresh emulator holding objects the suite did not create, some even marked by another run."""
    server = EmbeddedServer(api_key=KEY)
    url = server.start()
    http = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {KEY}", **BETA}, timeout=5)
    training = b'{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]}\n'
    customer = http.post("/files", data={"purpose": "fine-tune"}, files={"file": ("customer.jsonl", training)}).json()
    other_run = http.post("/files", data={"purpose": "assistants"}, files={"file": (f"{MARKER}-0ther000-notes.txt", b"x")}).json()
    assistants = [
        http.post("/assistants", json={"model": "gpt-4o-mini", "name": "customer bot"}).json(),
        http.post("/assistants", json={"model": "gpt-4o-mini", "name": "other run", "metadata": {MARKER: "0ther000"}}).json(),
    ]
    job = http.post("/fine_tuning/jobs", json={"model": "gpt-4o-mini-2024-07-18", "training_file": customer["id"]}).json()
    yield url, http, {"files": [customer, other_run], "assistants": assistants, "jobs": [job]}
    http.close()
    server.stop()


def _state(http: httpx.Client) -> dict:
    """Everything on the target, by listing (a retrieve of a job would move the emulator's job on)."""
    return {kind: http.get(path).json()["data"] for kind, path in (("files", "/files"), ("assistants", "/assistants?limit=100"), ("jobs", "/fine_tuning/jobs?limit=100"),
                                                                 ("batches", "/batches?limit=100"))}


def _left_by_the_run(before: dict, after: dict) -> dict:
    """Objects the run left behind: new files and assistants, and new jobs that are still running."""
    known = {kind: {o["id"] for o in objects} for kind, objects in before.items()}
    left = {kind: [o for o in objects if o["id"] not in known[kind]] for kind, objects in after.items()}
    left["jobs"] = [j for j in left["jobs"] if j["status"] not in ("cancelled", "succeeded", "failed")]
    left["batches"] = [b for b in left["batches"] if b["status"] not in ("cancelling", "cancelled", "completed", "failed", "expired")]
    return {kind: objects for kind, objects in left.items() if objects}


def test_cases_remove_what_they_create_and_touch_nothing_else(target, tmp_path):
    url, http, existing = target
    before = _state(http)
    code, results = run_cases(tmp_path, url, "-k", RESOURCE_CASES)
    assert code == 0 and results["summary"]["pass"] > 20
    after = _state(http)
    assert _left_by_the_run(before, after) == {}
    # The objects the suite did not create are all still there, unchanged.
    for kind in ("files", "assistants", "jobs"):
        assert [o for o in after[kind] if o["id"] in {e["id"] for e in before[kind]}] == before[kind]


class _AfterEachCase:
    """Records what is left on the target right after each case's teardown (not only at the session's end)."""

    def __init__(self, left: Callable[[], object]) -> None:
        self._left, self.left = left, {}

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_teardown(self, item):
        yield
        if left := self._left():
            self.left[item.nodeid] = left


def _run(url: str, *args: str, plugins=()) -> int:
    return pytest.main([str(CASES), "-q", "-p", "no:cacheprovider", f"--base-url={url}", f"--api-key={KEY}", *args], plugins=list(plugins))


@pytest.mark.parametrize("fault", ["file-bytes-wrong", "assistant-modify-ignored", "job-training-file-wrong"])
def test_a_failing_case_removes_what_it_created_when_it_ends(target, fault):
    url, http, _ = target
    before = _state(http)
    watch = _AfterEachCase(lambda: _left_by_the_run(before, _state(http)))
    assert _run(with_fault(url, fault), "-k", FAULTS[fault].cases, plugins=[watch]) == pytest.ExitCode.TESTS_FAILED
    assert watch.left == {}


RESPONSE_CASES = "test_create_response_streamed or test_retrieve_response or test_previous_response or test_cancel_background_response"


@pytest.mark.parametrize("fault", [None, "previous-response-ignored", "response-cancel-ignored"])
def test_responses_a_case_creates_are_deleted_when_it_ends_and_no_others(fault):
    """Responses cannot be listed: the emulator's store shows what is left. The target holds a customer's response and one
    marked by another run; the cases (failing ones too, after their creates) remove theirs, streamed ones included."""
    server = EmbeddedServer(api_key=KEY)
    url = server.start()
    try:
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {KEY}"}, timeout=5) as http:
            theirs = {http.post("/responses", json={"model": "gpt-4o-mini", "input": text, **extra}).json()["id"]
                      for text, extra in (("a customer's question", {}), ("another run's", {"metadata": {MARKER: "0ther000"}}))}
            existing = {r.id for r in server.store.all("responses")}
            watch = _AfterEachCase(lambda: {r.id for r in server.store.all("responses")} - existing)
            failed = _run(with_fault(url, fault) if fault else url, "-k", RESPONSE_CASES, "--depth=deep", plugins=[watch])
            assert failed == (pytest.ExitCode.TESTS_FAILED if fault else pytest.ExitCode.OK)
            assert watch.left == {}
            assert existing == theirs and all(http.get(f"/responses/{r}").status_code == 200 for r in theirs)
    finally:
        server.stop()


def test_a_create_whose_answer_was_lost_is_found_by_this_runs_marker(target, tmp_path):
    url, http, _ = target
    before = _state(http)
    code, _ = run_cases(tmp_path, with_fault(url, "upload-answer-lost"), "-k", "test_upload_and_retrieve")
    assert code == 1
    assert _left_by_the_run(before, _state(http)) == {}
    assert _state(http)["files"] == before["files"]  # the other run's marked file is not this run's


SIGTERM_PLUGIN = '''
import os, signal
import pytest

@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    yield
    os.kill(os.getpid(), signal.SIGTERM)  # as a CI timeout would, right after the case created its objects
'''


def test_a_terminated_run_removes_what_it_created(target, tmp_path):
    """SIGTERM becomes an interrupt (exit 2), and an interrupted run still removes what it created."""
    url, http, _ = target
    before = _state(http)
    (tmp_path / "sigterm_plugin.py").write_text(SIGTERM_PLUGIN)
    command = [sys.executable, "-m", "pytest", str(CASES), "-q", "-p", "no:cacheprovider", "-p", "sigterm_plugin",
               f"--base-url={url}", f"--api-key={KEY}", "-k", "test_list_files_by_purpose"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(tmp_path)})
    assert done.returncode == pytest.ExitCode.INTERRUPTED, done.stdout[-2000:]
    assert _left_by_the_run(before, _state(http)) == {}


@pytest.mark.parametrize(("store", "undo"), [(None, ["DELETE /responses/resp_1"]), (False, [])])
def test_a_response_created_with_store_false_has_nothing_to_remove(store, undo):
    body = {"model": "gpt-4o-mini", "input": "Hi", **({} if store is None else {"store": store})}
    request = httpx.Request("POST", "http://127.0.0.1/v1/responses", content=json.dumps(body).encode())
    response = httpx.Response(200, json={"id": "resp_1", "object": "response"}, request=request)
    resources = Resources(client=None)
    resources.track(Exchange(request, "/responses", response))
    assert list(resources._open) == undo


@pytest.mark.parametrize("fault", [None, "conversation-output-not-appended", "conversation-items-dropped"])
def test_conversations_a_case_creates_are_deleted_when_it_ends_and_no_others(fault):
    """Conversations cannot be listed either: the emulator's store shows what is left. A customer's conversation stays;
    the cases remove theirs (failing ones too), and the responses made in them."""
    server = EmbeddedServer(api_key=KEY)
    url = server.start()
    try:
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {KEY}"}, timeout=5) as http:
            theirs = http.post("/conversations", json={"items": [{"type": "message", "role": "user", "content": "Hi"}]}).json()["id"]

            def left() -> set[str]:
                return {c.id for c in server.store.all("conversations")} - {theirs} | {r.id for r in server.store.all("responses")}

            watch = _AfterEachCase(left)
            failed = _run(with_fault(url, fault) if fault else url, "-k", "test_conversations or conversation-items", "--depth=deep", plugins=[watch])
            assert failed == (pytest.ExitCode.TESTS_FAILED if fault else pytest.ExitCode.OK)
            assert watch.left == {}
            assert http.get(f"/conversations/{theirs}/items").json()["data"][0]["content"][0]["text"] == "Hi"
    finally:
        server.stop()

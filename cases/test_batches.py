"""Batches: an input file of requests, the batch made from it, its statuses up to its end, its result files; list, cancel;
the input files and requests the reference rejects.

A batch holds two small requests (16 output tokens each); its input file is named with the run's marker and the batch
carries it in its metadata. When the case ends the batch is cancelled if it still runs, and its input and result files
are deleted (conformance/resources.py). A wait for a batch is bounded (conformance/polling.py): a batch
that has not ended by then leaves its case not judged past the wait, never passed.
"""

import pytest

from conformance import batches
from conformance.batches import BatchRun, request_line
from conformance.recordings.lost import HEADER_CHECKS
from conformance.checks import REGISTRY, Expect

from .test_files import upload

pytestmark = [pytest.mark.capability("batches"), pytest.mark.capability("files")]

MAX_TOKENS = 16
NO_HEADERS = tuple(c for c in REGISTRY if c.startswith(HEADER_CHECKS))
"""Checks a result line is not judged by: it carries a status code and a body, no headers."""


def _chat(models, n: int) -> dict:
    return {"model": models.chat, "messages": [{"role": "user", "content": f"Say {n}."}], "max_tokens": MAX_TOKENS}


def _response(models, n: int) -> dict:
    # store: false: a batch's responses are not the stored-state cases' subject, and nothing is left to delete.
    return {"model": models.chat, "input": f"Say {n}.", "max_output_tokens": MAX_TOKENS, "store": False}


def _embedding(models, n: int) -> dict:
    return {"model": models.embeddings, "input": f"Item {n}."}


BODIES = {"/v1/chat/completions": _chat, "/v1/responses": _response, "/v1/embeddings": _embedding}
ENDPOINT_CAPABILITY = {"/v1/chat/completions": "chat", "/v1/responses": "responses", "/v1/embeddings": "embeddings"}


def requests_for(models, resources, endpoint: str, count: int = 2) -> list[dict]:
    return [request_line(f"{resources.prefix}{n}", endpoint, BODIES[endpoint](models, n)) for n in range(1, count + 1)]


def input_file(api, resources, lines: list[dict]) -> str:
    return upload(api, resources, purpose="batch", name="batch.jsonl", content=batches.input_file(lines)).needed("id")


def create(api, resources, file_id: str, endpoint: str = "/v1/chat/completions", expect=200, **changes):
    body = {"input_file_id": file_id, "endpoint": endpoint, "completion_window": "24h", "metadata": dict(resources.metadata), **changes}
    return api.post("/batches", json=body, expect=expect)


def start(api, resources, lines: list[dict], endpoint: str = "/v1/chat/completions", expect=200, **changes):
    """Upload ``lines`` as a batch input file and create a batch of them: the create's answer and the run to follow it with."""
    created = create(api, resources, input_file(api, resources, lines), endpoint, expect, **changes)
    # A case that needs the batch ends at a create that failed; one that expects a rejection goes on with none.
    return created, BatchRun(tuple(lines), batch=created.needed() if created.ok or expect == 200 else {})


def read_results(api, run: BatchRun, rejected: frozenset[str] = frozenset()) -> None:
    """Fetch the batch's result files (each checked with the run) and judge every answer in them by its endpoint's checks:
    the answer to a request of ``rejected`` (custom_ids of requests the reference refuses) must be a 400, any other is
    judged at the status it has (which file it belongs in is batches.output-line's finding)."""
    for file_id in run.result_files().values():
        content = api.get(f"/files/{file_id}/content", expect=200, batch=run)
        run.fetched.append(content)
        if not content.ok:
            continue
        for number, line in enumerate(batches.result_lines(content), 1):
            if (exchange := batches.line_exchange(run, content, number, line)) is not None:
                status = 400 if line.get("custom_id") in rejected else exchange.status
                api.verify(exchange, Expect(status), skip=NO_HEADERS)
                api.spent_elsewhere(exchange)


def _endpoints(quick: str):
    """Each endpoint with its capability; all but ``quick`` deep: a quick run makes one small batch."""
    return [pytest.param(e, id=e.removeprefix("/v1/").replace("/", "_"), marks=[pytest.mark.capability(c), *([] if e == quick else [pytest.mark.deep])])
            for e, c in ENDPOINT_CAPABILITY.items()]


@pytest.mark.reference("Batch > Create batch")
@pytest.mark.parametrize("endpoint", _endpoints("/v1/chat/completions"))
def test_batch_lifecycle(api, models, resources, endpoint):
    _, run = start(api, resources, requests_for(models, resources, endpoint), endpoint)
    batches.wait(api, run)
    # Once more after its end: a finished batch stays as it is.
    run.batch = api.get(f"/batches/{run.batch['id']}", expect=200, batch=run).needed()
    read_results(api, run)


@pytest.mark.deep
@pytest.mark.reference("Batch > Create batch")
def test_batch_with_a_rejected_request(api, models, resources):
    # The second request is invalid (no messages): the endpoint's 400 goes to the error file, the first's answer to the output file.
    rejected = request_line(f"{resources.prefix}rejected", "/v1/chat/completions", {**_chat(models, 2), "messages": []})
    _, run = start(api, resources, [*requests_for(models, resources, "/v1/chat/completions", 1), rejected])
    batches.wait(api, run)
    read_results(api, run, rejected=frozenset({rejected["custom_id"]}))


@pytest.mark.reference("Batch > List batches")
def test_list_batches(api, models, resources):
    start(api, resources, requests_for(models, resources, "/v1/chat/completions", 1))
    api.get("/batches?limit=2", expect=200)


@pytest.mark.reference("Batch > Cancel batch")
def test_cancel_batch(api, models, resources):
    _, run = start(api, resources, requests_for(models, resources, "/v1/chat/completions"))
    cancelling = api.post(f"/batches/{run.batch['id']}/cancel", expect=200)
    run.batch = cancelling.needed()
    if run.batch.get("status") == "cancelling":
        batches.wait(api, run, ("cancelled",))


def _mixed(models, resources) -> list[dict]:
    chat = requests_for(models, resources, "/v1/chat/completions", 1)
    return chat + [request_line(f"{resources.prefix}embedding", "/v1/embeddings", _embedding(models, 2))]


def _repeated(models, resources) -> list[dict]:
    first = requests_for(models, resources, "/v1/chat/completions", 1)[0]
    return [first, {**first, "body": _chat(models, 2)}]


def _unknown_url(models, resources) -> list[dict]:
    return [request_line(f"{resources.prefix}1", "/v1/openai-conformance-no-such-endpoint", _chat(models, 1))]


@pytest.mark.reference("Batch > Create batch")
@pytest.mark.parametrize("lines", [_mixed, _repeated, _unknown_url], ids=["mixed_endpoints", "duplicate_custom_id", "unknown_url"])
def test_invalid_input_file(api, models, resources, lines):
    # The reference creates such a batch and fails it while validating, its errors naming the lines; a 400 at create is as good.
    created, run = start(api, resources, lines(models, resources), expect=(200, 400))
    if created.ok:
        run.invalid = True
        batches.wait(api, run)


@pytest.mark.reference("Batch > Create batch")
@pytest.mark.parametrize("change", [{"endpoint": "/v1/openai-conformance-no-such-endpoint"}, {"completion_window": "1h"}], ids=["endpoint", "completion_window"])
def test_invalid_batch(api, models, resources, change):
    start(api, resources, requests_for(models, resources, "/v1/chat/completions", 1), expect=400, **change)


@pytest.mark.reference("Batch > Retrieve batch")
@pytest.mark.parametrize("method, path", [("GET", ""), ("POST", "/cancel")], ids=["retrieve", "cancel"])
def test_unknown_batch(api, method, path):
    api.request(method, f"/batches/batch_openai-conformance-no-such-batch{path}", expect=404)

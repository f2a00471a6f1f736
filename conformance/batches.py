"""Batches as the suite runs them: the input file, the bounded wait for a batch's end, and its result files.

A ``BatchRun`` is what a case sent and has seen of one batch; each retrieve and each result file is
checked with it as context (``Expect.batch``), as a walk's pages are with their walk. Each line of a
result file is the answer its endpoint gave to one request of the input file: the case turns it into an
``Exchange`` of that request and that answer, judged by the endpoint's own checks (``line_exchange``),
headers aside (a line has none).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import httpx

from conformance import polling
from conformance.exchange import Exchange
from conformance.steps import CannotContinue

TERMINAL = ("completed", "failed", "expired", "cancelled")
STAMPS = {"in_progress": "in_progress_at", "finalizing": "finalizing_at", "completed": "completed_at", "failed": "failed_at",
          "expired": "expired_at", "cancelling": "cancelling_at", "cancelled": "cancelled_at"}
"""The timestamp each status sets when the batch enters it."""
LATER = {
    "validating": {"in_progress", "finalizing", "completed", "failed", "expired", "cancelling", "cancelled"},
    "in_progress": {"finalizing", "completed", "failed", "expired", "cancelling", "cancelled"},
    "finalizing": {"completed", "failed", "expired", "cancelling", "cancelled"},
    "cancelling": {"cancelled"},
}
"""The statuses a batch may be seen in after each (polls may miss those between); a terminal status is final."""
FIRST_INTERVAL, MAX_INTERVAL = 0.25, 4.0


@dataclass
class BatchRun:
    lines: tuple[dict, ...]
    """The requests of the input file, as sent."""
    batch: dict = field(default_factory=dict)
    """The latest answer about the batch (the create's, then each retrieve's)."""
    fetched: list[Exchange] = field(default_factory=list)
    """Its result files read so far."""
    invalid: bool = False
    """The input file is one the reference rejects (a repeated custom_id, a line for another endpoint)."""

    def sent(self, custom_id: object) -> dict | None:
        return next((line for line in self.lines if line["custom_id"] == custom_id), None)

    def result_files(self) -> dict[str, str]:
        """``output`` and ``error``, each to its file id, where the batch names one."""
        files = {"output": self.batch.get("output_file_id"), "error": self.batch.get("error_file_id")}
        return {kind: file_id for kind, file_id in files.items() if isinstance(file_id, str) and file_id}


def request_line(custom_id: str, url: str, body: dict) -> dict:
    return {"custom_id": custom_id, "method": "POST", "url": url, "body": body}


def input_file(lines: list[dict]) -> bytes:
    return "".join(json.dumps(line) + "\n" for line in lines).encode()


def status(ex: Exchange) -> object:
    return ex.data.get("status") if isinstance(ex.data, dict) else None


def wait(api, run: BatchRun, until: tuple[str, ...] = TERMINAL) -> Exchange | None:
    """Retrieve the batch until its status is one of ``until`` (each retrieve checked with the run), for at most polling.WAIT_SECONDS.

    Returns the last retrieve (``None`` when the latest answer already had such a status); a batch still short of it
    at the bound ends the case there, not judged past it."""
    if run.batch.get("status") in until:
        return None
    batch_id = run.batch["id"]
    for _ in polling.pauses(FIRST_INTERVAL, MAX_INTERVAL):
        answer = api.get(f"/batches/{batch_id}", expect=200, batch=run)
        run.batch = answer.needed()
        if run.batch.get("status") in until:
            return answer
    raise CannotContinue(f"batch {batch_id} was still {run.batch.get('status')!r} after {polling.WAIT_SECONDS:g} s of polling, not yet {' or '.join(until)}")


def result_lines(ex: Exchange) -> list[object]:
    """The lines of a result file, each parsed as JSON (``None`` where a line is not JSON), blank lines left out."""
    parsed = []
    for text in ex.response.content.decode("utf-8", "replace").splitlines():
        if text.strip():
            try:
                parsed.append(json.loads(text))
            except ValueError:
                parsed.append(None)
    return parsed


def answer_body(line: object) -> dict | None:
    """A result line's response body as an object: as sent, or decoded from the JSON string some servers send (batches.output-line's finding)."""
    response = line.get("response") if isinstance(line, dict) else None
    body = response.get("body") if isinstance(response, dict) else None
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except ValueError:
            return None
    return body if isinstance(body, dict) else None


def line_exchange(run: BatchRun, content: Exchange, number: int, line: object) -> Exchange | None:
    """Line ``number`` of a result file as an exchange of the input line it answers: that request, and an answer of the line's
    status code and body. ``None`` for a line that names no request sent or carries no answer (batches.output-line's findings)."""
    sent = run.sent(line.get("custom_id")) if isinstance(line, dict) else None
    status_code = line["response"].get("status_code") if sent is not None and isinstance(line.get("response"), dict) else None
    body = answer_body(line)
    if sent is None or type(status_code) is not int or body is None:
        return None
    base = str(content.request.url).split("/files/", 1)[0]
    path = sent["url"].removeprefix("/v1")
    request = httpx.Request(sent["method"], base + path, json=sent["body"], headers={"authorization": content.request.headers.get("authorization", "")})
    response = httpx.Response(status_code, headers=[("content-type", "application/json")], content=json.dumps(body).encode(), request=request)
    where = f"{'output' if content.path_params.get('file_id') == run.batch.get('output_file_id') else 'error'} file of batch {run.batch.get('id')}"
    return Exchange(request, path, response, secrets=content.secrets,
                    source={"file": where, "index": number, "not_judged": {"response headers": "a result line carries only a status code and a body"}})

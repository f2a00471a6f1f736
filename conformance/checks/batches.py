"""Batch semantics beyond the schema: a batch is made from what was sent, moves through the reference's statuses
with their timestamps, counts its requests, is cancelled when asked, and its result files answer every request once.

The answers inside the result files are judged by their endpoints' own checks (conformance/batches.py line_exchange).
"""

from __future__ import annotations

from conformance.batches import LATER, STAMPS, TERMINAL, result_lines, status
from conformance.checks.base import Finding, Level, check, shorten

_OPERATIONS = ("POST /batches", "GET /batches/{batch_id}", "POST /batches/{batch_id}/cancel")
_RETRIEVE = "GET /batches/{batch_id}"
_CONTENT = "GET /files/{file_id}/content"
ALLOWED_STAMPS = {
    "validating": set(),
    "in_progress": {"in_progress_at"},
    "finalizing": {"in_progress_at", "finalizing_at"},
    "completed": {"in_progress_at", "finalizing_at", "completed_at"},
    "failed": {"in_progress_at", "finalizing_at", "failed_at"},
    "expired": {"in_progress_at", "finalizing_at", "expired_at"},
    "cancelling": {"in_progress_at", "finalizing_at", "cancelling_at"},
    "cancelled": {"in_progress_at", "finalizing_at", "cancelling_at", "cancelled_at"},
}
"""The timestamps a batch in each status may carry: those of the statuses it can have passed through."""
NEEDED_STAMPS = {"completed": ("in_progress_at",), "cancelled": ("cancelling_at",)}
"""Timestamps a status implies beyond its own: a completed batch ran, a cancelled one was cancelling first."""


def _about_a_batch(ex) -> bool:
    return ex.ok and ex.operation is not None and ex.operation.key in _OPERATIONS and isinstance(ex.data, dict)


def _of(key: str):
    return lambda ex: _about_a_batch(ex) and ex.operation.key == key


@check("batches.echo", Level.MUST, "Batch > Create batch", applies=_of("POST /batches"))
def batch_as_requested(ex, expect):
    """A created batch names the input file, endpoint, completion window and metadata that were sent."""
    for name in ("input_file_id", "endpoint", "completion_window", "metadata"):
        if name in ex.params and name in ex.data and ex.data[name] != ex.params[name]:  # absent: body.schema's finding
            yield Finding(f"{name} {ex.params[name]!r}", repr(ex.data[name]), f"/{name}")


@check("batches.timestamps", Level.MUST, "Batch > The batch object", applies=_about_a_batch)
def timestamps(ex, expect):
    """A batch carries the timestamp of each status it has reached (its own, in_progress_at once completed), none of another, none before created_at."""
    state = ex.data.get("status")
    if state not in ALLOWED_STAMPS:
        return  # body.schema's finding
    for name in (STAMPS.get(state), *NEEDED_STAMPS.get(state, ())):
        if name is not None and type(ex.data.get(name)) is not int:
            yield Finding(f"{name} set (the batch is {state})", f"{name}: {ex.data.get(name)!r}", f"/{name}")
    for name in sorted(set(STAMPS.values()) - ALLOWED_STAMPS[state]):
        if ex.data.get(name) is not None:
            yield Finding(f"{name} null (the batch is {state})", f"{name}: {ex.data[name]!r}", f"/{name}")
    created = ex.data.get("created_at")
    for name in sorted(ALLOWED_STAMPS[state]):
        if type(created) is int and type(ex.data.get(name)) is int and ex.data[name] < created:
            yield Finding(f"{name} at or after created_at {created}", str(ex.data[name]), f"/{name}")


@check("batches.request-counts", Level.MUST, "Batch > The batch object", applies=lambda ex: _about_a_batch(ex) and isinstance(ex.data.get("request_counts"), dict))
def request_counts(ex, expect):
    """request_counts add up: completed + failed never exceed total, equal it once completed, and total is the input file's requests."""
    counts = ex.data["request_counts"]
    total, completed, failed = (counts.get(k) for k in ("total", "completed", "failed"))
    if not all(type(n) is int for n in (total, completed, failed)):
        return  # body.schema's finding
    done = ex.data.get("status") == "completed"
    if completed + failed > total or (done and completed + failed != total):
        yield Finding(f"completed + failed {'=' if done else '<='} total", f"{completed} + {failed} against total {total}", "/request_counts")
    if done and expect.batch is not None and not expect.batch.invalid and total != len(expect.batch.lines):
        yield Finding(f"total {len(expect.batch.lines)} (the requests of the input file)", f"total {total}", "/request_counts/total")


@check("batches.transition", Level.MUST, "Batch > The batch object", applies=_of(_RETRIEVE),
       within=lambda expect: expect.batch is not None and expect.batch.batch.get("status") is not None)
def transition(ex, expect):
    """A batch moves only forward through its statuses (validating, in_progress, finalizing, completed, or failed, expired, cancelling, cancelled): a terminal status is final."""
    before, now = expect.batch.batch.get("status"), ex.data.get("status")
    if now != before and now not in LATER.get(before, ()):
        allowed = sorted(LATER.get(before, ())) or ["none: it is final"]
        yield Finding(f"{before!r} or a later status ({', '.join(allowed)})", f"{now!r} after {before!r}", "/status")


@check("batches.cancelled", Level.MUST, "Batch > Cancel batch", applies=_of("POST /batches/{batch_id}/cancel"))
def cancelled(ex, expect):
    """Cancelling a batch answers it cancelling (or already cancelled)."""
    if ex.data.get("status") not in ("cancelling", "cancelled"):
        yield Finding('status "cancelling" or "cancelled"', repr(ex.data.get("status")), "/status")


def _result_file(ex) -> bool:
    return ex.ok and ex.operation is not None and ex.operation.key == _CONTENT


def _of_the_batch(expect) -> bool:
    return expect.batch is not None and bool(expect.batch.result_files())


@check("batches.output-line", Level.MUST, "Batch > The request output object", applies=_result_file, within=_of_the_batch)
def output_lines(ex, expect):
    """Each result line names a request sent (custom_id) and has a response with a body object and error null (2xx in the output file, else in the error file), or in the error file an error {code, message}."""
    in_output = ex.path_params.get("file_id") == expect.batch.batch.get("output_file_id")
    for number, line in enumerate(result_lines(ex), 1):
        where = f"line {number}"
        if not isinstance(line, dict):
            yield Finding("a JSON object", "a line that is not one" if line is None else shorten(line, 80), where)
            continue
        if expect.batch.sent(line.get("custom_id")) is None:
            yield Finding("the custom_id of a request of the input file", repr(line.get("custom_id")), f"{where} /custom_id")
        response, error = line.get("response"), line.get("error", ...)
        if isinstance(response, dict):
            body, code = response.get("body"), response.get("status_code")
            if not isinstance(body, dict):
                yield Finding("response.body an object (the endpoint's answer)", f"{type(body).__name__} {shorten(body, 80)}", f"{where} /response/body")
            if type(code) is not int or (200 <= code < 300) != in_output:
                wanted = "a 2xx status_code (a request that succeeded)" if in_output else "a status_code of 400 or more (a request that failed)"
                yield Finding(wanted, repr(code), f"{where} /response/status_code")
            if error is not None:
                yield Finding("error null (the request got an answer)", "no error field" if error is ... else shorten(error, 80), f"{where} /error")
        elif in_output or not isinstance(error, dict):
            yield Finding("a response object" + ("" if in_output else ", or an error object"), f"response {shorten(response, 60)}, error {shorten(None if error is ... else error, 60)}", where)
        elif not (isinstance(error.get("code"), str) and isinstance(error.get("message"), str)):
            yield Finding("an error object with a code and a message (strings)", shorten(error, 80), f"{where} /error")


@check("batches.output-coverage", Level.MUST, "Batch > The request output object", applies=_result_file,
       within=lambda expect: _of_the_batch(expect) and len(expect.batch.fetched) + 1 == len(expect.batch.result_files()))
def every_request_answered(ex, expect):
    """The output and error files together hold one line per request of the input file (its custom_id once), as many as request_counts says."""
    run = expect.batch
    if not all(f.ok for f in run.fetched):
        return  # a result file that could not be read is its own step's finding: what it holds is unknown
    files = [*run.fetched, ex]
    seen = [line.get("custom_id") for f in files for line in result_lines(f) if isinstance(line, dict)]
    wanted = [line["custom_id"] for line in run.lines]
    if missing := [c for c in wanted if c not in seen]:
        yield Finding(f"a line for each of the {len(wanted)} requests", f"none for {', '.join(map(repr, missing))}", "body")
    if repeated := sorted({c for c in seen if seen.count(c) > 1}, key=str):
        yield Finding("one line per request", f"several lines for {', '.join(map(repr, repeated))}", "body")
    counts = run.batch.get("request_counts") if isinstance(run.batch.get("request_counts"), dict) else {}
    for f in files:
        kind = "completed" if f.path_params.get("file_id") == run.batch.get("output_file_id") else "failed"
        lines = sum(1 for _ in result_lines(f))
        if type(counts.get(kind)) is int and lines != counts[kind]:
            yield Finding(f"{counts[kind]} lines in the {'output' if kind == 'completed' else 'error'} file (request_counts.{kind})", f"{lines} lines", "body")


@check("batches.rejected", Level.MUST, "Batch > Create batch", applies=lambda ex: _about_a_batch(ex) and status(ex) in TERMINAL,
       within=lambda expect: expect.batch is not None and expect.batch.invalid)
def invalid_input_rejected(ex, expect):
    """A batch whose input file the reference rejects (a line for another endpoint, a repeated custom_id) is not run: it fails, with errors naming the lines."""
    errors = ex.data.get("errors")
    listed = errors.get("data") if isinstance(errors, dict) else None
    if ex.data.get("status") != "failed":
        yield Finding('status "failed" (or the create rejected with 400)', repr(ex.data.get("status")), "/status")
    elif not isinstance(listed, list) or not listed:
        yield Finding("errors.data listing what is wrong with the input file", shorten(errors, 80), "/errors")

"""The /fine_tuning/jobs routes and DELETE /models/{model}: jobs that advance one status per retrieve.

A job is created ``validating_files``; each retrieve moves it on (queued, running, succeeded), so a
client that polls sees a real life cycle without waiting, and a succeeded job has a model to delete.
"""

from __future__ import annotations

from starlette.requests import Request

from conformance.emulator import models
from conformance.emulator.errors import APIError, invalid, model_not_found
from conformance.emulator.faults import active, declare
from conformance.emulator.replies import reply
from conformance.emulator.pagination import page
from conformance.emulator.store import store
from conformance.emulator.validation import json_object, require

CANCEL_IGNORED = declare("cancel-ignored", "fine_tuning.cancelled", "test_cancel_job", "cancel answers the job still running")
JOB_FILE_WRONG = declare("job-training-file-wrong", "fine_tuning.job-echo", "test_create_and_retrieve_job", "the job names another training file")
STATUS_UNKNOWN = declare("job-status-unknown", "body.schema", "test_create_and_retrieve_job", 'job status "pending", not in the reference\'s enum')
FILE_UNCHECKED = declare("training-file-unchecked", "http.status", "test_job_with_unknown_file", "a job is created from a file that does not exist")
ANY_MODEL_DELETED = declare("any-model-deleted", "http.status", "test_delete_unknown_model", "deleting a model that does not exist answers 200")

JOBS, EVENTS, MODELS = "fine_tuning.job", "fine_tuning.job.event", "fine-tuned model"
LIFE = ("validating_files", "queued", "running", "succeeded")
TERMINAL = {"succeeded", "failed", "cancelled"}
MAX_SUFFIX = 18
MAX_METADATA_PAIRS = 16


def _event(request: Request, job: dict, message: str) -> None:
    events = store(request)
    events.add(EVENTS, {"object": "fine_tuning.job.event", "id": events.new_id("ftevent-"), "created_at": events.now(),
                        "level": "info", "message": message, "type": "message", "data": {}, "job": job["id"]})


def _training_file(request: Request, file_id: object, param: str) -> None:
    files = store(request).all("file")
    if not any(f["id"] == file_id and f["purpose"] == "fine-tune" for f in files) and not active(request, FILE_UNCHECKED):
        raise invalid(param, f"Invalid {param}: {file_id!r}. The file does not exist or its purpose is not fine-tune.", "invalid_file")


async def create(request: Request):
    body = await json_object(request)
    require(body, "model", str)
    require(body, "training_file", str)
    base = body["model"]
    models.find(next((m for m in models.CATALOGUE if base == m or base.startswith(m + "-")), base), "chat", request)
    _training_file(request, body["training_file"], "training_file")
    if body.get("validation_file") is not None:
        _training_file(request, body["validation_file"], "validation_file")
    suffix = body.get("suffix")
    if suffix is not None and (not isinstance(suffix, str) or len(suffix) > MAX_SUFFIX):
        raise invalid("suffix", f"Invalid 'suffix': at most {MAX_SUFFIX} characters.")
    metadata = body.get("metadata") or {}
    if not isinstance(metadata, dict) or len(metadata) > MAX_METADATA_PAIRS:
        raise invalid("metadata", f"Invalid 'metadata': an object of at most {MAX_METADATA_PAIRS} pairs.")
    jobs = store(request)
    job = jobs.add(JOBS, {
        "object": "fine_tuning.job",
        "id": jobs.new_id("ftjob-"),
        "model": base,
        "created_at": jobs.now(),
        "finished_at": None,
        "fine_tuned_model": None,
        "organization_id": "org-openai-conformance",
        "result_files": [],
        "status": "validating_files",
        "validation_file": body.get("validation_file"),
        "training_file": body["training_file"],
        "hyperparameters": {"n_epochs": "auto", "batch_size": "auto", "learning_rate_multiplier": "auto", **(body.get("hyperparameters") or {})},
        "trained_tokens": None,
        "error": None,
        "seed": body.get("seed", 42),
        "estimated_finish": None,
        "integrations": None,
        "metadata": metadata,
        "suffix": suffix,
    })
    _event(request, job, "Validating training file")
    return _job_reply(request, job)


def _job_reply(request: Request, job: dict):
    body = {k: v for k, v in job.items() if k != "suffix"}
    if active(request, JOB_FILE_WRONG):
        body["training_file"] = "file-openai-conformance-other"
    if active(request, STATUS_UNKNOWN):
        body["status"] = "pending"
    return reply(request, 200, body)


def _job(request: Request) -> dict:
    return store(request).get(JOBS, request.path_params["job_id"], "fine-tuning job", "fine_tuning_job_id")


def _advance(request: Request, job: dict) -> None:
    if job["status"] in TERMINAL:
        return
    job["status"] = LIFE[LIFE.index(job["status"]) + 1]
    _event(request, job, f"Job {job['status'].replace('_', ' ')}")
    if job["status"] == "succeeded":
        suffix = job["suffix"] or ""
        job.update(finished_at=store(request).now(), trained_tokens=1000, fine_tuned_model=f"ft:{job['model']}:openai-conformance:{suffix}:{job['id'][-8:]}")
        store(request).add(MODELS, {"id": job["fine_tuned_model"]})


async def retrieve(request: Request):
    job = _job(request)
    _advance(request, job)
    return _job_reply(request, job)


async def cancel(request: Request):
    job = _job(request)
    if job["status"] in TERMINAL:
        raise APIError(400, f"Job {job['id']} has already {job['status']}: it cannot be cancelled.", param="fine_tuning_job_id")
    if not active(request, CANCEL_IGNORED):
        job.update(status="cancelled", finished_at=store(request).now())
        _event(request, job, "Job cancelled")
    return _job_reply(request, job)


async def list_jobs(request: Request):
    return reply(request, 200, page(request, store(request).all(JOBS)))


async def list_events(request: Request):
    job = _job(request)
    events = [{k: v for k, v in e.items() if k != "job"} for e in store(request).all(EVENTS) if e["job"] == job["id"]]
    return reply(request, 200, page(request, events))


async def delete_model(request: Request):
    model = request.path_params["model"]
    fine_tuned = store(request)
    if not any(m["id"] == model for m in fine_tuned.all(MODELS)) and not active(request, ANY_MODEL_DELETED):
        raise model_not_found(model)
    fine_tuned.remove(MODELS, model)
    return reply(request, 200, {"id": model, "object": "model", "deleted": True})


ROUTES = [
    ("fine-tuning", "POST", "/fine_tuning/jobs", create),
    ("fine-tuning", "GET", "/fine_tuning/jobs", list_jobs),
    ("fine-tuning", "GET", "/fine_tuning/jobs/{job_id}", retrieve),
    ("fine-tuning", "POST", "/fine_tuning/jobs/{job_id}/cancel", cancel),
    ("fine-tuning", "GET", "/fine_tuning/jobs/{job_id}/events", list_events),
    ("fine-tuning", "DELETE", "/models/{model:path}", delete_model),
]

"""Fine-tuning jobs: create from an uploaded file, retrieve, list, events, cancel; deleting the model a job made.

Every job carries the run's marker in its metadata and is cancelled when its case ends, so a paid
target trains for seconds at most. A model is deleted only if a job of this run produced it.
"""

import pytest

from .test_files import TRAINING, upload

pytestmark = [pytest.mark.capability("fine-tuning"), pytest.mark.capability("files")]

POLLS = 5
"""Retrieves to wait for a job to finish: enough for the emulator; a real job takes far longer, so that case skips."""


@pytest.fixture
def training_file(api, resources) -> str:
    return upload(api, resources, purpose="fine-tune", name="train.jsonl", content=TRAINING).needed("id")


def create_job(api, models, resources, training_file: str, expect: int = 200):
    body = {"model": models.finetune, "training_file": training_file, "suffix": "oc", "metadata": dict(resources.metadata)}
    return api.post("/fine_tuning/jobs", json=body, expect=expect)


@pytest.mark.reference("Fine-tuning > Create fine-tuning job")
def test_create_and_retrieve_job(api, models, resources, training_file):
    job_id = create_job(api, models, resources, training_file).needed("id")
    api.get(f"/fine_tuning/jobs/{job_id}", expect=200)


@pytest.mark.reference("Fine-tuning > List fine-tuning jobs")
@pytest.mark.parametrize("query", ["", "?limit=2"], ids=["default", "limit"])
def test_list_jobs(api, models, resources, training_file, query):
    create_job(api, models, resources, training_file)
    api.get(f"/fine_tuning/jobs{query}", expect=200)


@pytest.mark.reference("Fine-tuning > List fine-tuning events")
def test_job_events(api, models, resources, training_file):
    job_id = create_job(api, models, resources, training_file).needed("id")
    api.get(f"/fine_tuning/jobs/{job_id}/events?limit=5", expect=200)


@pytest.mark.reference("Fine-tuning > Cancel fine-tuning")
def test_cancel_job(api, models, resources, training_file):
    job_id = create_job(api, models, resources, training_file).needed("id")
    api.post(f"/fine_tuning/jobs/{job_id}/cancel", expect=200)


@pytest.mark.reference("Fine-tuning > Create fine-tuning job")
def test_job_with_unknown_file(api, models, resources):
    create_job(api, models, resources, "file-openai-conformance-no-such-file", expect=400)


@pytest.mark.reference("Fine-tuning > Retrieve fine-tuning job")
def test_unknown_job(api):
    api.get("/fine_tuning/jobs/ftjob-openai-conformance-no-such-job", expect=404)


@pytest.mark.reference("Models > Delete a fine-tuned model")
def test_delete_fine_tuned_model(api, models, resources, training_file):
    answer = create_job(api, models, resources, training_file)
    job_id = answer.needed("id")
    for _ in range(POLLS):
        job = answer.needed()
        if job.get("fine_tuned_model") or job.get("status") in ("failed", "cancelled"):
            break
        answer = api.get(f"/fine_tuning/jobs/{job_id}", expect=200)
    if not (model := answer.needed().get("fine_tuned_model")):
        pytest.skip(f"the fine-tuning job had not produced a model after {POLLS} retrieves; only a model this run trained is ever deleted")
    api.delete(f"/models/{model}", expect=200)


@pytest.mark.reference("Models > Delete a fine-tuned model")
def test_delete_unknown_model(api):
    api.delete("/models/ft:gpt-4o-mini-2024-07-18:openai-conformance::no-such-model", expect=404)

"""Fine-tuning semantics beyond the schema: a job is made from what was sent; a cancelled job says so."""

from conformance.checks.base import Finding, Level, check, succeeded


@check("fine_tuning.job-echo", Level.MUST, "Fine-tuning > Create fine-tuning job", applies=succeeded("POST /fine_tuning/jobs"))
def job_as_requested(ex, expect):
    """A created job names the training and validation files and the model (or a dated snapshot of it) that were sent."""
    sent = ex.params
    for name in ("training_file", "validation_file"):
        if name in sent and ex.data.get(name) != sent[name]:
            yield Finding(f"{name} {sent[name]!r}", repr(ex.data.get(name)), f"/{name}")
    model, seen = sent.get("model"), ex.data.get("model")
    if isinstance(model, str) and not (seen == model or str(seen).startswith(model + "-")):
        yield Finding(f"model {model!r} or {model}-<snapshot>", repr(seen), "/model")


@check("fine_tuning.cancelled", Level.MUST, "Fine-tuning > Cancel fine-tuning", applies=succeeded("POST /fine_tuning/jobs/{fine_tuning_job_id}/cancel"))
def cancelled(ex, expect):
    """Cancelling a job answers the job with status cancelled."""
    if ex.data.get("status") != "cancelled":
        yield Finding('status "cancelled"', repr(ex.data.get("status")), "/status")

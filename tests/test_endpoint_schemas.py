"""The endpoint schemas (embeddings to assistants): the reference's examples and their backward-compatible
variations validate; typical non-conformant answers fail at the expected pointer."""

from __future__ import annotations

import copy

import pytest

from conformance.validation import validator

# reference-004 examples (Embeddings, Files, Fine-tuning, Models, Assistants), the official document's where richer.
EMBEDDINGS = {"object": "list", "data": [{"object": "embedding", "embedding": [0.0023064255, -0.009327292, -0.0028842222], "index": 0}],
              "model": "text-embedding-3-small", "usage": {"prompt_tokens": 8, "total_tokens": 8}}
EMBEDDINGS_B64 = {**EMBEDDINGS, "data": [{"object": "embedding", "embedding": "AACAPwAAAEA=", "index": 0}]}
MODERATION = {"id": "modr-abc123", "model": "omni-moderation-latest", "results": [{
    "flagged": True,
    "categories": {"sexual": False, "hate": False, "harassment": False, "self-harm": False, "sexual/minors": False, "hate/threatening": False,
                   "violence/graphic": False, "self-harm/intent": False, "self-harm/instructions": False, "harassment/threatening": True, "violence": True},
    "category_scores": {"sexual": 1.2282071e-06, "hate": 0.010696256, "harassment": 0.29842457, "self-harm": 1.5236925e-08,
                        "violence": 0.99011886, "harassment/threatening": 0.63055265, "violence/graphic": 1.0209e-05},
}]}
IMAGES = {"created": 1709375436, "data": [{"revised_prompt": "A serene white Siamese cat...", "url": "https://oaidalleapiprodscus.blob.core.windows.net/x"}]}
TRANSCRIPTION = {"text": "Imagine the wildest idea that you've ever had."}
VERBOSE = {"task": "transcribe", "language": "english", "duration": 8.47, "text": "The beach was a popular spot.",
           "segments": [{"id": 0, "seek": 0, "start": 0.0, "end": 3.32, "text": " The beach.", "tokens": [50364, 440], "temperature": 0.0,
                         "avg_logprob": -0.286, "compression_ratio": 1.236, "no_speech_prob": 0.0098}],
           "usage": {"type": "duration", "seconds": 9}}
FILE = {"id": "file-BK7bzQj3FfZFXr7DbL6xJwfo", "object": "file", "bytes": 120000, "created_at": 1677610602, "filename": "mydata.jsonl", "purpose": "fine-tune"}
FILES = {"data": [FILE, {**FILE, "id": "file-def456", "filename": "puppy.jsonl"}], "object": "list"}
FILE_DELETED = {"id": "file-abc123", "object": "file", "deleted": True}
JOB = {"object": "fine_tuning.job", "id": "ftjob-abc123", "model": "gpt-4o-mini-2024-07-18", "created_at": 1692661014, "finished_at": None,
       "fine_tuned_model": None, "organization_id": "org-abc123", "result_files": [], "status": "validating_files", "validation_file": None,
       "training_file": "file-BK7bzQj3FfZFXr7DbL6xJwfo", "hyperparameters": {"n_epochs": "auto"}, "trained_tokens": None, "error": {}}
JOBS = {"object": "list", "data": [{**JOB, "finished_at": 1692661190, "fine_tuned_model": "ft:gpt-4o-mini-2024-07-18:my-org::7q8XXYZY",
                                     "status": "succeeded", "trained_tokens": 5768, "error": None}], "has_more": True}
EVENTS = {"object": "list", "data": [{"object": "fine_tuning.job.event", "id": "ft-event-ddTJfwuMVpfLXseO0Am0Gqjm", "created_at": 1721764800,
                                       "level": "info", "message": "Fine tuning job successfully completed", "type": "message"}], "has_more": False}
MODEL_DELETED = {"id": "ft:gpt-4o-mini:acemeco:suffix:abc123", "object": "model", "deleted": True}
ASSISTANT = {"id": "asst_abc123", "object": "assistant", "created_at": 1698984975, "name": "Math Tutor", "description": None, "model": "gpt-4o",
             "instructions": "You are a personal math tutor.", "tools": [{"type": "code_interpreter"}], "metadata": {}, "top_p": 1.0,
             "temperature": 1.0, "response_format": "auto"}
ASSISTANTS = {"object": "list", "data": [ASSISTANT], "first_id": "asst_abc123", "last_id": "asst_abc456", "has_more": False}
ASSISTANT_DELETED = {"id": "asst_abc123", "object": "assistant.deleted", "deleted": True}
# The official document's Conversations examples.
CONVERSATION = {"id": "conv_123", "object": "conversation", "created_at": 1741900000, "metadata": {"topic": "demo"}}
CONVERSATION_DELETED = {"id": "conv_123", "object": "conversation.deleted", "deleted": True}
CONVERSATION_ITEM = {"type": "message", "id": "msg_abc", "status": "completed", "role": "user", "content": [{"type": "input_text", "text": "Hello!"}]}
CONVERSATION_ITEMS = {"object": "list", "data": [CONVERSATION_ITEM, {**CONVERSATION_ITEM, "id": "msg_def", "content": [{"type": "input_text", "text": "How are you?"}]}],
                      "first_id": "msg_abc", "last_id": "msg_def", "has_more": False}

EXAMPLES = {
    "embeddings": ("embedding.list", None, EMBEDDINGS),
    "embeddings-base64": ("embedding.list", None, EMBEDDINGS_B64),
    "moderation": ("moderation", None, MODERATION),
    "images": ("images", None, IMAGES),
    "transcription": ("transcription", None, TRANSCRIPTION),
    "transcription-verbose": ("transcription.verbose", None, VERBOSE),
    "file": ("file", None, FILE),
    "files": ("list", "file", FILES),
    "file-deleted": ("file.deleted", None, FILE_DELETED),
    "job": ("fine_tuning.job", None, JOB),
    "jobs": ("list", "fine_tuning.job", JOBS),
    "events": ("list", "fine_tuning.job.event", EVENTS),
    "model-deleted": ("model.deleted", None, MODEL_DELETED),
    "assistant": ("assistant", None, ASSISTANT),
    "assistants": ("list", "assistant", ASSISTANTS),
    "assistant-deleted": ("assistant.deleted", None, ASSISTANT_DELETED),
    "conversation": ("conversation", None, CONVERSATION),
    "conversation-deleted": ("conversation.deleted", None, CONVERSATION_DELETED),
    "conversation-item": ("conversation.item", None, CONVERSATION_ITEM),
    "conversation-items": ("list", "conversation.item", CONVERSATION_ITEMS),
}

VARIATIONS = {
    "as-is": lambda d: d,
    "new-fields": lambda d: {**d, "x_new_field": {"nested": [1, None]}},
    "reordered": lambda d: dict(reversed(d.items())),
    "longer-ids": lambda d: {k: v + "Z9" * 60 if k == "id" else v for k, v in d.items()},
}


def _errors(name: str, item: str | None, instance) -> list[tuple[str, str]]:
    return sorted(("".join(f"/{p}" for p in e.absolute_path), e.validator) for e in validator(name, item).iter_errors(instance))


@pytest.mark.parametrize("variation", VARIATIONS)
@pytest.mark.parametrize("example", EXAMPLES)
def test_reference_example_validates(example, variation):
    name, item, instance = EXAMPLES[example]
    assert _errors(name, item, VARIATIONS[variation](copy.deepcopy(instance))) == []


def _with(base: dict, path: str, value):
    result = copy.deepcopy(base)
    *parents, last = [int(p) if p.isdigit() else p for p in path.strip("/").split("/")]
    target = result
    for part in parents:
        target = target[part]
    target[last] = value
    return result


NEGATIVES = {
    "embedding-object": ("embedding.list", None, EMBEDDINGS, "/data/0/object", "list", ("/data/0/object", "const")),
    "embedding-no-usage": ("embedding.list", None, {k: v for k, v in EMBEDDINGS.items() if k != "usage"}, None, None, ("", "required")),
    "moderation-flagged-string": ("moderation", None, MODERATION, "/results/0/flagged", "true", ("/results/0/flagged", "type")),
    "moderation-score-string": ("moderation", None, MODERATION, "/results/0/category_scores/hate", "0.1", ("/results/0/category_scores/hate", "type")),
    "images-created-ms": ("images", None, IMAGES, "/created", 1709375436000, ("/created", "maximum")),
    "file-object": ("file", None, FILE, "/object", "files", ("/object", "const")),
    "file-purpose": ("file", None, FILE, "/purpose", "training", ("/purpose", "enum")),
    "file-deleted-string": ("file.deleted", None, FILE_DELETED, "/deleted", "true", ("/deleted", "type")),
    "job-status": ("fine_tuning.job", None, JOB, "/status", "pending", ("/status", "enum")),
    "job-n-epochs": ("fine_tuning.job", None, JOB, "/hyperparameters/n_epochs", 0, ("/hyperparameters/n_epochs", "anyOf")),
    "assistant-name-too-long": ("assistant", None, ASSISTANT, "/name", "x" * 257, ("/name", "maxLength")),
    "assistant-17-metadata": ("assistant", None, ASSISTANT, "/metadata", {f"k{i}": "v" for i in range(17)}, ("/metadata", "maxProperties")),
    "assistant-deleted-object": ("assistant.deleted", None, ASSISTANT_DELETED, "/object", "assistant", ("/object", "const")),
    "conversation-no-created-at": ("conversation", None, {k: v for k, v in CONVERSATION.items() if k != "created_at"}, None, None, ("", "required")),
    "conversation-deleted-object": ("conversation.deleted", None, CONVERSATION_DELETED, "/object", "conversation", ("/object", "const")),
    "conversation-item-status-null": ("list", "conversation.item", CONVERSATION_ITEMS, "/data/0/status", None, ("/data/0/status", "enum")),
    "conversation-item-no-id": ("conversation.item", None, {k: v for k, v in CONVERSATION_ITEM.items() if k != "id"}, None, None, ("", "required")),
    "verbose-no-duration": ("transcription.verbose", None, {k: v for k, v in VERBOSE.items() if k != "duration"}, None, None, ("", "required")),
}


@pytest.mark.parametrize("case", NEGATIVES)
def test_nonconformant_answer_fails_at_pointer(case):
    name, item, base, path, value, expected = NEGATIVES[case]
    instance = base if path is None else _with(base, path, value)
    assert expected in _errors(name, item, instance)

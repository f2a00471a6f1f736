"""The reference's operations: how an exchange is recognised and what its success body must be.

One table serves every endpoint: checks look up the operation of an exchange here instead of
cases naming schemas, so adding an endpoint is one row, not a new mechanism.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


JSON = "application/json"
EVENT_STREAM = "text/event-stream"
CHUNKS = "chunks"
EVENTS = "events"


@dataclass(frozen=True)
class Media:
    """What a success body is: the Content-Types it may carry and, for JSON, its schema."""

    types: tuple[str, ...]
    """Accepted media types; empty: any (e.g. a file's own content)."""
    schema: str | None = None
    item: str | None = None

    @property
    def json(self) -> bool:
        return JSON in self.types


@dataclass(frozen=True)
class Formats:
    """A success body chosen by a request parameter (speech audio formats, transcript formats)."""

    param: str
    default: str
    bodies: dict[str, Media]


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    section: str
    schema: str | None
    """Schema of a 2xx JSON body (``None``: not JSON)."""
    item: str | None = None
    """For list envelopes: the schema of each item of ``data``."""
    formats: Formats | None = None
    """When the body depends on a request parameter; else a JSON ``schema`` or any media type."""
    undo: str | None = None
    """For operations that create something: the request that removes it, e.g. ``DELETE /files/{id}``."""
    request: str | None = None
    """Schema of the request body (``schemas/<name>.json``), from which requests are generated."""
    chunk: str | None = None
    """For operations that stream with ``stream: true``: the schema of each event's JSON data."""
    capability: str | None = None
    """The target-profile capability that serves it (conformance/profile.py CAPABILITIES)."""
    dialect: str = CHUNKS
    """For operations that stream: how the stream is built. ``CHUNKS`` (chat, legacy completions): chunks of
    ``choices`` deltas, then ``data: [DONE]``, checked by conformance/checks/streaming.py. ``EVENTS`` (Responses):
    typed events with sequence numbers ending with a terminal event, no ``[DONE]`` required."""
    pattern: re.Pattern = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Non-greedy parameters: ids may contain "/" (e.g. "meta-llama/Llama-3-8B").
        regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>.+?)", re.escape(self.template))
        object.__setattr__(self, "pattern", re.compile(f"^{regex}$"))

    @property
    def key(self) -> str:
        return f"{self.method} {self.template}"

    def media(self, params: dict) -> Media | None:
        """The success body for these request parameters (``None``: a value the reference does not list)."""
        if self.chunk is not None and params.get("stream") is True:
            return Media((EVENT_STREAM,))  # its events are checked by conformance/checks/streaming.py
        if self.formats is not None:
            value = params.get(self.formats.param) or self.formats.default
            return self.formats.bodies.get(value) if isinstance(value, str) else None
        return Media((JSON,), self.schema, self.item) if self.schema else Media(())


OPERATIONS: tuple[Operation, ...] = (
    Operation("GET", "/models", "Models > List models", "list", item="model", capability="models"),
    Operation("GET", "/models/{model}", "Models > Retrieve model", "model", capability="models"),
    Operation("POST", "/chat/completions", "Chat > Create chat completion", "chat.completion", chunk="chat.completion.chunk", request="chat.completion.request", capability="chat"),
    Operation("POST", "/completions", "Completions > Create completion", "text_completion", chunk="text_completion.chunk", capability="completions", request="text_completion.request"),
    Operation("POST", "/embeddings", "Embeddings > Create embeddings", "embedding.list", capability="embeddings", request="embedding.list.request"),
    Operation("POST", "/moderations", "Moderations > Create moderation", "moderation", capability="moderations", request="moderation.request"),
    Operation("POST", "/images/generations", "Images > Create image", "images", capability="images"),
    Operation("POST", "/audio/speech", "Audio > Create speech", None, capability="speech", request="speech.request", formats=Formats("response_format", "mp3", {
        "mp3": Media(("audio/mpeg", "audio/mp3")),
        "opus": Media(("audio/opus", "audio/ogg")),
        "aac": Media(("audio/aac", "audio/x-aac")),
        "flac": Media(("audio/flac", "audio/x-flac")),
        "wav": Media(("audio/wav", "audio/x-wav", "audio/wave")),
        "pcm": Media(("audio/pcm", "audio/l16", "application/octet-stream")),  # raw samples have no standard type
    })),
    # Before GET /files/{file_id}: a template's parameter matches "file-1/content" too.
    Operation("GET", "/files/{file_id}/content", "Files > Retrieve file content", None, capability="files"),
    Operation("POST", "/files", "Files > Upload file", "file", undo="DELETE /files/{id}", capability="files"),
    Operation("GET", "/files", "Files > List files", "list", item="file", capability="files"),
    Operation("GET", "/files/{file_id}", "Files > Retrieve file", "file", capability="files"),
    Operation("DELETE", "/files/{file_id}", "Files > Delete file", "file.deleted", capability="files"),
    Operation("POST", "/uploads", "Uploads > Create upload", "upload", request="upload.request", undo="POST /uploads/{id}/cancel", capability="uploads"),
    Operation("POST", "/uploads/{upload_id}/parts", "Uploads > Add upload part", "upload.part", capability="uploads"),
    Operation("POST", "/uploads/{upload_id}/complete", "Uploads > Complete upload", "upload", capability="uploads"),
    Operation("POST", "/uploads/{upload_id}/cancel", "Uploads > Cancel upload", "upload", capability="uploads"),
    Operation("POST", "/fine_tuning/jobs", "Fine-tuning > Create fine-tuning job", "fine_tuning.job", undo="POST /fine_tuning/jobs/{id}/cancel", capability="fine-tuning"),
    Operation("GET", "/fine_tuning/jobs", "Fine-tuning > List fine-tuning jobs", "list", item="fine_tuning.job", capability="fine-tuning"),
    Operation("GET", "/fine_tuning/jobs/{fine_tuning_job_id}/events", "Fine-tuning > List fine-tuning events", "list", item="fine_tuning.job.event", capability="fine-tuning"),
    Operation("POST", "/fine_tuning/jobs/{fine_tuning_job_id}/cancel", "Fine-tuning > Cancel fine-tuning", "fine_tuning.job", capability="fine-tuning"),
    Operation("GET", "/fine_tuning/jobs/{fine_tuning_job_id}", "Fine-tuning > Retrieve fine-tuning job", "fine_tuning.job", capability="fine-tuning"),
    Operation("DELETE", "/models/{model}", "Models > Delete a fine-tuned model", "model.deleted", capability="fine-tuning"),
    Operation("POST", "/assistants", "Assistants > Create assistant", "assistant", undo="DELETE /assistants/{id}", capability="assistants", request="assistant.request"),
    Operation("GET", "/assistants", "Assistants > List assistants", "list", item="assistant", capability="assistants"),
    Operation("GET", "/assistants/{assistant_id}", "Assistants > Retrieve assistant", "assistant", capability="assistants"),
    Operation("POST", "/assistants/{assistant_id}", "Assistants > Modify assistant", "assistant", capability="assistants", request="assistant.modify.request"),
    Operation("DELETE", "/assistants/{assistant_id}", "Assistants > Delete assistant", "assistant.deleted", capability="assistants"),
    Operation("POST", "/responses", "Responses > Create a model response", "response", chunk="response.stream.event", dialect=EVENTS,
              request="response.request", undo="DELETE /responses/{id}", capability="responses"),
    Operation("POST", "/responses/compact", "Responses > Compact a response", "response.compaction", request="response.compaction.request",
              capability="responses-compact"),
    # Before GET /responses/{response_id}: its parameter matches "resp_1/input_items" too.
    Operation("GET", "/responses/{response_id}/input_items", "Responses > List input items", "list", item="response.input_item", capability="responses-store"),
    Operation("GET", "/responses/{response_id}", "Responses > Get a model response", "response", capability="responses-store"),
    Operation("DELETE", "/responses/{response_id}", "Responses > Delete a model response", "response.deleted", capability="responses-store"),
    Operation("POST", "/responses/{response_id}/cancel", "Responses > Cancel a response", "response", capability="responses-background"),
    # Vector stores: the most specific templates first (a parameter matches "vs_1/files" too).
    Operation("GET", "/vector_stores/{vector_store_id}/file_batches/{batch_id}/files", "Vector stores > List vector store files in a batch", "list",
              item="vector_store.file", capability="vector-stores"),
    Operation("POST", "/vector_stores/{vector_store_id}/file_batches/{batch_id}/cancel", "Vector stores > Cancel vector store file batch",
              "vector_store.file_batch", capability="vector-stores"),
    Operation("GET", "/vector_stores/{vector_store_id}/file_batches/{batch_id}", "Vector stores > Retrieve vector store file batch",
              "vector_store.file_batch", capability="vector-stores"),
    Operation("POST", "/vector_stores/{vector_store_id}/file_batches", "Vector stores > Create vector store file batch", "vector_store.file_batch",
              capability="vector-stores"),
    Operation("GET", "/vector_stores/{vector_store_id}/files/{file_id}", "Vector stores > Retrieve vector store file", "vector_store.file",
              capability="vector-stores"),
    Operation("DELETE", "/vector_stores/{vector_store_id}/files/{file_id}", "Vector stores > Delete vector store file", "vector_store.file.deleted",
              capability="vector-stores"),
    Operation("GET", "/vector_stores/{vector_store_id}/files", "Vector stores > List vector store files", "list", item="vector_store.file",
              capability="vector-stores"),
    Operation("POST", "/vector_stores/{vector_store_id}/files", "Vector stores > Create vector store file", "vector_store.file", capability="vector-stores"),
    Operation("POST", "/vector_stores/{vector_store_id}/search", "Vector stores > Search vector store", "vector_store.search_results.page",
              capability="vector-stores"),
    Operation("POST", "/vector_stores", "Vector stores > Create vector store", "vector_store", undo="DELETE /vector_stores/{id}", capability="vector-stores"),
    Operation("GET", "/vector_stores", "Vector stores > List vector stores", "list", item="vector_store", capability="vector-stores"),
    Operation("GET", "/vector_stores/{vector_store_id}", "Vector stores > Retrieve vector store", "vector_store", capability="vector-stores"),
    Operation("POST", "/vector_stores/{vector_store_id}", "Vector stores > Modify vector store", "vector_store", capability="vector-stores"),
    Operation("DELETE", "/vector_stores/{vector_store_id}", "Vector stores > Delete vector store", "vector_store.deleted", capability="vector-stores"),
    Operation("POST", "/batches", "Batch > Create batch", "batch", undo="POST /batches/{id}/cancel", capability="batches"),
    Operation("GET", "/batches", "Batch > List batches", "list", item="batch", capability="batches"),
    Operation("GET", "/batches/{batch_id}", "Batch > Retrieve batch", "batch", capability="batches"),
    Operation("POST", "/batches/{batch_id}/cancel", "Batch > Cancel batch", "batch", capability="batches"),
    # Most specific first: a template's parameter matches "conv_1/items/msg_1" too.
    Operation("GET", "/conversations/{conversation_id}/items/{item_id}", "Conversations > Retrieve an item", "conversation.item", capability="conversations"),
    Operation("DELETE", "/conversations/{conversation_id}/items/{item_id}", "Conversations > Delete an item", "conversation", capability="conversations"),
    Operation("POST", "/conversations/{conversation_id}/items", "Conversations > Create items", "list", item="conversation.item", capability="conversations"),
    Operation("GET", "/conversations/{conversation_id}/items", "Conversations > List items", "list", item="conversation.item", capability="conversations"),
    Operation("POST", "/conversations", "Conversations > Create a conversation", "conversation", undo="DELETE /conversations/{id}", capability="conversations",
              request="conversation.request"),
    Operation("GET", "/conversations/{conversation_id}", "Conversations > Retrieve a conversation", "conversation", capability="conversations"),
    Operation("POST", "/conversations/{conversation_id}", "Conversations > Update a conversation", "conversation", capability="conversations"),
    Operation("DELETE", "/conversations/{conversation_id}", "Conversations > Delete a conversation", "conversation.deleted", capability="conversations"),
    Operation("POST", "/audio/transcriptions", "Audio > Create transcription", None, capability="transcriptions", formats=Formats("response_format", "json", {
        "json": Media((JSON,), "transcription"),
        "verbose_json": Media((JSON,), "transcription.verbose"),
        "text": Media(("text/plain",)),
        "srt": Media(("text/plain", "application/x-subrip", "text/srt")),
        "vtt": Media(("text/vtt", "text/plain")),
    })),
)


def match(method: str, path: str) -> tuple[Operation | None, dict[str, str]]:
    """The operation a request is for, and its path parameters."""
    for operation in OPERATIONS:
        found = operation.pattern.match(path)
        if operation.method == method and found:
            return operation, found.groupdict()
    return None, {}

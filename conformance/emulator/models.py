"""The emulator's model catalogue and the /models routes."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from conformance.emulator.errors import invalid, model_not_found
from conformance.emulator.faults import active, declare
from conformance.emulator.pagination import list_object
from conformance.emulator.replies import reply

CREATED_MILLISECONDS = declare("created-milliseconds", "body.schema", "test_list_models", "model `created` in milliseconds, not seconds")
OBJECT_WRONG = declare("object-wrong", "body.schema", "test_retrieve_model", 'model `object` is "models" instead of "model"')
RETRIEVE_WRONG_MODEL = declare("retrieve-wrong-model", "models.retrieve-id", "test_retrieve_model", "retrieve returns another model than the one asked for")
UNKNOWN_MODEL_ACCEPTED = declare("unknown-model-accepted", "http.status", "test_unknown_model", "any model name is accepted")


@dataclass(frozen=True)
class Model:
    id: str
    created: int
    owned_by: str
    capability: str

    def as_object(self, request: Request) -> dict:
        body = {"id": self.id, "object": "model", "created": self.created, "owned_by": self.owned_by}
        if active(request, CREATED_MILLISECONDS):
            body["created"] = self.created * 1000
        if active(request, OBJECT_WRONG):
            body["object"] = "models"
        return body


CATALOGUE: dict[str, Model] = {
    m.id: m
    for m in (
        Model("gpt-4o-mini", 1721172741, "system", "chat"),
        Model("gpt-4o", 1715367049, "system", "chat"),
        Model("gpt-4o-mini-2024-07-18", 1721172717, "system", "chat"),  # the snapshot fine-tuning starts from, listed as on the real API
        Model("gpt-3.5-turbo-instruct", 1692901427, "system", "completions"),
        Model("text-embedding-3-small", 1705948997, "system", "embeddings"),
        Model("omni-moderation-latest", 1731689265, "system", "moderation"),
        Model("dall-e-3", 1698785189, "system", "images"),
        Model("tts-1", 1681940951, "openai-internal", "speech"),
        Model("whisper-1", 1677532384, "openai-internal", "transcription"),
        Model("gpt-realtime", 1756252800, "system", "realtime"),
    )
}


def find(model_id: object, capability: str, request: Request) -> Model:
    """The model a request names, or the reference's 404 for an unknown or unsuitable one."""
    if not isinstance(model_id, str):
        raise invalid("model", "Invalid type for 'model': expected a string.", "invalid_type")  # 400, not "unknown model"
    model = CATALOGUE.get(model_id)
    if model is None and active(request, UNKNOWN_MODEL_ACCEPTED):
        return Model(str(model_id), 0, "system", capability)
    if model is None or model.capability != capability:
        raise model_not_found(model_id)
    return model


async def list_models(request: Request):
    return reply(request, 200, {"object": list_object(request), "data": [m.as_object(request) for m in CATALOGUE.values()]})


async def retrieve_model(request: Request):
    model_id = request.path_params["model"]
    if active(request, RETRIEVE_WRONG_MODEL):
        model_id = next(m for m in CATALOGUE if m != model_id)
    if model_id not in CATALOGUE:
        raise model_not_found(model_id)
    return reply(request, 200, CATALOGUE[model_id].as_object(request))

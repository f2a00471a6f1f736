"""The emulator's model catalogue and the /models routes."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from starlette.requests import Request

from conformance.emulator.errors import model_not_found
from conformance.emulator.faults import active
from conformance.emulator.responses import reply


@dataclass(frozen=True)
class Model:
    id: str
    created: int
    owned_by: str
    capability: str

    def as_object(self, request: Request) -> dict:
        body = {"id": self.id, "object": "model", "created": self.created, "owned_by": self.owned_by}
        if active(request, "created-milliseconds"):
            body["created"] = self.created * 1000
        if active(request, "object-wrong"):
            body["object"] = "models"
        return body


CATALOGUE: dict[str, Model] = {
    m.id: m
    for m in (
        Model("gpt-4o-mini", 1721172741, "system", "chat"),
        Model("gpt-4o", 1715367049, "system", "chat"),
        Model("text-embedding-3-small", 1705948997, "system", "embeddings"),
        Model("omni-moderation-latest", 1731689265, "system", "moderation"),
        Model("dall-e-3", 1698785189, "system", "images"),
        Model("tts-1", 1681940951, "openai-internal", "speech"),
        Model("whisper-1", 1677532384, "openai-internal", "transcription"),
    )
}


def find(model_id: object, capability: str, request: Request) -> Model:
    """The model a request names, or the reference's 404 for an unknown or unsuitable one."""
    model = CATALOGUE.get(model_id) if isinstance(model_id, str) else None
    if model is None and active(request, "unknown-model-accepted"):
        return Model(str(model_id), 0, "system", capability)
    if model is None or model.capability != capability:
        raise model_not_found(model_id)
    return model


async def list_models(request: Request):
    return reply(request, 200, {"object": "list", "data": [m.as_object(request) for m in CATALOGUE.values()]})


async def retrieve_model(request: Request):
    model_id = request.path_params["model"]
    if active(request, "retrieve-wrong-model"):
        model_id = next(m for m in CATALOGUE if m != model_id)
    if model_id not in CATALOGUE:
        raise model_not_found(model_id)
    return reply(request, 200, CATALOGUE[model_id].as_object(request))

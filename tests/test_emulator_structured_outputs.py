"""The emulator answers chat's response_format json_schema with an instance of the schema, as the reference does
(Structured Outputs). A server that turns a Responses text.format into that chat request (OGX, with the emulator as
its upstream: docs/targets.md) is then judged on what it does with the answer, not on the emulator's plain text."""

from __future__ import annotations

import json

import httpx
import jsonschema

from tests.conftest import KEY

SCHEMA = {
    "type": "object",
    "properties": {"answer": {"type": "string"}, "score": {"type": "integer", "minimum": 3}, "tags": {"type": "array", "items": {"type": "string"}}},
    "required": ["answer", "score", "tags"],
    "additionalProperties": False,
}


def test_chat_json_schema_answer_is_an_instance_of_the_schema(emulator):
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Say this is a test!"}], "max_tokens": 64,
            "response_format": {"type": "json_schema", "json_schema": {"name": "answer", "schema": SCHEMA, "strict": True}}}
    answer = httpx.post(f"{emulator}/chat/completions", json=body, headers={"Authorization": f"Bearer {KEY}"})
    assert answer.status_code == 200, answer.text
    choice = answer.json()["choices"][0]
    assert choice["finish_reason"] == "stop"
    jsonschema.validate(json.loads(choice["message"]["content"]), SCHEMA)

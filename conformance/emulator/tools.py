"""Function tools for the emulator's chat: validation, and the deterministic call a forced tool_choice gets."""

from __future__ import annotations

import json
import re
import uuid

from conformance.emulator.errors import invalid

_NAME = re.compile(r"[a-zA-Z0-9_-]{1,64}")
_SAMPLES = {"string": "emulator", "number": 1.5, "integer": 1, "boolean": True, "array": [], "object": {}}


def validate(body: dict) -> None:
    tools = body.get("tools")
    if tools is None:
        if body.get("tool_choice") not in (None, "none", "auto"):
            raise invalid("tool_choice", "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.")
        return
    if not isinstance(tools, list):
        raise invalid("tools", "Invalid type for 'tools': expected an array.", "invalid_type")
    for i, tool in enumerate(tools):
        function = tool.get("function") if isinstance(tool, dict) else None
        if not (isinstance(tool, dict) and tool.get("type") == "function" and isinstance(function, dict)):
            raise invalid(f"tools[{i}]", f"Invalid 'tools[{i}]': expected {{'type': 'function', 'function': {{'name': ...}}}}.")
        validate_name(function.get("name"), f"tools[{i}].function.name")
        if "description" in function and not isinstance(function["description"], str):
            raise invalid(f"tools[{i}].function.description", f"Invalid type for 'tools[{i}].function.description': expected a string.", "invalid_type")
    choice = body.get("tool_choice")
    names = [tool["function"]["name"] for tool in tools]
    if isinstance(choice, dict):
        name = (choice.get("function") or {}).get("name") if choice.get("type") == "function" else None
        if name not in names:
            raise invalid("tool_choice", f"Invalid value for 'tool_choice': no function named {name!r} in 'tools'.")
    elif choice not in (None, "none", "auto", "required"):
        raise invalid("tool_choice", "Invalid value for 'tool_choice': expected 'none', 'auto', 'required' or a named function.")


def validate_name(name: object, param: str) -> None:
    """A function's (or a JSON schema's) name: a-z, A-Z, 0-9, underscores and dashes, at most 64 characters."""
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise invalid(param, f"Invalid '{param}': expected a string of a-z, A-Z, 0-9, underscores and dashes, at most 64 characters.")


def forced_call(body: dict) -> dict | None:
    """The tool call of a request whose tool_choice requires one ("required" or a named function), else None.

    The first (or named) function is called with a sample value for each required parameter.
    """
    choice, tools = body.get("tool_choice"), body.get("tools") or []
    if choice == "required":
        function = tools[0]["function"]
    elif isinstance(choice, dict):
        function = next(t["function"] for t in tools if t["function"]["name"] == choice["function"]["name"])
    else:
        return None
    parameters = function.get("parameters") if isinstance(function.get("parameters"), dict) else {}
    properties = parameters.get("properties") if isinstance(parameters.get("properties"), dict) else {}
    arguments = {name: _SAMPLES.get((properties.get(name) or {}).get("type"), None) for name in parameters.get("required") or []}
    return {"id": f"call_{uuid.uuid4().hex[:24]}", "type": "function", "function": {"name": function["name"], "arguments": json.dumps(arguments)}}


def instance(schema: dict) -> object:
    """A value valid against a JSON Schema of the kinds Structured Outputs accepts (objects of typed
    properties, enums, consts, arrays, anyOf): every property is given, so strict schemas are met too."""
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    for key in ("anyOf", "oneOf"):
        if schema.get(key):
            return instance(schema[key][0])
    kind = schema.get("type", "object")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object":
        return {name: instance(sub if isinstance(sub, dict) else {}) for name, sub in (schema.get("properties") or {}).items()}
    if kind == "array":
        item = schema.get("items") if isinstance(schema.get("items"), dict) else {"type": "string"}
        return [instance(item) for _ in range(schema.get("minItems") or 0)]
    if kind == "string":
        return "emulator" + "x" * max(0, (schema.get("minLength") or 0) - 8)
    if kind in ("integer", "number"):
        return schema.get("minimum", 1)
    return {"boolean": True, "null": None}.get(kind)

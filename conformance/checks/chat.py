"""Chat completion semantics beyond the schema: what the request asked for is what came back."""

import json

from conformance.checks.base import Finding, Level, check, numbering, shorten, succeeded

SECTION = "Chat > Create chat completion"
_chat = succeeded("POST /chat/completions")


def count(value: object) -> int:
    """A request's n: 1 when absent; 2.0 is 2 (JSON has one number type)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 1


def _request(ex) -> dict:
    return ex.request_json if isinstance(ex.request_json, dict) else {}


def _choices(ex) -> list[dict]:
    choices = ex.data.get("choices")
    return [c for c in choices if isinstance(c, dict)] if isinstance(choices, list) else []


def _usage(ex) -> dict:
    usage = ex.data.get("usage")
    return usage if isinstance(usage, dict) else {}


@check("chat.choices-count", Level.MUST, SECTION, applies=_chat)
def choices_count(ex, expect):
    """There are exactly n choices (default 1), with indices 0..n-1."""
    if departure := numbering(_choices(ex), count(_request(ex).get("n")), "choice"):
        yield Finding(*departure, "/choices")


def _json_mode(ex) -> bool:
    response_format = _request(ex).get("response_format")  # any value: a target may accept an invalid one
    return isinstance(response_format, dict) and response_format.get("type") == "json_object"


@check("chat.json-mode", Level.MUST, SECTION, applies=lambda ex: _chat(ex) and _json_mode(ex))
def json_mode(ex, expect):
    """With response_format json_object, each completed message's content is valid JSON (a message that calls tools instead may have none)."""
    for choice in _choices(ex):
        message = choice.get("message") if isinstance(choice.get("message"), dict) else {}
        if choice.get("finish_reason") == "length":
            continue  # the reference allows JSON cut short by max_tokens
        if message.get("tool_calls") and message.get("content") is None:
            continue  # the model called a tool instead of answering: JSON mode binds the content, and there is none
        content = message.get("content")
        try:
            json.loads(content)
        except (TypeError, ValueError):
            yield Finding("content that parses as JSON", repr(content)[:200], f"/choices/{choice.get('index')}/message/content")


def forced_function(request: dict) -> str | None:
    """What a request's tool_choice forces: "required" (any tool), a function's name, or None (nothing forced)."""
    choice = request.get("tool_choice")
    if choice == "required":
        return choice
    function = choice.get("function") if isinstance(choice, dict) and choice.get("type") == "function" else None
    return function.get("name") if isinstance(function, dict) and isinstance(function.get("name"), str) else None


def forced_calls(forced: str, pointer: str, finish_reason: object, refusal: object, content: object, names: list) -> list[Finding]:
    """A choice's departure from a forced tool_choice: no call, or a call of another function than the one named.

    Not judged: a choice cut short (length, content_filter: the real API then may have no call yet) or refused.
    """
    if finish_reason in ("length", "content_filter") or (isinstance(refusal, str) and refusal):
        return []
    wanted = "a tool call (tool_choice \"required\")" if forced == "required" else f"a call of the function {forced!r} (the tool_choice named it)"
    if not names:
        return [Finding(wanted, f"no tool call, finish_reason {finish_reason!r}, content {shorten(content, 100)!r}", pointer)]
    others = [name for name in names if name != forced]
    return [Finding(wanted, f"calls of {others}", pointer)] if forced != "required" and others else []


@check("chat.tool-choice", Level.MUST, SECTION, applies=lambda ex: _chat(ex) and forced_function(_request(ex)) is not None)
def tool_choice(ex, expect):
    """A forced tool_choice is obeyed: "required" gives a tool call, a named function a call of that function."""
    forced = forced_function(_request(ex))
    for choice in _choices(ex):
        message = choice.get("message") if isinstance(choice.get("message"), dict) else {}
        calls = message.get("tool_calls") if isinstance(message.get("tool_calls"), list) else []
        names = [(c.get("function") or {}).get("name") if isinstance(c, dict) and isinstance(c.get("function"), dict) else None for c in calls]
        yield from forced_calls(forced, f"/choices/{choice.get('index')}/message", choice.get("finish_reason"), message.get("refusal"), message.get("content"), names)


@check("chat.max-tokens", Level.MUST, SECTION, applies=lambda ex: _chat(ex) and _limit(ex) is not None)
def max_tokens(ex, expect):
    """Completion tokens stay within max_tokens (max_completion_tokens) for each of the n choices."""
    limit = _limit(ex) * count(_request(ex).get("n"))
    used = _usage(ex).get("completion_tokens")
    if isinstance(used, int) and used > limit:
        yield Finding(f"completion_tokens <= {limit}", str(used), "/usage/completion_tokens")


def _limit(ex) -> int | None:
    request = _request(ex)
    limit = request.get("max_completion_tokens", request.get("max_tokens"))
    return limit if isinstance(limit, int) else None


@check("chat.usage-total", Level.MUST, SECTION, applies=lambda ex: _chat(ex) and bool(_usage(ex)))
def usage_total(ex, expect):
    """usage.total_tokens is prompt_tokens + completion_tokens."""
    usage = _usage(ex)
    parts = [usage.get("prompt_tokens"), usage.get("completion_tokens"), usage.get("total_tokens")]
    if all(isinstance(p, int) for p in parts) and parts[0] + parts[1] != parts[2]:
        yield Finding(f"total_tokens {parts[0] + parts[1]}", str(parts[2]), "/usage/total_tokens")


@check("chat.model", Level.SHOULD, SECTION, applies=_chat)
def model_echoed(ex, expect):
    """The response names the requested model, or a dated snapshot of it (gpt-4o -> gpt-4o-2024-08-06)."""
    wanted, seen = _request(ex).get("model"), ex.data.get("model")
    if isinstance(wanted, str) and not (seen == wanted or str(seen).startswith(wanted + "-")):
        yield Finding(f"{wanted!r} or {wanted}-<snapshot>", repr(seen), "/model")

"""Legacy completions semantics beyond the schema: choices per prompt, max_tokens, usage, echo, logprobs, the id."""

from conformance.checks import chat
from conformance.checks.base import Finding, Level, check, numbering, shorten, succeeded

SECTION = "Completions > Create completion"
_completion = succeeded("POST /completions")


def _request(ex) -> dict:
    return ex.request_json if isinstance(ex.request_json, dict) else {}


def choices_expected(request: dict) -> int:
    """n choices for each prompt: a string or a token array is one prompt, an array of them several."""
    prompt, n = request.get("prompt"), chat.count(request.get("n"))
    several = isinstance(prompt, list) and bool(prompt) and all(isinstance(p, (str, list)) for p in prompt)
    return n * (len(prompt) if several else 1)


@check("completions.choices-count", Level.MUST, SECTION, applies=_completion)
def choices_count(ex, expect):
    """There are n choices per prompt, with indices 0..(n x prompts)-1."""
    if departure := numbering(ex.data.get("choices"), choices_expected(_request(ex)), "choice"):
        yield Finding(*departure, "/choices")


@check("completions.max-tokens", Level.MUST, SECTION, applies=lambda ex: _completion(ex) and isinstance(_request(ex).get("max_tokens"), int))
def max_tokens(ex, expect):
    """Completion tokens stay within max_tokens for each choice."""
    limit = _request(ex)["max_tokens"] * choices_expected(_request(ex))
    used = (ex.data.get("usage") or {}).get("completion_tokens") if isinstance(ex.data.get("usage"), dict) else None
    if isinstance(used, int) and used > limit:
        yield Finding(f"completion_tokens <= {limit}", str(used), "/usage/completion_tokens")


# The same rule as for chat on the same fields: the chat check's function.
check("completions.usage-total", Level.MUST, SECTION, applies=lambda ex: _completion(ex) and isinstance(ex.data.get("usage"), dict))(chat.usage_total)


@check("completions.echo", Level.MUST, SECTION, applies=lambda ex: _completion(ex) and _request(ex).get("echo") is True and isinstance(_request(ex).get("prompt"), str))
def echo_prompt(ex, expect):
    """With echo, each choice's text starts with the prompt."""
    prompt = _request(ex)["prompt"]
    for i, choice in enumerate(ex.data.get("choices") or []):
        text = choice.get("text") if isinstance(choice, dict) else None
        if not (isinstance(text, str) and text.startswith(prompt)):
            yield Finding(f"text starting with the prompt {shorten(prompt, 80)!r}", repr(shorten(text, 120)), f"/choices/{i}/text")


LOGPROBS_ARRAYS = ("tokens", "token_logprobs", "top_logprobs", "text_offset")
"""The legacy logprobs object: parallel arrays, one entry per token (chat's {"content": [...]} is another shape)."""


def _asked_logprobs(ex) -> int | None:
    asked = _request(ex).get("logprobs")
    return asked if isinstance(asked, int) and not isinstance(asked, bool) and asked >= 1 else None


@check("completions.logprobs", Level.MUST, SECTION, applies=lambda ex: _completion(ex) and _asked_logprobs(ex) is not None)
def logprobs(ex, expect):
    """With logprobs: n, each choice's logprobs holds tokens, token_logprobs, top_logprobs and text_offset, one entry per token, at most n+1 alternatives each."""
    asked = _asked_logprobs(ex)
    for i, choice in enumerate(ex.data.get("choices") or []):
        given = choice.get("logprobs") if isinstance(choice, dict) else None
        at = f"/choices/{i}/logprobs"
        arrays = {name: given.get(name) for name in LOGPROBS_ARRAYS} if isinstance(given, dict) else {}
        if not arrays or not all(isinstance(a, list) for a in arrays.values()):
            yield Finding(f"an object of the arrays {', '.join(LOGPROBS_ARRAYS)} (logprobs: {asked} was asked)", shorten(given, 160), at)
            continue
        lengths = {name: len(a) for name, a in arrays.items()}
        if len(set(lengths.values())) != 1:
            yield Finding("arrays of one length (one entry per token)", repr(lengths), at)
        for k, alternatives in enumerate(arrays["top_logprobs"]):
            if isinstance(alternatives, dict) and len(alternatives) > asked + 1:
                yield Finding(f"at most {asked + 1} alternatives (logprobs: {asked}, and the sampled token)", f"{len(alternatives)}", f"{at}/top_logprobs/{k}")
                break


@check("completions.id-prefix", Level.SHOULD, SECTION, applies=lambda ex: _completion(ex) and isinstance(ex.data.get("id"), str))
def id_prefix(ex, expect):
    """A completion's id starts with cmpl-, as the real API's do (chatcmpl- is a chat completion's)."""
    if not ex.data["id"].startswith("cmpl-"):
        yield Finding("an id starting with cmpl-", repr(ex.data["id"]), "/id")

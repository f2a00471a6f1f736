"""POST /completions (legacy): deterministic text that honours n, max_tokens, echo, logprobs and streaming."""

from __future__ import annotations

import re
import time
import uuid

from starlette.requests import Request

from conformance.emulator import chat_request, models, streaming
from conformance.emulator.chat import REPLY
from conformance.emulator.errors import invalid
from conformance.emulator.faults import active, declare
from conformance.emulator.replies import reply
from conformance.emulator.validation import Number, json_object, known_tokens, optional, require, token

IGNORE_N = declare("completions-ignore-n", "completions.choices-count", "test_completion_parameters", "n ignored: one choice")
IGNORE_MAX_TOKENS = declare("completions-ignore-max-tokens", "completions.max-tokens", "test_completion_parameters", "max_tokens ignored")
USAGE_SUM_WRONG = declare("completions-usage-sum-wrong", "completions.usage-total", "test_completion", "total_tokens is not prompt + completion")
ECHO_IGNORED = declare("echo-ignored", "completions.echo", "test_completion_echo", "echo ignored: the prompt is not repeated")
CHAT_LOGPROBS = declare("completions-chat-logprobs", "completions.logprobs", "test_completion_logprobs",
                        'logprobs answered in chat\'s shape {"content": [{"token", "logprob", "top_logprobs"}]}')
CHAT_ID = declare("completions-chat-id", "completions.id-prefix", "test_completion_logprobs", "a completion's id starts with chatcmpl-")

DEFAULT_MAX_TOKENS = 16
NUMBERS = (
    Number("temperature", False, 0, 2),
    Number("top_p", False, 0, 1),
    Number("n", True, 1, 128),
    Number("max_tokens", True, 0),
    Number("presence_penalty", False, -2, 2),
    Number("frequency_penalty", False, -2, 2),
    Number("logprobs", True, 0, 5),
    Number("best_of", True, 0, 20),
    Number("seed", True, -(2**63)),
)
MAX_STOP_SEQUENCES = 4


def _prompts(body: dict, request: Request) -> list[str]:
    """The prompts of a request (token arrays as their tokens joined: the emulator has no tokenizer)."""
    prompt = body["prompt"]
    if isinstance(prompt, str):
        return [prompt]
    if isinstance(prompt, list) and prompt and all(isinstance(p, str) for p in prompt):
        return prompt
    if isinstance(prompt, list) and prompt and all(token(t) for t in prompt):
        prompt = [prompt]
    if isinstance(prompt, list) and prompt and all(isinstance(p, list) and p and all(token(t) for t in p) for p in prompt):
        for tokens in prompt:
            known_tokens(request, "prompt", tokens)
        return [" ".join(map(str, p)) for p in prompt]
    raise invalid("prompt", "Invalid 'prompt': expected a string, an array of strings, an array of tokens, or an array of token arrays.")


def validate(body: dict, request: Request) -> None:
    require(body, "model", str)
    require(body, "prompt", object)  # its shapes are checked by _prompts
    for number in NUMBERS:
        number.validate(body)
    for flag in ("stream", "echo"):
        if body.get(flag) is not None and not isinstance(body[flag], bool):  # 0 == False in Python
            raise invalid(flag, f"Invalid type for '{flag}': expected a boolean.", "invalid_type")
    chat_request.validate_stop(body, request)
    optional(body, "user", str)
    optional(body, "suffix", (str, type(None)))
    if "user" in body and not isinstance(body["user"], str):  # the one optional field that is not nullable
        raise invalid("user", "Invalid type for 'user': expected a string.", "invalid_type")
    for name, kind in (("suffix", str), ("logit_bias", dict), ("stream_options", dict)):
        if body.get(name) is not None and not isinstance(body[name], kind):
            raise invalid(name, f"Invalid type for '{name}': expected {'an object' if kind is dict else 'a string'}.", "invalid_type")
    stop = body.get("stop")
    if stop is not None and not isinstance(stop, str) and not (isinstance(stop, list) and 1 <= len(stop) <= MAX_STOP_SEQUENCES and all(isinstance(s, str) for s in stop)):
        raise invalid("stop", f"Invalid 'stop': expected a string or an array of 1 to {MAX_STOP_SEQUENCES} strings.")
    if body.get("stream_options") is not None and body.get("stream") is not True:
        raise invalid("stream_options", "The 'stream_options' parameter is only allowed when 'stream' is enabled.")


def _choice(index: int, prompt: str, body: dict, request: Request) -> tuple[dict, int]:
    words = REPLY.split(" ")
    limit = body.get("max_tokens")
    limit = DEFAULT_MAX_TOKENS if limit is None else limit
    truncated = limit < len(words) and not active(request, IGNORE_MAX_TOKENS)
    if truncated:
        words = words[:limit]
    text = " " + " ".join(words) if words else ""
    echoed = body.get("echo") is True and not active(request, ECHO_IGNORED)
    if echoed:
        text = prompt + text
    asked = body.get("logprobs")
    logprobs = None if asked is None else _logprobs(request, text, asked, 0 if echoed else len(prompt))
    return {"text": text, "index": index, "logprobs": logprobs, "finish_reason": "length" if truncated else "stop"}, len(words)


def _logprobs(request: Request, text: str, asked: int, offset: int) -> dict:
    """Deterministic log probabilities of the text's tokens (a word and the spaces before it), each with ``asked`` alternatives."""
    tokens = re.findall(r"\s*\S+", text)
    sampled = [-0.25 * (1 + k % 4) for k in range(len(tokens))]
    top = [{token: logprob, **{f"{token}{k}": logprob - k for k in range(1, asked)}} for token, logprob in zip(tokens, sampled)]
    if active(request, CHAT_LOGPROBS):
        return {"content": [{"token": t, "logprob": p, "bytes": list(t.encode()), "top_logprobs": []} for t, p in zip(tokens, sampled)], "refusal": None}
    starts = [offset + sum(map(len, tokens[:k])) for k in range(len(tokens))]
    return {"tokens": tokens, "token_logprobs": sampled, "top_logprobs": top, "text_offset": starts}


@streaming.streamed
async def create(request: Request):
    body = await json_object(request)
    validate(body, request)
    model = models.find(body["model"], "completions", request)
    prompts = _prompts(body, request)
    n = 1 if active(request, IGNORE_N) else body.get("n") or 1
    # Choices are grouped by prompt: prompt p's j-th completion has index p * n + j.
    choices, tokens = zip(*(_choice(p * n + j, prompt, body, request) for p, prompt in enumerate(prompts) for j in range(n)))
    prompt_tokens, completion_tokens = sum(len(p.split()) for p in prompts), sum(tokens)
    answer = {
        "id": f"{'chatcmpl' if active(request, CHAT_ID) else 'cmpl'}-{uuid.uuid4().hex}",
        "object": "text_completion",
        "created": int(time.time()),
        "model": model.id,
        "choices": list(choices),
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens + (1 if active(request, USAGE_SUM_WRONG) else 0),
        },
        "system_fingerprint": "fp_emulator",
    }
    if body.get("stream") is True:
        return streaming.event_stream(request, streaming.chunks(request, body, answer, "text_completion", _pieces))
    return reply(request, 200, answer)


def _pieces(request: Request, choice: dict) -> list[dict]:
    """A choice's text word by word, then an empty last piece that carries the finish_reason."""
    text = choice["text"]
    words = text.split(" ")
    pieces = [words[0]] + [" " + word for word in words[1:]] if text else []
    return [{"text": piece, "logprobs": None} for piece in pieces + [""]]


ROUTES = [("completions", "POST", "/completions", create)]

"""The reference's operations: how an exchange is recognised and what its success body must be.

One table serves every endpoint: checks look up the operation of an exchange here instead of
cases naming schemas, so adding an endpoint is one row, not a new mechanism.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

EVENT_STREAM = "text/event-stream"


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    section: str
    schema: str | None
    """Schema of a 2xx JSON body (``None``: not JSON)."""
    item: str | None = None
    """For list envelopes: the schema of each item of ``data``."""
    chunk: str | None = None
    """For operations that stream with ``stream: true``: the schema of each event's JSON data."""
    capability: str | None = None
    """The target-profile capability that serves it (conformance/profile.py CAPABILITIES)."""
    pattern: re.Pattern = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Non-greedy parameters: ids may contain "/" (e.g. "meta-llama/Llama-3-8B").
        regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>.+?)", re.escape(self.template))
        object.__setattr__(self, "pattern", re.compile(f"^{regex}$"))

    @property
    def key(self) -> str:
        return f"{self.method} {self.template}"


OPERATIONS: tuple[Operation, ...] = (
    Operation("GET", "/models", "Models > List models", "list", item="model", capability="models"),
    Operation("GET", "/models/{model}", "Models > Retrieve model", "model", capability="models"),
    Operation("POST", "/chat/completions", "Chat > Create chat completion", "chat.completion", chunk="chat.completion.chunk", capability="chat"),
    Operation("POST", "/completions", "Completions > Create completion", "text_completion", chunk="text_completion.chunk", capability="completions"),
)


def match(method: str, path: str) -> tuple[Operation | None, dict[str, str]]:
    """The operation a request is for, and its path parameters."""
    for operation in OPERATIONS:
        found = operation.pattern.match(path)
        if operation.method == method and found:
            return operation, found.groupdict()
    return None, {}

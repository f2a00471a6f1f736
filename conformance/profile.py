"""Target profiles: a TOML file declaring what a target supports and what it is known to get wrong.

    name = "my-server"
    base_url = "http://127.0.0.1:8000/v1"          # optional; --base-url wins
    capabilities = ["models", "chat"]               # cases needing any other capability are skipped
    [unsupported]                                    # or: all capabilities but these, each with its reason
    files = "forwarded upstream"
    [models]
    chat = "my-model"
    [known-failures]                                 # strict expected failures: a fix shows up as a change
    "test_chat.py::test_json_object_response_format" = "ignores response_format (issue #123)"
    strict_headers = true                            # require every header the real API sends (STRICT_HEADERS)
    [levels]                                         # raise a check's level for this target
    "headers.request-id" = "must"

The API key never goes in a profile: profiles are committed, keys are not.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from conformance.case_ids import canonical

CAPABILITIES = (
    "models",
    "chat",
    "chat-streaming",
    "completions",
    "completions-streaming",
    "embeddings",
    "moderations",
    "images",
    "speech",
    "transcriptions",
    "files",
    "uploads",  # large files in parts (POST /uploads, parts, complete, cancel); a completed upload is a file
    "fine-tuning",
    "assistants",
    "responses",  # POST /responses, streamed and not
    "responses-store",  # stored responses: retrieve, delete, input_items, previous_response_id (stateless servers lack it)
    "responses-background",  # background: true and cancel
    "responses-websocket",  # the Responses API over a WebSocket on /responses (response.create events)
    "responses-compact",  # POST /responses/compact, and its compacted output as a new response's input
    "vector-stores",  # vector stores, their files and file batches, search
    "batches",  # POST /batches of a JSON Lines file (with files), retrieve, list, cancel, the output file
    "conversations",  # /conversations and their items, and POST /responses with conversation
    "realtime",  # the Realtime API's WebSocket protocol on /realtime
    "generated",  # requests generated from the OpenAPI document (cases/test_generated.py); they spend a budget
)
LEVELS = ("must", "should")
_KEYS = {"name", "description", "base_url", "capabilities", "unsupported", "models", "known-failures", "levels", "strict_headers"}
CORE = ("models", "chat")
"""What every OpenAI-compatible target must serve: a profile cannot skip them (declare known failures instead)."""
NOT_LISTED = "not in the profile's capabilities"
NOT_SERVED = "not supported by the target profile"
"""How a skipped case's reason begins when the profile says the target does not serve what it needs."""
STRICT_HEADERS = ("headers.request-id", "headers.meta-present", "headers.organization", "headers.rate-limits-present")
"""The header-presence checks, ``should`` for a compatible server, that ``strict_headers = true`` makes
``must``: the real API sends all of these headers (see conformance/checks/headers.py). ``[levels]`` wins."""


class ProfileError(Exception):
    pass


@dataclass(frozen=True)
class Profile:
    name: str = "default"
    base_url: str | None = None
    capabilities: frozenset[str] = frozenset(CAPABILITIES)
    unsupported: dict[str, str] = field(default_factory=dict)
    """Why each capability the target lacks is skipped: shown with every skipped case and in every report."""
    models: dict[str, str] = field(default_factory=dict)
    known_failures: dict[str, str] = field(default_factory=dict)
    levels: dict[str, str] = field(default_factory=dict)

    def lacking(self) -> dict[str, str]:
        """Each capability the target does not serve, with the reason the profile gives."""
        return {c: self.unsupported.get(c, NOT_LISTED) for c in CAPABILITIES if c not in self.capabilities}

    def skip_reason(self, needed: set[str]) -> str | None:
        """Why a case needing these capabilities is skipped on this target, or ``None`` when it runs."""
        lacking = self.lacking()
        if missing := [c for c in sorted(needed) if c in lacking]:
            return f"{NOT_SERVED} {self.name!r}: " + ", ".join(f"{c} ({lacking[c]})" for c in missing)
        return None

    def known_failure(self, nodeid: str) -> str | None:
        """The reason a case is expected to fail; ids compare in their canonical form (conformance/case_ids.py),
        so ``cases/test_chat.py::test_x`` in a profile and a run started any way match."""
        case_id = canonical(nodeid)
        return next((reason for case, reason in self.known_failures.items() if canonical(case) == case_id), None)


def load(path: str, model_fields: tuple[str, ...]) -> Profile:
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ProfileError(f"cannot read profile {path}: {getattr(error, 'strerror', None) or error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ProfileError(f"profile {path} is not valid TOML: {error}") from None
    if "api_key" in data:
        raise ProfileError(f"profile {path} contains api_key: keep keys out of profiles (use OPENAI_API_KEY)")
    if unknown := sorted(set(data) - _KEYS):
        raise ProfileError(f"profile {path}: unknown key(s) {', '.join(unknown)}; expected {', '.join(sorted(_KEYS))}")
    capabilities = data.get("capabilities", list(CAPABILITIES))
    if unknown := sorted(set(capabilities) - set(CAPABILITIES)):
        raise ProfileError(f"profile {path}: unknown capability {', '.join(unknown)}; known: {', '.join(CAPABILITIES)}")
    unsupported = data.get("unsupported", {})
    if not isinstance(unsupported, dict) or not all(isinstance(v, str) and v.strip() for v in unsupported.values()):
        raise ProfileError(f"profile {path}: [unsupported] maps each capability to its reason, e.g. files = \"forwarded upstream\"")
    if unknown := sorted(set(unsupported) - set(CAPABILITIES)):
        raise ProfileError(f"profile {path}: unknown capability {', '.join(unknown)}; known: {', '.join(CAPABILITIES)}")
    capabilities = set(capabilities) - set(unsupported)
    if skipped := [c for c in CORE if c not in capabilities]:
        raise ProfileError(f"profile {path}: core capabilities cannot be skipped ({', '.join(skipped)}); list what the target gets wrong under [known-failures]")
    models = data.get("models", {})
    if unknown := sorted(set(models) - set(model_fields)):
        raise ProfileError(f"profile {path}: unknown model key(s) {', '.join(unknown)}; known: {', '.join(model_fields)}")
    levels = data.get("levels", {})
    if bad := sorted(k for k, v in levels.items() if v not in LEVELS):
        raise ProfileError(f"profile {path}: levels must be 'must' or 'should' ({', '.join(bad)})")
    strict_headers = data.get("strict_headers", False)
    if not isinstance(strict_headers, bool):
        raise ProfileError(f"profile {path}: strict_headers must be true or false, not {strict_headers!r}")
    if strict_headers:
        levels = {**dict.fromkeys(STRICT_HEADERS, "must"), **levels}
    return Profile(
        name=str(data.get("name", Path(path).stem)),
        base_url=data.get("base_url"),
        capabilities=frozenset(capabilities),
        unsupported=dict(unsupported),
        models=dict(models),
        known_failures=dict(data.get("known-failures", {})),
        levels=dict(levels),
    )


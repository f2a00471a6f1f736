"""Target configuration: command-line options, their environment fallbacks, and validation.

Bad configuration is reported as one ConfigError line (exit code 2), before any case runs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from urllib.parse import urlsplit

import httpx

from conformance import profile as profiles


class ConfigError(Exception):
    """Bad input to the suite itself: reported as one line, exit code 2."""


@dataclass(frozen=True)
class Models:
    """The model each capability's cases use (defaults: the reference's names)."""

    chat: str = "gpt-4o-mini"
    completions: str = "gpt-3.5-turbo-instruct"
    embeddings: str = "text-embedding-3-small"
    moderation: str = "omni-moderation-latest"
    images: str = "dall-e-3"
    speech: str = "tts-1"
    transcription: str = "whisper-1"
    finetune: str = "gpt-4o-mini-2024-07-18"


@dataclass(frozen=True)
class Option:
    flag: str
    env: str | None
    help: str
    default: object = None
    type: type = str


OPTIONS: tuple[Option, ...] = (
    Option("--base-url", "OPENAI_BASE_URL", "Base URL of the target, e.g. http://127.0.0.1:8000/v1 (default: the embedded reference emulator)"),
    Option("--api-key", "OPENAI_API_KEY", "API key sent as a Bearer token (required for a target other than the embedded emulator)"),
    Option("--organization", "OPENAI_ORG_ID", "Value of the OpenAI-Organization header"),
    Option("--project", "OPENAI_PROJECT_ID", "Value of the OpenAI-Project header"),
    *(
        Option(f"--{f.name}-model", None, f"Model for the {f.name} cases", f.default)
        for f in fields(Models)
    ),
    Option("--request-timeout", None, "Seconds to wait for any single response", 30.0, float),
    Option("--profile", None, "Target profile (TOML): capabilities, models, known failures, check levels"),
)


@dataclass(frozen=True)
class Target:
    base_url: str | None
    """``None``: the embedded reference emulator."""
    api_key: str = field(default="", repr=False)
    """Never in a repr: a traceback or log line that shows the Target must not show the key."""
    organization: str | None = None
    project: str | None = None
    models: Models = Models()
    request_timeout: float = 30.0
    profile: profiles.Profile = profiles.Profile()

    @property
    def embedded(self) -> bool:
        return self.base_url is None


def dest(option: Option) -> str:
    return option.flag.lstrip("-").replace("-", "_")


def resolve(values: dict[str, object], environ=os.environ) -> Target:
    """Build the Target from option values (by dest), falling back to the environment."""

    profile = _profile(values.get("profile"))
    from_profile = {"base_url": profile.base_url, **{f"{m}_model": v for m, v in profile.models.items()}}

    def value(option: Option):
        # Precedence: the command line, then the profile (an explicit choice), then the environment.
        given = values.get(dest(option))
        if given is None:
            given = from_profile.get(dest(option))
        if given is None and option.env:
            given = environ.get(option.env) or None
        return option.default if given is None else given

    by_dest = {dest(o): _convert(o, value(o)) for o in OPTIONS}
    base_url = by_dest["base_url"]
    timeout = by_dest["request_timeout"]
    if timeout <= 0:
        raise ConfigError(f"--request-timeout must be a positive number of seconds, not {timeout!r}")
    if base_url is not None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"--base-url must be an http:// or https:// URL, not {base_url!r}")
        if not by_dest["api_key"]:
            raise ConfigError("no API key for the target: pass --api-key or set OPENAI_API_KEY")
    models = Models(**{f.name: by_dest[f"{f.name}_model"] for f in fields(Models)})
    return Target(
        base_url=base_url.rstrip("/") if base_url else None,
        api_key=by_dest["api_key"] or "",
        organization=by_dest["organization"],
        project=by_dest["project"],
        models=models,
        request_timeout=timeout,
        profile=profile,
    )


def _profile(path: str | None) -> profiles.Profile:
    if path is None:
        return profiles.Profile()
    try:
        return profiles.load(path, tuple(f.name for f in fields(Models)))
    except profiles.ProfileError as error:
        raise ConfigError(str(error)) from None


def _convert(option: Option, value: object) -> object:
    # Options arrive as strings (pytest is told type=str) so that a bad value is our one-line error, exit 2.
    if value is None or isinstance(value, option.type):
        return value
    try:
        return option.type(value)
    except ValueError:
        raise ConfigError(f"{option.flag} must be a number, not {value!r}") from None


def probe(target: Target) -> None:
    """Fail fast when the target does not answer at all; any HTTP answer is good enough here."""
    try:
        httpx.get(
            f"{target.base_url}/models",
            headers={"Authorization": f"Bearer {target.api_key}"},
            timeout=min(target.request_timeout, 10.0),
        )
    except httpx.TransportError as exc:
        reason = "no answer in time" if isinstance(exc, httpx.TimeoutException) else str(exc) or type(exc).__name__
        raise ConfigError(f"target {target.base_url} does not answer: {reason}") from None

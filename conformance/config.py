"""Target configuration: command-line options, their environment fallbacks, and validation.

Bad configuration is reported as one ConfigError line (exit code 2), before any case runs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from urllib.parse import urlsplit

from conformance import profile as profiles
from conformance import tls
from conformance.exchange import KEY_PLACEHOLDER, MIN_REDACTED_LENGTH


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
    realtime: str = "gpt-realtime"

    def of(self, capability: str | None) -> str | None:
        """The model a request of this profile capability names (None: the capability has none)."""
        return getattr(self, _MODEL_OF.get(capability or "", ""), None)

    @staticmethod
    def option_of(capability: str) -> str:
        """The option that sets the model a capability's requests name (a capability ``of`` gives a model for)."""
        return f"--{_MODEL_OF[capability]}-model"


_MODEL_OF = {"chat": "chat", "completions": "completions", "models": "chat", "embeddings": "embeddings", "moderations": "moderation",
             "images": "images", "speech": "speech", "transcriptions": "transcription", "fine-tuning": "finetune", "assistants": "chat",
             "responses": "chat", "responses-store": "chat", "responses-background": "chat", "responses-websocket": "chat",
             "responses-compact": "chat",
             "realtime": "realtime"}


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
    Option("--request-timeout", None, "Seconds to wait for any byte of a response, for its status line and headers in all, and for a whole non-streamed response (a stream gets twice this)", 30.0, float),
    Option("--max-response-bytes", None, "Stop reading a non-streamed response body past this many bytes; the case fails, naming the size", 16 * 1024 * 1024, int),
    Option("--run-timeout", None, "Seconds for the whole run: cases not started by then are skipped as not run, with the reason (each pytest-xdist worker counts from its own start)", None, float),
    Option("--max-unanswered", None, "Requests in a row the target may leave without an answer in time (timed out, refused, reset) before the run stops: the rest is not run, and the verdict incomplete (each pytest-xdist worker counts its own)", 3, int),
    Option("--max-retries", None, "Times a 429 answer is resent, after its retry-after(-ms) or a backoff (never when the case expects a 429)", 2, int),
    Option("--max-retry-wait", None, "Most seconds the retries of one request wait in all; a 429 asking for longer is reported, not waited for", 60.0, float),
    Option("--max-rps", None, "Send at most this many requests per second (per process: with pytest-xdist -n N the target sees up to N times this)", None, float),
    Option("--profile", None, "Target profile (TOML): capabilities, models, known failures, check levels"),
    Option("--ca-bundle", None, "PEM file of the certificate authorities to trust for an https target, instead of the system's trust store"),
    Option("--insecure", None, "Do not verify an https target's certificate (the reports say so)", False, bool),
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
    max_response_bytes: int = 16 * 1024 * 1024
    """Large enough for the biggest answer a case asks for (a base64 image of a few megabytes)."""
    run_timeout: float | None = None
    max_unanswered: int = 3
    """One slow answer is the target's failure; a few in a row, a target that stopped answering."""
    max_retries: int = 2
    """The official SDK's default: a 429 is resent at most twice."""
    max_retry_wait: float = 60.0
    """The official SDK honours a retry-after of up to 60 s."""
    max_rps: float | None = None
    ca_bundle: str | None = None
    insecure: bool = False
    base_url_origin: str | None = None
    """Where the base URL came from (``--base-url``, ``OPENAI_BASE_URL``, ``profile <name>``): an exported
    variable silently replaces the embedded emulator, so the run's header says so."""

    @property
    def embedded(self) -> bool:
        return self.base_url is None

    @property
    def described(self) -> str:
        """The target as the run's header and its one-line errors name it."""
        return f"{self.base_url} (from {self.base_url_origin})" if self.base_url else "embedded reference emulator"

    def redact(self, text: str) -> str:
        """``text`` without the key: an httpx error can quote what the target echoed, the key included."""
        return text.replace(self.api_key, KEY_PLACEHOLDER) if len(self.api_key) >= MIN_REDACTED_LENGTH else text


def dest(option: Option) -> str:
    return option.flag.lstrip("-").replace("-", "_")


def resolve(values: dict[str, object], environ=os.environ) -> Target:
    """Build the Target from option values (by dest), falling back to the environment."""

    profile = _profile(values.get("profile"))
    from_profile = {"base_url": profile.base_url, **{f"{m}_model": v for m, v in profile.models.items()}}

    origins: dict[str, str] = {}

    def value(option: Option):
        # Precedence: the command line, then the profile (an explicit choice), then the environment.
        given, origins[dest(option)] = values.get(dest(option)), option.flag
        if given is None:
            given, origins[dest(option)] = from_profile.get(dest(option)), f"profile {profile.name}"
        if given is None and option.env:
            given, origins[dest(option)] = environ.get(option.env) or None, option.env
        return option.default if given is None else given

    by_dest = {dest(o): _convert(o, value(o)) for o in OPTIONS}
    base_url = by_dest["base_url"]
    timeout = by_dest["request_timeout"]
    if timeout <= 0:
        raise ConfigError(f"--request-timeout must be a positive number of seconds, not {timeout!r}")
    for name in ("max_response_bytes", "run_timeout", "max_rps", "max_unanswered"):
        if by_dest[name] is not None and by_dest[name] <= 0:
            raise ConfigError(f"--{name.replace('_', '-')} must be a positive number, not {by_dest[name]!r}")
    for name in ("max_retries", "max_retry_wait"):
        if by_dest[name] < 0:
            raise ConfigError(f"--{name.replace('_', '-')} must not be negative, not {by_dest[name]!r}")
    if base_url is not None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"--base-url must be an http:// or https:// URL, not {base_url!r}")
        if not by_dest["api_key"]:
            raise ConfigError("no API key for the target: pass --api-key or set OPENAI_API_KEY")
    if by_dest["ca_bundle"] is not None:
        if by_dest["insecure"]:
            raise ConfigError("--insecure and --ca-bundle contradict each other: verify with the bundle, or not at all")
        try:
            tls.verification(by_dest["ca_bundle"], False)
        except tls.BadBundle as error:
            raise ConfigError(str(error)) from None
    models = Models(**{f.name: by_dest[f"{f.name}_model"] for f in fields(Models)})
    return Target(
        base_url=base_url.rstrip("/") if base_url else None,
        api_key=by_dest["api_key"] or "",
        organization=by_dest["organization"],
        project=by_dest["project"],
        models=models,
        request_timeout=timeout,
        profile=profile,
        base_url_origin=origins["base_url"] if base_url else None,
        **{name: by_dest[name] for name in ("max_response_bytes", "run_timeout", "max_unanswered", "max_retries", "max_retry_wait", "max_rps", "ca_bundle", "insecure")},
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

"""Options of the generated requests, and the schemathesis schema they select.

Generation is seeded, with DEFAULT_SEED unless ``--hypothesis-seed`` gives another (``random``: drawn
for this run), and the seed is recorded: the same command against the same server sends the same
requests and gets the same verdict, and a failure found once is found again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import schemathesis

from conformance import depth as depths
from conformance import openapi
from conformance.config import ConfigError, Option
from conformance.fuzzing import spec as specs
from conformance.operations import OPERATIONS

OPTIONS: tuple[Option, ...] = (
    Option("--spec", None, "Generate requests from this OpenAPI document (YAML or JSON) instead of the suite's own"),
    Option("--operations", None, "Only generate requests for paths matching this regular expression"),
    Option("--tag", None, "Only generate requests for operations with one of these tags (comma-separated)"),
    Option("--exclude-deprecated", None, "Do not generate requests for deprecated operations", False, bool),
    Option("--depth", None, f"quick (the CI gate) or deep (nightly: boundary cases, more examples, every list walked) [default: {depths.DEFAULT}]"),
    Option("--max-examples", None, "Generated examples per operation and mode, beyond the boundary cases [default: by --depth]", None, int),
    Option("--budget-requests", None, "Requests the whole run may send (generated, hand-written, clean-up); then the rest is skipped [default: by --depth]", None, int),
    Option("--budget-tokens", None, "Tokens (sum of usage) the whole run may spend; then the rest is skipped [default: by --depth]", None, int),
    Option("--budget-seconds", None, "Wall time generated requests may take per run [default: by --depth]", None, float),
)

DEFAULT_SEED = 0
RANDOM_SEED = "random"
"""The ``--hypothesis-seed`` value that asks for a seed drawn at random (printed and recorded for replay)."""

CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance", "response_schema_conformance",
          "negative_data_rejection", "positive_data_acceptance", "ignored_auth")
"""Schemathesis's checks that run on every generated exchange, besides the suite's own (the runner passes
exactly these: the stateful ones need sequences, and the others restate rules the suite checks itself)."""


@dataclass(frozen=True)
class Generation:
    spec: str | None = None
    operations: str | None = None
    tags: tuple[str, ...] = ()
    exclude_deprecated: bool = False
    depth: str = depths.DEFAULT
    boundaries: bool = True
    """The coverage phase: boundary and negative cases (conformance/depth.py)."""
    max_examples: int = 5
    budget_requests: int = depths.DEPTHS[depths.DEFAULT].budget_requests
    budget_tokens: int = depths.DEPTHS[depths.DEFAULT].budget_tokens
    budget_seconds: float = depths.DEPTHS[depths.DEFAULT].budget_seconds
    seed: int = DEFAULT_SEED

    def schema(self) -> schemathesis.BaseSchema:
        document = specs.load(self.spec) if self.spec else openapi.document()
        schema = schemathesis.openapi.from_dict(document, config=self._config())
        schema = schema.exclude(func=_not_generated)
        if self.operations:
            schema = schema.include(path_regex=self.operations)
        if self.tags:
            schema = schema.include(tag=list(self.tags))
        if self.exclude_deprecated:
            schema = schema.exclude(deprecated=True)
        return schema

    def sequence_schema(self) -> schemathesis.BaseSchema:
        """The suite's own operations on the objects that generated requests create (POST /assistants and
        /assistants/{id}): a sequence changes and deletes only what it created."""
        collections = [o.template for o in OPERATIONS if o.undo and o.request and o.key not in openapi.NOT_GENERATED]
        pattern = "^(" + "|".join(re.escape(c) for c in collections) + ")(/\\{[^/]+\\})?$"
        schema = schemathesis.openapi.from_dict(openapi.document(), config=self._config()).include(path_regex=pattern)
        # Never the listing: ids read from it name objects the suite did not create, and a sequence would delete them;
        # nor what openapi.NOT_GENERATED names (an update whose body the suite has no schema for).
        schema = schema.exclude(func=lambda ctx: (ctx.operation.method.upper() == "GET" and ctx.operation.path in collections)
                                or f"{ctx.operation.method.upper()} {ctx.operation.path}" in openapi.NOT_GENERATED)
        return schema.include(path_regex=self.operations) if self.operations else schema

    def _config(self) -> schemathesis.Config:
        generation = {
            "mode": "all",
            "max-examples": self.max_examples,
            # Unknown parameters: the reference neither promises they are ignored nor that they are rejected.
            "allow-extra-parameters": False,
            "with-security-parameters": False,  # the key is the suite's, never generated
            "database": "none",  # nothing written beside the user's files; runs are replayed by seed
        }
        return schemathesis.Config.from_dict({
            "seed": self.seed,
            # A network target is slow by Hypothesis's standards, and the runner fixture holds no per-example state.
            "suppress-health-check": ["all"],
            "cache": {"enabled": False},  # no .schemathesis/ beside the user's files
            # Read a stream to its end (schemathesis stops after 20 events by default): the suite checks how it ends.
            "max-stream-events": 100000,
            "generation": generation,
            "phases": {
                "examples": {"enabled": False},
                # Boundary values first (temperature just above 2, n = 0, each required field missing, each
                # wrong type): deterministic, so a validation gap is found on every run, not by luck.
                # Negative only: valid boundary values cost a request each and rarely fail where sampled valid bodies pass.
                "coverage": {"enabled": self.boundaries, "unexpected-methods": [], "generation": {"mode": "negative"}},
                "fuzzing": {"enabled": True},
                "stateful": {"enabled": True},  # without it the schema offers sequences no transitions
            },
        })


def _not_generated(ctx) -> bool:
    """Left out: what openapi.NOT_GENERATED names, and any change to an object named by id (PATCH, DELETE,
    POST /x/{id}): the suite only ever touches objects it created itself, and a generated id names none."""
    method, path = ctx.operation.method.upper(), ctx.operation.path
    return f"{method} {path}" in openapi.NOT_GENERATED or (method not in ("GET", "HEAD") and "{" in path)


def resolve(values: dict[str, object], seed: object = DEFAULT_SEED) -> Generation:
    """The generation settings from option values (by dest); ConfigError on a bad value."""
    from conformance.config import dest

    chosen = values.get("depth") or depths.DEFAULT
    if chosen not in depths.DEPTHS:
        raise ConfigError(f"--depth must be one of {', '.join(depths.DEPTHS)}, not {chosen!r}")
    depth = depths.DEPTHS[chosen]
    by_dest = {}
    for option in OPTIONS:
        value = values.get(dest(option))
        default = getattr(depth, dest(option), option.default)  # what the option leaves to the depth
        by_dest[dest(option)] = default if value is None else _number(option, value)
    for name in ("max_examples", "budget_requests", "budget_tokens", "budget_seconds"):
        if by_dest[name] <= 0:
            raise ConfigError(f"--{name.replace('_', '-')} must be positive, not {by_dest[name]!r}")
    if by_dest["operations"]:
        try:
            re.compile(by_dest["operations"])
        except re.error as error:
            raise ConfigError(f"--operations is not a regular expression: {error}") from None
    if by_dest["spec"]:
        specs.load(by_dest["spec"])  # fails now, in one line, rather than at collection
    tags = tuple(t.strip() for t in (by_dest["tag"] or "").split(",") if t.strip())
    return Generation(
        spec=by_dest["spec"], operations=by_dest["operations"], tags=tags,
        exclude_deprecated=bool(by_dest["exclude_deprecated"]), depth=depth.name, boundaries=depth.boundaries, max_examples=by_dest["max_examples"],
        budget_requests=by_dest["budget_requests"], budget_tokens=by_dest["budget_tokens"],
        budget_seconds=by_dest["budget_seconds"], seed=_seed(seed),
    )


def _seed(value: object) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ConfigError(f"--hypothesis-seed must be a whole number or {RANDOM_SEED!r}, not {value!r}") from None


def _number(option: Option, value: object) -> object:
    if option.type in (int, float) and not isinstance(value, option.type):
        try:
            return option.type(value)
        except ValueError:
            raise ConfigError(f"{option.flag} must be a number, not {value!r}") from None
    return value

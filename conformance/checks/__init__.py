"""Checks as a library; importing this package registers every check module."""

from conformance.checks.base import REGISTRY, Check, Expect, Finding, Level, Outcome, Violation, check, evaluate

# Registration happens on import; the order here is the order checks run and are reported.
from conformance.checks import http, body, errors, headers, models, chat  # noqa: E402,F401  isort: skip
from conformance.checks import media, resources, embeddings, moderations, images, audio, files, fine_tuning, assistants  # noqa: E402,F401  isort: skip
from conformance.checks import streaming, completions  # noqa: E402,F401  isort: skip
from conformance.checks import responses_stream, responses  # noqa: E402,F401  isort: skip
from conformance.checks import pagination, sockets, realtime, responses_socket  # noqa: E402,F401  isort: skip
from conformance.checks import responses_state, responses_compact, conversations  # noqa: E402,F401  isort: skip
from conformance.checks import vector_stores, uploads, batches  # noqa: E402,F401  isort: skip

__all__ = ["REGISTRY", "Check", "Expect", "Finding", "Level", "Outcome", "Violation", "check", "evaluate"]

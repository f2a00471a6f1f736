"""The reference emulator: a deterministic, conformant OpenAI API server with named faults."""

from conformance.emulator.app import create_app

__all__ = ["create_app"]

"""The emulator's endpoint modules beyond models and chat, each serving one capability of a target profile."""

from conformance.emulator import embeddings

ENDPOINTS = (embeddings,)
"""Each module has CAPABILITY (a profile capability) and ROUTES: (method, path, handler) rows."""

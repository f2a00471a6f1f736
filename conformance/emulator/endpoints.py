"""The emulator's endpoint modules beyond models and chat; each route serves one capability of a target profile."""

from conformance.emulator import assistants, audio, completions, embeddings, files, images, moderations

ENDPOINTS = (embeddings, moderations, images, audio, files, assistants, completions)
"""Each module has ROUTES: (profile capability, method, path, handler) rows."""

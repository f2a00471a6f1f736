"""The emulator's endpoint modules beyond models and chat; each route serves one capability of a target profile."""

from conformance.emulator import assistants, audio, completions, embeddings, files, fine_tuning, images, moderations

ENDPOINTS = (embeddings, moderations, images, audio, files, fine_tuning, assistants, completions)
"""Each module has ROUTES: (profile capability, method, path, handler) rows."""

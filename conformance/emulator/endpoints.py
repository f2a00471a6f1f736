"""The emulator's endpoint modules beyond models and chat; each route serves one capability of a target profile."""

from conformance.emulator import assistants, audio, batches, completions, conversations, embeddings, files, fine_tuning, images, moderations, realtime, uploads, vector_stores
from conformance.emulator.responses_api import compact, routes as responses_api, socket as responses_socket

ENDPOINTS = (embeddings, moderations, images, audio, files, fine_tuning, assistants, completions, responses_api, responses_socket, compact, conversations, vector_stores, uploads, batches, realtime)
"""Each module has ROUTES: (profile capability, method, path, handler) rows; method WEBSOCKET: a WebSocket route."""

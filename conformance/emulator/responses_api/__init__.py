"""The emulator's Responses API (POST /responses and the stored responses), not to be confused with
conformance/emulator/replies.py, which builds every HTTP reply.

- request.py: the body's rules (400 with the error object and ``param``)
- output.py: what the deterministic model answers (output items, token counts, JSON instances)
- events.py: a finished response cut into the typed stream events
- state.py: stored responses (retrieve, delete, cancel, background steps, previous_response_id's chain)
- routes.py: the handlers and their ROUTES (conformance/emulator/endpoints.py)
"""

"""JSON Schemas (2020-12) of the API's objects; see conformance.validation and conformance.openapi.

File names:

- ``<object>.json``: a response object (``chat.completion.json``, ``model.json``); ``common.json``
  holds shared definitions, ``list.json`` the list envelope, ``error.json`` the error object.
- ``<object>.chunk.json``: one event of the streamed form of ``<object>``.
- ``<object>.request.json``: the JSON body of the request that creates or returns ``<object>``
  (``chat.completion.request.json`` is the body of POST /chat/completions); a second request for
  the same object puts its verb before ``request`` (``assistant.modify.request.json``); a request
  whose answer is not JSON is named after the operation (``speech.request.json``).

Request schemas list only what the reference makes valid or invalid on its own, because requests
are generated from them (conformance.fuzzing): a body valid here must be accepted, and a body
that breaks a rule here must be rejected with 400.
"""

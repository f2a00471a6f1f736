"""Generated requests: schemathesis drives property-based conformance from an OpenAPI document.

The document is the suite's own (``conformance.openapi``, from ``schemas/`` and the operations
table) or one the user supplies with ``--spec``. Every generated exchange goes through the same
checks as the hand-written cases (``conformance.checks``) besides schemathesis's own.
"""

"""Requests generated from an OpenAPI document: schemathesis drives property-based conformance.

(Named ``fuzzing``, not ``generated``: people and code-structure tools take a folder of that name for
machine-written files.)

The document is the suite's own (``conformance.openapi``, from ``schemas/`` and the operations
table) or one the user supplies with ``--spec``. Every generated exchange goes through the same
checks as the hand-written cases (``conformance.checks``) besides schemathesis's own.
"""

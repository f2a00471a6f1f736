"""Stateful sequences: create an object, then read, change and delete that same object.

Schemathesis infers the transitions (the id in a create's answer feeds the operations on
``/<collection>/{id}``). Only objects a sequence created are ever changed or deleted, so unlike
single generated requests, sequences may use those operations.
"""

from __future__ import annotations

import hypothesis
import schemathesis

from conformance.fuzzing.runner import Runner

STEPS = 4
"""Requests per sequence at most."""


def run(schema: schemathesis.BaseSchema, runner: Runner, examples: int) -> None:
    """``examples`` sequences of up to STEPS requests, always derandomized: the same sequences every run."""
    machine = schema.as_state_machine()

    class Sequences(machine):  # type: ignore[misc, valid-type]
        def call(self, case: schemathesis.Case, **kwargs) -> schemathesis.Response:
            return runner.send(case)

        def validate_response(self, response: schemathesis.Response, case: schemathesis.Case, **kwargs) -> None:
            runner.check(case, response)

    settings = hypothesis.settings(
        max_examples=examples, stateful_step_count=STEPS, derandomize=True, database=None, deadline=None,
        suppress_health_check=list(hypothesis.HealthCheck), phases=[p for p in hypothesis.Phase if p is not hypothesis.Phase.explain],
    )
    Sequences.run(settings=settings)

"""Generated requests: for each operation of the OpenAPI document (the suite's own, or --spec),
valid bodies must be accepted and answered as documented, invalid ones rejected with 400 and the
error object. Each item is one operation; its reference section and capability are set at collection."""

import pytest

from conformance.fuzzing.plugin import generated_requests


@generated_requests
def test_generated(case, generator):
    generator.run(case)


@pytest.mark.reference("Assistants > Create assistant")
@pytest.mark.capability("generated")
@pytest.mark.capability("assistants")
def test_generated_sequences(generated_sequences):
    """Create an assistant, then retrieve, modify and delete that one: transitions schemathesis infers."""
    generated_sequences()

"""Every case names the reference section it verifies and the capability it needs (as test262 and WPT do)."""

from __future__ import annotations

import pytest

from conformance.profile import CAPABILITIES
from tests.conftest import CASES


def _collect() -> list[pytest.Item]:
    items = []

    class Grab:
        def pytest_collection_finish(self, session):
            items.extend(session.items)

    pytest.main([str(CASES), "--rootdir", str(CASES), "--collect-only", "-q", "-p", "no:cacheprovider"], plugins=[Grab()])
    return items


def test_every_case_names_its_reference_section_and_capability():
    items = _collect()
    assert items
    for item in items:
        assert item.get_closest_marker("reference"), f"{item.nodeid} has no reference marker"
        capabilities = [m.args[0] for m in item.iter_markers("capability")]
        assert capabilities, f"{item.nodeid} has no capability marker"
        assert set(capabilities) <= set(CAPABILITIES), f"{item.nodeid}: unknown capability {capabilities}"

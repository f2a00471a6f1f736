"""Every case names the reference section it verifies and the capability it needs (as test262 and WPT do)."""

from __future__ import annotations

import pytest

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
        assert item.get_closest_marker("capability"), f"{item.nodeid} has no capability marker"

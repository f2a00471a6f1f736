"""One id per case, whatever started the suite: ``test_chat.py::test_single_user_message``.

pytest names a case by its file's path from the rootdir, and the rootdir depends on the entry point:
``cases/test_chat.py::…`` from a checkout, ``test_chat.py::…`` from ``openai-conformance run``,
``conformance/cases/…`` or ``../…/site-packages/conformance/cases/…`` through ``--pyargs``. The
cases package is flat, so its file name and the names after it identify a case: results.json,
``diff``, ``compare`` and a profile's known failures all use that form (and read older files and
profiles written with a folder in front).
"""

from __future__ import annotations


def canonical(nodeid: str) -> str:
    """The node id without the folders before the case's file (the names after ``::`` are kept whole)."""
    path, separator, names = nodeid.partition("::")
    return path.replace("\\", "/").rsplit("/", 1)[-1] + separator + names

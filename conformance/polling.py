"""Bounded polling: how a case waits for an object that changes on its own (a batch running, a vector store's files).

One bound for every such wait, so that a target that never finishes costs each case at most this long, and the
pauses between retrieves grow (doubling) so that a quick target is seen quickly and a slow one is not hammered.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

WAIT_SECONDS = 30.0
"""The longest a case waits: a real batch may take hours (the case is then not judged past its wait, never passed);
a server that processes small objects itself finishes them in seconds."""


def pauses(first: float, longest: float, seconds: float = WAIT_SECONDS) -> Iterator[None]:
    """Sleeps before each retry and yields, the pause doubling from ``first`` up to ``longest``; ends once ``seconds``
    have passed (a pause never runs past them), so that a loop over it is bounded."""
    deadline, pause = time.monotonic() + seconds, first
    while (left := deadline - time.monotonic()) > 0:
        time.sleep(min(pause, left))
        pause = min(2 * pause, longest)
        yield

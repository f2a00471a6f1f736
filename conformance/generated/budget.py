"""What one run of generated requests may spend: requests, tokens (the sum of ``usage``) and wall time.

The defaults keep a run against a paid API to a few cents. Once any limit is reached, the rest of
the generation is skipped and the skip says which limit it was.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field


@dataclass
class Budget:
    max_requests: int
    max_tokens: int
    max_seconds: float
    requests: int = 0
    tokens: int = 0
    started: float | None = field(default=None, repr=False)

    def exhausted(self) -> str | None:
        """Why no further request may be sent, or ``None`` while the budget lasts."""
        if self.requests >= self.max_requests:
            return f"request budget spent ({self.requests} of --budget-requests={self.max_requests})"
        if self.tokens >= self.max_tokens:
            return f"token budget spent ({self.tokens} of --budget-tokens={self.max_tokens}, summed from usage)"
        if self.started is not None and (elapsed := time.monotonic() - self.started) >= self.max_seconds:
            return f"time budget spent ({elapsed:.0f} s of --budget-seconds={self.max_seconds:g})"
        return None

    def spend(self, tokens: int) -> None:
        """Count one request and the tokens its answer reported."""
        if self.started is None:
            self.started = time.monotonic()
        self.requests += 1
        self.tokens += tokens

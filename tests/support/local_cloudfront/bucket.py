"""A token bucket: the rule of a rate limit."""

from __future__ import annotations

import time


class TokenBucket:
    """``rate`` tokens a second, ``burst`` at most; a request takes one, or finds none."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self.updated = time.monotonic()
        self.taken = 0
        self.refused = 0

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            self.taken += 1
            return True
        self.refused += 1
        return False

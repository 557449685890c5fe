"""A token bucket, the rule of a rate limit: the local endpoint's (``faults.RateLimits``, on the real
clock) and the simulation's of many gates sharing one (benchmarks/many_gates.py, on its simulated
clock)."""

from __future__ import annotations

import time
from collections.abc import Callable

# A token short of whole by no more than this is whole: ``rate`` × elapsed time, in floating point,
# may fall short of a whole token that exact arithmetic makes (10 × (0.3 − 0.2) = 0.9999999999999998).
ROUNDING = 1e-9


class TokenBucket:
    """``rate`` tokens a second, ``burst`` at most, full at the start; a request takes one, or finds
    none. ``clock``: the time in seconds (default: time.monotonic)."""

    def __init__(self, rate: float, burst: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self.tokens = burst
        self.updated = clock()
        self.taken = 0
        self.refused = 0

    def take(self) -> bool:
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1 - ROUNDING:
            self.tokens -= 1
            self.taken += 1
            return True
        self.refused += 1
        return False

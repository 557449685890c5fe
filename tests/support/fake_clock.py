# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The clock of the waiting core's tests and of the benchmarks' simulations: time moves only when
something sleeps, and every sleep is recorded."""

from __future__ import annotations

from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.waiter import Clock


class FakeClock(Clock):
    """A clock that starts at ``now`` and moves only when slept on; records every sleep."""

    def __init__(self, now: float = 0.0) -> None:
        self.now = now
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0, f"a sleep of {seconds} s"
        self.sleeps.append(seconds)
        self.now += seconds

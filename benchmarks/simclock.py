"""A clock for simulating blocking code: many threads, one simulated time.

Each participant is a thread that runs real code (the gate's loop, a model of a waiter) and sleeps
on this clock. Time stands still while any participant runs, and jumps to the earliest wake-up when
all of them sleep: a discrete-event simulation of code that was written to block, run unchanged.
One participant runs at a time, in the order of their wake-ups (ties in the order they went to
sleep), so a run is repeatable for the same random sources.
"""

from __future__ import annotations

import heapq
import threading
from collections.abc import Callable, Sequence
from typing import Any


class SimClock:
    """``monotonic()`` and ``sleep()`` for the participants of one simulation (waiter.Clock's interface)."""

    def __init__(self, start: float = 0.0) -> None:
        self._now = start
        self._lock = threading.Lock()
        self._sleepers: list[tuple[float, int, threading.Event]] = []
        self._sequence = 0
        self._running = 0

    def monotonic(self) -> float:
        return self._now

    def sleep(self, seconds: float) -> None:
        wake = threading.Event()
        with self._lock:
            self._sequence += 1
            heapq.heappush(self._sleepers, (self._now + max(0.0, seconds), self._sequence, wake))
            self._running -= 1
            self._advance()
        wake.wait()

    def _advance(self) -> None:
        """With the lock held: when no participant runs, wake the next one, at its time."""
        if self._running == 0 and self._sleepers:
            at, _sequence, wake = heapq.heappop(self._sleepers)
            self._now = max(self._now, at)
            self._running += 1
            wake.set()

    def run(self, participants: Sequence[Callable[[], Any]]) -> list[Any]:
        """Run each participant in a thread of its own until all have returned; their results, or
        the exceptions they raised, in order. Each starts at the clock's current time, in order."""
        results: list[Any] = [None] * len(participants)
        starts = [threading.Event() for _participant in participants]
        with self._lock:
            for start in starts:  # each starts as if it woke up now, one after the other
                self._sequence += 1
                heapq.heappush(self._sleepers, (self._now, self._sequence, start))

        def main(index: int) -> None:
            starts[index].wait()
            try:
                results[index] = participants[index]()
            except BaseException as error:
                results[index] = error
            finally:
                with self._lock:
                    self._running -= 1
                    self._advance()

        threads = [threading.Thread(target=main, args=(n,), daemon=True) for n in range(len(participants))]
        for thread in threads:
            thread.start()
        with self._lock:
            self._advance()
        for thread in threads:
            thread.join()
        return results

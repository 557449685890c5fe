# -*- coding: utf-8 -*-

# Copyright: Contributors to the edgeops.cloudfront collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The waiting core: a poll schedule and a bounded wait loop.

Pure code: no AWS, no Ansible.  The clock, the sleeper and the source of jitter are
injected, so the whole schedule can be driven by a fake clock in unit tests and in
benchmark simulations.

The schedule polls at once, then every second and a half, and lets the interval grow in
proportion to the time already waited (``growth`` x elapsed) up to ``max_interval``:
something that finishes quickly is seen quickly, and a long wait settles at one poll
per ``max_interval`` at most (20 s by default, the AWS CLI waiter's pace).  A poll that
fails with a :class:`TransientError` (throttling, a 5xx answer, a dropped connection) is
retried with exponential backoff; the wait never sleeps past its deadline, and makes
one last poll at the deadline before it gives up.

A caller that waits in slices (to report progress between them) gives each slice
``slice_seconds`` and the time already waited: the slice returns after its last poll that
fits, and the next slice polls first when the schedule says, not at once, so slicing
adds no polls.  The numbers are tuned by ``benchmarks/`` (docs/benchmarks.md).
"""

from __future__ import annotations

import random as _random
import time
from dataclasses import dataclass
from typing import Callable, Generic, TypeVar

T = TypeVar("T")


class TransientError(Exception):
    """Raised by a poll whose failure is worth retrying (the wait goes on)."""


class Clock:
    """Monotonic time and sleep; replace it with a fake one in tests."""

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


@dataclass(frozen=True)
class PollSchedule:
    """When to poll next.

    ``min_interval``: the first intervals, in seconds.
    ``max_interval``: the cap of the normal interval.
    ``growth``: the interval is ``growth`` times the time waited so far (between the two bounds).
    ``jitter``: each delay is shortened by a random fraction of up to this much, so that
    many waits started together do not poll in lock-step; an interval is never longer than
    the schedule says (at most ``max_interval``, backoff aside).
    ``backoff_factor``/``max_backoff``: after N transient failures in a row, the delay is
    the interval times ``backoff_factor ** N``, at most ``max_backoff`` (or ``max_interval``
    when that is larger), before jitter.
    """

    min_interval: float = 1.5
    max_interval: float = 20.0
    growth: float = 0.2
    jitter: float = 0.1
    backoff_factor: float = 2.0
    max_backoff: float = 30.0

    def interval(self, elapsed: float) -> float:
        """The normal interval after ``elapsed`` seconds of waiting, before jitter."""
        return min(self.max_interval, max(self.min_interval, self.growth * elapsed))

    def next_delay(self, elapsed: float, failures: int, rand: float) -> float:
        """The delay before the next poll.

        ``failures`` is the number of transient failures in a row; ``rand`` is in [0, 1).
        """
        delay = self.interval(elapsed)
        if failures > 0:
            delay = min(max(self.max_backoff, self.max_interval), delay * self.backoff_factor**failures)
        return delay * (1.0 - self.jitter * rand)


@dataclass
class WaitOutcome(Generic[T]):
    """What a wait saw.

    ``done``: the last state satisfied the predicate.  ``state``: the last state seen
    (``None`` if no poll ever succeeded).  ``elapsed``: seconds from the start of the wait
    to its end.  ``polls``: polls made.  ``failures``: polls that failed transiently.
    ``last_error``: the transient error of the last poll, if it failed.
    ``sliced``: the wait ended at the end of its slice, before its deadline.
    """

    done: bool
    state: T | None
    elapsed: float
    polls: int
    failures: int
    last_error: TransientError | None
    sliced: bool = False


def wait_for(
    poll: Callable[[], T],
    is_done: Callable[[T], bool],
    timeout: float,
    schedule: PollSchedule | None = None,
    clock: Clock | None = None,
    rand: Callable[[], float] | None = None,
    waited_before: float = 0.0,
    slice_seconds: float | None = None,
) -> WaitOutcome[T]:
    """Poll until ``is_done(state)`` or until ``timeout`` seconds have passed.

    The first poll is immediate (see ``waited_before``).  ``poll`` may raise :class:`TransientError` to say "try
    again later"; any other exception ends the wait and propagates.  The loop sleeps at
    most until the deadline and polls once more there, so it ends no later than
    ``timeout`` plus the duration of one poll.

    ``waited_before``: seconds the caller already waited in earlier calls; the schedule
    continues from there instead of starting fast again (``elapsed`` does not include it),
    and the first poll comes one interval after the start, as the schedule says.

    ``slice_seconds``: return (with ``sliced``) instead of sleeping past this many seconds,
    when that comes before the deadline; a slice makes at least one poll.
    """
    schedule = schedule or PollSchedule()
    clock = clock or Clock()
    rand = rand or _random.random
    start = clock.monotonic()
    deadline = start + timeout
    slice_end = start + slice_seconds if slice_seconds is not None and slice_seconds < timeout else None
    state: T | None = None
    polls = failures = streak = 0
    last_error: TransientError | None = None
    if waited_before > 0:
        clock.sleep(min(timeout, slice_seconds or timeout, schedule.next_delay(waited_before, 0, rand())))
    while True:
        polls += 1
        try:
            state = poll()
        except TransientError as e:
            failures += 1
            streak += 1
            last_error = e
        else:
            streak = 0
            last_error = None
            if is_done(state):
                return WaitOutcome(True, state, clock.monotonic() - start, polls, failures, None)
        now = clock.monotonic()
        remaining = deadline - now
        if remaining <= 0:
            return WaitOutcome(False, state, now - start, polls, failures, last_error)
        delay = schedule.next_delay(waited_before + now - start, streak, rand())
        if slice_end is not None and now + delay > slice_end:
            return WaitOutcome(False, state, now - start, polls, failures, last_error, sliced=True)
        clock.sleep(min(remaining, delay))

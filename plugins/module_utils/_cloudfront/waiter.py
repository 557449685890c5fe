# -*- coding: utf-8 -*-

# Copyright: Contributors to the edgeops.cloudfront collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The waiting core: a poll schedule, a pace that adapts to throttling, and a bounded wait loop.

Pure code: no AWS, no Ansible.  The clock, the sleeper and the source of jitter are
injected, so the whole schedule can be driven by a fake clock in unit tests and in
benchmark simulations (which step many waits at once through :class:`Wait`).

The schedule polls at once, then every second and a half, and lets the interval grow in
proportion to the time already waited (``growth`` x elapsed) up to ``max_interval``:
something that finishes quickly is seen quickly, and a long wait settles at one poll
per ``max_interval`` at most (20 s by default, the AWS CLI waiter's pace).

Many waits share one account's rate limit. A poll that is throttled slows the wait's *pace*
(a factor on the interval) by ``throttle_factor``; every poll that is not brings it back by
``recovery``: waits that the account cannot all serve slow down until it can, and speed up
again when it stops throttling. Other passing failures (a 5xx answer, a dropped connection)
back off exponentially for the failures in a row. The wait never sleeps past its deadline,
and makes one last poll at the deadline before it gives up.

A caller that waits in runs (to report progress between them) gives each run a slice,
the time already waited, the pace and the time since the last poll: the run polls first when
the schedule says (after its slice's end, if that is when the poll is due) and stops at the end
of its slice, so slicing adds no polls and every run makes one. The numbers are tuned by
``benchmarks/`` (docs/benchmarks.md).
"""

from __future__ import annotations

import random as _random
import time
from dataclasses import dataclass
from typing import Callable, Generic, TypeVar

T = TypeVar("T")


class TransientError(Exception):
    """Raised by a poll whose failure is worth retrying (the wait goes on).

    ``throttled``: the service said to slow down; the wait's pace slows (see :class:`PollSchedule`).
    """

    throttled = False


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
    the schedule (and the pace) says.
    ``backoff_factor``/``max_backoff``: after N failures in a row that are not throttling, the
    delay is the interval times ``backoff_factor ** N``, at most ``max_backoff`` (or
    ``max_interval`` when that is larger), before jitter.
    ``throttle_factor``/``recovery``/``max_delay``: the pace. A throttled poll multiplies it by
    ``throttle_factor``, every other answer by ``recovery`` (down to 1); the delay is the
    interval times the pace, at most ``max_delay``.
    """

    min_interval: float = 1.5
    max_interval: float = 20.0
    growth: float = 0.2
    jitter: float = 0.1
    backoff_factor: float = 2.0
    max_backoff: float = 30.0
    throttle_factor: float = 2.0
    throttle_floor: float = 0.5
    throttle_jitter: float = 0.5
    pace_growth: float = 0.2
    recovery: float = 0.7
    max_delay: float = 600.0

    def interval(self, elapsed: float) -> float:
        """The normal interval after ``elapsed`` seconds of waiting, before pace and jitter."""
        return min(self.max_interval, max(self.min_interval, self.growth * elapsed))

    def next_delay(
        self, elapsed: float, failures: int, rand: float, pace: float = 1.0, throttled: bool = False
    ) -> float:
        """The delay before the next poll.

        ``failures``: failures in a row that are not throttling; ``pace``: see above;
        ``throttled``: the last poll was (its delay is shortened by up to ``throttle_jitter``,
        which scatters waits that were throttled together); ``rand`` is in [0, 1).
        """
        longest = min(self.max_delay, max(self.max_backoff, self.max_interval, self.pace_growth * elapsed))
        delay = min(longest, max(self.interval(elapsed), self.interval(elapsed) * pace))
        if failures > 0:
            delay = max(delay, min(max(self.max_backoff, self.max_interval), delay * self.backoff_factor**failures))
        return delay * (1.0 - (self.throttle_jitter if throttled else self.jitter) * rand)

    def paced(self, pace: float, throttled: bool, elapsed: float = 0.0) -> float:
        """The pace after an answer at ``elapsed``: slower after throttling (at once as slow as a long
        wait's pace, and slower each time), closer to 1 after anything else."""
        if throttled:
            interval = self.interval(elapsed)
            slowest = self.max_delay / interval
            return min(slowest, max(pace * self.throttle_factor, self.throttle_floor * self.max_interval / interval))
        return max(1.0, pace * self.recovery)


@dataclass
class WaitOutcome(Generic[T]):
    """What a wait saw.

    ``done``: the last state satisfied the predicate.  ``state``: the last state seen
    (``None`` if no poll ever succeeded).  ``elapsed``: seconds from the start of the wait
    to its end.  ``polls``: polls made.  ``failures``: polls that failed transiently
    (``throttled`` of them throttled).  ``last_error``: the transient error of the last poll,
    if it failed.  ``sliced``: the wait ended at the end of its slice, before its deadline.
    ``pace``: the pace at the end.  ``last_poll``: seconds from the start of this wait to its
    last poll (None: it made none).
    """

    done: bool
    state: T | None
    elapsed: float
    polls: int
    failures: int
    last_error: TransientError | None
    sliced: bool = False
    throttled: int = 0
    pace: float = 1.0
    last_poll: float | None = None


class Wait:
    """The decisions of one wait, step by step, and nothing else: when to poll, and when to stop.

    ``timeout``: seconds from the start; ``waited_before``: seconds an earlier run already waited
    (the schedule goes on from there); ``since_last_poll``: seconds since that run's last poll;
    ``pace``: its pace; ``slice_seconds``: end the run after this many seconds, between polls.

    Times are seconds from the start of this wait. :func:`wait_for` drives one with a clock;
    simulations drive many at once.
    """

    def __init__(
        self,
        timeout: float,
        schedule: PollSchedule | None = None,
        rand: Callable[[], float] | None = None,
        waited_before: float = 0.0,
        slice_seconds: float | None = None,
        since_last_poll: float | None = None,
        pace: float = 1.0,
    ) -> None:
        self.timeout = timeout
        self.schedule = schedule or PollSchedule()
        self.rand = rand or _random.random
        self.waited_before = waited_before
        self.slice_end = slice_seconds if slice_seconds is not None and slice_seconds < timeout else None
        self.since_last_poll = since_last_poll
        self.pace = max(1.0, pace)
        self.streak = 0
        self.polls = self.failures = self.throttled = 0
        self.last_poll: float | None = None

    def first_poll(self) -> float:
        """When to poll first: at once for a new wait; for a continued one, when the schedule says
        (one paced interval after the last poll), at the deadline at the latest, and after the end
        of the slice if that is when it is due: a run never ends without a poll."""
        if self.waited_before <= 0:
            return 0.0
        delay = self.schedule.next_delay(self.waited_before, 0, self.rand(), self.pace)
        if self.since_last_poll is not None:
            delay = max(0.0, delay - self.since_last_poll)
        return min(self.timeout, delay)

    def polled(self, at: float, error: TransientError | None = None) -> float | None:
        """A poll made at ``at`` answered (``error``: it failed transiently, and was not done).
        When to poll next, or None when the wait is over: its deadline, or the end of its slice."""
        self.polls += 1
        self.last_poll = at
        throttled = error is not None and error.throttled
        if error is None or throttled:
            self.streak = 0
        else:
            self.streak += 1
        if error is not None:
            self.failures += 1
            self.throttled += throttled
        self.pace = self.schedule.paced(self.pace, throttled, self.waited_before + at)
        if at >= self.timeout:
            return None
        delay = self.schedule.next_delay(self.waited_before + at, self.streak, self.rand(), self.pace, throttled)
        return self._within(at, delay)

    def _within(self, now: float, delay: float) -> float | None:
        """``now + delay``, unless past the slice (None); never past the deadline."""
        if self.slice_end is not None and now + delay > self.slice_end:
            return None
        return min(self.timeout, now + delay)

    def over_by_deadline(self, now: float) -> bool:
        """Whether a wait that stopped at ``now`` stopped at its deadline (not at its slice's end)."""
        return self.slice_end is None or now >= self.timeout


def wait_for(
    poll: Callable[[], T],
    is_done: Callable[[T], bool],
    timeout: float,
    schedule: PollSchedule | None = None,
    clock: Clock | None = None,
    rand: Callable[[], float] | None = None,
    waited_before: float = 0.0,
    slice_seconds: float | None = None,
    since_last_poll: float | None = None,
    pace: float = 1.0,
) -> WaitOutcome[T]:
    """Poll until ``is_done(state)`` or until ``timeout`` seconds have passed.

    The first poll is immediate (see :class:`Wait` for a continued wait). ``poll`` may raise
    :class:`TransientError` to say "try again later"; any other exception ends the wait and
    propagates. The loop sleeps at most until the deadline and polls once more there, so it
    ends no later than ``timeout`` plus the duration of one poll.

    ``waited_before``: seconds the caller already waited in earlier calls; the schedule
    continues from there (``elapsed`` does not include it). ``since_last_poll``, ``pace``: the
    last poll and the pace of those calls. ``slice_seconds``: return (with ``sliced``) rather
    than sleep past this many seconds, when that comes before the deadline; the first poll
    comes when the schedule says, after the slice's end if need be, so every call polls.
    """
    clock = clock or Clock()
    wait = Wait(timeout, schedule, rand, waited_before, slice_seconds, since_last_poll, pace)
    start = clock.monotonic()
    state: T | None = None
    last_error: TransientError | None = None

    def outcome(done: bool, sliced: bool = False) -> WaitOutcome[T]:
        now = clock.monotonic() - start
        return WaitOutcome(
            done, state, now, wait.polls, wait.failures, last_error, sliced, wait.throttled, wait.pace, wait.last_poll
        )

    at: float | None = wait.first_poll()
    while at is not None:
        ahead = at - (clock.monotonic() - start)
        if ahead > 0:
            clock.sleep(ahead)
        try:
            state = poll()
        except TransientError as e:
            last_error = e
        else:
            last_error = None
            if is_done(state):
                wait.polled(clock.monotonic() - start)
                return outcome(True)
        at = wait.polled(clock.monotonic() - start, last_error)
    return outcome(False, sliced=not wait.over_by_deadline(clock.monotonic() - start))

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

Many waits share one account's rate limit. A throttled poll is tried again as botocore's
standard retry mode does it: after a random part ("full jitter") of a window that starts at half a
second and doubles with each throttled answer in a row (six in a row cost 16 s on average, 32 s at
most, against botocore's 25.5 and 51). Throttling also slows the wait's *pace*, the shortest time
between two polls: the first throttled answer of a streak doubles it (or the interval, when that is
longer); when the account answers again, the pace is at least twice the time the streak lasted (the
time the account needed to serve everyone is what each wait takes between polls), 30 s at most;
every poll that
is answered without throttling shortens it by ``recovery``. Waits that the account cannot all serve
slow down until it can and speed up again when it stops throttling, and a herd started together
spreads out over the windows of its first streak. Other passing failures (a 5xx answer, a dropped
connection) back off exponentially for the failures in a row. The wait never sleeps past its
deadline, and makes one last poll at the deadline before it gives up.

A caller that goes on a wait begun earlier (a second step of the same job) gives the time already
waited, the time since the last poll and the pace: the schedule goes on from there. The numbers are
tuned by ``benchmarks/`` (docs/benchmarks.md, part 5).
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
    Throttling: a throttled poll is tried again after a random part ("full jitter") of a window
    of ``throttle_window`` seconds that grows by ``window_growth`` with each throttled answer in a
    row, up to ``throttle_cap`` (or the pace, or the time the streak has lasted, when longer), as
    botocore's standard retry mode does. The *pace* is the shortest time between two answered
    polls: the first throttled answer of a streak sets it to ``throttle_factor`` times the pace or
    the interval, whichever is longer; the first answer after a streak to at least ``took_factor``
    times the streak's length; every other answer shortens it by ``recovery``.
    ``max_pace``: no pace is longer; ``max_delay``: no delay is longer.
    """

    min_interval: float = 1.5
    max_interval: float = 20.0
    growth: float = 0.2
    jitter: float = 0.1
    backoff_factor: float = 2.0
    max_backoff: float = 30.0
    throttle_window: float = 0.5
    throttle_cap: float = 20.0
    window_growth: float = 2.0
    throttle_factor: float = 2.0
    took_factor: float = 2.0
    recovery: float = 0.9
    max_pace: float = 30.0
    max_delay: float = 600.0

    def interval(self, elapsed: float) -> float:
        """The normal interval after ``elapsed`` seconds of waiting, before pace and jitter."""
        return min(self.max_interval, max(self.min_interval, self.growth * elapsed))

    def next_delay(
        self,
        elapsed: float,
        failures: int,
        rand: float,
        pace: float = 0.0,
        throttles: int = 0,
        throttled_for: float = 0.0,
    ) -> float:
        """The delay before the next poll.

        ``failures``: failures in a row that are not throttling; ``throttles``: throttled answers
        in a row, the first of them ``throttled_for`` seconds ago; ``pace``: see above; ``rand``
        is in [0, 1).
        """
        if throttles:
            cap = max(self.throttle_cap, pace, throttled_for)
            # full jitter; rand = 0 (no jitter) is the whole window, as it is the whole interval below
            return min(self.throttle_window * self.window_growth ** (throttles - 1), cap, self.max_delay) * (1.0 - rand)
        delay = max(self.interval(elapsed), pace)
        if failures > 0:
            delay = max(delay, min(max(self.max_backoff, self.max_interval), delay * self.backoff_factor**failures))
        return min(self.max_delay, delay) * (1.0 - self.jitter * rand)

    def paced(self, pace: float, throttled: bool, elapsed: float = 0.0, throttles: int = 0, took: float = 0.0) -> float:
        """The pace after a poll at ``elapsed``: when throttling begins (the poll is the first
        throttled one after an answer), ``throttle_factor`` times the pace or the interval,
        whichever is longer; once the account answers again, at least ``took_factor`` times the time
        it took (``took``, since the first throttled poll); shorter by ``recovery`` after an answer when there was
        no throttling."""
        if throttled:
            if throttles > 1:
                return pace
            return min(self.max_pace, max(pace, self.interval(elapsed)) * self.throttle_factor)
        if took > 0:
            return min(self.max_pace, max(pace, took * self.took_factor))
        return pace * self.recovery


@dataclass
class WaitOutcome(Generic[T]):
    """What a wait saw.

    ``done``: the last state satisfied the predicate.  ``state``: the last state seen
    (``None`` if no poll ever succeeded).  ``elapsed``: seconds from the start of the wait
    to its end.  ``polls``: polls made.  ``failures``: polls that failed transiently
    (``throttled`` of them throttled).  ``last_error``: the transient error of the last poll,
    if it failed.  ``pace``: the pace at the end (see :class:`PollSchedule`).
    """

    done: bool
    state: T | None
    elapsed: float
    polls: int
    failures: int
    last_error: TransientError | None
    throttled: int = 0
    pace: float = 0.0


class Wait:
    """The decisions of one wait, step by step, and nothing else: when to poll, and when to stop.

    ``timeout``: seconds from the start; ``waited_before``: seconds already spent before this
    wait began (the schedule goes on from there); ``since_last_poll``: seconds since the poll
    made then (the first poll of this wait comes an interval after it; None: at once); ``pace``:
    the pace those seconds left (see :class:`PollSchedule`).

    Times are seconds from the start of this wait. :func:`wait_for` drives one with a clock.
    """

    def __init__(
        self,
        timeout: float,
        schedule: PollSchedule | None = None,
        rand: Callable[[], float] | None = None,
        waited_before: float = 0.0,
        since_last_poll: float | None = None,
        pace: float = 0.0,
    ) -> None:
        self.timeout = timeout
        self.schedule = schedule or PollSchedule()
        self.rand = rand or _random.random
        self.waited_before = waited_before
        self.since_last_poll = since_last_poll
        self.pace = pace
        self.streak = 0  # failures in a row that are not throttling
        self.throttles = 0  # throttled answers in a row
        self.throttled_since: float | None = None  # the first of them
        self.polls = self.failures = self.throttled = 0

    def first_poll(self) -> float:
        """When to poll first: at once, or an interval after the poll made before this wait began,
        at the deadline at the latest."""
        if self.since_last_poll is None:
            return 0.0
        delay = self.schedule.next_delay(self.waited_before, 0, self.rand(), self.pace)
        return min(self.timeout, max(0.0, delay - self.since_last_poll))

    def polled(self, at: float, error: TransientError | None = None) -> float | None:
        """A poll made at ``at`` answered (``error``: it failed transiently, and was not done).
        When to poll next, or None when the wait is over (its deadline)."""
        self.polls += 1
        throttled = error is not None and error.throttled
        if throttled:
            self.throttles += 1
            self.throttled += 1
            if self.throttled_since is None:
                self.throttled_since = at
            self.pace = self.schedule.paced(self.pace, True, self.waited_before + at, self.throttles)
        else:
            took = 0.0 if self.throttled_since is None else at - self.throttled_since
            self.pace = self.schedule.paced(self.pace, False, took=took)
            self.throttles, self.throttled_since = 0, None
        if error is not None:
            self.failures += 1
        self.streak = self.streak + 1 if error is not None and not throttled else 0
        if at >= self.timeout:
            return None
        elapsed = self.waited_before + at
        throttled_for = 0.0 if self.throttled_since is None else at - self.throttled_since
        delay = self.schedule.next_delay(elapsed, self.streak, self.rand(), self.pace, self.throttles, throttled_for)
        return min(self.timeout, at + delay)


def wait_for(
    poll: Callable[[], T],
    is_done: Callable[[T], bool],
    timeout: float,
    schedule: PollSchedule | None = None,
    clock: Clock | None = None,
    rand: Callable[[], float] | None = None,
    waited_before: float = 0.0,
    since_last_poll: float | None = None,
    pace: float = 0.0,
) -> WaitOutcome[T]:
    """Poll until ``is_done(state)`` or until ``timeout`` seconds have passed.

    The first poll is immediate, or (``since_last_poll``) an interval after a poll made before
    the wait began, ``waited_before`` seconds into the caller's schedule, at the ``pace`` they
    left. ``poll`` may raise
    :class:`TransientError` to say "try again later"; any other exception ends the wait and
    propagates. The loop sleeps at most until the deadline and polls once more there, so it
    ends no later than ``timeout`` plus the duration of one poll.
    """
    clock = clock or Clock()
    wait = Wait(timeout, schedule, rand, waited_before, since_last_poll, pace)
    start = clock.monotonic()
    state: T | None = None
    last_error: TransientError | None = None

    def outcome(done: bool) -> WaitOutcome[T]:
        now = clock.monotonic() - start
        return WaitOutcome(done, state, now, wait.polls, wait.failures, last_error, wait.throttled, wait.pace)

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
    return outcome(False)

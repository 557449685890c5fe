# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The waiting core, driven by a fake clock: no real sleeps."""

from __future__ import annotations

import random
import statistics

import pytest

from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.waiter import (
    PollSchedule,
    TransientError,
    Wait,
    wait_for,
)
from ansible_collections.edgeops.cloudfront.tests.unit.plugins.module_utils._cloudfront.fakes import (
    FakeClock,
    Throttled,
    no_jitter,
)


class Flip:
    """A poll that reports done once the fake clock reaches ``at``; records poll times."""

    def __init__(self, clock: FakeClock, at: float) -> None:
        self.clock, self.at, self.times = clock, at, []

    def __call__(self) -> bool:
        self.times.append(self.clock.now)
        return self.clock.now >= self.at


def run(at: float, timeout: float = 1800, schedule: PollSchedule | None = None, rand=no_jitter):
    clock = FakeClock()
    poll = Flip(clock, at)
    outcome = wait_for(poll, bool, timeout, schedule=schedule, clock=clock, rand=rand)
    return clock, poll, outcome


def test_first_poll_is_immediate_and_done_means_no_sleep():
    clock, poll, outcome = run(at=0)
    assert outcome.done and outcome.polls == 1 and outcome.elapsed == 0
    assert clock.sleeps == [] and poll.times == [0]


@pytest.mark.parametrize("at", [0.5, 2, 5, 9, 15])
def test_quick_completion_is_seen_within_about_two_seconds(at):
    poll, outcome = run(at=at)[1:]
    assert outcome.done
    assert poll.times[-1] - at <= 3.0
    assert poll.times[1] == pytest.approx(1.5)  # the first interval is a second and a half


def test_completion_at_45_seconds_is_seen_within_ten():
    poll, outcome = run(at=45)[1:]
    assert outcome.done and poll.times[-1] - 45 <= 10


def test_long_wait_settles_at_max_interval_and_not_faster():
    poll, outcome = run(at=1200)[1:]
    gaps = [b - a for a, b in zip(poll.times, poll.times[1:])]
    assert max(gaps) == pytest.approx(20.0)
    late = [g for t, g in zip(poll.times, gaps) if t >= 200]
    assert late and all(g == pytest.approx(20.0) for g in late)
    assert outcome.done and outcome.polls < 1200 / 20 + 25


def test_max_interval_caps_the_interval():
    poll = run(at=300, schedule=PollSchedule(max_interval=5))[1]
    gaps = [b - a for a, b in zip(poll.times, poll.times[1:])]
    assert max(gaps) <= 5.0 + 1e-9


def test_timeout_polls_once_more_at_the_deadline_and_never_sleeps_past_it():
    clock, poll, outcome = run(at=10_000, timeout=100)
    assert not outcome.done
    assert poll.times[-1] == pytest.approx(100)
    assert clock.now == pytest.approx(100)
    assert outcome.elapsed == pytest.approx(100)
    assert outcome.state is False


def test_a_slow_poll_overruns_the_deadline_by_at_most_one_poll():
    clock = FakeClock()

    def slow_poll() -> bool:
        clock.now += 7  # each request takes 7 s
        return False

    outcome = wait_for(slow_poll, bool, 30, clock=clock, rand=no_jitter)
    assert not outcome.done
    assert 30 <= outcome.elapsed <= 30 + 7


def test_jitter_only_shortens_delays_by_up_to_ten_percent():
    schedule = PollSchedule()
    assert schedule.next_delay(100, 0, 0.0) == pytest.approx(20.0)
    assert schedule.next_delay(100, 0, 0.5) == pytest.approx(19.0)
    assert schedule.next_delay(100, 0, 0.999999) == pytest.approx(18.0, abs=1e-4)
    low = run(at=60, rand=lambda: 0.0)[1]
    high = run(at=60, rand=lambda: 0.99)[1]
    assert low.times != high.times


class Unavailable(TransientError):
    """A transient failure that is not throttling."""


def test_transient_failures_back_off_exponentially_then_recover():
    clock = FakeClock()
    calls: list[float] = []

    def poll() -> bool:
        calls.append(clock.now)
        if len(calls) <= 4:
            raise Unavailable("Service Unavailable")
        return len(calls) >= 6

    outcome = wait_for(poll, bool, 1800, clock=clock, rand=no_jitter)
    assert outcome.done and outcome.failures == 4 and outcome.last_error is None
    schedule = PollSchedule()
    elapsed = [sum(clock.sleeps[:i]) for i in range(4)]
    expected = [min(30.0, schedule.interval(t) * 2 ** (i + 1)) for i, t in enumerate(elapsed)]
    assert clock.sleeps[:4] == pytest.approx(expected)
    assert clock.sleeps[:4] == sorted(clock.sleeps[:4]) and clock.sleeps[3] >= 16
    # once a poll succeeds, the normal interval is back
    assert clock.sleeps[4] < clock.sleeps[3]


def test_backoff_is_bounded():
    schedule = PollSchedule()
    assert schedule.next_delay(0, 30, 0.0) == pytest.approx(30.0)
    assert PollSchedule(max_interval=45).next_delay(0, 30, 0.0) == pytest.approx(45.0)


def test_persistent_transient_failures_end_at_the_deadline_with_the_cause():
    clock = FakeClock()

    def poll() -> bool:
        raise Unavailable("Service Unavailable")

    outcome = wait_for(poll, bool, 120, clock=clock, rand=no_jitter)
    assert not outcome.done and outcome.state is None
    assert isinstance(outcome.last_error, Unavailable)
    assert outcome.elapsed == pytest.approx(120)
    assert outcome.polls == outcome.failures
    # backoff slowed the polls down: far fewer than one a second
    assert outcome.polls <= 8


def test_other_errors_end_the_wait_at_once():
    clock = FakeClock()

    def poll() -> bool:
        raise KeyError("boom")

    with pytest.raises(KeyError):
        wait_for(poll, bool, 100, clock=clock)
    assert clock.sleeps == []


def test_state_is_the_last_seen():
    clock = FakeClock()
    states = iter(["InProgress", "InProgress", "Completed"])
    outcome = wait_for(lambda: next(states), lambda s: s == "Completed", 60, clock=clock, rand=no_jitter)
    assert outcome.state == "Completed" and outcome.polls == 3


def test_a_continued_wait_goes_on_with_the_schedule_instead_of_starting_fast():
    """A wait that goes on from a poll made before it (the gate's lookup) polls an interval after it."""
    clock = FakeClock()
    poll = Flip(clock, 100)
    outcome = wait_for(poll, bool, 1800, clock=clock, rand=no_jitter, waited_before=600, since_last_poll=0.0)
    assert poll.times[0] == pytest.approx(20.0)
    gaps = [b - a for a, b in zip(poll.times, poll.times[1:])]
    assert gaps and all(g == pytest.approx(20.0) for g in gaps)
    assert outcome.elapsed == pytest.approx(poll.times[-1])  # elapsed counts this call only
    clock = FakeClock()
    poll = Flip(clock, 10_000)
    wait_for(poll, bool, 600, clock=clock, rand=no_jitter, waited_before=600, since_last_poll=15)
    assert poll.times[0] == pytest.approx(5.0)  # 20 s after the last poll, which was 15 s ago


def throttled_streak(rand, throttles: int = 6, waited_before: float = 0.0, pace: float = 0.0) -> float:
    """Seconds from the first of ``throttles`` throttled answers in a row to the poll after them."""
    wait = Wait(3600.0, rand=rand, waited_before=waited_before, pace=pace)
    at = wait.first_poll()
    first = at
    for _n in range(throttles):
        at = wait.polled(at, Throttled())
    return at - first


@pytest.mark.parametrize("waited_before, pace", [(0.0, 0.0), (600.0, 0.0), (600.0, 30.0)])
def test_six_throttled_answers_in_a_row_cost_less_than_botocores_standard_retries(waited_before, pace):
    """botocore's standard mode sleeps a random part of min(2 ** attempt, 20) s: six throttled
    answers cost 25.5 s on average, 51 s at most. A young wait, a long one and one at its longest
    pace ride through them sooner."""
    assert throttled_streak(no_jitter, waited_before=waited_before, pace=pace) == pytest.approx(31.5)
    rng = random.Random(6)
    mean = statistics.fmean(throttled_streak(rng.random, waited_before=waited_before, pace=pace) for _n in range(2000))
    assert mean == pytest.approx(15.75, rel=0.05)


def test_throttling_sets_the_pace_from_the_streak_and_answers_bring_it_back():
    schedule = PollSchedule()
    # the first throttled answer of a streak: twice the pace or the interval, 30 s at most
    assert schedule.paced(0.0, throttled=True, elapsed=0) == 3.0
    assert schedule.paced(12.0, throttled=True, elapsed=0) == 24.0
    assert schedule.paced(0.0, throttled=True, elapsed=600) == 30.0
    assert schedule.paced(5.0, throttled=True, elapsed=600, throttles=2) == 5.0  # the streak goes on
    # the answer after a streak: at least twice its length, 30 s at most
    assert schedule.paced(3.0, throttled=False, took=4.0) == 8.0
    assert schedule.paced(9.0, throttled=False, took=4.0) == 9.0
    assert schedule.paced(3.0, throttled=False, took=100.0) == 30.0
    # other answers: a tenth shorter each
    assert schedule.paced(8.0, throttled=False) == pytest.approx(7.2)
    # no poll sooner than the pace; the interval when it is longer
    assert schedule.next_delay(0, 0, 0.0, pace=10.0) == 10.0
    assert schedule.next_delay(600, 0, 0.0, pace=5.0) == 20.0
    # a throttled poll: the window of its place in the streak, up to 20 s, the pace or the streak's length
    assert schedule.next_delay(0, 0, 0.0, pace=10.0, throttles=1) == 0.5
    assert schedule.next_delay(0, 0, 0.0, pace=10.0, throttles=7) == 20.0
    assert schedule.next_delay(0, 0, 0.0, pace=25.0, throttles=7) == 25.0
    assert schedule.next_delay(0, 0, 0.0, pace=10.0, throttles=7, throttled_for=100.0) == 32.0
    assert schedule.next_delay(0, 0, 0.0, throttles=20, throttled_for=5000.0) == schedule.max_delay
    # full jitter: a random part of the window
    assert schedule.next_delay(0, 0, 0.75, throttles=3) == pytest.approx(0.5)


def test_a_throttled_wait_slows_down_and_the_pace_carries_over():
    clock = FakeClock()
    answers = iter([Throttled(), Throttled(), Throttled(), False, False, True])

    def poll() -> bool:
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    outcome = wait_for(poll, bool, 300, clock=clock, rand=no_jitter, waited_before=600, since_last_poll=0.0)
    assert outcome.done and outcome.throttled == 3 and outcome.failures == 3 and outcome.polls == 6
    # 20 s, then windows of 0.5, 1 and 2 s after the throttled ones; the first of them set the pace
    # to twice the interval, 30 s at most (the answer after the 3.5 s streak leaves it there), and
    # each answer shortens it by a tenth
    assert clock.sleeps == pytest.approx([20.0, 0.5, 1.0, 2.0, 30.0, 27.0])
    assert outcome.pace == pytest.approx(30.0 * 0.9 * 0.9)


def test_a_continued_wait_begins_at_the_pace_it_is_given():
    """A wait that begins after throttling polls first at the slower pace: neither at once nor at
    the pace of a wait that was never throttled."""
    assert Wait(600.0, rand=no_jitter, waited_before=100.0, since_last_poll=0.0).first_poll() == pytest.approx(20.0)
    slowed = Wait(600.0, rand=no_jitter, waited_before=100.0, pace=30.0, since_last_poll=0.0)
    assert slowed.first_poll() == pytest.approx(30.0)
    slowed = Wait(600.0, rand=no_jitter, waited_before=100.0, pace=30.0, since_last_poll=10.0)
    assert slowed.first_poll() == pytest.approx(20.0)


def test_jitter_is_on_by_default():
    """Waits started together must not poll in lock-step: without a rand, the delays are random."""
    firsts = {Wait(600.0, waited_before=100.0, since_last_poll=0.0).first_poll() for _n in range(50)}
    assert len(firsts) > 1 and all(18.0 <= first <= 20.0 for first in firsts)
    clock = FakeClock()
    wait_for(Flip(clock, 10_000), bool, 120, clock=clock)
    assert len({round(sleep, 6) for sleep in clock.sleeps[:5]}) > 1, clock.sleeps

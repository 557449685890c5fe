# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The waiting core, driven by a fake clock (no real sleeps): the schedule of the polls, the
deadline, a wait that goes on from an earlier poll, backoff and throttling, and their defaults
when a :class:`Wait` is driven step by step; a clock that does not start at zero changes nothing."""

from __future__ import annotations

import dataclasses
import random
import statistics

import pytest

from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.waiter import (
    PollSchedule,
    TransientError,
    Wait,
    WaitOutcome,
    wait_for,
)
from ansible_collections.edgeops.cloudfront.tests.support.fake_clock import FakeClock
from ansible_collections.edgeops.cloudfront.tests.unit.plugins.module_utils._cloudfront.fakes import (
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


def never_done(clock: FakeClock, times: list[float], takes: float = 0.0):
    """A poll that is never done, records when it was made (from the clock's start) and takes ``takes`` s."""
    start = clock.now

    def poll() -> bool:
        times.append(clock.now - start)
        clock.now += takes
        return False

    return poll


# --- a wait: the first poll, completion, the deadline ---------------------------------------------


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


def test_state_is_the_last_seen():
    clock = FakeClock()
    states = iter(["InProgress", "InProgress", "Completed"])
    outcome = wait_for(lambda: next(states), lambda s: s == "Completed", 60, clock=clock, rand=no_jitter)
    assert outcome.state == "Completed" and outcome.polls == 3


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


@pytest.mark.parametrize("takes", [30.0, 35.0])
def test_a_poll_that_outlasts_the_deadline_ends_the_wait(takes):
    clock, times = FakeClock(), []
    outcome = wait_for(never_done(clock, times, takes), bool, 30, clock=clock, rand=no_jitter)
    assert times == [0.0] and not outcome.done and outcome.elapsed == takes


def test_a_poll_due_in_under_a_second_is_waited_for():
    clock, times = FakeClock(), []
    wait_for(never_done(clock, times), bool, 60, clock=clock, rand=no_jitter, waited_before=100, since_last_poll=19.5)
    assert times[0] == 0.5


def test_other_errors_end_the_wait_at_once():
    clock = FakeClock()

    def poll() -> bool:
        raise KeyError("boom")

    with pytest.raises(KeyError):
        wait_for(poll, bool, 100, clock=clock)
    assert clock.sleeps == []


@pytest.mark.parametrize(
    "kwargs",
    [
        {"timeout": 60},  # done at 12 s
        {"timeout": 10},  # times out
        {"timeout": 60, "pace": 5.0},  # a paced wait
        {"timeout": 60, "waited_before": 100, "since_last_poll": 4},  # a continued wait
    ],
)
def test_a_clock_that_does_not_start_at_zero_changes_nothing(kwargs):
    def run(start: float) -> list:
        clock = FakeClock(start)
        times: list[float] = []

        def poll() -> bool:
            times.append(clock.now - start)
            return clock.now - start >= 12

        outcome = wait_for(poll, bool, clock=clock, rand=no_jitter, **kwargs)
        return [*times, outcome.done, outcome.elapsed, outcome.pace, outcome.polls]

    outcomes = [run(0.0), run(1000.0)]
    assert outcomes[1] == pytest.approx(outcomes[0])


def test_an_outcome_that_does_not_say_its_pace_has_none():
    outcome: WaitOutcome[bool] = WaitOutcome(False, None, 0.0, 0, 0, None)
    assert (outcome.pace, outcome.throttled) == (0.0, 0)


def test_a_wait_driven_step_by_step_starts_new_at_no_pace():
    wait = Wait(100.0, rand=no_jitter)
    assert wait.first_poll() == 0.0 and wait.pace == 0.0
    assert wait.polled(0.0) == 1.5
    assert wait.polled(10.0) == 12.0  # the interval at 10 s of waiting: a fifth of it


# --- the schedule: intervals, jitter, the longest delay -------------------------------------------


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


def test_jitter_only_shortens_delays_by_up_to_ten_percent():
    schedule = PollSchedule()
    assert schedule.next_delay(100, 0, 0.0) == pytest.approx(20.0)
    assert schedule.next_delay(100, 0, 0.5) == pytest.approx(19.0)
    assert schedule.next_delay(100, 0, 0.999999) == pytest.approx(18.0, abs=1e-4)
    low = run(at=60, rand=lambda: 0.0)[1]
    high = run(at=60, rand=lambda: 0.99)[1]
    assert low.times != high.times


def test_jitter_is_on_by_default():
    """Waits started together must not poll in lock-step: without a rand, the delays are random."""
    firsts = {Wait(600.0, waited_before=100.0, since_last_poll=0.0).first_poll() for _n in range(50)}
    assert len(firsts) > 1 and all(18.0 <= first <= 20.0 for first in firsts)
    clock = FakeClock()
    wait_for(Flip(clock, 10_000), bool, 120, clock=clock)
    assert len({round(sleep, 6) for sleep in clock.sleeps[:5]}) > 1, clock.sleeps


def test_a_poll_schedule_is_a_value():
    with pytest.raises(dataclasses.FrozenInstanceError):
        PollSchedule().max_delay = 1.0  # type: ignore[misc]


def test_the_longest_delay_is_ten_minutes_by_default():
    assert PollSchedule().next_delay(5000, 0, 0.0, pace=1000.0) == 600.0


def test_without_a_pace_or_a_streak_the_schedule_alone_decides():
    """The defaults of next_delay and wait_for: no pace (a schedule's own interval, even under a
    second), no time throttled (the window's cap is the schedule's)."""
    fast = PollSchedule(min_interval=0.1, growth=0.0, jitter=0.0)
    assert fast.next_delay(0, 0, 0.0) == pytest.approx(0.1)
    capped = PollSchedule(throttle_window=1.0, throttle_cap=0.1)
    assert capped.next_delay(0, 0, 0.0, throttles=1) == pytest.approx(0.1)
    clock, times = FakeClock(), []
    wait_for(never_done(clock, times), bool, 0.35, schedule=fast, clock=clock, rand=no_jitter)
    assert times == pytest.approx([0.0, 0.1, 0.2, 0.3, 0.35])


# --- a wait that goes on from an earlier poll (the gate's lookup) ---------------------------------


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


@pytest.mark.parametrize("waited_before, first", [(-5.0, 1.5), (0.0, 1.5), (0.5, 1.5), (100.0, 20.0)])
def test_a_continued_wait_polls_an_interval_after_the_lookup(waited_before, first):
    assert Wait(600.0, rand=no_jitter, waited_before=waited_before).first_poll() == 0.0
    assert Wait(600.0, rand=no_jitter, waited_before=waited_before, since_last_poll=0.0).first_poll() == first


@pytest.mark.parametrize("since_last_poll, first", [(5.0, 15.0), (20.0, 0.0), (50.0, 0.0)])
def test_a_continued_wait_polls_an_interval_after_the_last_poll(since_last_poll, first):
    wait = Wait(600.0, rand=no_jitter, waited_before=100.0, since_last_poll=since_last_poll)
    assert wait.first_poll() == first


def test_a_continued_wait_begins_at_the_pace_it_is_given():
    """A wait that begins after throttling polls first at the slower pace: neither at once nor at
    the pace of a wait that was never throttled."""
    assert Wait(600.0, rand=no_jitter, waited_before=100.0, since_last_poll=0.0).first_poll() == pytest.approx(20.0)
    slowed = Wait(600.0, rand=no_jitter, waited_before=100.0, pace=30.0, since_last_poll=0.0)
    assert slowed.first_poll() == pytest.approx(30.0)
    slowed = Wait(600.0, rand=no_jitter, waited_before=100.0, pace=30.0, since_last_poll=10.0)
    assert slowed.first_poll() == pytest.approx(20.0)


# --- passing failures: backoff --------------------------------------------------------------------


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


def test_a_failure_after_an_answer_backs_off_from_the_first_one():
    wait = Wait(600.0, rand=no_jitter)
    assert wait.polled(0.0) == 1.5
    assert wait.polled(1.5, TransientError()) == 4.5  # 1.5 s doubled: the first failure in a row


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


# --- throttling: the streak's windows and the pace ------------------------------------------------


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


def test_a_long_streak_waits_as_long_as_it_has_lasted():
    """From the seventh throttled answer in a row the window (32 s) is capped at max(20 s, the time
    since the first throttled answer): 31.5 s here, the streak having begun 1.5 s into the wait."""
    wait = Wait(600.0, rand=no_jitter)
    at = wait.polled(0.0)
    assert at == 1.5
    windows = []
    for _n in range(7):
        later = wait.polled(at, Throttled())
        windows.append(later - at)
        at = later
    assert windows == pytest.approx([0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 31.5])


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


def test_a_throttled_answer_without_elapsed_is_paced_as_at_the_start():
    schedule = PollSchedule(min_interval=0.1, growth=1.0)
    assert schedule.paced(0.0, True) == schedule.paced(0.0, True, 0.0) == pytest.approx(0.2)


def test_the_pace_is_capped_at_its_longest():
    assert PollSchedule().paced(10_000.0, True, 35.0) == 30.0
    assert PollSchedule().paced(10_000.0, False, took=35.0) == 30.0
    assert PollSchedule().paced(10_000.0, False) == 9_000.0  # an answer without a streak only shortens it
    assert PollSchedule(max_pace=100.0).paced(10.0, False, took=35.0) == 70.0


def test_throttling_is_paced_at_the_time_waited_before():
    wait = Wait(600.0, rand=no_jitter, waited_before=10.0, since_last_poll=0.0)
    assert wait.first_poll() == 2.0
    assert wait.polled(2.0, Throttled()) == 2.5
    # at 12 s of waiting the interval is 2.4 s: the pace is twice that
    assert wait.pace == pytest.approx(4.8)
    # the streak ends 0.5 s after it began: the pace stays (it is longer than twice 0.5 s)
    assert wait.polled(2.5) == pytest.approx(2.5 + 4.8)
    assert wait.pace == pytest.approx(4.8)


def test_a_streak_that_begins_at_a_clock_of_zero_is_timed_from_there():
    wait = Wait(600.0, rand=no_jitter)
    assert wait.polled(0.0, Throttled()) == 0.5
    assert wait.polled(0.5, Throttled()) == 1.5
    wait.polled(1.5)
    assert wait.pace == 3.0  # twice the 1.5 s from the first throttled answer at 0 s


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


def test_the_pace_after_a_streak_that_ended_the_wait_is_timed_on_the_waits_clock():
    clock = FakeClock(1000.0)
    answers = iter([Throttled(), Throttled(), True])

    def poll() -> bool:
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    outcome = wait_for(poll, bool, 60, clock=clock, rand=no_jitter)
    # throttled at 0 (the pace: twice the first interval, 3 s) and 0.5 s; answered at 1.5 s
    assert outcome.done and outcome.pace == pytest.approx(3.0) and outcome.elapsed == pytest.approx(1.5)

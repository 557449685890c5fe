# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The waiting core at its edges: a clock that does not start at zero, a poll that outlasts the
deadline, the defaults of a :class:`Wait` driven step by step (written against the mutants that
`make mutate` found alive, docs/testing.md). Fake clocks only."""

from __future__ import annotations

import dataclasses

import pytest

from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.waiter import (
    PollSchedule,
    TransientError,
    Wait,
    WaitOutcome,
    wait_for,
)
from ansible_collections.edgeops.cloudfront.tests.unit.plugins.module_utils._cloudfront.fakes import (
    FakeClock,
    Throttled,
    no_jitter,
)


def never_done(clock: FakeClock, times: list[float], takes: float = 0.0):
    """A poll that is never done, records when it was made (from the clock's start) and takes ``takes`` s."""
    start = clock.now

    def poll() -> bool:
        times.append(clock.now - start)
        clock.now += takes
        return False

    return poll


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


def test_a_poll_schedule_is_a_value():
    with pytest.raises(dataclasses.FrozenInstanceError):
        PollSchedule().max_delay = 1.0  # type: ignore[misc]


def test_the_longest_delay_is_ten_minutes_by_default():
    assert PollSchedule().next_delay(5000, 0, 0.0, pace=1000.0) == 600.0


def test_a_throttled_answer_without_elapsed_is_paced_as_at_the_start():
    schedule = PollSchedule(min_interval=0.1, growth=1.0)
    assert schedule.paced(0.0, True) == schedule.paced(0.0, True, 0.0) == pytest.approx(0.2)


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


def test_the_pace_is_capped_at_its_longest():
    assert PollSchedule().paced(10_000.0, True, 35.0) == 30.0
    assert PollSchedule().paced(10_000.0, False, took=35.0) == 30.0
    assert PollSchedule().paced(10_000.0, False) == 9_000.0  # an answer without a streak only shortens it
    assert PollSchedule(max_pace=100.0).paced(10.0, False, took=35.0) == 70.0


def test_a_wait_driven_step_by_step_starts_new_at_no_pace():
    wait = Wait(100.0, rand=no_jitter)
    assert wait.first_poll() == 0.0 and wait.pace == 0.0
    assert wait.polled(0.0) == 1.5
    assert wait.polled(10.0) == 12.0  # the interval at 10 s of waiting: a fifth of it


@pytest.mark.parametrize("waited_before, first", [(-5.0, 1.5), (0.0, 1.5), (0.5, 1.5), (100.0, 20.0)])
def test_a_continued_wait_polls_an_interval_after_the_lookup(waited_before, first):
    assert Wait(600.0, rand=no_jitter, waited_before=waited_before).first_poll() == 0.0
    assert Wait(600.0, rand=no_jitter, waited_before=waited_before, since_last_poll=0.0).first_poll() == first


@pytest.mark.parametrize("since_last_poll, first", [(5.0, 15.0), (20.0, 0.0), (50.0, 0.0)])
def test_a_continued_wait_polls_an_interval_after_the_last_poll(since_last_poll, first):
    wait = Wait(600.0, rand=no_jitter, waited_before=100.0, since_last_poll=since_last_poll)
    assert wait.first_poll() == first


def test_a_failure_after_an_answer_backs_off_from_the_first_one():
    wait = Wait(600.0, rand=no_jitter)
    assert wait.polled(0.0) == 1.5
    assert wait.polled(1.5, TransientError()) == 4.5  # 1.5 s doubled: the first failure in a row


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


@pytest.mark.parametrize("takes", [30.0, 35.0])
def test_a_poll_that_outlasts_the_deadline_ends_the_wait(takes):
    clock, times = FakeClock(), []
    outcome = wait_for(never_done(clock, times, takes), bool, 30, clock=clock, rand=no_jitter)
    assert times == [0.0] and not outcome.done and outcome.elapsed == takes


def test_a_poll_due_in_under_a_second_is_waited_for():
    clock, times = FakeClock(), []
    wait_for(never_done(clock, times), bool, 60, clock=clock, rand=no_jitter, waited_before=100, since_last_poll=19.5)
    assert times[0] == 0.5


def test_an_outcome_that_does_not_say_its_pace_has_none():
    outcome: WaitOutcome[bool] = WaitOutcome(False, None, 0.0, 0, 0, None)
    assert (outcome.pace, outcome.throttled) == (0.0, 0)

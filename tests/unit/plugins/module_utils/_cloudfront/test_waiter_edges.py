# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The waiting core at its edges: a clock that does not start at zero, a slice as long as the
wait, a poll that outlasts the deadline, the defaults of a :class:`Wait` driven step by step
(written against the mutants that `make mutate` found alive, docs/testing.md). Fake clocks only."""

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
        {"timeout": 60, "slice_seconds": 5},  # a slice ends
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
        return [*times, outcome.done, outcome.elapsed, outcome.last_poll, outcome.sliced, outcome.polls]

    outcomes = [run(0.0), run(1000.0)]
    assert outcomes[1] == pytest.approx(outcomes[0])


def test_a_poll_schedule_is_a_value():
    with pytest.raises(dataclasses.FrozenInstanceError):
        PollSchedule().max_delay = 1.0  # type: ignore[misc]


def test_the_longest_delay_is_ten_minutes_by_default():
    assert PollSchedule().next_delay(5000, 0, 0.0, pace=1000.0) == 600.0


def test_a_throttled_answer_without_elapsed_is_paced_as_at_the_start():
    schedule = PollSchedule(min_interval=0.1, growth=1.0)
    assert schedule.paced(1.0, True) == schedule.paced(1.0, True, 0.0)


def test_the_pace_is_capped_where_the_delay_would_pass_its_longest():
    # at 35 s the interval is 7 s: a pace over 600 / 7 could not make the delay any longer
    assert PollSchedule().paced(10_000.0, True, 35.0) == pytest.approx(600.0 / 7)


def test_a_wait_driven_step_by_step_starts_new_at_pace_one():
    wait = Wait(100.0, rand=no_jitter)
    assert wait.first_poll() == 0.0
    assert wait.polled(0.0) == 1.5
    assert wait.polled(10.0) == 12.0  # the interval at 10 s of waiting: a fifth of it
    assert Wait(60.0, pace=0.5).pace == 1.0  # a pace is never faster than the schedule


@pytest.mark.parametrize("waited_before, first", [(-5.0, 0.0), (0.0, 0.0), (0.5, 1.5), (100.0, 20.0)])
def test_only_a_new_wait_polls_at_once(waited_before, first):
    assert Wait(600.0, rand=no_jitter, waited_before=waited_before).first_poll() == first


@pytest.mark.parametrize("since_last_poll, first", [(5.0, 15.0), (20.0, 0.0), (50.0, 0.0)])
def test_a_continued_wait_polls_an_interval_after_the_last_poll(since_last_poll, first):
    wait = Wait(600.0, rand=no_jitter, waited_before=100.0, since_last_poll=since_last_poll)
    assert wait.first_poll() == first


def test_a_failure_after_an_answer_backs_off_from_the_first_one():
    wait = Wait(600.0, rand=no_jitter)
    assert wait.polled(0.0) == 1.5
    assert wait.polled(1.5, TransientError()) == 4.5  # 1.5 s doubled: the first failure in a row


def test_throttling_is_paced_at_the_time_waited_in_all_runs():
    wait = Wait(600.0, rand=no_jitter, waited_before=10.0)
    assert wait.first_poll() == 2.0
    wait.polled(2.0, Throttled())
    # at 12 s of waiting (the interval 2.4 s), a throttled wait is as slow as a long wait's half interval
    assert wait.pace == pytest.approx(0.5 * 20.0 / 2.4)


def test_a_poll_due_exactly_at_the_end_of_the_slice_is_made():
    clock, times = FakeClock(), []
    outcome = wait_for(never_done(clock, times), bool, 60, clock=clock, rand=no_jitter, slice_seconds=3.0)
    assert times == [0.0, 1.5, 3.0] and outcome.sliced


@pytest.mark.parametrize("slice_seconds", [30.0, 30.5])
def test_a_slice_as_long_as_the_wait_polls_at_the_deadline_and_times_out(slice_seconds):
    clock, times = FakeClock(), []
    outcome = wait_for(never_done(clock, times), bool, 30, clock=clock, rand=no_jitter, slice_seconds=slice_seconds)
    assert times[-1] == 30.0 and not outcome.sliced and not outcome.done


@pytest.mark.parametrize("takes", [30.0, 35.0])
def test_a_slice_whose_poll_outlasts_the_deadline_times_out(takes):
    clock, times = FakeClock(), []
    outcome = wait_for(never_done(clock, times, takes), bool, 30, clock=clock, rand=no_jitter, slice_seconds=20)
    assert times == [0.0] and not outcome.sliced and outcome.elapsed == takes


def test_a_poll_due_in_under_a_second_is_waited_for():
    clock, times = FakeClock(), []
    wait_for(never_done(clock, times), bool, 60, clock=clock, rand=no_jitter, waited_before=100, since_last_poll=19.5)
    assert times[0] == 0.5


def test_an_outcome_that_does_not_say_its_pace_has_the_schedules_own():
    outcome: WaitOutcome[bool] = WaitOutcome(False, None, 0.0, 0, 0, None)
    assert (outcome.pace, outcome.sliced, outcome.throttled, outcome.last_poll) == (1.0, False, 0, None)

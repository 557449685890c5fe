# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The gate at its edges: exactly when a progress line is due, a round that ends at the deadline
or says it timed out before it, the elapsed time as reported (written against the mutants that
`make mutate` found alive, docs/testing.md). A fake clock that does not start at zero."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.gate import (
    GateSettings,
    GateState,
    Progress,
    Resume,
    SliceResult,
    Target,
    gate_settings,
    run_gate,
)
from ansible_collections.edgeops.cloudfront.tests.unit.plugins.module_utils._cloudfront.fakes import FakeClock


def inv(invalidation_id: str, done: bool = False) -> dict[str, Any]:
    status = "Completed" if done else "InProgress"
    return {"distribution_id": "E1", "id": invalidation_id, "status": status, "completed": done}


def state_of(total: int, done: int) -> GateState:
    state = GateState()
    ids = tuple(f"I{k}" for k in range(total))
    state.add(Target("E1", ids=ids), [inv(i, k < done) for k, i in enumerate(ids)])  # type: ignore[misc]
    return state


def test_the_shortest_module_run_is_20_seconds():
    assert GateSettings([], 600, progress_interval=5).slice_seconds == 20
    assert GateSettings([], 600, progress_interval=21).slice_seconds == 21


def test_a_target_is_a_value():
    target = Target("E1", ids=("I1",))
    assert hash(target) == hash(Target("E1", ids=("I1",)))
    with pytest.raises(dataclasses.FrozenInstanceError):
        target.alias = "www.example.com"  # type: ignore[misc]


def test_a_gate_fails_on_timeout_unless_told_otherwise():
    assert gate_settings({"distribution_id": "E1", "timeout": 60, "progress_interval": 5}).fail_on_timeout is True
    assert GateSettings([], 600, progress_interval=5).fail_on_timeout is True


def test_a_line_as_soon_as_more_are_completed_and_not_for_the_same_count():
    clock, lines = FakeClock(7.0), []
    progress = Progress(100, clock, lines.append)
    progress.begin(state_of(4, 0), "waiting")
    for at, done in [(10, 1), (20, 1), (30, 2), (40, 2), (50, 3)]:
        clock.now = 7.0 + at
        progress.update(state_of(4, done))
    assert lines == [
        "waiting",
        "1 of 4 CloudFront invalidation(s) completed after 10.0s; still in progress: distribution E1: I1, I2, I3",
        "2 of 4 CloudFront invalidation(s) completed after 30.0s; still in progress: distribution E1: I2, I3",
        "3 of 4 CloudFront invalidation(s) completed after 50.0s; still in progress: distribution E1: I3",
    ]
    assert progress.elapsed() == 50.0


def test_no_line_for_a_round_that_completed_nothing_before_half_an_interval():
    clock, lines = FakeClock(7.0), []
    progress = Progress(10, clock, lines.append)
    progress.begin(state_of(2, 0), "waiting")
    clock.now += 4.0
    progress.update(state_of(2, 0))
    assert lines == ["waiting"]
    clock.now += 5.0  # 9 s since the last line: past half an interval
    progress.update(state_of(2, 0))
    assert lines[1:] == [
        "0 of 2 CloudFront invalidation(s) completed after 9.0s; still in progress: distribution E1: I0, I1"
    ]


def test_the_ticker_says_a_line_once_an_interval_has_passed_and_says_when_the_next_is_due():
    clock, lines = FakeClock(7.0), []
    progress = Progress(10, clock, lines.append)
    progress.begin(state_of(1, 0), "waiting")
    clock.now += 5.0
    assert progress.seconds_until_due() == 5.0
    progress.tick()
    assert lines == ["waiting"]
    clock.now += 12.0  # 17 s since the last line
    assert progress.seconds_until_due() == 0.0
    progress.tick()
    assert lines[1:] == [
        "0 of 1 CloudFront invalidation(s) completed after 17.0s; still in progress: distribution E1: I0"
    ]


class ScriptedRunner:
    """Rounds that each take ``takes`` seconds (None: up to the deadline) and answer ``answers``."""

    def __init__(self, clock: FakeClock, answers: list[SliceResult], takes: list[float | None]) -> None:
        self.clock, self.answers, self.takes = clock, answers, takes
        self.rounds: list[float] = []
        self.resolved: list[float] = []

    def resolve(self, target: Target, timeout: float) -> list[dict[str, Any]]:
        self.resolved.append(timeout)
        return [inv("I1")]

    def wait(self, pending: list[dict[str, Any]], timeout: float, slice_seconds: int, where: Resume) -> SliceResult:
        assert timeout > 0, "a round with no time left"
        self.rounds.append(timeout)
        takes = self.takes[len(self.rounds) - 1]
        self.clock.now += timeout if takes is None else takes
        return self.answers[len(self.rounds) - 1]


def run(answers: list[SliceResult], takes: list[float | None], timeout: int = 60, interval: int = 100):
    clock, lines = FakeClock(7.0), []
    runner = ScriptedRunner(clock, answers, takes)
    progress = Progress(interval, clock, lines.append)
    settings = gate_settings({"distribution_id": "E1", "timeout": timeout, "progress_interval": interval})
    return run_gate(settings, runner, progress), runner, lines  # type: ignore[arg-type]


def test_a_round_that_ends_at_the_deadline_ends_the_gate_without_another():
    outcome, runner, _lines = run([SliceResult([inv("I1")])], [None])
    assert runner.resolved == [60] and runner.rounds == [60] and outcome.timed_out and outcome.failed


def test_a_round_that_ends_just_before_the_deadline_is_followed_by_one_more():
    outcome, runner, _lines = run([SliceResult([inv("I1")]), SliceResult([inv("I1", True)])], [59.5, None])
    assert runner.rounds == [60, 0.5] and outcome.completed


def test_a_round_that_timed_out_ends_the_gate_and_says_a_line():
    outcome, runner, lines = run([SliceResult([inv("I1")], timed_out=True)], [1.0])
    assert runner.rounds == [60] and outcome.timed_out and not outcome.completed
    assert lines[-1] == "0 of 1 CloudFront invalidation(s) completed after 1.0s; still in progress: distribution E1: I1"


def test_the_elapsed_time_is_reported_to_a_tenth_of_a_second():
    outcome, _runner, _lines = run([SliceResult([inv("I1", True)])], [12.34])
    assert outcome.elapsed == 12.3 and outcome.msg == "1 of 1 CloudFront invalidation(s) completed after 12.3s"


def test_a_round_that_says_nothing_of_its_schedule_leaves_it_where_it_was():
    seen = SliceResult([inv("I1")])
    assert (seen.timed_out, seen.pace, seen.last_poll) == (False, 1.0, None)  # the schedule's own pace: 1


def test_a_round_with_as_many_completed_or_fewer_is_no_news_however_many_invalidations():
    # counts over 256 are new int objects each time: "more completed" must compare values
    clock, lines = FakeClock(7.0), []
    progress = Progress(100, clock, lines.append)
    progress.begin(state_of(300, 0), "waiting")
    for at, done in [(10, 260), (20, 260), (30, 259)]:
        clock.now = 7.0 + at
        progress.update(state_of(300, done))
    assert len(lines) == 2 and lines[1].startswith("260 of 300 CloudFront invalidation(s) completed after 10.0s")

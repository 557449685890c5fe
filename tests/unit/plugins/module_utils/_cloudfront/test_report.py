# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Selecting invalidations of several distributions, and polling them one distribution at a time."""

from __future__ import annotations

from typing import Any

from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.report import (
    InvalidationTracker,
    TargetsTracker,
    report,
    selections_of,
)
from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.results import Owner
from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.waiter import Clock
from ansible_collections.edgeops.cloudfront.tests.unit.plugins.module_utils._cloudfront.fakes import FakeClock


class FakeApi:
    """Distributions whose invalidations are Completed once ``done`` says so; records calls by distribution."""

    def __init__(self, ids: dict[str, list[str]]) -> None:
        self.ids = ids
        self.done: set[str] = set()
        self.calls: list[str] = []
        self.retry = True
        self.clock = Clock()
        self.deadline: float | None = None

    def _summary(self, invalidation_id: str) -> dict[str, Any]:
        status = "Completed" if invalidation_id in self.done else "InProgress"
        return {"Id": invalidation_id, "Status": status, "CreateTime": None}

    def summaries(self, owner: Owner, invalidation_ids: list[str]) -> dict[str, dict[str, Any]]:
        self.calls.append(owner.id)
        return {i: self._summary(i) for i in invalidation_ids}

    def statuses(self, owner: Owner, invalidation_ids: list[str]) -> dict[str, str | None]:
        return {i: s["Status"] for i, s in self.summaries(owner, invalidation_ids).items()}


def tracker(api: FakeApi) -> TargetsTracker:
    targets = [{"distribution_id": d, "invalidation_ids": ids} for d, ids in api.ids.items()]
    return TargetsTracker([InvalidationTracker(api, s) for s in selections_of(targets)])  # type: ignore[arg-type]


def test_selections_of_groups_targets_by_distribution_in_the_order_first_named():
    targets = [
        {"distribution_id": "E1", "invalidation_id": "I1", "invalidation_ids": None},
        {"distribution_id": "E2", "invalidation_id": None, "invalidation_ids": ["I3", "I4"]},
        {"distribution_id": "E1", "invalidation_id": "I2", "invalidation_ids": None},
    ]
    selections = selections_of(targets)
    assert [(s.owner, s.invalidation_ids) for s in selections] == [
        (Owner("E1"), ["I1", "I2"]),
        (Owner("E2"), ["I3", "I4"]),
    ]


def test_first_poll_reads_every_distribution_then_one_distribution_per_poll():
    api = FakeApi({"E1": ["I1", "I2"], "E2": ["I3"], "E3": ["I4"]})
    targets = tracker(api)
    first = targets.poll()
    assert api.calls == ["E1", "E2", "E3"]
    assert [i["id"] for i in first] == ["I1", "I2", "I3", "I4"]
    api.calls.clear()
    targets.poll()
    targets.poll()
    assert api.calls == ["E1", "E1"]  # the others are not polled while E1 is still in progress


def test_when_a_distribution_is_done_the_next_ones_are_polled_in_the_same_poll():
    api = FakeApi({"E1": ["I1"], "E2": ["I2"], "E3": ["I3"]})
    targets = tracker(api)
    targets.poll()
    api.calls.clear()
    api.done |= {"I1", "I2"}
    state = targets.poll()
    assert api.calls == ["E1", "E2", "E3"]  # E1 and E2 done: on to E3, still in progress
    assert [i["completed"] for i in state] == [True, True, False]
    api.calls.clear()
    api.done.add("I3")
    state = targets.poll()
    assert api.calls == ["E3"] and all(i["completed"] for i in state)


def test_a_distribution_is_reported_completed_only_from_a_poll_of_its_own():
    api = FakeApi({"E1": ["I1"], "E2": ["I2"]})
    targets = tracker(api)
    targets.poll()
    api.done.add("I2")  # E2 completes while the tracker watches E1
    state = targets.poll()
    assert [i["completed"] for i in state] == [False, False]


def test_report_over_targets_waits_and_returns_one_flat_list():
    api = FakeApi({"E1": ["I1"], "E2": ["I2", "I3"]})
    api.done |= {"I1", "I2", "I3"}
    targets = [
        {"distribution_id": "E1", "invalidation_id": "I1", "invalidation_ids": None},
        {"distribution_id": "E2", "invalidation_id": None, "invalidation_ids": ["I2", "I3"]},
    ]
    result = report(api, selections_of(targets), wait=True, wait_timeout=60)  # type: ignore[arg-type]
    assert result.failure is None
    assert result.facts["completed"] is True and result.facts["timed_out"] is False
    assert [(i["distribution_id"], i["id"]) for i in result.facts["invalidations"]] == [
        ("E1", "I1"),
        ("E2", "I2"),
        ("E2", "I3"),
    ]
    assert "distribution_id" not in result.facts


class SteppingClock:
    """A fake clock whose sleeps complete one more invalidation of ``api`` at given times."""

    def __init__(self, api: FakeApi, done_at: dict[str, float]) -> None:
        self.now = 0.0
        self.api = api
        self.done_at = done_at

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds
        self.api.done |= {i for i, at in self.done_at.items() if self.now >= at}


def sliced_report(done_at: dict[str, float], slice_seconds: float, initially_done: set[str] = frozenset()):
    api = FakeApi({"E1": ["I1", "I2"]})
    api.done |= set(initially_done)
    clock = SteppingClock(api, done_at)
    targets = [{"distribution_id": "E1", "invalidation_id": None, "invalidation_ids": ["I1", "I2"]}]
    result = report(api, selections_of(targets), wait=True, wait_timeout=600, clock=clock, wait_slice=slice_seconds)  # type: ignore[arg-type]
    return result, clock


def test_a_slice_returns_as_soon_as_a_poll_sees_more_completed_than_its_first_poll():
    result, clock = sliced_report({"I1": 5, "I2": 100}, slice_seconds=50)
    assert result.failure is None
    assert result.facts["completed"] is False and result.facts["timed_out"] is False
    assert [i["completed"] for i in result.facts["invalidations"]] == [True, False]
    assert 5 <= clock.now < 8  # the poll after the first completion, not the end of the 50 s slice


def test_a_slice_does_not_return_for_what_its_first_poll_already_saw():
    result, clock = sliced_report({"I2": 100}, slice_seconds=50, initially_done={"I1"})
    assert result.facts["completed"] is False and result.facts["timed_out"] is False
    assert clock.now > 40  # to the end of its slice


def test_without_a_slice_the_wait_goes_on_to_the_last_completion():
    api = FakeApi({"E1": ["I1", "I2"]})
    clock = SteppingClock(api, {"I1": 5, "I2": 30})
    targets = [{"distribution_id": "E1", "invalidation_id": None, "invalidation_ids": ["I1", "I2"]}]
    result = report(api, selections_of(targets), wait=True, wait_timeout=600, clock=clock)  # type: ignore[arg-type]
    assert result.facts["completed"] is True and clock.now >= 30


def test_targets_given_with_their_status_are_not_read_again():
    """An earlier run's invalidations, given as they are: the wait goes on from that state, and its
    first poll reads only the first distribution with invalidations in progress."""
    api = FakeApi({"E1": ["I1"], "E2": ["I2"], "E3": ["I3"]})
    targets = [
        {"distribution_id": "E1", "invalidation_id": "I1", "invalidation_ids": None, "status": "Completed"},
        {"distribution_id": "E2", "invalidation_id": "I2", "invalidation_ids": None, "status": "InProgress"},
        {"distribution_id": "E3", "invalidation_id": "I3", "invalidation_ids": None, "status": "InProgress"},
    ]
    selections = selections_of(targets)
    assert [s.known_status for s in selections] == [{"I1": "Completed"}, {"I2": "InProgress"}, {"I3": "InProgress"}]
    tracker = TargetsTracker([InvalidationTracker(api, s, s.known(), read=False) for s in selections])  # type: ignore[arg-type]
    state = tracker.poll()
    assert api.calls == ["E2"]  # not E1 (completed), nor E3 (after E2)
    assert [i["completed"] for i in state] == [True, False, False]


def test_a_slice_given_the_state_returns_at_the_first_completion_it_sees():
    api = FakeApi({"E1": ["I1", "I2"]})
    api.done.add("I1")  # completed since the caller last looked
    clock = SteppingClock(api, {})
    targets = [
        {"distribution_id": "E1", "invalidation_id": None, "invalidation_ids": ["I1", "I2"], "status": "InProgress"}
    ]
    result = report(api, selections_of(targets), wait=True, wait_timeout=600, clock=clock, wait_slice=50)  # type: ignore[arg-type]
    assert [i["completed"] for i in result.facts["invalidations"]] == [True, False]
    assert api.calls == ["E1"] and clock.now == 0  # the first poll, at once: nothing was said of the schedule


def test_a_round_begins_at_the_pace_it_is_given():
    """report hands the pace of the rounds before to the wait: after throttling, a round's first poll
    comes at the slower pace (30 s at 100 s of waiting, at pace 4), not 20 s later."""
    api = FakeApi({"E1": ["I1"]})
    clock = FakeClock()
    api.clock = clock
    selections = selections_of([{"distribution_id": "E1", "invalidation_ids": ["I1"]}])
    for pace, first in ((1.0, 20.0), (4.0, 30.0)):
        clock.sleeps.clear()
        report(api, selections, wait=True, wait_timeout=600, clock=clock, waited_before=100.0, wait_slice=60, pace=pace)  # type: ignore[arg-type]
        assert 0.9 * first <= clock.sleeps[0] <= first, (pace, clock.sleeps)

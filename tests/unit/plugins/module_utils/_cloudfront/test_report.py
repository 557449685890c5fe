# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the info module reports: selecting invalidations (of one distribution or tenant, or of
several: targets), polling them one distribution at a time, the facts, and the messages of a wait
that did not end in completion. A fake API and a fake clock: no network, no real sleeps."""

from __future__ import annotations

from typing import Any

import pytest

from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.errors import (
    CloudFrontError,
    TransientCloudFrontError,
)
from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.report import (
    InvalidationTracker,
    Selection,
    TargetsTracker,
    report,
    selections_of,
)
from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.results import Owner
from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.waiter import Clock
from ansible_collections.edgeops.cloudfront.tests.support.fake_clock import FakeClock


class FakeApi:
    """Distributions whose invalidations are Completed once ``done`` says so; records calls by distribution."""

    def __init__(self, ids: dict[str, list[str]]) -> None:
        self.ids = ids
        self.owners: dict[str, Owner] = {}
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

    def find_owner(self, alias: str) -> Owner:
        return self.owners[alias]


def tracker(api: FakeApi) -> TargetsTracker:
    targets = [{"distribution_id": d, "invalidation_ids": ids} for d, ids in api.ids.items()]
    return TargetsTracker([InvalidationTracker(api, s) for s in selections_of(api, targets)])  # type: ignore[arg-type]


def test_selections_of_groups_targets_by_distribution_in_the_order_first_named():
    targets = [
        {"distribution_id": "E1", "invalidation_id": "I1", "invalidation_ids": None},
        {"distribution_id": "E2", "invalidation_id": None, "invalidation_ids": ["I3", "I4"]},
        {"distribution_id": "E1", "id": "I2"},  # an earlier run's item, as it is
    ]
    selections = selections_of(FakeApi({}), targets)  # type: ignore[arg-type]
    assert [(s.owner, s.invalidation_ids, s.in_progress_only) for s in selections] == [
        (Owner("E1"), ["I1", "I2"], False),
        (Owner("E2"), ["I3", "I4"], False),
    ]


def test_a_target_by_alias_is_found_and_a_target_without_ids_selects_what_is_in_progress():
    api = FakeApi({})
    api.owners = {"www.example.com": Owner("dt_x1", tenant=True)}
    selections = selections_of(api, [{"alias": "www.example.com"}, {"distribution_id": "E1", "ids": ["I1"]}])  # type: ignore[arg-type]
    assert [(s.owner, s.invalidation_ids, s.in_progress_only) for s in selections] == [
        (Owner("dt_x1", tenant=True), None, True),
        (Owner("E1"), ["I1"], False),
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
    result = report(api, selections_of(api, targets), wait=True, wait_timeout=60)  # type: ignore[arg-type]
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


def test_the_wait_goes_on_to_the_last_completion():
    api = FakeApi({"E1": ["I1", "I2"]})
    clock = SteppingClock(api, {"I1": 5, "I2": 30})
    targets = [{"distribution_id": "E1", "invalidation_id": None, "invalidation_ids": ["I1", "I2"]}]
    result = report(api, selections_of(api, targets), wait=True, wait_timeout=600, clock=clock)  # type: ignore[arg-type]
    assert result.facts["completed"] is True and clock.now >= 30


def test_a_selection_given_its_state_is_not_read_again():
    """What the gate's polls start from (watch.py): the state its lookup saw; the first poll reads
    only the first distribution with invalidations in progress."""
    api = FakeApi({"E1": ["I1"], "E2": ["I2"], "E3": ["I3"]})
    selections = [
        Selection(owner=Owner("E1"), invalidation_ids=["I1"], known_status={"I1": "Completed"}),
        Selection(owner=Owner("E2"), invalidation_ids=["I2"], known_status={"I2": "InProgress"}),
        Selection(owner=Owner("E3"), invalidation_ids=["I3"], known_status={"I3": "InProgress"}),
    ]
    tracker = TargetsTracker([InvalidationTracker(api, s, s.known(), read=False) for s in selections])  # type: ignore[arg-type]
    state = tracker.poll()
    assert api.calls == ["E2"]  # not E1 (completed), nor E3 (after E2)
    assert [i["completed"] for i in state] == [True, False, False]


# --- selections, facts and messages, at their edges --------------------------------------------------


E1, E2 = Owner("E1"), Owner("E2")


class ListingApi:
    """Invalidations of each distribution, newest first, Completed from ``done_at`` seconds after
    the start (or from the start, when listed in ``done``); ``faults`` are raised by the next
    calls; each call takes ``takes`` seconds. Records the calls."""

    def __init__(self, ids: dict[Owner, list[str]], done_at: dict[str, float] | None = None, start: float = 0.0):
        self.ids = ids
        self.done_at = done_at or {}
        self.clock = FakeClock(start)
        self.start = start
        self.retry = True
        self.deadline: float | None = None
        self.faults: list[Exception] = []
        self.takes = 0.0
        self.calls: list[str] = []

    def _call(self, name: str) -> None:
        self.calls.append(name)
        self.clock.now += self.takes
        if self.faults:
            raise self.faults.pop(0)

    def _status(self, invalidation_id: str) -> str:
        done = self.clock.now - self.start >= self.done_at.get(invalidation_id, float("inf"))
        return "Completed" if done else "InProgress"

    def _summary(self, invalidation_id: str) -> dict[str, Any]:
        return {"Id": invalidation_id, "Status": self._status(invalidation_id), "CreateTime": None}

    def get_invalidation(self, owner: Owner, invalidation_id: str) -> dict[str, Any]:
        self._call("GetInvalidation")
        if invalidation_id not in self.ids[owner]:
            raise CloudFrontError(f"no {invalidation_id}", "".join(["NoSuch", "Invalidation"]))
        batch = {"CallerReference": f"ref-{invalidation_id}", "Paths": {"Quantity": 1, "Items": ["/*"]}}
        return {**self._summary(invalidation_id), "InvalidationBatch": batch}

    def summaries(self, owner: Owner, invalidation_ids: list[str]) -> dict[str, dict[str, Any]]:
        self._call("Summaries")
        return {i: self._summary(i) for i in invalidation_ids}

    def statuses(self, owner: Owner, invalidation_ids: list[str]) -> dict[str, str | None]:
        return {i: s["Status"] for i, s in self.summaries(owner, invalidation_ids).items()}

    def invalidations(self, owner: Owner, limit: int):
        self._call("List")
        for count, invalidation_id in enumerate(self.ids[owner]):
            if limit and count >= limit:
                return
            yield self._summary(invalidation_id)

    def in_progress(self, owner: Owner) -> list[dict[str, Any]]:
        self._call("InProgress")
        return [s for s in map(self._summary, self.ids[owner]) if s["Status"] != "Completed"]

    def explain_multi_tenant(self, owner: Owner) -> None:
        self.calls.append("Explain")

    def find_owner(self, alias: str) -> Owner:
        return Owner(alias.upper().replace(".", ""))

    def find_by_caller_reference(self, owner: Owner, caller_reference: str, limit: int) -> dict[str, Any]:
        self.calls.append("Find")
        return self.get_invalidation(owner, caller_reference.replace("ref-", ""))


pytestmark = pytest.mark.usefixtures("steady_random")  # random.random() always 0: no jitter


def server_error() -> TransientCloudFrontError:
    return TransientCloudFrontError("CloudFront answered with a server error", cause="server error")


def run(api: ListingApi, selection: Selection | list[Selection], **kwargs: Any):
    return report(api, selection, clock=api.clock, **kwargs)  # type: ignore[arg-type]


# --- selections and facts ---------------------------------------------------------------------------


def test_a_selection_lists_the_100_newest_by_default():
    api = ListingApi({E1: [f"I{n}" for n in range(150)]}, {f"I{n}": 0 for n in range(150)})
    facts = run(api, Selection(owner=E1)).facts
    assert len(facts["invalidations"]) == 100 and all(i["completed"] for i in facts["invalidations"])
    assert api.calls == ["List"]


def test_a_selection_by_id_reports_one_invalidation_without_waiting():
    api = ListingApi({E1: ["I1", "I2"]}, {"I1": 0})
    facts = run(api, Selection(owner=E1, invalidation_id="I1")).facts
    assert facts == {
        "distribution_id": "E1",
        "invalidation": {
            "id": "I1",
            "distribution_id": "E1",
            "status": "Completed",
            "completed": True,
            "create_time": None,
            "caller_reference": "ref-I1",
            "paths": ["/*"],
            "path_count": 1,
        },
    }
    assert api.calls == ["GetInvalidation"] and api.retry is True


def test_a_caller_reference_is_looked_up_once_and_counts_as_the_first_poll():
    api = ListingApi({E1: ["I1"]}, {"I1": 10})
    result = run(api, Selection(owner=E1, caller_reference="ref-I1"), wait=True, wait_timeout=60)
    assert result.facts["invalidation"]["completed"] is True and result.failure is None
    assert api.calls[:2] == ["Find", "GetInvalidation"] and "Summaries" in api.calls[2:]
    without_wait = ListingApi({E1: ["I1"]})
    run(without_wait, Selection(owner=E1, caller_reference="ref-I1"))
    assert without_wait.calls == ["Find", "GetInvalidation"]


def test_a_selection_without_ids_is_known_only_from_a_poll():
    assert Selection(owner=E1, invalidation_ids=["I1"]).known() is None
    assert Selection(owner=E1, invalidation_ids=["I1"], known_status={}).known() is None


def test_a_tenant_named_in_targets_is_a_tenant():
    (selection,) = selections_of(ListingApi({}), [{"distribution_tenant_id": "dt_x1", "invalidation_id": "I1"}])  # type: ignore[arg-type]
    assert selection.owner == Owner("dt_x1", tenant=True)


def test_an_empty_list_asks_whether_the_distribution_is_a_multi_tenant_one():
    assert ListingApi({E1: []}).calls == []
    empty = ListingApi({E1: []})
    InvalidationTracker(empty, Selection(owner=E1)).fetch()  # type: ignore[arg-type]
    assert empty.calls == ["List", "Explain"]
    listed = ListingApi({E1: ["I1"]})
    InvalidationTracker(listed, Selection(owner=E1)).fetch()  # type: ignore[arg-type]
    assert listed.calls == ["List"]


@pytest.mark.parametrize(
    "code, explained", [("NoSuchInvalidation", True), ("AccessDenied", False), ("Throttling", False)]
)
def test_only_an_unknown_invalidation_asks_whether_the_distribution_is_a_multi_tenant_one(code, explained):
    api = ListingApi({E1: ["I1"]})
    api.faults = [CloudFrontError("no", "".join(list(code)))]
    with pytest.raises(CloudFrontError):
        InvalidationTracker(api, Selection(owner=E1, invalidation_id="I1")).fetch()  # type: ignore[arg-type]
    assert ("Explain" in api.calls) is explained


# --- a wait that does not end in completion ------------------------------------------------------------


@pytest.mark.parametrize(
    "selection, subject",
    [
        (Selection(owner=E1, invalidation_id="I1"), "I1"),
        (Selection(owner=E1, invalidation_ids=["I1", "I2"]), "I1, I2"),
        (Selection(owner=E1), "its invalidations"),
    ],
)
def test_a_wait_in_which_no_poll_succeeded_names_what_it_tried_to_read(selection, subject):
    api = ListingApi({E1: ["I1", "I2"]})
    api.faults = [server_error() for _n in range(100)]
    result = run(api, selection, wait=True, wait_timeout=10)
    assert result.failure == (
        f"Timed out after 10s (wait_timeout=10): no poll succeeded reading CloudFront distribution E1 ({subject});"
        " the last poll failed (server error): CloudFront answered with a server error"
    )


def test_a_wait_that_timed_out_names_what_is_still_in_progress():
    api = ListingApi({E1: ["I1", "I2"]}, {"I2": 0})
    result = run(api, Selection(owner=E1, invalidation_ids=["I1", "I2"]), wait=True, wait_timeout=10)
    assert result.failure == (
        "Timed out after 10s (wait_timeout=10): 1 CloudFront invalidation(s) still in progress: distribution E1: I1"
    )
    assert result.facts["timed_out"] is True and result.facts["completed"] is False


def test_the_wait_timeout_is_half_an_hour_by_default():
    api = ListingApi({E1: ["I1"]})
    result = run(api, Selection(owner=E1, invalidation_id="I1"), wait=True)
    assert "(wait_timeout=1800)" in (result.failure or "") and result.facts["waited"] == 1800


def targets(*entries: tuple[str, list[str]]) -> list[Selection]:
    return selections_of(ListingApi({}), [{"distribution_id": d, "invalidation_ids": ids} for d, ids in entries])  # type: ignore[arg-type]


def test_targets_in_which_no_poll_succeeded_are_each_named():
    api = ListingApi({E1: ["I1"], E2: ["I2", "I3"]})
    api.faults = [server_error() for _n in range(100)]
    result = run(api, targets(("E1", ["I1"]), ("E2", ["I2", "I3"])), wait=True, wait_timeout=10)
    assert result.failure == (
        "Timed out after 10s (wait_timeout=10): no poll succeeded reading CloudFront distribution E1 (I1);"
        " distribution E2 (I2, I3); the last poll failed (server error): CloudFront answered with a server error"
    )


def test_targets_that_timed_out_name_what_is_in_progress_by_distribution():
    api = ListingApi({E1: ["I1"], E2: ["I2", "I3"]}, {"I2": 0})
    result = run(api, targets(("E1", ["I1"]), ("E2", ["I2", "I3"])), wait=True, wait_timeout=10)
    assert result.failure == (
        "Timed out after 10s (wait_timeout=10): 2 CloudFront invalidation(s) still in progress:"
        " distribution E1: I1; distribution E2: I3"
    )


# --- what a wait reports, and leaves -------------------------------------------------------------------


def test_a_wait_leaves_the_retries_to_the_waiter_and_a_deadline_on_the_api():
    api = ListingApi({E1: ["I1"]}, {"I1": 12}, start=1000.0)
    result = run(api, Selection(owner=E1, invalidation_id="I1"), wait=True, wait_timeout=600)
    assert api.retry is False and api.deadline == 1600.0
    # polls at 0, 1.5, 3, 4.5, 6, 7.5, 9, 10.8 and 12.96 s: the schedule of a new wait
    assert result.facts["waited"] == pytest.approx(12.96)


def test_the_time_waited_is_reported_to_the_millisecond():
    api = ListingApi({E1: ["I1"]}, {"I1": 0})
    api.takes = 0.12345
    result = run(api, Selection(owner=E1, invalidation_id="I1"), wait=True, wait_timeout=60)
    assert result.facts["waited"] == 0.123

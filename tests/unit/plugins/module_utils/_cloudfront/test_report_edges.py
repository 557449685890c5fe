# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the module reports, at its edges: each selection's facts, the messages of a wait that
timed out or never read anything, the end of a slice, what a wait leaves on the API (written
against the mutants that `make mutate` found alive, docs/testing.md). A fake API and a fake
clock: no network, no real sleeps."""

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
    report,
    selections_of,
)
from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.results import Owner
from ansible_collections.edgeops.cloudfront.tests.unit.plugins.module_utils._cloudfront.fakes import FakeClock

E1, E2 = Owner("E1"), Owner("E2")


class FakeApi:
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

    def find_by_caller_reference(self, owner: Owner, caller_reference: str, limit: int) -> dict[str, Any]:
        self.calls.append("Find")
        return self.get_invalidation(owner, caller_reference.replace("ref-", ""))


pytestmark = pytest.mark.usefixtures("steady_random")  # random.random() always 0: no jitter


def server_error() -> TransientCloudFrontError:
    return TransientCloudFrontError("CloudFront answered with a server error", cause="server error")


def run(api: FakeApi, selection: Selection | list[Selection], **kwargs: Any):
    return report(api, selection, clock=api.clock, **kwargs)  # type: ignore[arg-type]


# --- selections and facts ---------------------------------------------------------------------------


def test_a_selection_lists_the_100_newest_by_default():
    api = FakeApi({E1: [f"I{n}" for n in range(150)]}, {f"I{n}": 0 for n in range(150)})
    facts = run(api, Selection(owner=E1)).facts
    assert len(facts["invalidations"]) == 100 and all(i["completed"] for i in facts["invalidations"])
    assert api.calls == ["List"]


def test_a_selection_by_id_reports_one_invalidation_without_waiting():
    api = FakeApi({E1: ["I1", "I2"]}, {"I1": 0})
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
    api = FakeApi({E1: ["I1"]}, {"I1": 10})
    result = run(api, Selection(owner=E1, caller_reference="ref-I1"), wait=True, wait_timeout=60)
    assert result.facts["invalidation"]["completed"] is True and result.failure is None
    assert api.calls[:2] == ["Find", "GetInvalidation"] and "Summaries" in api.calls[2:]
    without_wait = FakeApi({E1: ["I1"]})
    run(without_wait, Selection(owner=E1, caller_reference="ref-I1"))
    assert without_wait.calls == ["Find", "GetInvalidation"]


def test_a_selection_without_ids_is_known_only_from_a_poll():
    assert Selection(owner=E1, invalidation_ids=["I1"]).known() is None
    assert Selection(owner=E1, invalidation_ids=["I1"], known_status={}).known() is None


def test_a_tenant_named_in_targets_is_a_tenant():
    (selection,) = selections_of([{"distribution_tenant_id": "dt_x1", "invalidation_id": "I1"}])
    assert selection.owner == Owner("dt_x1", tenant=True)


def test_an_empty_list_asks_whether_the_distribution_is_a_multi_tenant_one():
    assert FakeApi({E1: []}).calls == []
    empty = FakeApi({E1: []})
    InvalidationTracker(empty, Selection(owner=E1)).fetch()  # type: ignore[arg-type]
    assert empty.calls == ["List", "Explain"]
    listed = FakeApi({E1: ["I1"]})
    InvalidationTracker(listed, Selection(owner=E1)).fetch()  # type: ignore[arg-type]
    assert listed.calls == ["List"]


@pytest.mark.parametrize(
    "code, explained", [("NoSuchInvalidation", True), ("AccessDenied", False), ("Throttling", False)]
)
def test_only_an_unknown_invalidation_asks_whether_the_distribution_is_a_multi_tenant_one(code, explained):
    api = FakeApi({E1: ["I1"]})
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
    api = FakeApi({E1: ["I1", "I2"]})
    api.faults = [server_error() for _n in range(100)]
    result = run(api, selection, wait=True, wait_timeout=10)
    assert result.failure == (
        f"Gave up after 10s (wait_timeout=10) reading CloudFront distribution E1 ({subject}): no poll succeeded;"
        " the last poll failed (server error): CloudFront answered with a server error"
    )


def test_a_wait_that_timed_out_names_what_is_still_in_progress():
    api = FakeApi({E1: ["I1", "I2"]}, {"I2": 0})
    result = run(api, Selection(owner=E1, invalidation_ids=["I1", "I2"]), wait=True, wait_timeout=10)
    assert result.failure == (
        "Timed out after 10s (wait_timeout=10) waiting for CloudFront distribution E1:"
        " 1 invalidation(s) still in progress: I1"
    )
    assert result.facts["timed_out"] is True and result.facts["completed"] is False


def test_the_wait_timeout_is_half_an_hour_by_default():
    api = FakeApi({E1: ["I1"]})
    result = run(api, Selection(owner=E1, invalidation_id="I1"), wait=True)
    assert "(wait_timeout=1800)" in (result.failure or "") and result.facts["waited"] == 1800


def targets(*entries: tuple[str, list[str]]) -> list[Selection]:
    return selections_of([{"distribution_id": d, "invalidation_ids": ids} for d, ids in entries])


def test_targets_in_which_no_poll_succeeded_are_each_named():
    api = FakeApi({E1: ["I1"], E2: ["I2", "I3"]})
    api.faults = [server_error() for _n in range(100)]
    result = run(api, targets(("E1", ["I1"]), ("E2", ["I2", "I3"])), wait=True, wait_timeout=10)
    assert result.failure == (
        "Gave up after 10s (wait_timeout=10) reading CloudFront invalidations (distribution E1: I1;"
        " distribution E2: I2, I3): no poll succeeded; the last poll failed (server error):"
        " CloudFront answered with a server error"
    )


def test_targets_that_timed_out_name_what_is_in_progress_by_distribution():
    api = FakeApi({E1: ["I1"], E2: ["I2", "I3"]}, {"I2": 0})
    result = run(api, targets(("E1", ["I1"]), ("E2", ["I2", "I3"])), wait=True, wait_timeout=10)
    assert result.failure == (
        "Timed out after 10s (wait_timeout=10) waiting for CloudFront invalidations: 2 still in progress"
        " (distribution E1: I1; distribution E2: I3)"
    )


# --- what a wait reports, and leaves -------------------------------------------------------------------


def test_a_wait_leaves_the_retries_to_the_waiter_and_a_deadline_on_the_api():
    api = FakeApi({E1: ["I1"]}, {"I1": 12}, start=1000.0)
    result = run(api, Selection(owner=E1, invalidation_id="I1"), wait=True, wait_timeout=600)
    assert api.retry is False and api.deadline == 1600.0
    # polls at 0, 1.5, 3, 4.5, 6, 7.5, 9, 10.8 and 12.96 s: the schedule of a new wait
    assert result.facts["waited"] == pytest.approx(12.96) and result.last_poll_age == 0.0


def test_the_time_waited_is_reported_to_the_millisecond():
    api = FakeApi({E1: ["I1"]}, {"I1": 0})
    api.takes = 0.12345
    result = run(api, Selection(owner=E1, invalidation_id="I1"), wait=True, wait_timeout=60)
    assert result.facts["waited"] == 0.123


def test_the_pace_is_reported_to_three_decimals():
    api = FakeApi({E1: ["I1"]}, {"I1": 0})
    api.faults = [TransientCloudFrontError("throttled", cause="throttled")]
    result = run(api, Selection(owner=E1, invalidation_id="I1"), wait=True, wait_timeout=60)
    # slowed to a long wait's half interval by the throttled poll, then 0.7 of that after an answer
    assert result.facts["pace"] == 4.667


def three_targets(api: FakeApi, status: dict[str, str] | None = None, **kwargs: Any):
    given = [
        {"distribution_id": "E1", "invalidation_id": i, **({"status": status[i]} if status else {})}
        for i in ("I1", "I2", "I3")
    ]
    return run(api, selections_of(given), wait=True, wait_timeout=600, **kwargs)


def test_a_slice_given_the_state_returns_when_more_than_that_are_completed():
    api = FakeApi({E1: ["I1", "I2", "I3"]}, {"I1": 0, "I2": 5})
    status = {"I1": "Completed", "I2": "InProgress", "I3": "InProgress"}
    result = three_targets(api, status, wait_slice=50)
    assert [i["completed"] for i in result.facts["invalidations"]] == [True, True, False]
    assert 5 <= api.clock.now < 8


def test_a_slice_whose_first_poll_sees_all_completed_returns_at_once():
    api = FakeApi({E1: ["I1", "I2", "I3"]}, {"I1": 0, "I2": 0, "I3": 0})
    result = three_targets(api, wait_slice=50)
    assert result.facts["completed"] is True and api.clock.now == 0


def test_a_slice_over_hundreds_of_invalidations_counts_them_as_numbers():
    ids = [f"I{n}" for n in range(301)]
    api = FakeApi({E1: ids}, dict.fromkeys(ids[:300], 0))
    given = [{"distribution_id": "E1", "invalidation_ids": ids}]
    result = run(api, selections_of(given), wait=True, wait_timeout=600, wait_slice=20)
    assert result.facts["completed"] is False and api.clock.now > 15  # to the end of the slice
    done = FakeApi({E1: ids[:300]}, dict.fromkeys(ids[:300], 0))
    given = [{"distribution_id": "E1", "invalidation_ids": ids[:300]}]
    result = run(done, selections_of(given), wait=True, wait_timeout=600, wait_slice=20)
    assert result.facts["completed"] is True and done.clock.now == 0

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The gate's requests: a lookup retries within the gate's budgets, a poll leaves the retries to
the wait, and CloudFront's failures become the gate's. A fake API: no network."""

from __future__ import annotations

from typing import Any

import pytest

from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.errors import (
    CloudFrontError,
    TransientCloudFrontError,
)
from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.gate import GateError, Target
from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.results import Owner
from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.waiter import TransientError
from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.watch import GateRequests
from ansible_collections.edgeops.cloudfront.tests.support.fake_clock import FakeClock


class FakeApi:
    """Invalidations of each owner, newest first; ``done``: those Completed; ``faults``: raised by
    the next calls. Records each call and the retry settings it was made with."""

    def __init__(self, ids: dict[Owner, list[str]]) -> None:
        self.ids = ids
        self.done: set[str] = set()
        self.faults: list[Exception] = []
        self.clock = FakeClock(1000.0)
        self.retry = True
        self.deadline: float | None = None
        self.throttled_until: float | None = None
        self.retry_seconds = 60.0
        self.calls: list[tuple[str, str, bool]] = []

    def _call(self, name: str, owner: Owner) -> None:
        self.calls.append((name, owner.id, self.retry))
        if self.faults:
            raise self.faults.pop(0)

    def _summary(self, invalidation_id: str) -> dict[str, Any]:
        status = "Completed" if invalidation_id in self.done else "InProgress"
        return {"Id": invalidation_id, "Status": status, "CreateTime": None}

    def find_owner(self, alias: str) -> Owner:
        self._call("FindOwner", Owner(alias))
        return Owner("dt_x1", tenant=True) if alias.startswith("shop.") else Owner("E1")

    def summaries(self, owner: Owner, invalidation_ids: list[str]) -> dict[str, dict[str, Any]]:
        self._call("Summaries", owner)
        return {i: self._summary(i) for i in invalidation_ids}

    def statuses(self, owner: Owner, invalidation_ids: list[str]) -> dict[str, str | None]:
        return {i: s["Status"] for i, s in self.summaries(owner, invalidation_ids).items()}

    def in_progress(self, owner: Owner) -> list[dict[str, Any]]:
        self._call("InProgress", owner)
        return [s for s in map(self._summary, self.ids[owner]) if s["Status"] != "Completed"]

    def explain_multi_tenant(self, owner: Owner) -> None:
        self._call("Explain", owner)


E1, E2, TENANT = Owner("E1"), Owner("E2"), Owner("dt_x1", tenant=True)


def requests(ids: dict[Owner, list[str]]) -> tuple[GateRequests, FakeApi]:
    api = FakeApi(ids)
    return GateRequests(api), api  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "target, calls, found_ids, owner_key",
    [
        (Target("E1", ids=("I1", "I2")), [("Summaries", "E1", True)], ["I1", "I2"], "distribution_id"),
        (Target("E1"), [("InProgress", "E1", True)], ["I1", "I2"], "distribution_id"),
        (Target(distribution_tenant_id="dt_x1"), [("InProgress", "dt_x1", True)], ["I9"], "distribution_tenant_id"),
        (
            Target(alias="shop.example.net", ids=("I9",)),
            [("FindOwner", "shop.example.net", True), ("Summaries", "dt_x1", True)],
            ["I9"],
            "distribution_tenant_id",
        ),
    ],
)
def test_a_lookup_reads_what_it_needs_retrying_within_the_gates_budgets(target, calls, found_ids, owner_key):
    gate, api = requests({E1: ["I1", "I2"], TENANT: ["I9"]})
    found = gate.resolve(target, deadline=1030.0)
    assert api.calls == calls
    assert [i["id"] for i in found] == found_ids and all(owner_key in i for i in found)
    # throttling until the deadline, other passing failures for a minute and not past it
    assert (api.retry, api.throttled_until, api.deadline, api.retry_seconds) == (True, 1030.0, 1030.0, 30.0)
    gate.resolve(target, deadline=1600.0)
    assert api.retry_seconds == 60.0
    gate.resolve(target, deadline=2010.0)  # a long gate: a minute, not what is left of an hour
    assert api.retry_seconds == 60.0
    gate.resolve(target, deadline=999.0)  # past the deadline: no retry at all
    assert api.retry_seconds == 0.0


def test_the_pace_is_the_apis():
    """What the lookup's retries left (CloudFrontApi.pace), for the wait to go on from."""
    gate, api = requests({E1: ["I1"]})
    api.pace = 12.5
    assert gate.pace == 12.5


@pytest.mark.parametrize(
    "fault, code",
    [
        (CloudFrontError("CloudFront distribution E1 does not exist", "NoSuchDistribution"), "NoSuchDistribution"),
        (
            TransientCloudFrontError("CloudFront throttled cloudfront:GetDistribution", "throttled", "Throttling"),
            "Throttling",
        ),
    ],
)
def test_a_lookup_that_fails_ends_the_gate_with_the_message_and_code(fault, code):
    """A lookup has retried already: whatever it raises at last, throttling included, is the gate's
    (which makes throttling at its deadline a timeout)."""
    gate, api = requests({E1: ["I1"]})
    api.faults = [fault]
    with pytest.raises(GateError) as failed:
        gate.resolve(Target("E1"), deadline=1600.0)
    assert (failed.value.msg, failed.value.code) == (fault.msg, code)


def pending(owner: Owner, *ids: str) -> list[dict[str, Any]]:
    return [{owner.key: owner.id, "id": i, "status": "InProgress", "completed": False} for i in ids]


def test_polls_read_one_owner_at_a_time_from_the_state_the_lookup_saw_without_retrying():
    gate, api = requests({E1: ["I1", "I2"], E2: ["I3"]})
    poll = gate.watch(pending(E1, "I1", "I2") + pending(E2, "I3"))
    assert api.retry is False  # the wait retries
    seen = poll()
    assert api.calls == [("Summaries", "E1", False)]  # E2 is not read while E1 has some in progress
    assert [(i["id"], i["completed"]) for i in seen] == [("I1", False), ("I2", False), ("I3", False)]
    api.calls.clear()
    api.done |= {"I1", "I2"}
    seen = poll()
    assert api.calls == [("Summaries", "E1", False), ("Summaries", "E2", False)]
    assert [i["completed"] for i in seen] == [True, True, False]


def test_a_poll_that_fails_for_a_passing_reason_is_retried_by_the_wait_and_any_other_ends_the_gate():
    gate, api = requests({E1: ["I1"]})
    poll = gate.watch(pending(E1, "I1"))
    api.faults = [TransientCloudFrontError("CloudFront throttled", "throttled", "Throttling")]
    with pytest.raises(TransientError) as passing:
        poll()
    assert not isinstance(passing.value, GateError) and passing.value.throttled
    api.faults = [CloudFrontError("Access denied: cloudfront:GetInvalidation", "AccessDenied")]
    with pytest.raises(GateError) as failed:
        poll()
    assert failed.value.code == "AccessDenied"

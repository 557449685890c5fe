# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The triggers the integration tests act with (endpoint_triggers.py): they fire on the request's answer,
and a trigger that never fires, or an action that raises, fails the test instead of passing it."""

from __future__ import annotations

import time

import pytest

from ansible_collections.edgeops.cloudfront.tests.integration.endpoint_triggers import complete_after, triggers

# the collection's own wait loop (pyproject.toml): on the oldest line only
pytestmark = pytest.mark.loop


def test_a_trigger_fires_on_its_request_and_completions_say_when(cloudfront):
    dist = cloudfront.create_distribution()["id"]
    inv = cloudfront.create_invalidation(dist, complete_in=3600)
    client = cloudfront.client()
    with triggers(cloudfront) as schedule:
        done = complete_after(cloudfront, schedule, {inv: 2}, "ListInvalidations", count=2)
        client.list_invalidations(DistributionId=dist)
        time.sleep(0.3)
        assert done.at == {}  # not on the first
        asked = time.time()
        client.list_invalidations(DistributionId=dist)
        deadline = time.time() + 5
        while not done.at and time.time() < deadline:
            time.sleep(0.02)
    assert asked + 2 <= done.last <= asked + 3
    assert client.get_invalidation(DistributionId=dist, Id=inv)["Invalidation"]["Status"] == "InProgress"


def test_a_trigger_fires_on_the_answer_not_on_the_arrival(cloudfront):
    """A request in flight has not fired its trigger: an action then (a throttle) could change the answer
    that a loaded endpoint has yet to make, which failed a test in CI (its first poll throttled)."""
    fired: list[float] = []
    with triggers(cloudfront) as schedule:
        schedule(lambda: fired.append(time.time()), "ListDistributions")
        cloudfront.stall("ListDistributions", 1, 1.0)  # answered a second after it arrives
        cloudfront.client().list_distributions()
        deadline = time.time() + 5
        while not fired and time.time() < deadline:
            time.sleep(0.02)
    (request,) = cloudfront.requests("ListDistributions")
    assert request["answered"] - request["time"] >= 1.0 and fired[0] >= request["answered"]


def test_a_trigger_that_never_fires_fails_the_test(cloudfront):
    never = r"the trigger never fired: 0 GetInvalidation answer\(s\), not 1"
    with pytest.raises(pytest.fail.Exception, match=never), triggers(cloudfront) as schedule:
        schedule(lambda: None)


def test_an_action_that_raises_fails_the_test(cloudfront):
    def broken() -> None:
        raise RuntimeError("boom")

    with pytest.raises(
        pytest.fail.Exception, match=r"the action after ListDistributions #1 raised RuntimeError\('boom'\)"
    ), triggers(cloudfront) as schedule:
        schedule(broken, "ListDistributions")
        cloudfront.client().list_distributions()
        time.sleep(0.5)


def test_an_action_still_running_when_the_test_ends_fails_the_test(cloudfront):
    """An action that sleeps, then acts (as the storm tests' do): if the test ends first, what the
    action would do (or raise) is never seen, and the test says so."""
    with pytest.raises(
        pytest.fail.Exception, match=r"the action after ListDistributions #1 was still running when the test ended"
    ), triggers(cloudfront) as schedule:
        schedule(lambda: time.sleep(5), "ListDistributions")
        cloudfront.client().list_distributions()
        time.sleep(0.3)


def test_completions_before_the_trigger_say_so():
    completions = complete_after(None, lambda *args: None, {"I1": 2})  # type: ignore[arg-type]
    with pytest.raises(AssertionError, match="the trigger has not fired"):
        assert completions.last is None

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""CloudFront calls at their edges: the exact backoff, budgets at the boundary, pages that end
oddly, lookups that fail in other ways (written against the mutants that `make mutate` found
alive, docs/testing.md). A stub client and a fake clock: no network, no real sleeps."""

from __future__ import annotations

from typing import Any, Callable

import botocore.exceptions as bx
import pytest

from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.api import (
    DEFAULT_REGION,
    Clients,
    CloudFrontApi,
    RequestCounter,
    connect,
    timeouts_for,
    use_security_token,
)
from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.errors import (
    CloudFrontError,
    TransientCloudFrontError,
)
from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.report import (
    InvalidationTracker,
    Selection,
)
from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.results import Owner
from ansible_collections.edgeops.cloudfront.tests.unit.plugins.module_utils._cloudfront.fakes import (
    FakeClock,
    client_error,
    fresh,
)

E1 = Owner("E1")


class Stub:
    """Invalidations newest first, in pages of MaxItems; ``pages`` replaces the List answers;
    ``faults`` are raised by the next calls; ``in_progress`` is what GetDistribution says."""

    def __init__(self, items: list[dict[str, Any]] | None = None) -> None:
        self.items = items or []
        self.pages: list[dict[str, Any]] | None = None
        self.faults: list[Exception] = []
        self.calls: list[str] = []
        self.in_progress: int | None = None
        self.tenant_fault: Exception | None = None

    def _called(self, name: str) -> None:
        self.calls.append(name)
        if self.faults:
            raise self.faults.pop(0)

    def list_invalidations(self, DistributionId: str, MaxItems: str, Marker: str | None = None) -> dict[str, Any]:
        self._called("ListInvalidations")
        if self.pages is not None:
            return {"InvalidationList": self.pages.pop(0)}
        start = [i["Id"] for i in self.items].index(Marker) + 1 if Marker else 0
        chunk = self.items[start : start + int(MaxItems)]
        more = start + int(MaxItems) < len(self.items)
        page: dict[str, Any] = {"Items": chunk, "IsTruncated": more}
        if more:
            page["NextMarker"] = chunk[-1]["Id"]
        return {"InvalidationList": page}

    def get_invalidation(self, DistributionId: str, Id: str) -> dict[str, Any]:
        self._called("GetInvalidation")
        for item in self.items:
            if item["Id"] == Id:
                return {"Invalidation": {**item, "InvalidationBatch": {"CallerReference": item.get("ref")}}}
        raise client_error(fresh("NoSuchInvalidation"), 404)

    def get_distribution(self, Id: str) -> dict[str, Any]:
        self._called("GetDistribution")
        count = self.in_progress
        if count is None:
            count = sum(1 for i in self.items if i["Status"] != "Completed")
        return {"Distribution": {"Id": Id, "InProgressInvalidationBatches": count}}

    def list_distributions(self, MaxItems: str, Marker: str | None = None) -> dict[str, Any]:
        self._called("ListDistributions")
        return {"DistributionList": {"Items": [{"Id": "E9", "DomainName": "d9.cloudfront.net"}], "IsTruncated": False}}

    def get_distribution_tenant_by_domain(self, Domain: str) -> dict[str, Any]:
        self._called("GetDistributionTenantByDomain")
        raise self.tenant_fault or client_error(fresh("EntityNotFound"), 404)


def api_of(stub: Stub, clock: FakeClock | None = None, **kwargs: Any) -> CloudFrontApi:
    return CloudFrontApi(Clients(lambda **timeouts: stub, 60), clock=clock or FakeClock(), **kwargs)


def invalidations(n: int, in_progress: tuple[int, ...] = ()) -> list[dict[str, Any]]:
    """``n`` invalidations, newest first (I<n-1> ... I0); those at the given places in progress."""
    return [
        {"Id": f"I{n - 1 - k}", "Status": "InProgress" if k in in_progress else "Completed", "ref": f"ref-{n - 1 - k}"}
        for k in range(n)
    ]


# --- retries -----------------------------------------------------------------------------------


def test_the_backoff_doubles_from_two_seconds_up_to_ten(steady_random):
    stub = Stub(invalidations(1))
    stub.faults = [client_error("ServiceUnavailable", 503) for _n in range(6)]
    clock = FakeClock()
    assert api_of(stub, clock).get_invalidation(E1, "I0")["Id"] == "I0"
    assert clock.sleeps == [2.0, 4.0, 8.0, 10.0, 10.0, 10.0]


def test_throttled_retries_slow_down_to_one_a_minute_and_no_slower(steady_random):
    stub = Stub(invalidations(1))
    stub.faults = [client_error("Throttling") for _n in range(1000)]
    clock = FakeClock()
    api = api_of(stub, clock)
    api.throttled_until = 1800.0
    with pytest.raises(TransientCloudFrontError):
        api.get_invalidation(E1, "I0")
    assert max(clock.sleeps) == pytest.approx(60.0)


def test_the_credential_hint_goes_with_rejected_credentials_only():
    for code, hint, hinted in [
        ("InvalidClientTokenId", "set a token", True),
        ("AccessDenied", "set a token", False),
        ("InvalidClientTokenId", None, False),
    ]:
        stub = Stub(invalidations(1))
        stub.faults = [client_error(code, 403)]
        with pytest.raises(CloudFrontError) as error:
            api_of(stub, hint=hint).get_invalidation(E1, "I0")
        assert error.value.msg.endswith(": set a token") is hinted


# --- clients -------------------------------------------------------------------------------------


def test_timeouts_are_a_twentieth_and_a_tenth_of_the_budget_between_the_bounds():
    assert timeouts_for(50) == (2.5, 5.0)
    assert timeouts_for(45) == (2.25, 4.5)


class FakeModule:
    def __init__(self, region: str | None) -> None:
        self.region = region
        self.asked: dict[str, Any] = {}

    def client(self, service: str, **kwargs: Any) -> str:
        self.asked = {"service": service, **kwargs}
        return "client"


@pytest.mark.parametrize("region, used", [(None, DEFAULT_REGION), ("eu-west-1", "eu-west-1")])
def test_a_client_makes_one_attempt_per_request_in_the_region_given_or_us_east_1(region, used):
    module = FakeModule(region)
    assert connect(module, 3.0, 6.0) == "client"  # type: ignore[arg-type]
    config = module.asked["config"]
    assert module.asked["service"] == "cloudfront" and module.asked["region"] == used
    assert config.retries == {"total_max_attempts": 1}
    assert (config.connect_timeout, config.read_timeout) == (3.0, 6.0)


def test_every_request_sent_is_counted_once():
    handlers: list[Callable[..., None]] = []

    class Events:
        def register(self, event: str, handler: Callable[..., None]) -> None:
            assert event == "before-send.cloudfront"
            handlers.append(handler)

    class Meta:
        events = Events()

    class Client:
        meta = Meta()

    counter = RequestCounter()
    assert counter.count == 0
    counter.watch(Client())  # type: ignore[arg-type]
    handlers[0](request=None)
    handlers[0](request=None)
    assert counter.count == 2


def test_clients_are_counted_as_they_are_built():
    clients = Clients(lambda **timeouts: timeouts, 1800)
    assert clients.built == 0
    clients.get()
    clients.get()
    assert clients.built == 1
    clients.get(remaining=10)
    assert clients.built == 2


def test_a_budget_of_exactly_the_last_stretch_has_one_client():
    made: list[dict[str, float]] = []
    clients = Clients(lambda **timeouts: made.append(timeouts) or len(made), 40)
    clients.get(remaining=40)
    clients.get(remaining=10)
    assert made == [{"connect_timeout": 2.0, "read_timeout": 4.0}]


def test_the_last_stretch_begins_below_40_seconds_left():
    made: list[dict[str, float]] = []
    clients = Clients(lambda **timeouts: made.append(timeouts) or len(made), 1800)
    assert clients.get(remaining=40) == 1 and clients.get(remaining=39.9) == 2
    assert made == [{"connect_timeout": 10.0, "read_timeout": 30.0}, {"connect_timeout": 2.0, "read_timeout": 4.0}]


# --- temporary credentials -------------------------------------------------------------------------


def test_the_security_token_goes_with_an_equal_key_and_no_other():
    env = {"AWS_ACCESS_KEY_ID": "ASIAEXAMPLE", "AWS_SECURITY_TOKEN": "token-from-awx"}
    params: dict[str, object] = {"access_key": fresh("ASIAEXAMPLE"), "session_token": None}
    assert use_security_token(params, env) == "token-from-awx"
    for other in ("ASIAAAAA", "ASIAZZZZ"):
        assert use_security_token({"access_key": other, "session_token": None}, env) is None


# --- pages ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "page",
    [
        {"Items": [{"Id": "I1", "Status": "Completed"}], "IsTruncated": True},  # more, but no marker to go on
        {"Items": [{"Id": "I1", "Status": "Completed"}], "IsTruncated": False, "NextMarker": "I1"},
    ],
)
def test_a_page_that_gives_no_way_on_is_the_last(page):
    stub = Stub()
    stub.pages = [page]
    assert [s["Id"] for s in api_of(stub).invalidations(E1, 0)] == ["I1"]
    assert stub.calls == ["ListInvalidations"]


def test_a_limit_over_256_stops_there():
    stub = Stub(invalidations(400))
    assert len(list(api_of(stub).invalidations(E1, 300))) == 300


def test_invalidations_in_progress_are_read_on_to_the_page_that_holds_the_last():
    stub = Stub(invalidations(150, in_progress=(0, 120)))
    found = api_of(stub).in_progress(E1)
    assert [s["Id"] for s in found] == ["I149", "I29"]
    assert stub.calls == ["GetDistribution", "ListInvalidations", "ListInvalidations"]


def test_a_page_with_more_in_progress_than_counted_is_the_last():
    stub = Stub(invalidations(150, in_progress=(0, 1)))
    stub.in_progress = 1  # counted a moment before the second one was created
    assert len(api_of(stub).in_progress(E1)) == 2
    assert stub.calls == ["GetDistribution", "ListInvalidations"]


def test_no_ids_need_no_invalidation_read():
    stub = Stub(invalidations(3))
    assert api_of(stub).statuses(E1, []) == {}


# --- lookups -----------------------------------------------------------------------------------------


def test_an_unknown_invalidation_stays_the_error_when_the_distribution_cannot_be_read():
    stub = Stub(invalidations(3))
    stub.faults = []
    api = api_of(stub)
    tracker = InvalidationTracker(api, Selection(owner=E1, invalidation_id="I9"))
    original = stub.get_distribution

    def denied(Id: str) -> dict[str, Any]:
        original(Id)
        raise client_error("AccessDenied", 403)

    stub.get_distribution = denied  # type: ignore[method-assign]
    with pytest.raises(CloudFrontError) as error:
        tracker.fetch()
    assert error.value.code == "NoSuchInvalidation"
    assert stub.calls == ["GetInvalidation", "GetDistribution"]


def test_an_alias_neither_a_distribution_nor_a_tenant_has():
    with pytest.raises(CloudFrontError) as error:
        api_of(Stub()).find_owner("www.example.com")
    assert error.value.msg == (
        "No CloudFront distribution has the alias www.example.com (as an alternate domain name or as its"
        " *.cloudfront.net domain name), and no distribution tenant has it as a domain"
    )


def test_a_tenant_lookup_that_is_denied_says_the_alias_matched_no_distribution():
    stub = Stub()
    stub.tenant_fault = client_error("AccessDenied", 403)
    with pytest.raises(CloudFrontError) as error:
        api_of(stub).find_owner("www.example.com")
    assert error.value.msg.startswith(
        "No CloudFront distribution has the alias www.example.com, and looking for a distribution tenant"
        " with it failed: Access denied"
    )


def test_a_tenant_lookup_refused_otherwise_is_reported_as_it_is():
    stub = Stub()
    stub.tenant_fault = client_error("InvalidArgument")
    with pytest.raises(CloudFrontError) as error:
        api_of(stub).find_owner("www.example.com")
    assert error.value.msg.startswith("CloudFront refused cloudfront:GetDistributionTenantByDomain")


def test_a_caller_reference_matches_exactly():
    items = [
        {"Id": "I2", "Status": "Completed", "ref": "a-release"},
        {"Id": "I1", "Status": "Completed", "ref": "b-release"},
    ]
    found = api_of(Stub(items)).find_by_caller_reference(E1, "b-release", 10)
    assert found["Id"] == "I1"


def test_a_clock_that_does_not_start_at_zero_keeps_the_budgets(steady_random):
    stub = Stub(invalidations(1))
    stub.faults = [client_error("Throttling") for _n in range(1000)]
    clock = FakeClock()
    clock.now = 1000.0
    api = api_of(stub, clock)
    api.throttled_until = 1300.0
    with pytest.raises(TransientCloudFrontError) as error:
        api.get_invalidation(E1, "I0")
    assert clock.now == pytest.approx(1300.0) and error.value.msg.endswith(" attempts in 300s)")
    stub = Stub(invalidations(1))
    stub.faults = [client_error("ServiceUnavailable", 503) for _n in range(1000)]
    api = api_of(stub, clock)
    api.throttled_until = 1900.0
    with pytest.raises(TransientCloudFrontError) as error:
        api.get_invalidation(E1, "I0")
    # the first attempt past the minute is the last: at 64 s (0, 2, 6, 14, 24, 34, 44, 54, 64)
    assert clock.now == pytest.approx(1364.0) and error.value.msg.endswith("(gave up after 9 attempts in 64s)")


def test_a_failure_that_took_the_whole_retry_budget_is_not_retried(steady_random):
    """A read timeout as long as the budget: the request is not made again, even with time left
    for throttled ones."""
    clock = FakeClock()
    stub = Stub(invalidations(1))

    def timed_out(DistributionId: str, Id: str) -> dict[str, Any]:
        stub.calls.append("GetInvalidation")
        clock.now += 60.0
        raise bx.ReadTimeoutError(endpoint_url="https://cloudfront.amazonaws.com")

    stub.get_invalidation = timed_out  # type: ignore[method-assign]
    api = api_of(stub, clock)
    api.throttled_until = 1800.0
    with pytest.raises(TransientCloudFrontError) as error:
        api.get_invalidation(E1, "I0")
    assert stub.calls == ["GetInvalidation"] and error.value.msg.endswith("(gave up after 1 attempts in 60s)")

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The CloudFront calls against stub clients and a fake clock (no network, no real sleeps): paging,
lookups, the retries and their budgets, the clients and their timeouts, temporary credentials,
distribution tenants.

The real HTTP behaviour is covered by the integration tests against the local endpoint.
"""

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
    credential_hint,
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
from ansible_collections.edgeops.cloudfront.tests.support.fake_clock import FakeClock
from ansible_collections.edgeops.cloudfront.tests.unit.plugins.module_utils._cloudfront.fakes import (
    client_error,
    fresh,
)

E1 = Owner("E1")


class StubClient:
    """Answers like CloudFront, newest first, pages of MaxItems; records every call."""

    def __init__(self, invalidations: list[dict[str, Any]], distributions: list[dict[str, Any]] | None = None):
        self.invalidations = invalidations
        self.distributions = distributions or []
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.faults: list[Exception] = []  # raised by the next calls, one each
        self.tenants: list[dict[str, Any]] = []

    def _fault(self) -> None:
        if self.faults:
            raise self.faults.pop(0)

    @staticmethod
    def _page(items: list[dict[str, Any]], key: str, marker: str | None, size: int) -> dict[str, Any]:
        start = 0
        if marker:
            start = [i["Id"] for i in items].index(marker) + 1
        chunk = items[start : start + size]
        more = start + size < len(items)
        page = {"Items": chunk, "IsTruncated": more, "Quantity": len(chunk)}
        if more:
            page["NextMarker"] = chunk[-1]["Id"]
        return {key: page}

    def list_invalidations(self, DistributionId, MaxItems, Marker=None):
        self.calls.append(("ListInvalidations", {"Marker": Marker, "MaxItems": MaxItems}))
        self._fault()
        return self._page(self.invalidations, "InvalidationList", Marker, int(MaxItems))

    def get_invalidation(self, DistributionId, Id):
        self.calls.append(("GetInvalidation", {"Id": Id}))
        self._fault()
        for item in self.invalidations:
            if item["Id"] == Id:
                batch = {"CallerReference": item["ref"], "Paths": {"Quantity": 1, "Items": ["/*"]}}
                return {"Invalidation": {**item, "InvalidationBatch": batch}}
        response = {"Error": {"Code": "NoSuchInvalidation"}, "ResponseMetadata": {"HTTPStatusCode": 404}}
        raise bx.ClientError(response, "GetInvalidation")

    def get_distribution(self, Id):
        self.calls.append(("GetDistribution", {"Id": Id}))
        self._fault()
        in_progress = sum(1 for i in self.invalidations if i["Status"] != "Completed")
        return {"Distribution": {"Id": Id, "InProgressInvalidationBatches": in_progress}}

    def get_distribution_tenant_by_domain(self, Domain):
        self.calls.append(("GetDistributionTenantByDomain", {"Domain": Domain}))
        self._fault()
        for tenant in self.tenants:
            if Domain in tenant["Domains"]:
                return {"DistributionTenant": {"Id": tenant["Id"], "DistributionId": "E9"}}
        response = {"Error": {"Code": "EntityNotFound"}, "ResponseMetadata": {"HTTPStatusCode": 404}}
        raise bx.ClientError(response, "GetDistributionTenantByDomain")

    def get_invalidation_for_distribution_tenant(self, DistributionTenantId, Id):
        self.calls.append(("GetInvalidationForDistributionTenant", {"Id": Id}))
        return self.get_invalidation(DistributionTenantId, Id)

    def list_invalidations_for_distribution_tenant(self, Id, MaxItems, Marker=None):
        assert isinstance(MaxItems, int)  # a number here, a string in ListInvalidations (botocore's model)
        self.calls.append(("ListInvalidationsForDistributionTenant", {"Marker": Marker}))
        return self.list_invalidations(Id, str(MaxItems), Marker)

    def list_distributions(self, MaxItems, Marker=None):
        self.calls.append(("ListDistributions", {"Marker": Marker}))
        self._fault()
        return self._page(self.distributions, "DistributionList", Marker, int(MaxItems))

    def ops(self) -> list[str]:
        return [c[0] for c in self.calls]


class Stub:
    """A stub client for what StubClient does not answer: pages that end oddly, a count in progress
    that differs from the list, a tenant lookup that fails otherwise; ``calls`` holds the operations'
    names. Invalidations newest first, in pages of MaxItems; ``pages`` replaces the List answers;
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


def api_of(
    client: StubClient | Stub, clock: FakeClock | None = None, budget: float = 60, **kwargs: Any
) -> CloudFrontApi:
    """The API over ``client``, whatever the timeouts asked for; a fake clock (no real sleeps)."""
    return CloudFrontApi(Clients(lambda **timeouts: client, budget), clock=clock or FakeClock(), **kwargs)


def invalidations(n: int) -> list[dict[str, Any]]:
    """``n`` invalidations in progress, newest first (I<n-1> ... I0)."""
    return [{"Id": f"I{i}", "Status": "InProgress", "ref": f"ref-{i}"} for i in reversed(range(n))]


def invalidation_history(n: int, in_progress: tuple[int, ...] = ()) -> list[dict[str, Any]]:
    """``n`` completed invalidations, newest first (I<n-1> ... I0); those at the given places in progress."""
    return [
        {"Id": f"I{n - 1 - k}", "Status": "InProgress" if k in in_progress else "Completed", "ref": f"ref-{n - 1 - k}"}
        for k in range(n)
    ]


# --- pages ----------------------------------------------------------------------------------------


def test_list_limit_pages_only_as_far_as_needed():
    client = StubClient(invalidations(250))
    got = list(api_of(client).invalidations(E1, 30))
    assert [i["Id"] for i in got] == [f"I{i}" for i in range(249, 219, -1)]
    assert client.ops() == ["ListInvalidations"] and client.calls[0][1]["MaxItems"] == "30"


def test_list_all_follows_markers():
    client = StubClient(invalidations(250))
    got = list(api_of(client).invalidations(E1, 0))
    assert len(got) == 250 and client.ops() == ["ListInvalidations"] * 3
    assert client.calls[1][1]["Marker"] == "I150"


def test_a_limit_over_256_stops_there():
    stub = Stub(invalidation_history(400))
    assert len(list(api_of(stub).invalidations(E1, 300))) == 300


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


def test_in_progress_reads_only_as_many_pages_as_the_count_needs():
    history = [{"Id": f"I{i}", "Status": "Completed", "ref": ""} for i in reversed(range(1000))]
    client = StubClient([{"Id": "INEW2", "Status": "InProgress", "ref": ""}, *history])
    client.invalidations.insert(50, {"Id": "INEW1", "Status": "InProgress", "ref": ""})
    assert [i["Id"] for i in api_of(client).in_progress(E1)] == ["INEW2", "INEW1"]
    assert client.ops() == ["GetDistribution", "ListInvalidations"]


def test_in_progress_with_none_in_progress_lists_nothing():
    client = StubClient([{"Id": f"I{i}", "Status": "Completed", "ref": ""} for i in range(300)])
    assert api_of(client).in_progress(E1) == []
    assert client.ops() == ["GetDistribution"]


def test_invalidations_in_progress_are_read_on_to_the_page_that_holds_the_last():
    stub = Stub(invalidation_history(150, in_progress=(0, 120)))
    found = api_of(stub).in_progress(E1)
    assert [s["Id"] for s in found] == ["I149", "I29"]
    assert stub.calls == ["GetDistribution", "ListInvalidations", "ListInvalidations"]


def test_a_page_with_more_in_progress_than_counted_is_the_last():
    stub = Stub(invalidation_history(150, in_progress=(0, 1)))
    stub.in_progress = 1  # counted a moment before the second one was created
    assert len(api_of(stub).in_progress(E1)) == 2
    assert stub.calls == ["GetDistribution", "ListInvalidations"]


# --- statuses and caller references ---------------------------------------------------------------


def test_statuses_of_one_invalidation_is_one_get():
    client = StubClient(invalidations(5))
    assert api_of(client).statuses(E1, ["I3"]) == {"I3": "InProgress"}
    assert client.ops() == ["GetInvalidation"]


def test_statuses_of_several_use_list_pages_and_stop_early():
    client = StubClient(invalidations(300))
    statuses = api_of(client).statuses(E1, ["I299", "I250", "I201"])
    assert set(statuses) == {"I299", "I250", "I201"}
    assert client.ops() == ["ListInvalidations"]


def test_statuses_page_on_while_several_are_missing_and_pages_hold_some():
    client = StubClient(invalidations(300))
    statuses = api_of(client).statuses(E1, ["I299", "I150", "I120"])
    assert set(statuses) == {"I299", "I150", "I120"}
    assert client.ops() == ["ListInvalidations"] * 2


def test_no_ids_need_no_invalidation_read():
    stub = Stub(invalidation_history(3))
    assert api_of(stub).statuses(E1, []) == {}


def test_an_id_not_in_the_first_page_costs_one_get_not_the_whole_history():
    client = StubClient(invalidations(1000))
    statuses = api_of(client).statuses(E1, ["I999", "I3"])
    assert statuses == {"I999": "InProgress", "I3": "InProgress"}
    assert client.ops() == ["ListInvalidations", "GetInvalidation"]


def test_an_unknown_id_among_a_thousand_is_refused_after_two_requests():
    client = StubClient(invalidations(1000))
    with pytest.raises(CloudFrontError, match="CloudFront invalidation INOPE does not exist in distribution E1"):
        api_of(client).statuses(E1, ["I999", "INOPE"])
    assert client.ops() == ["ListInvalidations", "GetInvalidation"]
    client.calls.clear()
    with pytest.raises(CloudFrontError, match="INOPE1 does not exist"):
        api_of(client).statuses(E1, ["INOPE1", "INOPE2"])
    assert client.ops() == ["ListInvalidations", "GetInvalidation"]  # a page with none of them: no more pages


def test_an_unknown_invalidation_stays_the_error_when_the_distribution_cannot_be_read():
    stub = Stub(invalidation_history(3))
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


def test_caller_reference_scan_stops_at_first_match():
    client = StubClient(invalidations(10))
    found = api_of(client).find_by_caller_reference(E1, "ref-7", 100)
    assert found["Id"] == "I7"
    assert client.ops() == ["ListInvalidations", "GetInvalidation", "GetInvalidation", "GetInvalidation"]


def test_caller_reference_scan_is_bounded_by_max_items():
    client = StubClient(invalidations(10))
    with pytest.raises(CloudFrontError, match=r"caller reference 'ref-1' \(searched the 3 newest"):
        api_of(client).find_by_caller_reference(E1, "ref-1", 3)
    assert client.ops().count("GetInvalidation") == 3


def test_a_caller_reference_matches_exactly():
    items = [
        {"Id": "I2", "Status": "Completed", "ref": "a-release"},
        {"Id": "I1", "Status": "Completed", "ref": "b-release"},
    ]
    found = api_of(Stub(items)).find_by_caller_reference(E1, "b-release", 10)
    assert found["Id"] == "I1"


# --- aliases --------------------------------------------------------------------------------------


DISTS = [
    {"Id": "E1", "DomainName": "d1.cloudfront.net", "Aliases": {"Quantity": 1, "Items": ["www.example.com"]}},
    {"Id": "E2", "DomainName": "d2.cloudfront.net", "Aliases": {"Quantity": 0}},
    {
        "Id": "E3",
        "DomainName": "d3.cloudfront.net",
        "Aliases": {"Quantity": 2, "Items": ["a.example.org", "*.example.net"]},
    },
]


@pytest.mark.parametrize(
    "alias, want",
    [
        ("www.example.com", "E1"),
        ("WWW.Example.COM.", "E1"),
        ("d2.cloudfront.net", "E2"),
        ("a.example.org", "E3"),
        ("*.example.net", "E3"),
    ],
)
def test_alias_lookup(alias, want):
    client = StubClient([], DISTS * 1)
    assert api_of(client).find_owner(alias) == Owner(want)


def test_alias_lookup_pages_until_the_match_and_no_further():
    many = [{"Id": f"E{i}", "DomainName": f"d{i}.cloudfront.net"} for i in range(300)]
    client = StubClient([], many)
    assert api_of(client).find_owner("d149.cloudfront.net") == Owner("E149")
    assert client.ops() == ["ListDistributions"] * 2
    client.calls.clear()
    assert api_of(client).find_owner("d3.cloudfront.net") == Owner("E3")
    assert client.ops() == ["ListDistributions"]


def test_alias_matching_nothing_fails_naming_it_and_a_wildcard_covers_no_name():
    api = api_of(StubClient([], DISTS))
    with pytest.raises(
        CloudFrontError,
        match="No CloudFront distribution has the alias nope.example.com .*, and no distribution tenant",
    ):
        api.find_owner("nope.example.com")
    with pytest.raises(CloudFrontError, match="No CloudFront distribution has the alias www.example.net"):
        api.find_owner("www.example.net")


def test_an_alias_neither_a_distribution_nor_a_tenant_has():
    with pytest.raises(CloudFrontError) as error:
        api_of(Stub()).find_owner("www.example.com")
    assert error.value.msg == (
        "No CloudFront distribution has the alias www.example.com (as an alternate domain name or as its"
        " *.cloudfront.net domain name), and no distribution tenant has it as a domain"
    )


# --- retries --------------------------------------------------------------------------------------


def throttled() -> bx.ClientError:
    return client_error("Throttling", message="Rate exceeded", operation="ListDistributions")


TRANSIENT = {
    "throttled": throttled,
    "reset": lambda: bx.ConnectionClosedError(endpoint_url="https://cloudfront.amazonaws.com"),
    "refused": lambda: bx.EndpointConnectionError(endpoint_url="https://cloudfront.amazonaws.com"),
    "read timeout": lambda: bx.ReadTimeoutError(endpoint_url="https://cloudfront.amazonaws.com"),
    "tls eof": lambda: bx.SSLError(
        endpoint_url="https://x", error="EOF occurred in violation of protocol (_ssl.c:2427)"
    ),
    "credentials": lambda: bx.CredentialRetrievalError(provider="container-role", error_msg="timed out"),
}


@pytest.mark.parametrize("kind", sorted(TRANSIENT))
@pytest.mark.parametrize("call", ["get", "page", "alias"])
def test_every_request_is_retried_through_a_passing_fault(kind, call):
    client = StubClient(invalidations(3), DISTS)
    client.faults = [TRANSIENT[kind](), TRANSIENT[kind]()]
    clock = FakeClock()
    api = api_of(client, clock)
    if call == "get":
        assert api.get_invalidation(E1, "I1")["Id"] == "I1"
    elif call == "page":
        assert len(list(api.invalidations(E1, 0))) == 3
    else:
        assert api.find_owner("a.example.org") == Owner("E3")
    assert len(client.calls) == 3
    assert len(clock.sleeps) == 2
    if kind == "throttled":
        # as botocore's standard mode: a random part of a window of 0.5 s, then of 1 s
        assert 0.0 < clock.sleeps[0] <= 0.5 and 0.0 < clock.sleeps[1] <= 1.0
    else:
        # backoff: about 2 then 4 s, each shortened by up to a half (jitter)
        assert 1.0 <= clock.sleeps[0] <= 2.0 and 2.0 <= clock.sleeps[1] <= 4.0


def test_the_backoff_doubles_from_two_seconds_up_to_ten(steady_random):
    stub = Stub(invalidation_history(1))
    stub.faults = [client_error("ServiceUnavailable", 503) for _n in range(6)]
    clock = FakeClock()
    assert api_of(stub, clock).get_invalidation(E1, "I0")["Id"] == "I0"
    assert clock.sleeps == [2.0, 4.0, 8.0, 10.0, 10.0, 10.0]


def test_a_lasting_fault_fails_within_the_budget_naming_the_cause(steady_random):
    client = StubClient(invalidations(3))
    client.faults = [throttled() for _n in range(100)]
    clock = FakeClock()
    with pytest.raises(TransientCloudFrontError) as error:
        api_of(client, clock).get_invalidation(E1, "I1")
    assert "CloudFront throttled cloudfront:GetInvalidation on invalidation I1 of CloudFront distribution E1" in (
        error.value.msg
    )
    assert f"(gave up after {len(client.calls)} attempts in 60s)" in error.value.msg
    # windows of 0.5, 1, 2, 4, 8, 16 s (no jitter: whole), the next one cut short at the budget's end
    assert 60 <= clock.now <= 60 + 1e-9 and len(client.calls) == 8
    assert clock.sleeps[:6] == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0] and clock.sleeps[6] == pytest.approx(28.5)


def test_a_failure_that_took_the_whole_retry_budget_is_not_retried(steady_random):
    """A read timeout as long as the budget: the request is not made again, even with time left
    for throttled ones."""
    clock = FakeClock()
    stub = Stub(invalidation_history(1))

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


def test_throttling_is_retried_until_the_callers_deadline_ever_more_slowly(steady_random):
    """A gate's deadline (wait_deadline): the account is there, only busy; many gates share it."""
    client = StubClient(invalidations(3))
    client.faults = [throttled() for _n in range(25)]
    clock = FakeClock()
    api = api_of(client, clock)
    api.throttled_until = 1800.0
    assert api.get_invalidation(E1, "I1")["Id"] == "I1"
    assert len(client.calls) == 26 and 60 < clock.now < 1800
    # ever more slowly: windows that double, and grow with the time the streak has lasted, a minute at most
    assert all(late >= 10 for late in clock.sleeps[-10:]) and max(clock.sleeps) <= 60
    # and not past the deadline
    client = StubClient(invalidations(3))
    client.faults = [throttled() for _n in range(1000)]
    clock = FakeClock()
    api = api_of(client, clock)
    api.throttled_until = 300.0
    with pytest.raises(TransientCloudFrontError) as error:
        api.get_invalidation(E1, "I1")
    assert clock.now == pytest.approx(300.0) and "in 300s)" in error.value.msg


def test_throttled_retries_slow_down_to_one_a_minute_and_no_slower(steady_random):
    stub = Stub(invalidation_history(1))
    stub.faults = [client_error("Throttling") for _n in range(1000)]
    clock = FakeClock()
    api = api_of(stub, clock)
    api.throttled_until = 1800.0
    with pytest.raises(TransientCloudFrontError):
        api.get_invalidation(E1, "I0")
    assert max(clock.sleeps) == pytest.approx(60.0)


def test_other_passing_failures_keep_to_their_budget_before_the_callers_deadline():
    client = StubClient(invalidations(3))
    client.faults = [TRANSIENT["refused"]() for _n in range(1000)]
    clock = FakeClock()
    api = api_of(client, clock)
    api.throttled_until = 1800.0
    with pytest.raises(TransientCloudFrontError) as error:
        api.get_invalidation(E1, "I1")
    # the attempt after the minute's last backoff, at most 10 s later
    assert 60 <= clock.now <= 70
    assert f"(gave up after {len(client.calls)} attempts in {clock.now:.0f}s)" in error.value.msg


def test_a_clock_that_does_not_start_at_zero_keeps_the_budgets(steady_random):
    stub = Stub(invalidation_history(1))
    stub.faults = [client_error("Throttling") for _n in range(1000)]
    clock = FakeClock()
    clock.now = 1000.0
    api = api_of(stub, clock)
    api.throttled_until = 1300.0
    with pytest.raises(TransientCloudFrontError) as error:
        api.get_invalidation(E1, "I0")
    assert clock.now == pytest.approx(1300.0) and error.value.msg.endswith(" attempts in 300s)")
    stub = Stub(invalidation_history(1))
    stub.faults = [client_error("ServiceUnavailable", 503) for _n in range(1000)]
    api = api_of(stub, clock)
    api.throttled_until = 1900.0
    with pytest.raises(TransientCloudFrontError) as error:
        api.get_invalidation(E1, "I0")
    # the first attempt past the minute is the last: at 64 s (0, 2, 6, 14, 24, 34, 44, 54, 64)
    assert clock.now == pytest.approx(1364.0) and error.value.msg.endswith("(gave up after 9 attempts in 64s)")


@pytest.mark.parametrize(
    "fault",
    [
        bx.SSLError(endpoint_url="https://x", error="[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed"),
        bx.ClientError({"Error": {"Code": "AccessDenied"}, "ResponseMetadata": {"HTTPStatusCode": 403}}, "Get"),
        bx.ClientError({"Error": {"Code": "ExpiredToken"}, "ResponseMetadata": {"HTTPStatusCode": 403}}, "Get"),
        bx.NoCredentialsError(),
    ],
)
def test_what_a_retry_cannot_mend_fails_at_once(fault):
    client = StubClient(invalidations(3))
    client.faults = [fault]
    clock = FakeClock()
    with pytest.raises(CloudFrontError) as error:
        api_of(client, clock).get_invalidation(E1, "I1")
    assert not isinstance(error.value, TransientCloudFrontError)
    assert len(client.calls) == 1 and clock.sleeps == []


def test_inside_a_wait_requests_are_made_once_the_waiter_retries():
    client = StubClient(invalidations(3))
    client.faults = [throttled()]
    api = api_of(client)
    api.retry = False
    with pytest.raises(TransientCloudFrontError):
        api.get_invalidation(E1, "I1")
    assert len(client.calls) == 1


# --- clients --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "budget, timeouts",
    [(1800, (10.0, 30.0)), (300, (10.0, 30.0)), (60, (3.0, 6.0)), (40, (2.0, 4.0)), (20, (1.0, 2.0)), (3, (1.0, 2.0))],
)
def test_timeouts_fit_the_budget(budget, timeouts):
    assert timeouts_for(budget) == timeouts


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


def test_a_short_run_builds_one_client_a_long_wait_two():
    made: list[dict[str, float]] = []
    client = StubClient(invalidations(1))

    def make(**timeouts: float) -> StubClient:
        made.append(timeouts)
        return client

    clock = FakeClock()
    short = CloudFrontApi(Clients(make, 20), clock=clock)
    short.deadline = 20.0
    for now in (0, 5, 10, 15, 19.5):
        clock.now = now
        short.get_invalidation(E1, "I0")
    assert made == [{"connect_timeout": 1.0, "read_timeout": 2.0}]
    made.clear()
    clock.now = 0
    long = CloudFrontApi(Clients(make, 1800), clock=clock)
    long.deadline = 1800.0
    for now in (0, 900, 1700, 1765, 1790, 1799):
        clock.now = now
        long.get_invalidation(E1, "I0")
    assert made == [{"connect_timeout": 10.0, "read_timeout": 30.0}, {"connect_timeout": 2.0, "read_timeout": 4.0}]


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


# --- temporary credentials ------------------------------------------------------------------------


def test_the_security_token_of_the_environment_goes_with_its_access_key():
    env = {"AWS_ACCESS_KEY_ID": "ASIAEXAMPLE", "AWS_SECURITY_TOKEN": "token-from-awx"}
    params: dict[str, object] = {"access_key": "ASIAEXAMPLE", "session_token": None}
    assert use_security_token(params, env) == "token-from-awx" and params["session_token"] == "token-from-awx"
    # not with a session token already, from the option or AWS_SESSION_TOKEN, nor for another key
    for params, environ in [
        ({"access_key": "ASIAEXAMPLE", "session_token": "given"}, env),
        ({"access_key": "ASIAEXAMPLE", "session_token": None}, {**env, "AWS_SESSION_TOKEN": "t2"}),
        ({"access_key": "ASIAOTHER", "session_token": None}, env),
        ({"access_key": None, "session_token": None}, env),
    ]:
        before = dict(params)
        assert use_security_token(params, environ) is None and params == before


def test_the_security_token_goes_with_an_equal_key_and_no_other():
    env = {"AWS_ACCESS_KEY_ID": "ASIAEXAMPLE", "AWS_SECURITY_TOKEN": "token-from-awx"}
    params: dict[str, object] = {"access_key": fresh("ASIAEXAMPLE"), "session_token": None}
    assert use_security_token(params, env) == "token-from-awx"
    for other in ("ASIAAAAA", "ASIAZZZZ"):
        assert use_security_token({"access_key": other, "session_token": None}, env) is None


def test_a_temporary_key_without_a_token_is_named():
    assert "no session token was given" in (credential_hint({"access_key": "ASIAEXAMPLE"}) or "")
    assert credential_hint({"access_key": "ASIAEXAMPLE", "session_token": "t"}) is None
    assert credential_hint({"access_key": "AKIAEXAMPLE"}) is None


def test_the_credential_hint_goes_with_rejected_credentials_only():
    for code, hint, hinted in [
        ("InvalidClientTokenId", "set a token", True),
        ("AccessDenied", "set a token", False),
        ("InvalidClientTokenId", None, False),
    ]:
        stub = Stub(invalidation_history(1))
        stub.faults = [client_error(code, 403)]
        with pytest.raises(CloudFrontError) as error:
            api_of(stub, hint=hint).get_invalidation(E1, "I0")
        assert error.value.msg.endswith(": set a token") is hinted


# --- distribution tenants -------------------------------------------------------------------------


TENANT = Owner("dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB", tenant=True)


def test_an_alias_no_distribution_has_is_looked_up_among_the_tenants_domains():
    client = StubClient([], DISTS)
    client.tenants = [{"Id": TENANT.id, "Domains": ["customer.example.net"]}]
    assert api_of(client).find_owner("Customer.Example.NET.") == TENANT
    assert client.ops() == ["ListDistributions", "GetDistributionTenantByDomain"]
    assert client.calls[-1][1] == {"Domain": "customer.example.net"}


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


def test_a_tenants_invalidations_are_read_with_the_tenant_operations():
    client = StubClient(invalidations(3))
    api = api_of(client)
    assert api.get_invalidation(TENANT, "I1")["Id"] == "I1"
    assert [s["Id"] for s in api.invalidations(TENANT, 0)] == ["I2", "I1", "I0"]
    assert client.ops() == [
        "GetInvalidationForDistributionTenant",
        "GetInvalidation",
        "ListInvalidationsForDistributionTenant",
        "ListInvalidations",
    ]


def test_a_tenants_invalidations_in_progress_are_read_until_a_page_holds_a_completed_one():
    history = [{"Id": f"I{i}", "Status": "Completed", "ref": ""} for i in range(300)]
    client = StubClient([{"Id": "INEW", "Status": "InProgress", "ref": ""}, *history])
    assert [s["Id"] for s in api_of(client).in_progress(TENANT)] == ["INEW"]
    assert client.ops() == ["ListInvalidationsForDistributionTenant", "ListInvalidations"]  # one page


def test_a_multi_tenant_distribution_given_as_a_distribution_says_how_to_name_its_tenants():
    client = StubClient([])
    client.get_distribution = lambda Id: {  # type: ignore[method-assign]
        "Distribution": {"Id": Id, "DistributionConfig": {"ConnectionMode": "tenant-only"}}
    }
    with pytest.raises(CloudFrontError, match="E1 is a multi-tenant distribution: its invalidations belong to its"):
        api_of(client).in_progress(E1)


def test_an_unknown_invalidation_of_a_multi_tenant_distribution_says_how_to_name_its_tenants():
    client = StubClient([])
    client.get_distribution = lambda Id: {  # type: ignore[method-assign]
        "Distribution": {"Id": Id, "DistributionConfig": {"ConnectionMode": "tenant-only"}}
    }
    tracker = InvalidationTracker(api_of(client), Selection(owner=E1, invalidation_id="I0NOPE"))
    with pytest.raises(CloudFrontError, match="E1 is a multi-tenant distribution"):
        tracker.fetch()
    # a distribution whose first page showed invalidations is no multi-tenant one: no question asked
    client = StubClient(invalidations(5))
    tracker = InvalidationTracker(api_of(client), Selection(owner=E1, invalidation_ids=["I4", "I0NOPE"]))
    with pytest.raises(CloudFrontError, match="I0NOPE does not exist in distribution E1"):
        tracker.fetch()
    assert client.ops() == ["ListInvalidations", "GetInvalidation"]

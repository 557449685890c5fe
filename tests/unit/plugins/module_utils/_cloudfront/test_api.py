# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Paging and lookup logic of the CloudFront calls, against a recording stub client.

The real HTTP behaviour is covered by the integration tests against the local endpoint.
"""

from __future__ import annotations

from typing import Any

import botocore.exceptions as bx
import pytest

from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.api import (
    Clients,
    CloudFrontApi,
    credential_hint,
    timeouts_for,
    use_security_token,
)
from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.errors import (
    CloudFrontError,
    TransientCloudFrontError,
)
from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.results import Owner
from ansible_collections.edgeops.cloudfront.tests.unit.plugins.module_utils._cloudfront.fakes import (
    FakeClock,
    client_error,
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


def api_of(client: StubClient, clock: FakeClock | None = None, budget: float = 60, **kwargs: Any) -> CloudFrontApi:
    """The API over ``client``, whatever the timeouts asked for; a fake clock (no real sleeps)."""
    return CloudFrontApi(Clients(lambda **timeouts: client, budget), clock=clock or FakeClock(), **kwargs)


def invalidations(n: int) -> list[dict[str, Any]]:
    # newest first: I<n-1> ... I0
    return [{"Id": f"I{i}", "Status": "InProgress", "ref": f"ref-{i}"} for i in reversed(range(n))]


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


# --- retries ---------------------------------------------------------------------------------


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


# --- clients ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "budget, timeouts",
    [(1800, (10.0, 30.0)), (300, (10.0, 30.0)), (60, (3.0, 6.0)), (40, (2.0, 4.0)), (20, (1.0, 2.0)), (3, (1.0, 2.0))],
)
def test_timeouts_fit_the_budget(budget, timeouts):
    assert timeouts_for(budget) == timeouts


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


# --- temporary credentials ---------------------------------------------------------------------


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


def test_a_temporary_key_without_a_token_is_named():
    assert "no session token was given" in (credential_hint({"access_key": "ASIAEXAMPLE"}) or "")
    assert credential_hint({"access_key": "ASIAEXAMPLE", "session_token": "t"}) is None
    assert credential_hint({"access_key": "AKIAEXAMPLE"}) is None


# --- distribution tenants -----------------------------------------------------------------------

TENANT = Owner("dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB", tenant=True)


def test_an_alias_no_distribution_has_is_looked_up_among_the_tenants_domains():
    client = StubClient([], DISTS)
    client.tenants = [{"Id": TENANT.id, "Domains": ["customer.example.net"]}]
    assert api_of(client).find_owner("Customer.Example.NET.") == TENANT
    assert client.ops() == ["ListDistributions", "GetDistributionTenantByDomain"]
    assert client.calls[-1][1] == {"Domain": "customer.example.net"}


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
    from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.report import (
        InvalidationTracker,
        Selection,
    )

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

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Paging and lookup logic of the CloudFront calls, against a recording stub client.

The real HTTP behaviour is covered by the integration tests against the local endpoint.
"""

from __future__ import annotations

from typing import Any

import pytest

from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.api import CloudFrontApi
from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.errors import CloudFrontError


class StubClient:
    """Answers like CloudFront, newest first, pages of MaxItems; records every call."""

    def __init__(self, invalidations: list[dict[str, Any]], distributions: list[dict[str, Any]] | None = None):
        self.invalidations = invalidations
        self.distributions = distributions or []
        self.calls: list[tuple[str, dict[str, Any]]] = []

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

    def list_invalidations(self, DistributionId, MaxItems, Marker=None, aws_retry=False):
        self.calls.append(("ListInvalidations", {"Marker": Marker, "MaxItems": MaxItems, "aws_retry": aws_retry}))
        return self._page(self.invalidations, "InvalidationList", Marker, int(MaxItems))

    def get_invalidation(self, DistributionId, Id, aws_retry=False):
        self.calls.append(("GetInvalidation", {"Id": Id, "aws_retry": aws_retry}))
        for item in self.invalidations:
            if item["Id"] == Id:
                batch = {"CallerReference": item["ref"], "Paths": {"Quantity": 1, "Items": ["/*"]}}
                return {"Invalidation": {**item, "InvalidationBatch": batch}}
        raise KeyError(Id)

    def list_distributions(self, MaxItems, Marker=None, aws_retry=False):
        self.calls.append(("ListDistributions", {"Marker": Marker, "aws_retry": aws_retry}))
        return self._page(self.distributions, "DistributionList", Marker, int(MaxItems))

    def ops(self) -> list[str]:
        return [c[0] for c in self.calls]


def invalidations(n: int) -> list[dict[str, Any]]:
    # newest first: I<n-1> ... I0
    return [{"Id": f"I{i}", "Status": "InProgress", "ref": f"ref-{i}"} for i in reversed(range(n))]


def test_list_limit_pages_only_as_far_as_needed():
    client = StubClient(invalidations(250))
    api = CloudFrontApi(client)
    got = list(api.invalidations("E1", 30))
    assert [i["Id"] for i in got] == [f"I{i}" for i in range(249, 219, -1)]
    assert client.ops() == ["ListInvalidations"] and client.calls[0][1]["MaxItems"] == "30"


def test_list_all_follows_markers():
    client = StubClient(invalidations(250))
    got = list(CloudFrontApi(client).invalidations("E1", 0))
    assert len(got) == 250 and client.ops() == ["ListInvalidations"] * 3
    assert client.calls[1][1]["Marker"] == "I150"


def test_retry_flag_is_passed_to_the_client():
    client = StubClient(invalidations(1))
    api = CloudFrontApi(client, retry=False)
    api.get_invalidation("E1", "I0")
    list(api.invalidations("E1", 0))
    assert [c[1]["aws_retry"] for c in client.calls] == [False, False]


def test_statuses_of_one_invalidation_is_one_get():
    client = StubClient(invalidations(5))
    assert CloudFrontApi(client).statuses("E1", ["I3"]) == {"I3": "InProgress"}
    assert client.ops() == ["GetInvalidation"]


def test_statuses_of_several_use_list_pages_and_stop_early():
    client = StubClient(invalidations(300))
    statuses = CloudFrontApi(client).statuses("E1", ["I299", "I250", "I201"])
    assert set(statuses) == {"I299", "I250", "I201"}
    assert client.ops() == ["ListInvalidations"]


def test_statuses_fall_back_to_get_for_ids_not_listed():
    client = StubClient(invalidations(3))
    client.invalidations.append({"Id": "IOLD", "Status": "Completed", "ref": "r"})
    listed = client.invalidations[:3]
    real_list = client.list_invalidations

    def list_without_old(DistributionId, MaxItems, Marker=None, aws_retry=False):
        page = real_list(DistributionId, MaxItems, Marker, aws_retry)
        page["InvalidationList"]["Items"] = [i for i in page["InvalidationList"]["Items"] if i in listed]
        return page

    client.list_invalidations = list_without_old
    statuses = CloudFrontApi(client).statuses("E1", ["I2", "IOLD"])
    assert statuses == {"I2": "InProgress", "IOLD": "Completed"}
    assert client.ops() == ["ListInvalidations", "GetInvalidation"]


def test_caller_reference_scan_stops_at_first_match():
    client = StubClient(invalidations(10))
    found = CloudFrontApi(client).find_by_caller_reference("E1", "ref-7", 100)
    assert found["Id"] == "I7"
    assert client.ops() == ["ListInvalidations", "GetInvalidation", "GetInvalidation", "GetInvalidation"]


def test_caller_reference_scan_is_bounded_by_max_items():
    client = StubClient(invalidations(10))
    with pytest.raises(CloudFrontError, match=r"caller reference 'ref-1' \(searched the 3 newest"):
        CloudFrontApi(client).find_by_caller_reference("E1", "ref-1", 3)
    assert client.ops().count("GetInvalidation") == 3


DISTS = [
    {"Id": "E1", "DomainName": "d1.cloudfront.net", "Aliases": {"Quantity": 1, "Items": ["www.example.com"]}},
    {"Id": "E2", "DomainName": "d2.cloudfront.net", "Aliases": {"Quantity": 0}},
    {
        "Id": "E3",
        "DomainName": "d3.cloudfront.net",
        "Aliases": {"Quantity": 2, "Items": ["a.example.org", "dup.example.org"]},
    },
    {"Id": "E4", "DomainName": "d4.cloudfront.net", "Aliases": {"Quantity": 1, "Items": ["dup.example.org"]}},
]


@pytest.mark.parametrize(
    "alias, want",
    [("www.example.com", "E1"), ("WWW.Example.COM.", "E1"), ("d2.cloudfront.net", "E2"), ("a.example.org", "E3")],
)
def test_alias_lookup(alias, want):
    client = StubClient([], DISTS * 1)
    assert CloudFrontApi(client).find_distribution_id(alias) == want
    assert all(c[1]["aws_retry"] for c in client.calls)


def test_alias_lookup_pages_through_all_distributions():
    many = [{"Id": f"E{i}", "DomainName": f"d{i}.cloudfront.net"} for i in range(250)]
    client = StubClient([], many)
    assert CloudFrontApi(client).find_distribution_id("d249.cloudfront.net") == "E249"
    assert client.ops() == ["ListDistributions"] * 3


def test_alias_matching_nothing_or_two_distributions_fails_naming_it():
    api = CloudFrontApi(StubClient([], DISTS))
    with pytest.raises(CloudFrontError, match="No CloudFront distribution has the alias nope.example.com"):
        api.find_distribution_id("nope.example.com")
    with pytest.raises(CloudFrontError, match=r"dup.example.org matches 2 CloudFront distributions \(E3, E4\)"):
        api.find_distribution_id("dup.example.org")


def test_requests_near_the_deadline_get_timeouts_that_end_by_it():
    from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.api import bounded_timeouts

    assert bounded_timeouts(600) is None and bounded_timeouts(40) is None
    near = bounded_timeouts(12)
    assert near == {"connect_timeout": 4.0, "read_timeout": 8.0}
    # at least a second each, even with less time left
    assert bounded_timeouts(2) == {"connect_timeout": 1.0, "read_timeout": 1.0}
    made: list[dict] = []
    default, bounded = StubClient(invalidations(1)), StubClient(invalidations(1))

    def client_with(**timeouts):
        made.append(timeouts)
        return bounded

    api = CloudFrontApi(default, client_with=client_with)
    api.get_invalidation("E1", "I0")
    left = [100.0]
    api.remaining = lambda: left[0]
    api.get_invalidation("E1", "I0")
    left[0] = 6.0
    api.get_invalidation("E1", "I0")
    assert len(default.calls) == 2 and len(bounded.calls) == 1
    assert made == [{"connect_timeout": 2.0, "read_timeout": 4.0}]

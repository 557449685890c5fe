# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Distribution tenants (tenants): their domains, their invalidations, listing them."""

from __future__ import annotations

import functools
import time
from typing import Any

from local_cloudfront import LocalCloudFront
from local_cloudfront.helpers import LONG, SHORT, error_of


def test_tenants_have_domains_and_invalidations_born_in_progress_that_complete_later(
    cf: LocalCloudFront, client: Any
) -> None:
    cf.set_default_delay(SHORT)
    saas = cf.create_distribution(multi_tenant=True)["id"]
    tenant = cf.create_distribution_tenant(saas, ["Customer.Example.NET"], name="customer")
    assert tenant.startswith("dt_") and len(tenant) == 30
    for identifier in (tenant, "customer"):
        found = client.get_distribution_tenant(Identifier=identifier)["DistributionTenant"]
        assert found["Id"] == tenant and found["DistributionId"] == saas
        assert found["Domains"] == [{"Domain": "customer.example.net", "Status": "active"}]
    by_domain = client.get_distribution_tenant_by_domain(Domain="customer.example.net")["DistributionTenant"]
    assert by_domain["Id"] == tenant
    first = cf.create_tenant_invalidation(tenant, ["/a"])
    second = cf.create_tenant_invalidation(tenant, ["/b"], complete_in=LONG)
    answer = client.get_invalidation_for_distribution_tenant(DistributionTenantId=tenant, Id=first)["Invalidation"]
    assert answer["Status"] == "InProgress" and answer["InvalidationBatch"]["Paths"]["Items"] == ["/a"]
    time.sleep(SHORT + 0.1)
    page = client.list_invalidations_for_distribution_tenant(Id=tenant, MaxItems=1)["InvalidationList"]
    assert [i["Id"] for i in page["Items"]] == [second] and page["IsTruncated"] is True  # newest first
    rest = client.list_invalidations_for_distribution_tenant(Id=tenant, Marker=page["NextMarker"])["InvalidationList"]
    assert [(i["Id"], i["Status"]) for i in rest["Items"]] == [(first, "Completed")]
    # a multi-tenant distribution has no invalidations of its own, and says what it is
    assert client.list_invalidations(DistributionId=saas)["InvalidationList"]["Quantity"] == 0
    config = client.get_distribution(Id=saas)["Distribution"]["DistributionConfig"]
    assert config["ConnectionMode"] == "tenant-only"


def test_unknown_tenants_domains_and_tenant_invalidations_are_404(cf: LocalCloudFront, client: Any) -> None:
    saas = cf.create_distribution(multi_tenant=True)["id"]
    tenant = cf.create_distribution_tenant(saas, ["a.example.net"])
    assert error_of(client.get_distribution_tenant_by_domain, Domain="b.example.net") == ("EntityNotFound", 404)
    assert error_of(client.get_distribution_tenant, Identifier="dt_nosuchtenant") == ("EntityNotFound", 404)
    assert error_of(client.list_invalidations_for_distribution_tenant, Id="dt_nosuchtenant") == ("EntityNotFound", 404)
    assert error_of(client.get_invalidation_for_distribution_tenant, DistributionTenantId=tenant, Id="INOPE") == (
        "NoSuchInvalidation",
        404,
    )
    assert [r["operation"] for r in cf.requests()] == [
        "GetDistributionTenantByDomain",
        "GetDistributionTenant",
        "ListInvalidationsForDistributionTenant",
        "GetInvalidationForDistributionTenant",
    ]


def test_list_distribution_tenants_filters_by_distribution_and_pages(cf: LocalCloudFront, client: Any) -> None:
    saas = cf.create_distribution(multi_tenant=True)["id"]
    tenants = [cf.create_distribution_tenant(saas, [f"c{n}.example.net"], name=f"customer-{n}") for n in range(2)]
    other = cf.create_distribution(multi_tenant=True)["id"]
    elsewhere = cf.create_distribution_tenant(other, ["elsewhere.example.net"])
    first = client.list_distribution_tenants(AssociationFilter={"DistributionId": saas}, MaxItems=1)
    assert [t["Id"] for t in first["DistributionTenantList"]] == tenants[:1] and first["NextMarker"] == tenants[0]
    summary = first["DistributionTenantList"][0]
    assert set(summary) == {
        "Id",
        "DistributionId",
        "Name",
        "Arn",
        "Domains",
        "CreatedTime",
        "LastModifiedTime",
        "ETag",
        "Enabled",
        "Status",
    }
    assert (summary["DistributionId"], summary["Name"], summary["Domains"]) == (
        saas,
        "customer-0",
        [{"Domain": "c0.example.net", "Status": "active"}],
    )
    second = client.list_distribution_tenants(
        AssociationFilter={"DistributionId": saas}, MaxItems=1, Marker=first["NextMarker"]
    )
    assert [t["Id"] for t in second["DistributionTenantList"]] == tenants[1:] and "NextMarker" not in second
    everything = client.list_distribution_tenants()["DistributionTenantList"]
    assert [t["Id"] for t in everything] == [*tenants, elsewhere]
    unknown = functools.partial(client.list_distribution_tenants, AssociationFilter={"DistributionId": "ENOSUCHDIST"})
    assert error_of(unknown) == ("EntityNotFound", 404)
    assert error_of(client.list_distribution_tenants, Marker="dt_nosuchtenant") == ("InvalidArgument", 400)
    assert [r["operation"] for r in cf.requests()] == ["ListDistributionTenants"] * 5

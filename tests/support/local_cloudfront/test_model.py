# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Invalidations as CloudFront has them (model): born InProgress, completed later, newest first and
paged, refused as CloudFront refuses them; the server's clock."""

from __future__ import annotations

import datetime
import email.utils
import functools
import time
import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError

from local_cloudfront import (
    CACHE_TAG_CONFIG_REQUIRED,
    CACHE_TAG_MAX,
    TOO_MANY_FILE_PATHS,
    TOO_MANY_WILDCARDS,
    LocalCloudFront,
    UnknownInvalidation,
    patch_moto,
)
from local_cloudfront.helpers import LONG, SHORT, batch, control, error_of, refusal, status_of


def test_invalidation_is_in_progress_then_completed_after_the_default_delay(
    cf: LocalCloudFront, client: Any, dist_id: str
) -> None:
    cf.set_default_delay(SHORT)
    created = client.create_invalidation(
        DistributionId=dist_id, InvalidationBatch={"Paths": {"Quantity": 1, "Items": ["/*"]}, "CallerReference": "r1"}
    )["Invalidation"]
    assert created["Status"] == "InProgress"
    assert status_of(client, dist_id, created["Id"]) == "InProgress"
    time.sleep(SHORT + 0.1)
    assert status_of(client, dist_id, created["Id"]) == "Completed"


def test_create_time_is_an_aware_utc_timestamp(client: Any, cf: LocalCloudFront, dist_id: str) -> None:
    before = datetime.datetime.now(datetime.UTC)
    invalidation_id = cf.create_invalidation(dist_id)
    got = client.get_invalidation(DistributionId=dist_id, Id=invalidation_id)["Invalidation"]["CreateTime"]
    assert got.tzinfo is not None and got.utcoffset() == datetime.timedelta(0)
    assert abs((got - before).total_seconds()) < 5
    assert got.microsecond % 1000 == 0  # milliseconds, as CloudFront


def test_complete_in_and_complete_now(cf: LocalCloudFront, client: Any, dist_id: str) -> None:
    # read in progress at once (a second's room: a loaded machine took more than SHORT for the creates)
    later = cf.create_invalidation(dist_id, complete_in=1.0)
    created = time.monotonic()
    assert status_of(client, dist_id, later) == "InProgress"
    now = cf.create_invalidation(dist_id)
    default = cf.create_invalidation(dist_id, complete_in=None)
    cf.complete_in(now, 0)
    assert status_of(client, dist_id, now) == "Completed"
    time.sleep(max(0.0, created + 1.0 + 0.1 - time.monotonic()))
    assert status_of(client, dist_id, later) == "Completed"
    assert status_of(client, dist_id, default) == "InProgress"  # default delay of this server: LONG
    cf.complete_in(now, LONG)  # and back
    assert status_of(client, dist_id, now) == "InProgress"


def test_complete_in_an_unknown_invalidation_raises(cf: LocalCloudFront) -> None:
    with pytest.raises(UnknownInvalidation):
        cf.complete_in("INOSUCHTHING", 0)


@pytest.mark.filterwarnings(r"ignore:Exception\(InvalidationBatchAlreadyExists\)")  # not in botocore's model
def test_same_caller_reference_is_idempotent(cf: LocalCloudFront, client: Any, dist_id: str) -> None:
    first = cf.create_invalidation(dist_id, ["/a"], caller_reference="release-1")
    assert cf.create_invalidation(dist_id, ["/a"], caller_reference="release-1") == first
    batch = {"Paths": {"Quantity": 1, "Items": ["/b"]}, "CallerReference": "release-1"}
    code, http = error_of(client.create_invalidation, DistributionId=dist_id, InvalidationBatch=batch)
    assert (code, http) == ("InvalidationBatchAlreadyExists", 400)


def test_patch_moto_is_idempotent(cf: LocalCloudFront, client: Any, dist_id: str) -> None:
    patch_moto()
    patch_moto()
    invalidation_id = cf.create_invalidation(dist_id, complete_in=0)
    assert status_of(client, dist_id, invalidation_id) == "Completed"


def test_list_invalidations_newest_first_with_summaries(cf: LocalCloudFront, client: Any, dist_id: str) -> None:
    ids = [cf.create_invalidation(dist_id, [f"/{n}"]) for n in range(3)]
    cf.complete_in(ids[0], 0)
    listing = client.list_invalidations(DistributionId=dist_id)["InvalidationList"]
    assert [item["Id"] for item in listing["Items"]] == ids[::-1]
    assert [item["Status"] for item in listing["Items"]] == ["InProgress", "InProgress", "Completed"]
    assert all(set(item) == {"Id", "CreateTime", "Status"} for item in listing["Items"])
    assert listing["IsTruncated"] is False and "NextMarker" not in listing and listing["Quantity"] == 3


def test_list_invalidations_pages_with_max_items_and_marker(cf: LocalCloudFront, client: Any, dist_id: str) -> None:
    ids = [cf.create_invalidation(dist_id, [f"/{n}"]) for n in range(5)]
    seen, marker, pages = [], "", []
    while True:
        page = client.list_invalidations(DistributionId=dist_id, MaxItems="2", Marker=marker)["InvalidationList"]
        pages.append((page["Marker"], page["Quantity"], page["IsTruncated"], page.get("NextMarker")))
        seen += [item["Id"] for item in page["Items"]]
        if not page["IsTruncated"]:
            break
        marker = page["NextMarker"]
    newest_first = ids[::-1]
    assert seen == newest_first
    assert pages == [
        ("", 2, True, newest_first[1]),
        (newest_first[1], 2, True, newest_first[3]),
        (newest_first[3], 1, False, None),
    ]
    paginator = client.get_paginator("list_invalidations")
    pages_of_two = paginator.paginate(DistributionId=dist_id, PaginationConfig={"PageSize": 2})
    assert [item["Id"] for page in pages_of_two for item in page["InvalidationList"]["Items"]] == newest_first


def test_list_invalidations_of_an_empty_distribution(client: Any, dist_id: str) -> None:
    listing = client.list_invalidations(DistributionId=dist_id)["InvalidationList"]
    assert listing["Quantity"] == 0 and "Items" not in listing and listing["IsTruncated"] is False


def test_bad_paging_arguments_are_invalid_argument(client: Any, dist_id: str) -> None:
    assert error_of(client.list_invalidations, DistributionId=dist_id, Marker="INOSUCHTHING") == (
        "InvalidArgument",
        400,
    )
    assert error_of(client.list_invalidations, DistributionId=dist_id, MaxItems="0") == ("InvalidArgument", 400)
    assert error_of(client.list_distributions, MaxItems="many") == ("InvalidArgument", 400)


def test_list_distributions_pages_in_creation_order(cf: LocalCloudFront, client: Any) -> None:
    ids = [cf.create_distribution(comment=str(n))["id"] for n in range(3)]
    first = client.list_distributions(MaxItems="2")["DistributionList"]
    assert [item["Id"] for item in first["Items"]] == ids[:2]
    assert first["IsTruncated"] is True and first["NextMarker"] == ids[1]
    second = client.list_distributions(MaxItems="2", Marker=first["NextMarker"])["DistributionList"]
    assert [item["Id"] for item in second["Items"]] == ids[2:]
    assert second["IsTruncated"] is False and "NextMarker" not in second
    everything = client.get_paginator("list_distributions").paginate(PaginationConfig={"PageSize": 1})
    assert [item["Id"] for page in everything for item in page["DistributionList"]["Items"]] == ids


def test_create_distribution_is_real(cf: LocalCloudFront, client: Any) -> None:
    created = cf.create_distribution(aliases=["a.example.com", "b.example.com"], comment="demo")
    assert created["aliases"] == ["a.example.com", "b.example.com"]
    got = client.get_distribution(Id=created["id"])["Distribution"]
    assert got["DomainName"] == created["domain_name"] and got["DistributionConfig"]["Comment"] == "demo"


def test_unknown_distribution_and_invalidation_are_404(client: Any, dist_id: str) -> None:
    assert error_of(client.list_invalidations, DistributionId="ENOSUCHDIST") == ("NoSuchDistribution", 404)
    assert error_of(client.get_invalidation, DistributionId="ENOSUCHDIST", Id="I1") == ("NoSuchDistribution", 404)
    assert error_of(client.get_invalidation, DistributionId=dist_id, Id="INOSUCHTHING") == ("NoSuchInvalidation", 404)
    assert error_of(client.get_distribution, Id="ENOSUCHDIST") == ("NoSuchDistribution", 404)


@pytest.mark.filterwarnings(r"ignore:Exception\(InvalidationBatchAlreadyExists\)")  # not in botocore's model
def test_in_progress_limits_of_a_distribution(cf: LocalCloudFront, client: Any) -> None:
    """CloudFront's limits: 3000 file paths (cache tags among them) and 15 wildcard paths in progress;
    a batch of more than 3000 paths is too large. What is refused is not created."""
    dist = cf.create_distribution(cache_tag_header="Cache-Tag")["id"]

    def create(paths: list[str], reference: str | None = None) -> Any:
        return client.create_invalidation(DistributionId=dist, InvalidationBatch=batch(paths, reference))

    assert refusal(create, paths=[f"/f{n}" for n in range(3001)])[:2] == ("BatchTooLarge", 413)
    files = create([f"/f{n}" for n in range(2999)] + ["#release-1"])["Invalidation"]["Id"]  # 3000 file paths
    assert refusal(create, paths=["/one-more"]) == ("TooManyInvalidationsInProgress", 400, TOO_MANY_FILE_PATHS)
    assert refusal(create, paths=["#one-more"])[0] == "TooManyInvalidationsInProgress"
    first_wildcard = create(["/w0*"], "wildcard-0")["Invalidation"]["Id"]  # counted apart
    create([f"/w{n}*" for n in range(1, 15)])  # 15 wildcard paths in progress
    assert refusal(create, paths=["/w15*"]) == ("TooManyInvalidationsInProgress", 400, TOO_MANY_WILDCARDS)
    # the caller reference comes first: the same paths are the earlier invalidation, limits or not
    again = client.create_invalidation(DistributionId=dist, InvalidationBatch=batch(["/w0*"], "wildcard-0"))
    assert again["Invalidation"]["Id"] == first_wildcard and again["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert refusal(create, paths=["/w0*", "/w1*"], reference="wildcard-0")[0] == "InvalidationBatchAlreadyExists"
    assert client.list_invalidations(DistributionId=dist)["InvalidationList"]["Quantity"] == 3
    cf.complete_in(files, 0)  # no longer in progress: room again
    create(["/one-more"])
    assert [r["status"] for r in cf.requests("CreateInvalidation")] == [
        413,
        201,
        400,
        400,
        201,
        201,
        400,
        201,
        400,
        201,
    ]


@pytest.mark.filterwarnings(r"ignore:Exception\(InvalidationBatchAlreadyExists\)")
def test_in_progress_limits_are_per_tenant_and_configurable(cf: LocalCloudFront, client: Any) -> None:
    cf.set_invalidation_limits(paths=2, wildcards=1)
    saas = cf.create_distribution(multi_tenant=True)["id"]
    first, second = (cf.create_distribution_tenant(saas, [f"t{n}.example.net"]) for n in range(2))
    site = cf.create_distribution()["id"]

    def create(tenant: str, paths: list[str], reference: str | None = None) -> Any:
        return client.create_invalidation_for_distribution_tenant(Id=tenant, InvalidationBatch=batch(paths, reference))

    create(first, ["/a", "/b"], "two-files")
    create(first, ["/*"])
    assert refusal(create, tenant=first, paths=["/c"]) == ("TooManyInvalidationsInProgress", 400, TOO_MANY_FILE_PATHS)
    assert refusal(create, tenant=first, paths=["/c*"])[:2] == ("TooManyInvalidationsInProgress", 400)
    assert create(first, ["/a", "/b"], "two-files")["ResponseMetadata"]["HTTPStatusCode"] == 201  # the earlier one
    assert refusal(create, tenant=first, paths=["/b", "/a"], reference="two-files")[0] == (
        "InvalidationBatchAlreadyExists"
    )  # another list of paths
    create(second, ["/a", "/b"])  # each tenant has its own limits, and each distribution
    client.create_invalidation(DistributionId=site, InvalidationBatch=batch(["/a", "/*"]))
    assert refusal(create, tenant=second, paths=["/a", "/b", "/c"])[:2] == ("BatchTooLarge", 413)
    cf.create_tenant_invalidation(first, ["/set-up*"])  # the set-up helpers arrange any state
    listed = client.list_invalidations_for_distribution_tenant(Id=first)["InvalidationList"]["Quantity"]
    assert listed == 3
    # the control API sets them too; reset() restores CloudFront's
    code, answer = control(cf, "POST", "config", {"invalidation_limits": {"paths": 5}})
    assert code == 200 and answer["invalidation_limits"] == {"paths": 5, "wildcards": 15}
    create(second, ["/c", "/d", "/e"])
    cf.reset()
    assert control(cf, "GET", "config")[1]["invalidation_limits"] == {"paths": 3000, "wildcards": 15}


@pytest.mark.parametrize(
    ("paths", "named"),
    [
        ([], None),
        (["images/a.png"], "images/a.png"),
        (["/a", "*"], "*"),
        (["/images/*.png"], "/images/*.png"),
        (["/**"], "/**"),
        (["#release*"], "#release*"),
        (["#"], "#"),
        (["#" + "t" * (CACHE_TAG_MAX + 1)], "#" + "t" * (CACHE_TAG_MAX + 1)),
    ],
)
@pytest.mark.parametrize("owner", ["distribution", "tenant"])
def test_invalid_paths_are_invalid_argument(
    cf: LocalCloudFront, client: Any, paths: list[str], named: str | None, owner: str
) -> None:
    """Each item a path (/..., * only last) or a cache tag (#, 1 to 256 characters, no *), at least one."""
    dist = cf.create_distribution(cache_tag_header="Cache-Tag", multi_tenant=owner == "tenant")["id"]
    if owner == "tenant":
        tenant = cf.create_distribution_tenant(dist, ["customer.example.net"])
        create = functools.partial(client.create_invalidation_for_distribution_tenant, Id=tenant)
    else:
        create = functools.partial(client.create_invalidation, DistributionId=dist)
    code, status, message = refusal(create, InvalidationBatch=batch(paths))
    assert (code, status) == ("InvalidArgument", 400) and (named is None or named in message)
    # what CloudFront takes
    good = ["/", "/a*", "/images/*", "/a b/ü.png", "#" + "t" * CACHE_TAG_MAX, "#v1"]
    assert create(InvalidationBatch=batch(good))["Invalidation"]["InvalidationBatch"]["Paths"]["Items"] == good


def test_cache_tags_need_a_cache_tag_config(cf: LocalCloudFront, client: Any) -> None:
    tagged = cf.create_distribution(cache_tag_header="Cache-Tag")["id"]
    plain = cf.create_distribution()["id"]
    config = client.get_distribution(Id=tagged)["Distribution"]["DistributionConfig"]
    assert config["CacheTagConfig"] == {"HeaderName": "Cache-Tag"}
    assert "CacheTagConfig" not in client.get_distribution(Id=plain)["Distribution"]["DistributionConfig"]
    assert (
        client.get_distribution_config(Id=tagged)["DistributionConfig"]["CacheTagConfig"]["HeaderName"] == "Cache-Tag"
    )
    client.create_invalidation(DistributionId=tagged, InvalidationBatch=batch(["#product-42", "/index.html"]))
    assert refusal(
        client.create_invalidation, DistributionId=plain, InvalidationBatch=batch(["/a", "#product-42"])
    ) == (
        "InvalidArgument",
        400,
        CACHE_TAG_CONFIG_REQUIRED,
    )
    client.create_invalidation(DistributionId=plain, InvalidationBatch=batch(["/a"]))
    # a tenant: its distribution's CacheTagConfig
    for cache_tag_header, expected in (("X-Tags", None), (None, CACHE_TAG_CONFIG_REQUIRED)):
        saas = cf.create_distribution(multi_tenant=True, cache_tag_header=cache_tag_header)["id"]
        tenant = cf.create_distribution_tenant(saas, [f"{uuid.uuid4().hex}.example.net"])
        create = functools.partial(
            client.create_invalidation_for_distribution_tenant, Id=tenant, InvalidationBatch=batch(["#product-42"])
        )
        if expected is None:
            create()
        else:
            assert refusal(create) == ("InvalidArgument", 400, expected)


def test_create_invalidation_of_a_multi_tenant_distribution_is_no_such_distribution(
    cf: LocalCloudFront, client: Any
) -> None:
    saas = cf.create_distribution(multi_tenant=True)["id"]
    create = functools.partial(client.create_invalidation, DistributionId=saas, InvalidationBatch=batch(["/a"]))
    assert refusal(create)[:2] == ("NoSuchDistribution", 404)
    assert client.list_invalidations(DistributionId=saas)["InvalidationList"]["Quantity"] == 0


def answer_date(response: dict[str, Any]) -> float:
    return email.utils.parsedate_to_datetime(response["ResponseMetadata"]["HTTPHeaders"]["date"]).timestamp()


def test_the_server_clock_dates_invalidations_and_answers(cf: LocalCloudFront, client: Any, dist_id: str) -> None:
    assert abs(answer_date(client.get_distribution(Id=dist_id)) - time.time()) < 5
    cf.set_clock_offset(3600)
    cf.set_default_delay(SHORT)  # the delays are not shifted
    created = client.create_invalidation(DistributionId=dist_id, InvalidationBatch=batch(["/a"]))
    ahead = time.time() + 3600
    assert abs(created["Invalidation"]["CreateTime"].timestamp() - ahead) < 5
    assert abs(answer_date(created) - ahead) < 5
    with pytest.raises(ClientError) as refused:  # error answers too
        client.get_distribution(Id="ENOSUCHDIST")
    assert abs(answer_date(refused.value.response) - ahead) < 5
    time.sleep(SHORT + 0.1)
    assert status_of(client, dist_id, created["Invalidation"]["Id"]) == "Completed"
    # the control API sets it too; reset() sets it back
    code, answer = control(cf, "POST", "config", {"clock_offset": -3600})
    assert code == 200 and answer["clock_offset"] == -3600
    assert abs(answer_date(client.list_distributions()) - (time.time() - 3600)) < 5
    cf.reset()
    assert control(cf, "GET", "config")[1]["clock_offset"] == 0
    assert abs(answer_date(client.list_distributions()) - time.time()) < 5

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What cloudfront_invalidation does (invalidate.py): whose invalidations, every tenant's with
``all_tenants``, check mode, the wait, the facts and the diff. The stub client of test_create.py,
on a fake clock: no network, no real sleeps."""

from __future__ import annotations

import pytest

from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.api import owner_of
from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.create import Creator
from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.errors import CloudFrontError
from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.invalidate import (
    Request,
    invalidate,
)
from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.results import Owner
from ansible_collections.edgeops.cloudfront.tests.unit.plugins.module_utils._cloudfront.test_create import (
    DT_A,
    E1,
    E9,
    EVERY_5S,
    WALL0,
    iso,
    item,
    stubbed,
)

PATHS = ["/a", "/b/*", "/a", "#t"]
BATCH = ["/a", "/b/*", "#t"]


def multi_tenant(*tenants: str, **owners):
    """A stub with E1 (a distribution) and E9 (a multi-tenant one with ``tenants``)."""
    stub, api, clock = stubbed(**owners)
    stub.configs["E9"] = {"ConnectionMode": "tenant-only", "TenantConfig": {}}
    stub.tenants_by_distribution = {"E9": list(tenants)}
    return stub, api, clock


def run(api, owner: Owner, request: Request, headroom_timeout: float = 600):
    return invalidate(api, Creator(api, headroom_timeout=headroom_timeout, schedule=EVERY_5S), owner, request, EVERY_5S)


# --- one distribution or tenant ----------------------------------------------------------------------


def test_a_create_on_a_distribution_returns_it_with_the_distribution_and_the_reference():
    stub, api, _clock = stubbed()
    outcome = run(api, E1, Request(paths=PATHS, caller_reference="release-1"))
    assert outcome.changed and outcome.failure is None
    assert outcome.facts == {
        "headroom_waited": 0.0,
        "caller_reference": "release-1",
        "distribution_id": "E1",
        "invalidation": {
            "id": "INEW1",
            "distribution_id": "E1",
            "status": "InProgress",
            "completed": False,
            "create_time": iso(WALL0),
            "caller_reference": "release-1",
            "paths": BATCH,
            "path_count": 3,
        },
    }
    assert outcome.diff == {"before": {"paths": []}, "after": {"paths": BATCH}}
    assert stub.creates() == [{"Id": "E1", "ref": "release-1", "paths": BATCH}]


def test_a_create_on_a_tenant_names_the_tenant():
    stub, api, _clock = stubbed()
    outcome = run(api, DT_A, Request(paths=["/a"], caller_reference="release-1"))
    assert outcome.facts["distribution_tenant_id"] == "dt_a1" and "distribution_id" not in outcome.facts
    assert outcome.facts["invalidation"]["distribution_tenant_id"] == "dt_a1"
    assert stub.ops() == ["CreateInvalidationForDistributionTenant"]


def test_check_mode_on_a_tenant_reads_no_distribution():
    stub, api, _clock = stubbed()
    outcome = run(api, DT_A, Request(paths=["/a"], check_mode=True))
    assert outcome.changed and outcome.facts == {"headroom_waited": 0.0, "distribution_tenant_id": "dt_a1"}
    assert stub.ops() == []


def test_a_run_without_a_caller_reference_makes_one_and_returns_it():
    stub, api, _clock = stubbed()
    request = Request(paths=["/a"])
    outcome = run(api, E1, request)
    reference = outcome.facts["caller_reference"]
    assert reference.startswith("edgeops-") and request.reference == reference  # made once
    assert stub.creates()[0]["ref"] == reference


def test_a_re_run_is_unchanged_and_its_diff_has_the_earlier_paths_before():
    earlier = item("I7", "release-1", BATCH, WALL0 - 3600, completes_at=0)
    stub, api, _clock = stubbed(E1=[earlier])
    outcome = run(api, E1, Request(paths=PATHS, caller_reference="release-1"))
    assert not outcome.changed
    assert outcome.facts["invalidation"]["id"] == "I7"
    assert outcome.diff == {"before": {"paths": BATCH}, "after": {"paths": BATCH}}
    assert len(stub.creates()) == 1


def test_owner_of_the_parameters():
    stub, api, _clock = stubbed()
    assert owner_of({"distribution_tenant_id": "dt_a1", "distribution_id": None}, api) == DT_A
    assert owner_of({"distribution_id": "E1"}, api) == E1
    stub.distributions = [{"Id": "E3", "DomainName": "d3.cloudfront.net", "Aliases": {"Items": ["www.example.com"]}}]
    assert owner_of({"alias": "www.example.com"}, api) == Owner("E3")


# --- every tenant --------------------------------------------------------------------------------


def test_all_tenants_creates_one_per_tenant_with_references_derived_from_the_tasks():
    stub, api, _clock = multi_tenant("dt_a1", "dt_b2")
    outcome = run(api, E9, Request(paths=PATHS, caller_reference="release-1", all_tenants=True))
    assert stub.creates() == [
        {"Id": "dt_a1", "ref": "release-1@dt_a1", "paths": BATCH},
        {"Id": "dt_b2", "ref": "release-1@dt_b2", "paths": BATCH},
    ]
    assert outcome.changed
    assert set(outcome.facts) == {"headroom_waited", "caller_reference", "invalidations"}
    assert outcome.facts["caller_reference"] == "release-1"
    invalidations = outcome.facts["invalidations"]
    assert [(i["distribution_tenant_id"], i["caller_reference"]) for i in invalidations] == [
        ("dt_a1", "release-1@dt_a1"),
        ("dt_b2", "release-1@dt_b2"),
    ]
    assert outcome.diff == {"before": {"paths": []}, "after": {"paths": BATCH}}


def test_all_tenants_without_a_reference_derives_each_from_the_one_made_for_the_run():
    stub, api, _clock = multi_tenant("dt_a1", "dt_b2")
    outcome = run(api, E9, Request(paths=["/a"], all_tenants=True))
    reference = outcome.facts["caller_reference"]
    assert [c["ref"] for c in stub.creates()] == [f"{reference}@dt_a1", f"{reference}@dt_b2"]


def test_all_tenants_re_run_on_some_tenants_is_changed_and_shows_their_paths_before():
    earlier = item("I7", "release-1@dt_a1", ["/a"], WALL0 - 3600, completes_at=0)
    _stub, api, _clock = multi_tenant("dt_a1", "dt_b2", dt_a1=[earlier])
    outcome = run(api, E9, Request(paths=["/a"], caller_reference="release-1", all_tenants=True))
    assert outcome.changed  # dt_b2's is new
    assert [i["id"] for i in outcome.facts["invalidations"]] == ["I7", "INEW1"]
    assert outcome.diff["before"] == {"paths": ["/a"]}
    _stub, api, _clock = multi_tenant("dt_a1", dt_a1=[earlier])
    assert not run(api, E9, Request(paths=["/a"], caller_reference="release-1", all_tenants=True)).changed


def test_a_failure_after_some_tenants_creates_says_what_it_made_and_is_changed():
    """The second tenant's create is refused (its reference used with other paths): the first tenant's
    invalidation stays made, and the failure names it and says that something changed."""
    earlier = item("I7", "release-1@dt_b2", ["/other"], WALL0 - 3600, completes_at=0)
    _stub, api, _clock = multi_tenant("dt_a1", "dt_b2", "dt_c3", dt_b2=[earlier])
    with pytest.raises(CloudFrontError) as failure:
        run(api, E9, Request(paths=["/a"], caller_reference="release-1", all_tenants=True))
    assert failure.value.msg.endswith("(after creating 1 of 3: INEW1)")
    assert failure.value.changed is True
    # a failure before anything was made changes nothing, nor after a re-run's earlier invalidation
    rerun = item("I6", "release-1@dt_a1", ["/a"], WALL0 - 3600, completes_at=0)
    _stub, api, _clock = multi_tenant("dt_a1", "dt_b2", dt_a1=[rerun], dt_b2=[earlier])
    with pytest.raises(CloudFrontError) as first:
        run(api, E9, Request(paths=["/a"], caller_reference="release-1", all_tenants=True))
    assert first.value.changed is False and "after creating" not in first.value.msg


def test_the_headroom_waited_for_each_tenant_is_added_up():
    busy = item("I1", "r1", ["/*"], WALL0 - 60, completes_at=10.0)
    stub, api, clock = multi_tenant("dt_a1", "dt_b2", dt_a1=[busy], dt_b2=[dict(busy, completes_at=17.0)])
    stub.capacity = 1
    outcome = run(api, E9, Request(paths=["/a"], caller_reference="release-1", all_tenants=True))
    # dt_a1: polled at 5 and 10, made at 10; dt_b2: refused at 10, polled at 15 and 20, made at 20
    assert outcome.facts["headroom_waited"] == 20.0 == clock.now


@pytest.mark.parametrize(
    "distribution_id, kind",
    [("E9", "multi-tenant distribution"), ("E1", "distribution (not a multi-tenant one)")],
)
def test_all_tenants_of_a_distribution_without_tenants_fails_naming_it(distribution_id, kind):
    stub, api, _clock = multi_tenant()
    with pytest.raises(CloudFrontError) as error:
        run(api, Owner(distribution_id), Request(paths=["/a"], all_tenants=True))
    assert error.value.msg == (
        f"CloudFront {kind} {distribution_id} has no distribution tenants: all_tenants=true invalidates the"
        " tenants of a multi-tenant distribution; without it, the distribution's own invalidation is made"
    )
    assert stub.creates() == []


# --- check mode ----------------------------------------------------------------------------------


def test_check_mode_without_a_reference_creates_nothing_and_is_changed():
    stub, api, _clock = stubbed()
    outcome = run(api, E1, Request(paths=PATHS, check_mode=True))
    assert outcome.changed
    # no reference made for a run that creates nothing
    assert outcome.facts == {"headroom_waited": 0.0, "distribution_id": "E1"}
    assert outcome.diff == {"before": {"paths": []}, "after": {"paths": BATCH}}
    assert stub.ops() == ["GetDistribution"]


def test_check_mode_finds_the_earlier_invalidation_of_the_reference():
    earlier = item("I7", "release-1", BATCH, WALL0 - 3600, completes_at=0)
    stub, api, _clock = stubbed(E1=[*[item(f"IN{i}", f"o{i}", ["/x"], WALL0 - 60) for i in range(3)], earlier])
    outcome = run(api, E1, Request(paths=PATHS, caller_reference="release-1", check_mode=True))
    assert not outcome.changed
    assert outcome.facts["invalidation"]["id"] == "I7" and outcome.facts["distribution_id"] == "E1"
    assert outcome.facts["caller_reference"] == "release-1"
    assert outcome.diff == {"before": {"paths": BATCH}, "after": {"paths": BATCH}}
    assert stub.creates() == []


def test_check_mode_with_a_reference_not_found_would_create():
    stub, api, _clock = stubbed(E1=[item("I1", "other", ["/a"], WALL0 - 60)])
    outcome = run(api, E1, Request(paths=["/a"], caller_reference="release-1", check_mode=True))
    assert outcome.changed
    assert outcome.facts == {"headroom_waited": 0.0, "caller_reference": "release-1", "distribution_id": "E1"}
    assert stub.creates() == []


def test_check_mode_with_a_reference_used_with_other_paths_fails_as_a_create_would():
    stub, api, _clock = stubbed(E1=[item("I7", "release-1", ["/a"], WALL0 - 3600)])
    with pytest.raises(CloudFrontError) as error:
        run(api, E1, Request(paths=["/b"], caller_reference="release-1", check_mode=True))
    assert error.value.msg.startswith(
        "caller_reference 'release-1' was used on CloudFront distribution E1 with other paths by invalidation I7"
    )
    assert error.value.code == "InvalidationBatchAlreadyExists"
    assert stub.creates() == []


def test_check_mode_on_a_multi_tenant_distribution_fails_as_a_create_would():
    stub, api, _clock = multi_tenant("dt_a1")
    with pytest.raises(CloudFrontError, match="CloudFront distribution E9 is a multi-tenant distribution"):
        run(api, E9, Request(paths=["/a"], check_mode=True))
    assert stub.creates() == []


def test_check_mode_on_all_tenants_looks_for_each_tenants_reference():
    earlier = item("I7", "release-1@dt_a1", ["/a"], WALL0 - 3600, completes_at=0)
    stub, api, _clock = multi_tenant("dt_a1", "dt_b2", dt_a1=[earlier])
    outcome = run(api, E9, Request(paths=["/a"], caller_reference="release-1", all_tenants=True, check_mode=True))
    assert outcome.changed  # dt_b2 would get one
    assert [i["id"] for i in outcome.facts["invalidations"]] == ["I7"]
    assert outcome.diff == {"before": {"paths": ["/a"]}, "after": {"paths": ["/a"]}}
    assert stub.creates() == [] and "GetDistribution" not in stub.ops()


# --- the wait ------------------------------------------------------------------------------------


def test_wait_polls_the_created_invalidation_until_it_completes():
    stub, api, clock = stubbed()
    stub.completes_after = 30.0
    outcome = run(api, E1, Request(paths=["/a"], caller_reference="release-1", wait=True, wait_timeout=600))
    assert outcome.failure is None and outcome.changed
    facts = outcome.facts
    assert facts["completed"] is True and facts["timed_out"] is False and facts["waited"] == 30.0 == clock.now
    assert facts["invalidation"]["status"] == "Completed" and facts["invalidation"]["id"] == "INEW1"
    assert facts["distribution_id"] == "E1" and facts["caller_reference"] == "release-1"
    # the create's answer is the first poll: the polls at 5, 10, ... 30 s read it
    assert stub.ops() == ["CreateInvalidation"] + ["GetInvalidation"] * 6


def test_a_wait_that_times_out_is_a_failure_that_names_the_invalidation():
    _stub, api, _clock = stubbed()
    outcome = run(api, E1, Request(paths=["/a"], caller_reference="release-1", wait=True, wait_timeout=20))
    assert outcome.changed and outcome.facts["timed_out"] is True and outcome.facts["completed"] is False
    assert outcome.failure == (
        "Timed out after 20s (wait_timeout=20): 1 CloudFront invalidation(s) still in progress: distribution E1: INEW1"
    )


def test_wait_on_all_tenants_reports_every_tenants_invalidation():
    stub, api, _clock = multi_tenant("dt_a1", "dt_b2")
    stub.completes_after = 12.0
    outcome = run(api, E9, Request(paths=["/a"], all_tenants=True, wait=True, wait_timeout=600))
    assert outcome.failure is None and outcome.facts["completed"] is True
    assert [(i["distribution_tenant_id"], i["status"]) for i in outcome.facts["invalidations"]] == [
        ("dt_a1", "Completed"),
        ("dt_b2", "Completed"),
    ]


def test_check_mode_never_waits():
    stub, api, clock = stubbed()
    outcome = run(api, E1, Request(paths=["/a"], wait=True, check_mode=True))
    assert "waited" not in outcome.facts and clock.now == 0 and stub.creates() == []

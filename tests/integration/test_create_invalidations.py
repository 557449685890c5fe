# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""``cloudfront_invalidation``: creating invalidations through real ``ansible-playbook`` runs against
the local endpoint, which applies CloudFront's caller-reference rules, path rules and in-progress limits."""

from __future__ import annotations

import functools
import re

import pytest

from ansible_collections.edgeops.cloudfront.tests.integration.awx_jobs import RESULT, artifacts, awx_project, run_job
from ansible_collections.edgeops.cloudfront.tests.integration.gate_plays import after_gate, gate_play
from ansible_collections.edgeops.cloudfront.tests.integration.playbook_runner import (
    CREATE_MODULE,
    assert_no_secret,
    assert_no_secret_in,
    run_modes,
    run_module,
    run_playbook,
)

DOMAIN = "shop.customer.example.net"


def create(cloudfront, tmp_path, args, **kwargs):
    return run_module(cloudfront.url, args, tmp_path, module=CREATE_MODULE, **kwargs)


def gate_status(run):
    """``ok`` or ``changed``: how the output reports the gate's task."""
    after = run.stdout.split("Hold until CloudFront has completed the invalidations", 1)[1]
    match = re.search(r"^(ok|changed|failed|fatal): \[localhost\]", after, re.MULTILINE)
    assert match, run.stdout
    return match.group(1)


def invalidation_ids(cloudfront, distribution_id):
    client = cloudfront.client()
    return [
        i["Id"] for i in client.list_invalidations(DistributionId=distribution_id)["InvalidationList"].get("Items", [])
    ]


def made_a_minute_ago(cloudfront, make, offset=0):
    """``make()`` on the endpoint with its clock a minute before ``offset``, then back at ``offset``: an
    invalidation clearly older than the run that follows (a re-run closer than about a second to the
    create is reported as changed)."""
    cloudfront.set_clock_offset(offset - 60)
    try:
        return make()
    finally:
        cloudfront.set_clock_offset(offset)


def test_a_create_returns_the_structured_invalidation_in_one_request(cloudfront, tmp_path):
    distribution = cloudfront.create_distribution(aliases=["www.example.com"])["id"]
    run = create(
        cloudfront,
        tmp_path,
        {
            "distribution_id": distribution,
            "paths": ["/index.html", "/assets/*", "/index.html"],
            "caller_reference": "release-1",
        },
    )
    result = run.result
    assert result["changed"] is True and not result.get("failed"), result
    invalidation = result["invalidation"]
    assert invalidation == {
        "id": invalidation["id"],
        "distribution_id": distribution,
        "status": "InProgress",
        "completed": False,
        "create_time": invalidation["create_time"],
        "caller_reference": "release-1",
        "paths": ["/index.html", "/assets/*"],  # each once, in order
        "path_count": 2,
    }
    assert result["distribution_id"] == distribution and result["caller_reference"] == "release-1"
    assert result["headroom_waited"] == 0 and result["api_calls"] == 1
    assert [r["operation"] for r in cloudfront.requests()] == ["CreateInvalidation"]
    assert invalidation_ids(cloudfront, distribution) == [invalidation["id"]]
    assert_no_secret(run.output)


@pytest.mark.loop
def test_a_re_run_with_the_same_reference_creates_nothing_in_one_request(cloudfront, tmp_path):
    distribution = cloudfront.create_distribution()["id"]
    earlier = made_a_minute_ago(
        cloudfront,
        lambda: cloudfront.create_invalidation(distribution, ["/b", "/a"], caller_reference="release-2", complete_in=0),
    )
    cloudfront.add_invalidations(distribution, 300)  # a long history costs nothing
    cloudfront.clear_requests()
    run = create(
        cloudfront, tmp_path, {"distribution_id": distribution, "paths": ["/b", "/a"], "caller_reference": "release-2"}
    )
    result = run.result
    assert result["changed"] is False and not result.get("failed"), result
    assert result["invalidation"]["id"] == earlier and result["invalidation"]["status"] == "Completed"
    assert result["api_calls"] == 1
    assert [r["operation"] for r in cloudfront.requests()] == ["CreateInvalidation"]
    assert invalidation_ids(cloudfront, distribution)[0] == earlier  # nothing newer


@pytest.mark.loop
def test_the_same_reference_with_other_paths_fails_naming_the_reference_and_the_earlier_invalidation(
    cloudfront, tmp_path
):
    distribution = cloudfront.create_distribution()["id"]
    earlier = cloudfront.create_invalidation(distribution, ["/a"], caller_reference="release-3")
    run = create(
        cloudfront, tmp_path, {"distribution_id": distribution, "paths": ["/other"], "caller_reference": "release-3"}
    )
    result = run.result
    assert result["failed"] is True and result.get("changed") is not True
    assert "caller_reference 'release-3'" in result["msg"] and earlier in result["msg"] and "/a" in result["msg"]
    assert result["error_code"] == "InvalidationBatchAlreadyExists"
    assert invalidation_ids(cloudfront, distribution) == [earlier]


def test_check_mode_creates_nothing_and_says_whether_it_would(cloudfront, tmp_path):
    distribution = cloudfront.create_distribution()["id"]
    earlier = cloudfront.create_invalidation(distribution, ["/a"], caller_reference="release-4")
    results = run_modes(
        tmp_path,
        cloudfront.url,
        {
            "new": {"distribution_id": distribution, "paths": ["/b"], "caller_reference": "release-5"},
            "re-run": {"distribution_id": distribution, "paths": ["/a"], "caller_reference": "release-4"},
            "no reference": {"distribution_id": distribution, "paths": ["/a"]},
            "other paths": {"distribution_id": distribution, "paths": ["/c"], "caller_reference": "release-4"},
        },
        module=CREATE_MODULE,
        check=True,
    )
    assert results["new"]["changed"] is True and "invalidation" not in results["new"]
    assert results["new"]["diff"] == {"before": {"paths": []}, "after": {"paths": ["/b"]}}
    assert results["re-run"]["changed"] is False and results["re-run"]["invalidation"]["id"] == earlier
    assert results["re-run"]["diff"] == {"before": {"paths": ["/a"]}, "after": {"paths": ["/a"]}}
    assert results["no reference"]["changed"] is True and "caller_reference" not in results["no reference"]
    assert results["other paths"]["failed"] is True and earlier in results["other paths"]["msg"]
    assert invalidation_ids(cloudfront, distribution) == [earlier]
    assert not cloudfront.requests("CreateInvalidation")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"paths": []}, "paths must list at least one path"),
        ({"paths": ["index.html"]}, "paths[0] 'index.html' must start with /"),
        ({"paths": ["/a", "/assets/*/x"]}, "paths[1] '/assets/*/x' has a * that is not its last character"),
        ({"paths": ["#tag*"]}, "paths[0] '#tag*' is a cache tag with a wildcard"),
        ({"paths": ["#" + "t" * 257]}, "paths[0] is a cache tag of 257 characters: at most 256"),
        ({"paths": [f"/w{n}/*" for n in range(16)]}, "paths lists 16 wildcard paths"),
        ({"paths": [f"/f{n}" for n in range(3001)]}, "paths lists 3001 paths"),
        ({"paths": ["/a"], "caller_reference": "r" * 129}, "caller_reference is 129 characters long"),
        (
            {"paths": ["/a"], "caller_reference": "bad\nref"},
            "caller_reference 'bad\\nref' contains a control character",
        ),
        ({"paths": ["/a"], "headroom_timeout": -1}, "headroom_timeout must be at least 0"),
        ({"paths": ["/a"], "all_tenants": True, "alias": DOMAIN}, "all_tenants invalidates every tenant"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_bad_input_is_refused_naming_the_option_before_any_request(cloudfront, tmp_path, args, message):
    target = {} if "alias" in args else {"distribution_id": "E2QWRUHAPOMQZL"}
    run = create(cloudfront, tmp_path, {**target, **args})
    assert run.result["failed"] is True and message in run.result["msg"], run.result["msg"]
    assert "Traceback" not in run.output
    assert cloudfront.requests() == []


@pytest.mark.loop
def test_tenants_by_id_and_by_domain_and_a_multi_tenant_distribution_says_how_to_name_them(cloudfront, tmp_path):
    saas = cloudfront.create_distribution(multi_tenant=True)["id"]
    tenant = cloudfront.create_distribution_tenant(saas, [DOMAIN])
    earlier = made_a_minute_ago(
        cloudfront, lambda: cloudfront.create_tenant_invalidation(tenant, ["/a"], caller_reference="t-1")
    )
    results = run_modes(
        tmp_path,
        cloudfront.url,
        {
            "by id": {"distribution_tenant_id": tenant, "paths": ["/b"], "caller_reference": "t-2"},
            "by domain": {"alias": DOMAIN, "paths": ["/a"], "caller_reference": "t-1"},
            "the distribution": {"distribution_id": saas, "paths": ["/a"]},
        },
        module=CREATE_MODULE,
    )
    by_id, by_domain = results["by id"], results["by domain"]
    assert by_id["changed"] is True and by_id["invalidation"]["distribution_tenant_id"] == tenant
    assert by_id["distribution_tenant_id"] == tenant and "distribution_id" not in by_id["invalidation"]
    # found by the tenant's domain: the same reference and paths, the earlier invalidation
    assert by_domain["changed"] is False and by_domain["invalidation"]["id"] == earlier
    assert by_domain["distribution_tenant_id"] == tenant
    refused = results["the distribution"]
    assert refused["failed"] is True and "multi-tenant distribution" in refused["msg"]
    assert "distribution_tenant_id" in refused["msg"] and "all_tenants" in refused["msg"]
    assert [r["status"] for r in cloudfront.requests("CreateInvalidationForDistributionTenant")] == [201, 201]


# ---------------------------------------------------------------------------------------
# The gate creates what it waits for
# ---------------------------------------------------------------------------------------


@pytest.mark.waits
def test_the_gate_creates_the_invalidation_then_holds_until_it_is_completed_and_a_re_run_creates_nothing(
    cloudfront, tmp_path
):
    distribution = cloudfront.create_distribution()["id"]
    role_vars = {
        "wait_for_invalidation_distribution_id": distribution,
        "wait_for_invalidation_paths": ["/index.html", "/assets/*"],
        "wait_for_invalidation_caller_reference": "release-7",
        "wait_for_invalidation_timeout": 60,
        "wait_for_invalidation_progress_interval": 1,
    }
    playbook = gate_play(tmp_path, cloudfront.url, role_vars)
    first = run_playbook(playbook)
    assert first.rc == 0, first.output
    result = after_gate(tmp_path)["result"]
    # the gate opened after a poll saw it completed, which it was not when created
    operations = [r["operation"] for r in cloudfront.requests()]
    assert operations[0] == "CreateInvalidation" and set(operations[1:]) == {"GetInvalidation"}, operations
    (created,) = invalidation_ids(cloudfront, distribution)
    assert result["completed"] is True and result["invalidations"] == [
        {"distribution_id": distribution, "id": created, "status": "Completed", "completed": True}
    ]
    assert result["elapsed"] >= 4  # the endpoint completes an invalidation 5 s after its create
    assert gate_status(first) == "changed"
    assert "the invalidation of /index.html, /assets/*" in first.stdout
    # a re-run: the same reference and paths, nothing created, the earlier invalidation waited for
    cloudfront.clear_requests()
    again = run_playbook(playbook)
    assert again.rc == 0, again.output
    # one request: the create answered the earlier invalidation, completed; no poll needed
    assert [r["operation"] for r in cloudfront.requests()] == ["CreateInvalidation"]
    assert invalidation_ids(cloudfront, distribution) == [created]
    assert after_gate(tmp_path)["result"]["invalidations"][0]["id"] == created
    assert gate_status(again) == "ok"


def test_the_gate_refuses_bad_paths_before_any_request_naming_its_variable(cloudfront, tmp_path):
    role_vars = {
        "wait_for_invalidation_distribution_id": "E2QWRUHAPOMQZL",
        "wait_for_invalidation_paths": ["/ok", "index.html"],
    }
    run = run_playbook(gate_play(tmp_path, cloudfront.url, role_vars, rescue=True))
    assert run.rc == 0, run.output
    msg = after_gate(tmp_path, "rescued")["msg"]
    assert "wait_for_invalidation_paths[1] 'index.html' must start with /" in msg
    assert cloudfront.requests() == []


@pytest.mark.waits
def test_the_awx_job_invalidates_and_holds_and_a_launcher_cannot_redirect_it(cloudfront, tmp_path, awx_env):
    distribution = cloudfront.create_distribution()["id"]
    extravars = {
        "cloudfront_distribution_id": distribution,
        "cloudfront_invalidation_paths": "/index.html\n/assets/*\n",
        "cloudfront_caller_reference": "release-8",
        "cloudfront_gate_timeout": "120",
    }
    runner = run_job(awx_project(tmp_path), extravars, awx_env)
    assert runner.status == "successful", runner.stdout.read()
    (created,) = invalidation_ids(cloudfront, distribution)
    result = artifacts(runner)[RESULT]
    assert result["completed"] is True and [i["id"] for i in result["invalidations"]] == [created]
    client = cloudfront.client()
    batch = client.get_invalidation(DistributionId=distribution, Id=created)["Invalidation"]["InvalidationBatch"]
    assert batch["CallerReference"] == "release-8" and batch["Paths"]["Items"] == ["/index.html", "/assets/*"]
    # a launcher's extra variable that would redirect the create is refused before any request
    cloudfront.clear_requests()
    refused = run_job(awx_project(tmp_path, "refused"), {**extravars, "wait_for_invalidation_paths": ["/*"]}, awx_env)
    assert refused.status == "failed"
    assert "wait_for_invalidation_paths was given as an extra variable" in refused.stdout.read()
    assert cloudfront.requests() == []
    assert_no_secret_in(tmp_path)


# ---------------------------------------------------------------------------------------
# What CloudFront does to a create: lost answers, throttling, in-progress limits, its clock
# ---------------------------------------------------------------------------------------


@pytest.mark.loop
def test_a_lost_answer_is_retried_with_the_same_reference_and_exactly_one_invalidation_exists(cloudfront, tmp_path):
    distribution = cloudfront.create_distribution()["id"]
    cloudfront.lose_answers("CreateInvalidation", 1)  # carried out, then the connection reset
    result = create(cloudfront, tmp_path, {"distribution_id": distribution, "paths": ["/a"]}).result
    assert result["changed"] is True and not result.get("failed"), result
    assert len(cloudfront.requests("CreateInvalidation")) == 2 and result["api_calls"] == 2
    assert invalidation_ids(cloudfront, distribution) == [result["invalidation"]["id"]]
    # the reference made for the run, sent by both attempts
    assert result["caller_reference"].startswith("edgeops-")
    assert result["invalidation"]["caller_reference"] == result["caller_reference"]


@pytest.mark.loop
def test_throttled_creates_are_retried(cloudfront, tmp_path):
    distribution = cloudfront.create_distribution()["id"]
    cloudfront.throttle("CreateInvalidation", 3)
    result = create(
        cloudfront, tmp_path, {"distribution_id": distribution, "paths": ["/a"], "caller_reference": "t"}
    ).result
    assert result["changed"] is True and not result.get("failed"), result
    assert [r["status"] for r in cloudfront.requests("CreateInvalidation")] == [400, 400, 400, 201]
    assert len(invalidation_ids(cloudfront, distribution)) == 1


@pytest.mark.loop
def test_a_create_waits_for_headroom_then_creates(cloudfront, tmp_path, complete_after_first_poll):
    distribution = cloudfront.create_distribution()["id"]
    cloudfront.set_invalidation_limits(paths=3, wildcards=15)
    blocker = cloudfront.create_invalidation(distribution, ["/x", "/y", "/z"], complete_in=3600)
    # the blocker completes 3 s after the create is refused
    done = complete_after_first_poll({blocker: 3}, "CreateInvalidation")
    args = {"distribution_id": distribution, "paths": ["/a"], "headroom_timeout": 60, "max_poll_interval": 2}
    result = create(cloudfront, tmp_path, args).result
    assert result["changed"] is True and not result.get("failed"), result
    creates = cloudfront.requests("CreateInvalidation")
    assert [r["status"] for r in creates] == [400, 201]
    assert creates[1]["answered"] >= done.at[blocker]  # not before there was room
    assert 2.5 <= result["headroom_waited"] <= 10
    assert result["invalidation"]["id"] in invalidation_ids(cloudfront, distribution)


@pytest.mark.loop
@pytest.mark.parametrize("headroom_timeout", [0, 4])
def test_a_headroom_that_never_comes_fails_in_time_naming_the_limit_and_what_is_in_progress(
    cloudfront, tmp_path, headroom_timeout
):
    distribution = cloudfront.create_distribution()["id"]
    cloudfront.set_invalidation_limits(paths=3000, wildcards=2)
    blockers = [cloudfront.create_invalidation(distribution, [f"/{n}/*"], complete_in=3600) for n in range(2)]
    args = {"distribution_id": distribution, "paths": ["/c/*"], "headroom_timeout": headroom_timeout}
    result = create(cloudfront, tmp_path, args).result
    assert result["failed"] is True and result["error_code"] == "TooManyInvalidationsInProgress"
    msg = result["msg"]
    assert f"(headroom_timeout={headroom_timeout})" in msg and "15 wildcards" in msg and "1 wildcard" in msg
    assert all(blocker in msg for blocker in blockers), msg
    times = [r["time"] for r in cloudfront.requests()]
    assert times[-1] - times[0] <= headroom_timeout + 3  # in time: the deadline and one interval
    assert len(cloudfront.requests("CreateInvalidation")) == 1
    assert sorted(invalidation_ids(cloudfront, distribution)) == sorted(blockers)


@pytest.mark.loop
def test_a_new_create_and_a_re_run_are_told_by_the_servers_clock_not_the_controllers(cloudfront, tmp_path):
    """The server's clock an hour behind the controller's, then an hour ahead: a create is new and its
    re-run is not, whatever the controller's clock says."""
    distribution = cloudfront.create_distribution()["id"]
    for offset in (-3600, 3600):
        cloudfront.set_clock_offset(offset)
        reference = f"clock-{offset}"
        earlier = made_a_minute_ago(
            cloudfront,
            functools.partial(cloudfront.create_invalidation, distribution, ["/old"], caller_reference=reference),
            offset,
        )
        results = run_modes(
            tmp_path,
            cloudfront.url,
            {
                "new": {"distribution_id": distribution, "paths": ["/new"], "caller_reference": f"new{offset}"},
                "re-run": {"distribution_id": distribution, "paths": ["/old"], "caller_reference": reference},
            },
            module=CREATE_MODULE,
            name=f"clock{offset}",
        )
        assert results["new"]["changed"] is True, (offset, results["new"])
        assert results["re-run"]["changed"] is False and results["re-run"]["invalidation"]["id"] == earlier


def test_cache_tags_need_a_cache_tag_config(cloudfront, tmp_path):
    tagged = cloudfront.create_distribution(cache_tag_header="Cache-Tag")["id"]
    plain = cloudfront.create_distribution()["id"]
    results = run_modes(
        tmp_path,
        cloudfront.url,
        {
            "tagged": {"distribution_id": tagged, "paths": ["#product-42", "/index.html"]},
            "plain": {"distribution_id": plain, "paths": ["#product-42"]},
        },
        module=CREATE_MODULE,
    )
    assert results["tagged"]["changed"] is True
    assert results["tagged"]["invalidation"]["paths"] == ["#product-42", "/index.html"]
    refused = results["plain"]
    assert refused["failed"] is True and refused["error_code"] == "InvalidArgument"
    assert f"CloudFront distribution {plain} has no CacheTagConfig" in refused["msg"]
    assert invalidation_ids(cloudfront, plain) == []


@pytest.mark.loop
@pytest.mark.waits
def test_every_tenant_of_a_distribution_gets_the_batch_once(cloudfront, tmp_path):
    saas = cloudfront.create_distribution(multi_tenant=True)["id"]
    tenants = [cloudfront.create_distribution_tenant(saas, [f"t{n}.example.net"]) for n in range(3)]
    args = {"distribution_id": saas, "all_tenants": True, "paths": ["/*"], "caller_reference": "theme-3"}
    first = create(cloudfront, tmp_path, {**args, "wait": True, "wait_timeout": 60}).result
    assert first["changed"] is True and first["completed"] is True, first
    made = first["invalidations"]
    assert sorted(i["distribution_tenant_id"] for i in made) == sorted(tenants)
    assert {i["caller_reference"] for i in made} == {f"theme-3@{t}" for t in tenants}
    assert all(i["status"] == "Completed" for i in made)
    assert len(cloudfront.requests("ListDistributionTenants")) == 1
    cloudfront.clear_requests()
    again = create(cloudfront, tmp_path, args).result  # seconds after: each was made 5 s or more before
    assert again["changed"] is False and [i["id"] for i in again["invalidations"]] == [i["id"] for i in made]
    assert len(cloudfront.requests("CreateInvalidationForDistributionTenant")) == 3
    client = cloudfront.client()
    for tenant in tenants:
        listed = client.list_invalidations_for_distribution_tenant(Id=tenant)["InvalidationList"]
        assert listed["Quantity"] == 1


@pytest.mark.waits
def test_a_gate_whose_create_finds_no_room_times_out_as_a_gate_does(cloudfront, tmp_path):
    """Room among the invalidations in progress is waited for within the gate's own timeout; a soft
    gate then opens, naming the limit, what is in progress and the invalidation not created."""
    distribution = cloudfront.create_distribution()["id"]
    cloudfront.set_invalidation_limits(paths=3000, wildcards=1)
    blocker = cloudfront.create_invalidation(distribution, ["/old/*"], complete_in=3600)
    role_vars = {
        "wait_for_invalidation_distribution_id": distribution,
        "wait_for_invalidation_paths": ["/new/*"],
        "wait_for_invalidation_timeout": 6,
        "wait_for_invalidation_fail_on_timeout": False,
    }
    run = run_playbook(gate_play(tmp_path, cloudfront.url, role_vars))
    assert run.rc == 0, run.output
    result = after_gate(tmp_path)["result"]
    assert result["completed"] is False and result["timed_out"] is True, result
    msg = result["msg"]
    assert msg.startswith("Soft gate open after") and "(wait_for_invalidation_timeout=6)" in msg
    assert "not created yet" in msg and "too many invalidations in progress" in msg and blocker in msg
    assert "headroom_timeout" not in msg
    assert 5 <= result["elapsed"] <= 9
    assert invalidation_ids(cloudfront, distribution) == [blocker]

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Distribution tenants of multi-tenant distributions (CloudFront SaaS Manager): every mode of the
module, the gate, and an AWX job, against the local endpoint's tenant operations."""

from __future__ import annotations

import json

import pytest

from ansible_collections.edgeops.cloudfront.tests.integration.awx_jobs import artifacts, awx_project, run_job
from ansible_collections.edgeops.cloudfront.tests.integration.gate_plays import (
    LONG,
    after_gate,
    gate_play,
    progress_lines,
)
from ansible_collections.edgeops.cloudfront.tests.integration.playbook_runner import (
    assert_no_secret_in,
    run_modes,
    run_playbook,
)

DOMAIN = "shop.customer.example.net"


def test_every_mode_of_the_module_works_for_a_tenant(cloudfront, tmp_path, complete_after_first_poll):
    saas = cloudfront.create_distribution(multi_tenant=True)["id"]
    tenant = cloudfront.create_distribution_tenant(saas, [DOMAIN])
    other = cloudfront.create_distribution()["id"]
    elsewhere = cloudfront.create_invalidation(other, complete_in=0)
    done = cloudfront.create_tenant_invalidation(tenant, ["/a"], caller_reference="release-1", complete_in=0)
    running = cloudfront.create_tenant_invalidation(tenant, ["/b", "/c"], complete_in=LONG)
    # the wait's first poll (the 4th GetInvalidationForDistributionTenant: one for "one", two for
    # "several", then the "wait" task's) sees it in progress; it completes 3 s after that answer, so the
    # wait lasts 3 s at least, however long the tasks before it took (the 3rd, "several"'s, made a loaded
    # machine's wait 1.5 s)
    complete_after_first_poll({running: 3}, "GetInvalidationForDistributionTenant", count=4)
    results = run_modes(
        tmp_path,
        cloudfront.url,
        {
            "one": {"distribution_tenant_id": tenant, "invalidation_id": done},
            "several": {"distribution_tenant_id": tenant, "invalidation_ids": [done, running]},
            "caller reference": {"distribution_tenant_id": tenant, "caller_reference": "release-1"},
            "wait": {"alias": DOMAIN, "invalidation_id": running, "wait": True, "wait_timeout": 60},
            "list": {"distribution_tenant_id": tenant, "max_items": 10},
            "in progress": {"distribution_tenant_id": tenant, "in_progress_only": True},
            "targets": {
                "targets": [
                    {"distribution_tenant_id": tenant, "invalidation_ids": [done, running]},
                    {"distribution_id": other, "invalidation_id": elsewhere},
                ],
                "wait": True,
                "wait_timeout": 30,
            },
        },
    )
    one = results["one"]
    assert one["distribution_tenant_id"] == tenant and "distribution_id" not in one
    assert one["invalidation"] == {
        "id": done,
        "distribution_tenant_id": tenant,
        "status": "Completed",
        "completed": True,
        "create_time": one["invalidation"]["create_time"],
        "caller_reference": "release-1",
        "paths": ["/a"],
        "path_count": 1,
    }
    assert [(i["id"], i["distribution_tenant_id"]) for i in results["several"]["invalidations"]] == [
        (done, tenant),
        (running, tenant),
    ]
    assert results["caller reference"]["invalidation"]["id"] == done
    # found by the tenant's domain; seen in progress, then completed
    waited = results["wait"]
    assert waited["distribution_tenant_id"] == tenant and waited["completed"] is True
    assert waited["invalidation"]["status"] == "Completed" and waited["waited"] >= 3
    assert [i["id"] for i in results["list"]["invalidations"]] == [running, done]  # newest first
    assert results["in progress"]["invalidations"] == []  # completed by then
    mixed = results["targets"]["invalidations"]
    assert [(i.get("distribution_tenant_id"), i.get("distribution_id"), i["id"]) for i in mixed] == [
        (tenant, None, done),
        (tenant, None, running),
        (None, other, elsewhere),
    ]
    operations = {r["operation"] for r in cloudfront.requests()}
    assert {"GetDistributionTenantByDomain", "ListInvalidationsForDistributionTenant"} <= operations
    statuses = [r["status"] for r in cloudfront.requests("GetInvalidationForDistributionTenant")]
    assert statuses[:3] == [200, 200, 200]


def test_a_tenants_failures_name_the_tenant_and_bad_ids_are_refused_first(cloudfront, tmp_path):
    saas = cloudfront.create_distribution(multi_tenant=True)["id"]
    tenant = cloudfront.create_distribution_tenant(saas, [DOMAIN])
    results = run_modes(
        tmp_path,
        cloudfront.url,
        {
            "unknown tenant": {"distribution_tenant_id": "dt_0000000000000000000000000000"},
            "unknown invalidation": {"distribution_tenant_id": tenant, "invalidation_id": "I0NOSUCHONE"},
            "unknown domain": {"alias": "nobody.example.net"},
            "malformed": {"distribution_tenant_id": "dt-not-an-id"},
            "tenant as a distribution": {"distribution_id": tenant},
            "multi-tenant as a distribution": {"distribution_id": saas},
            "unknown ids of a tenant": {"distribution_tenant_id": tenant, "invalidation_ids": ["I1", "I2"]},
        },
    )
    assert results["unknown tenant"]["msg"].startswith(
        "CloudFront distribution tenant dt_0000000000000000000000000000 does not exist"
    )
    assert results["unknown tenant"]["error_code"] == "EntityNotFound"
    assert results["unknown invalidation"]["msg"].startswith(
        f"CloudFront invalidation I0NOSUCHONE does not exist in distribution tenant {tenant}"
    )
    assert results["unknown domain"]["msg"].startswith(
        "No CloudFront distribution has the alias nobody.example.net (as an alternate domain name or as its"
        " *.cloudfront.net domain name), and no distribution tenant has it as a domain"
    )
    assert (
        "distribution_tenant_id 'dt-not-an-id' is not a CloudFront distribution tenant ID"
        in (results["malformed"]["msg"])
    )
    assert (
        f"distribution_id '{tenant}' is the ID of a distribution tenant" in results["tenant as a distribution"]["msg"]
    )
    assert results["multi-tenant as a distribution"]["msg"] == (
        f"CloudFront distribution {saas} is a multi-tenant distribution: its invalidations belong to its"
        " distribution tenants. Give distribution_tenant_id (dt_...), or one of the tenant's domains as alias"
    )
    assert results["unknown ids of a tenant"]["msg"].startswith(
        f"CloudFront invalidation I1 does not exist in distribution tenant {tenant}"
    )
    # refused before any request: the malformed ID and the tenant given as a distribution
    assert "dt-not-an-id" not in json.dumps(cloudfront.requests())
    assert not any(tenant in r["path"] and "/distribution/" in r["path"] for r in cloudfront.requests())


def test_access_denied_on_a_tenant_action_names_the_tenant_and_the_action(cloudfront, tmp_path):
    saas = cloudfront.create_distribution(multi_tenant=True)["id"]
    tenant = cloudfront.create_distribution_tenant(saas, [DOMAIN])
    cloudfront.deny("ListInvalidationsForDistributionTenant")
    result = run_modes(tmp_path, cloudfront.url, {"denied": {"distribution_tenant_id": tenant}})["denied"]
    assert result["error_code"] == "AccessDenied"
    assert result["msg"].startswith(
        "Access denied: the AWS credentials in use may not call cloudfront:ListInvalidationsForDistributionTenant"
        f" on CloudFront distribution tenant {tenant}. Check the IAM policy of the user or role running this task"
        " (allow cloudfront:ListInvalidationsForDistributionTenant), or the distribution tenant ID"
    )


@pytest.mark.waits
def test_a_gate_of_a_tenant_by_its_domain_and_a_distribution(cloudfront, tmp_path, complete_after_first_poll):
    saas = cloudfront.create_distribution(multi_tenant=True)["id"]
    tenant = cloudfront.create_distribution_tenant(saas, [DOMAIN])
    site = cloudfront.create_distribution()["id"]
    tenant_inv = cloudfront.create_tenant_invalidation(tenant, complete_in=LONG)
    site_inv = cloudfront.create_invalidation(site, complete_in=LONG)

    # resolved: the tenant's in-progress list (by its domain), then the distribution's (GetDistribution first)
    complete_after_first_poll({tenant_inv: 4, site_inv: 8}, "GetDistribution")
    targets = [{"alias": DOMAIN}, {"distribution_id": site}]
    playbook = gate_play(
        tmp_path,
        cloudfront.url,
        {"wait_for_invalidation_targets": targets, "wait_for_invalidation_progress_interval": 2},
    )
    run = run_playbook(playbook)
    assert run.rc == 0, run.output
    result = after_gate(tmp_path)["result"]
    assert result["completed"] is True
    assert result["invalidations"] == [
        {"distribution_tenant_id": tenant, "id": tenant_inv, "status": "Completed", "completed": True},
        {"distribution_id": site, "id": site_inv, "status": "Completed", "completed": True},
    ]
    lines = progress_lines(run)
    assert lines[0].endswith(
        f"still in progress: distribution tenant {tenant}: {tenant_inv}; distribution {site}: {site_inv}"
    )
    assert any(line.startswith("1 of 2") and line.endswith(f"distribution {site}: {site_inv}") for line in lines)


def test_the_awx_job_gates_a_tenant_by_id_and_publishes_its_result(
    cloudfront, tmp_path, awx_env, complete_after_first_poll
):
    saas = cloudfront.create_distribution(multi_tenant=True)["id"]
    tenant = cloudfront.create_distribution_tenant(saas, [DOMAIN])
    inv = cloudfront.create_tenant_invalidation(tenant, complete_in=LONG)
    # in progress when the job lists the tenant's invalidations, completed 3 s later
    done = complete_after_first_poll({inv: 3}, "ListInvalidationsForDistributionTenant")
    private = awx_project(tmp_path)
    runner = run_job(private, {"cloudfront_distribution_tenant_id": tenant, "cloudfront_gate_timeout": 60}, awx_env)
    assert runner.status == "successful", runner.stdout.read()
    result = artifacts(runner)["wait_for_invalidation_result"]
    # the gate opened on a poll that saw the invalidation completed: after it completed
    assert result["completed"] is True and cloudfront.requests()[-1]["answered"] >= done.last
    assert result["invalidations"] == [
        {"distribution_tenant_id": tenant, "id": inv, "status": "Completed", "completed": True}
    ]
    assert_no_secret_in(private)

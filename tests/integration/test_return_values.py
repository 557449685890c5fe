# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""RETURN is what is returned: every documented key of cloudfront_invalidation_info, with its
``returned:`` condition word for word, against real runs of every mode (two playbooks, one
task per mode)."""

from __future__ import annotations

import yaml

from ansible_collections.edgeops.cloudfront.plugins.modules.cloudfront_invalidation_info import RETURN
from ansible_collections.edgeops.cloudfront.tests.integration.playbook_runner import run_modes

DOCUMENTED = yaml.safe_load(RETURN)
# What Ansible adds to every result, or a failed one: not the module's to document.
ANSIBLE_KEYS = {"changed", "failed", "msg", "invocation", "warnings", "deprecations", "exception"}
SUMMARY = {"id", "distribution_id", "status", "completed", "create_time"}
TENANTS = {"tenant one"}
FULL = SUMMARY | {"caller_reference", "paths", "path_count"}

# Each key's documented condition, and the modes whose results must have it (all others must not).
WAITS = {
    "wait",
    "wait several",
    "targets wait",
    "timeout",
    "timeout, no poll succeeded",
}
ALL = {
    "one",
    "several",
    "caller reference",
    "list",
    "in progress only",
    "targets",
    *WAITS,
    "failure",
    *TENANTS,
}
RETURNED: dict[str, tuple[str, set[str]]] = {
    "distribution_id": (
        "unless O(targets) was given, once the distribution is known (after a timeout too), for a distribution",
        ALL - {"targets", "targets wait", "failure"} - TENANTS,
    ),
    "distribution_tenant_id": (
        "unless O(targets) was given, once the tenant is known (after a timeout too), for a distribution tenant",
        TENANTS,
    ),
    "invalidation": (
        "when O(invalidation_id) or O(caller_reference) was given and the invalidation was read"
        " (not after a wait in which no poll succeeded)",
        {"one", "caller reference", "wait", "timeout", "tenant one"},
    ),
    "invalidations": (
        "when neither O(invalidation_id) nor O(caller_reference) was given, and the run read them or"
        " waited for them (after a timeout too)",
        {
            "several",
            "list",
            "in progress only",
            "targets",
            "wait several",
            "targets wait",
        },
    ),
    "waited": (
        "when O(wait=true) and the wait ended (completed or timed out), not after a failure that ends the run at once",
        WAITS,
    ),
    "completed": (
        "when O(wait=true) and the wait ended (completed or timed out), not after a failure that ends the run at once",
        WAITS,
    ),
    "timed_out": (
        "when O(wait=true) and the wait ended (completed or timed out), not after a failure that ends the run at once",
        WAITS,
    ),
    "api_calls": ("always, on failure too (not when the arguments were refused before any request)", ALL),
    "error_code": ("on failure, when AWS answered with an error", {"failure"}),
    "request_id": ("on failure, when AWS answered with an error that carries one", {"failure"}),
}


def test_every_documented_key_is_returned_exactly_when_its_condition_says(cloudfront, tmp_path):
    assert set(DOCUMENTED) == set(RETURNED)
    for key, (condition, _modes) in RETURNED.items():
        assert DOCUMENTED[key]["returned"] == condition, key

    dist = cloudfront.create_distribution(aliases=["www.example.com"])["id"]
    tenant = cloudfront.create_distribution_tenant(
        cloudfront.create_distribution(multi_tenant=True)["id"], ["t.example.net"]
    )
    tenant_inv = cloudfront.create_tenant_invalidation(tenant, complete_in=0)
    other = cloudfront.create_distribution()["id"]
    done = cloudfront.create_invalidation(dist, ["/a"], caller_reference="rel-1", complete_in=0)
    stuck = cloudfront.create_invalidation(dist, ["/b"], complete_in=3600)
    elsewhere = cloudfront.create_invalidation(other, complete_in=0)
    results = run_modes(
        tmp_path,
        cloudfront.url,
        name="modes",
        modes={
            "one": {"distribution_id": dist, "invalidation_id": done},
            "tenant one": {"distribution_tenant_id": tenant, "invalidation_id": tenant_inv},
            "several": {"distribution_id": dist, "invalidation_ids": [done, stuck]},
            "caller reference": {"alias": "www.example.com", "caller_reference": "rel-1"},
            "list": {"distribution_id": dist},
            "in progress only": {"distribution_id": dist, "in_progress_only": True},
            "targets": {
                "targets": [{"distribution_id": dist, "id": done}, {"distribution_id": other, "id": elsewhere}]
            },
            "wait": {"distribution_id": dist, "invalidation_id": done, "wait": True},
            "wait several": {"distribution_id": dist, "invalidation_ids": [done], "wait": True},
            "targets wait": {"targets": [{"distribution_id": other, "invalidation_ids": [elsewhere]}], "wait": True},
            "timeout": {"distribution_id": dist, "invalidation_id": stuck, "wait": True, "wait_timeout": 2},
        },
    )
    # what no poll or request can get through: every GetInvalidation throttled; an alias denied
    cloudfront.throttle("GetInvalidation", 1000)
    cloudfront.deny("ListDistributions")
    results.update(
        run_modes(
            tmp_path,
            cloudfront.url,
            name="failing",
            modes={
                "timeout, no poll succeeded": {
                    "distribution_id": dist,
                    "invalidation_id": stuck,
                    "wait": True,
                    "wait_timeout": 3,
                },
                "failure": {"alias": "www.example.com"},
            },
        )
    )
    assert set(results) == ALL
    for mode, result in results.items():
        keys = set(result) - ANSIBLE_KEYS
        expected = {key for key, (_condition, modes) in RETURNED.items() if mode in modes}
        assert keys == expected, mode
        owner = {"distribution_tenant_id"} if mode in TENANTS else {"distribution_id"}
        if "invalidation" in result:
            assert set(result["invalidation"]) == FULL - {"distribution_id"} | owner, mode
        for invalidation in result.get("invalidations", []):
            assert set(invalidation) == SUMMARY - {"distribution_id"} | owner, mode
    # and the runs were what their names say
    assert results["timeout"]["timed_out"] is True and results["timeout"]["failed"] is True
    assert results["timeout, no poll succeeded"]["timed_out"] is True
    assert "no poll succeeded" in results["timeout, no poll succeeded"]["msg"]
    assert results["timeout, no poll succeeded"]["completed"] is False
    assert results["failure"]["error_code"] == "AccessDenied"
    assert [i["id"] for i in results["in progress only"]["invalidations"]] == [stuck]

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""cloudfront_invalidation_info in real ansible-playbook runs against the local CloudFront endpoint."""

from __future__ import annotations

import re
from typing import Any

import pytest

from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.waiter import PollSchedule
from ansible_collections.edgeops.cloudfront.tests.integration.playbook_runner import (
    ACCESS_KEY,
    PROFILE_KEY,
    aws_env,
    credential_free_env,
    profile_env,
    run_module,
)

ISO_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00")
FULL_KEYS = {"id", "distribution_id", "status", "completed", "create_time", "caller_reference", "paths", "path_count"}
SUMMARY_KEYS = {"id", "distribution_id", "status", "completed", "create_time"}
LONG = 3600  # an invalidation that will not complete during the test


def keys_named(value: Any, name: str) -> bool:
    if isinstance(value, dict):
        return name in value or any(keys_named(v, name) for v in value.values())
    if isinstance(value, list):
        return any(keys_named(v, name) for v in value)
    return False


@pytest.fixture
def dist(cloudfront):
    return cloudfront.create_distribution(aliases=["www.example.com", "static.example.com"])


def test_one_invalidation_reports_every_fact_once(cloudfront, dist, tmp_path):
    inv = cloudfront.create_invalidation(
        dist["id"], ["/index.html", "/assets/*"], caller_reference="rel-1", complete_in=LONG
    )
    run = run_module(cloudfront.url, {"distribution_id": dist["id"], "invalidation_id": inv}, tmp_path)
    result = run.result
    assert result["changed"] is False and not result.get("failed")
    assert result["distribution_id"] == dist["id"]
    assert "invalidations" not in result and "waited" not in result and result["api_calls"] == 1
    got = result["invalidation"]
    assert set(got) == FULL_KEYS
    assert got["id"] == inv and got["distribution_id"] == dist["id"]
    assert got["status"] == "InProgress" and got["completed"] is False
    assert ISO_UTC.fullmatch(got["create_time"])
    assert got["caller_reference"] == "rel-1"
    assert got["paths"] == ["/index.html", "/assets/*"] and got["path_count"] == 2
    assert not keys_named(result, "items")
    assert [r["operation"] for r in cloudfront.requests()] == ["GetInvalidation"]


def test_completed_status_is_reported_exactly(cloudfront, dist, tmp_path):
    inv = cloudfront.create_invalidation(dist["id"], complete_in=0)
    got = run_module(cloudfront.url, {"distribution_id": dist["id"], "invalidation_id": inv}, tmp_path).result
    assert got["invalidation"]["status"] == "Completed" and got["invalidation"]["completed"] is True


def test_check_mode_reports_the_same(cloudfront, dist, tmp_path):
    inv = cloudfront.create_invalidation(dist["id"], complete_in=LONG)
    result = run_module(
        cloudfront.url, {"distribution_id": dist["id"], "invalidation_id": inv}, tmp_path, check_mode=True
    ).result
    assert result["changed"] is False and result["invalidation"]["id"] == inv


@pytest.mark.loop
def test_several_invalidations_in_the_order_given(cloudfront, dist, tmp_path):
    first, second, third = (cloudfront.create_invalidation(dist["id"], [f"/{n}"], complete_in=LONG) for n in "abc")
    cloudfront.complete_in(second, 0)
    order = [second, third, first]
    result = run_module(cloudfront.url, {"distribution_id": dist["id"], "invalidation_ids": order}, tmp_path).result
    assert "invalidation" not in result
    assert [i["id"] for i in result["invalidations"]] == order
    assert [i["completed"] for i in result["invalidations"]] == [True, False, False]
    # read from one ListInvalidations page, not one GetInvalidation each: summary keys
    assert all(set(i) == SUMMARY_KEYS for i in result["invalidations"])
    assert [r["operation"] for r in cloudfront.requests()] == ["ListInvalidations"]


@pytest.mark.loop
def test_an_earlier_runs_invalidations_are_targets_as_they_are(cloudfront, tmp_path, complete_after_first_poll):
    """RV(invalidations) of one run, every key as returned, are the O(targets) of the next: the wait
    goes on from the statuses given, and reads only what is still in progress."""
    first, second = cloudfront.create_distribution()["id"], cloudfront.create_distribution()["id"]
    a = cloudfront.create_invalidation(first, complete_in=LONG)
    b = cloudfront.create_invalidation(second, complete_in=0)  # completed
    targets = [{"distribution_id": first, "id": a}, {"distribution_id": second, "id": b}]
    (tmp_path / "earlier").mkdir()
    (tmp_path / "later").mkdir()
    earlier = run_module(cloudfront.url, {"targets": targets}, tmp_path / "earlier").result
    assert [(i["id"], i["status"]) for i in earlier["invalidations"]] == [(a, "InProgress"), (b, "Completed")]
    assert all(set(i) == SUMMARY_KEYS for i in earlier["invalidations"])
    cloudfront.clear_requests()
    done = complete_after_first_poll({a: 2})
    args = {"targets": earlier["invalidations"], "wait": True, "wait_timeout": 60}
    result = run_module(cloudfront.url, args, tmp_path / "later").result
    assert not result.get("failed") and result["completed"] is True, result
    assert [(i["id"], i["status"]) for i in result["invalidations"]] == [(a, "Completed"), (b, "Completed")]
    assert result["waited"] >= 1.5 and done.last  # it waited: the invalidation completed 2 s after its first poll
    # the first poll read the distribution with an invalidation in progress, not the completed one
    assert f"/distribution/{first}/" in cloudfront.requests()[0]["path"]


@pytest.mark.loop
def test_targets_wait_for_several_distributions_polling_one_at_a_time(cloudfront, tmp_path, complete_after_first_poll):
    first, second = cloudfront.create_distribution(), cloudfront.create_distribution()
    a = [cloudfront.create_invalidation(first["id"], complete_in=LONG) for n in range(2)]
    b = cloudfront.create_invalidation(second["id"], complete_in=LONG)

    # the second distribution is done first, the first one last
    complete_after_first_poll({b: 1, a[0]: 2, a[1]: 4}, "ListInvalidations")
    targets = [{"distribution_id": first["id"], "invalidation_ids": a}, {"distribution_id": second["id"], "id": b}]
    result = run_module(cloudfront.url, {"targets": targets, "wait": True, "wait_timeout": 60}, tmp_path).result
    assert not result.get("failed") and result["completed"] is True and result["timed_out"] is False
    assert "distribution_id" not in result and "invalidation" not in result
    assert [(i["distribution_id"], i["id"]) for i in result["invalidations"]] == [
        (first["id"], a[0]),
        (first["id"], a[1]),
        (second["id"], b),
    ]
    assert all(i["completed"] and set(i) == SUMMARY_KEYS for i in result["invalidations"])
    requests = cloudfront.requests()
    assert len(requests) == result["api_calls"]
    # the first poll reads both distributions; then only the first one is polled until it is
    # done, and the second one (long completed) is read once more, at the end
    paths = [r["path"] for r in requests]
    assert first["id"] in paths[0] and second["id"] in paths[1]
    assert all(second["id"] not in p for p in paths[2:-1]) and second["id"] in paths[-1]
    assert len(paths) >= 5


@pytest.mark.loop
def test_list_mode_newest_first_with_summary_keys(cloudfront, dist, tmp_path):
    ids = [cloudfront.create_invalidation(dist["id"], complete_in=LONG) for n in range(4)]
    cloudfront.complete_in(ids[0], 0)
    result = run_module(cloudfront.url, {"distribution_id": dist["id"]}, tmp_path).result
    listed = result["invalidations"]
    assert [i["id"] for i in listed] == ids[::-1]
    assert all(set(i) == SUMMARY_KEYS for i in listed)
    assert [i["status"] for i in listed] == ["InProgress"] * 3 + ["Completed"]
    assert not keys_named(result, "items")


@pytest.mark.loop
def test_list_mode_max_items_and_all_pages(cloudfront, dist, tmp_path):
    ids = [cloudfront.create_invalidation(dist["id"], [f"/{n}"], complete_in=0) for n in range(105)]
    newest_two = run_module(cloudfront.url, {"distribution_id": dist["id"], "max_items": 2}, tmp_path).result
    assert [i["id"] for i in newest_two["invalidations"]] == [ids[104], ids[103]]
    default = run_module(cloudfront.url, {"distribution_id": dist["id"]}, tmp_path).result
    assert len(default["invalidations"]) == 100
    cloudfront.clear_requests()
    every = run_module(cloudfront.url, {"distribution_id": dist["id"], "max_items": 0}, tmp_path).result
    assert [i["id"] for i in every["invalidations"]] == ids[::-1]
    assert [r["operation"] for r in cloudfront.requests()] == ["ListInvalidations", "ListInvalidations"]


@pytest.mark.loop
def test_caller_reference_finds_the_newest_match_and_stops(cloudfront, dist, tmp_path):
    older = cloudfront.create_invalidation(dist["id"], ["/old"], caller_reference="deploy-7", complete_in=0)
    wanted = cloudfront.create_invalidation(dist["id"], ["/new"], caller_reference="deploy-8", complete_in=LONG)
    for n in range(3):
        cloudfront.create_invalidation(dist["id"], [f"/x{n}"], caller_reference=f"other-{n}", complete_in=0)
    result = run_module(
        cloudfront.url, {"distribution_id": dist["id"], "caller_reference": "deploy-8"}, tmp_path
    ).result
    assert result["invalidation"]["id"] == wanted and set(result["invalidation"]) == FULL_KEYS
    assert result["invalidation"]["caller_reference"] == "deploy-8"
    ops = [r["operation"] for r in cloudfront.requests()]
    assert ops == ["ListInvalidations"] + ["GetInvalidation"] * 4  # three newer ones, then the match
    assert older not in {r["path"].rsplit("/", 1)[-1] for r in cloudfront.requests()}


@pytest.mark.loop
def test_caller_reference_search_is_bounded_by_max_items(cloudfront, dist, tmp_path):
    cloudfront.create_invalidation(dist["id"], caller_reference="deploy-1", complete_in=0)
    for n in range(3):
        cloudfront.create_invalidation(dist["id"], caller_reference=f"later-{n}", complete_in=0)
    run = run_module(
        cloudfront.url, {"distribution_id": dist["id"], "caller_reference": "deploy-1", "max_items": 2}, tmp_path
    )
    assert run.result["failed"] is True
    assert (
        f"No invalidation of CloudFront distribution {dist['id']} has the caller reference 'deploy-1'"
        in run.result["msg"]
    )
    assert "searched the 2 newest" in run.result["msg"]
    assert [r["operation"] for r in cloudfront.requests()].count("GetInvalidation") == 2


@pytest.mark.loop
@pytest.mark.parametrize("alias", ["www.example.com", "STATIC.Example.com", "domain"])
def test_alias_finds_the_distribution(cloudfront, dist, tmp_path, alias):
    cloudfront.create_distribution(aliases=["other.example.com"])
    inv = cloudfront.create_invalidation(dist["id"], complete_in=LONG)
    alias = dist["domain_name"].upper() if alias == "domain" else alias
    result = run_module(cloudfront.url, {"alias": alias, "invalidation_id": inv}, tmp_path).result
    assert result["distribution_id"] == dist["id"] and result["invalidation"]["id"] == inv
    ops = {r["operation"] for r in cloudfront.requests()}
    assert "ListDistributions" in ops and "ListStreamingDistributions" not in ops


# ---------------------------------------------------------------- waiting


@pytest.mark.loop
def test_wait_sees_in_progress_become_completed(cloudfront, dist, tmp_path, complete_after_first_poll):
    inv = cloudfront.create_invalidation(dist["id"], complete_in=LONG)
    done = complete_after_first_poll({inv: 3})
    result = run_module(
        cloudfront.url, {"distribution_id": dist["id"], "invalidation_id": inv, "wait": True}, tmp_path
    ).result
    assert not result.get("failed")
    assert result["invalidation"]["status"] == "Completed" and result["invalidation"]["completed"] is True
    assert set(result["invalidation"]) == FULL_KEYS
    assert 2.5 <= result["waited"] < 30 and result["timed_out"] is False
    answers = [r for r in cloudfront.requests() if r["operation"] == "GetInvalidation"]
    assert len(answers) == result["api_calls"] >= 2
    # the first poll is immediate, the next 1.35 to 1.5 s later (a second more for a busy machine),
    # not the schedule's later intervals; the last one after the completion, within an interval
    assert answers[1]["time"] - answers[0]["time"] < 2.5
    assert done.last <= answers[-1]["answered"] <= done.last + 2.5


@pytest.mark.loop
@pytest.mark.waits
def test_wait_for_several_polls_list_pages_not_one_get_each(cloudfront, dist, tmp_path, complete_after_first_poll):
    ids = [cloudfront.create_invalidation(dist["id"], [f"/{n}"], complete_in=LONG) for n in range(3)]
    done = complete_after_first_poll({ids[0]: 1, ids[1]: 2, ids[2]: 6}, "ListInvalidations")
    result = run_module(
        cloudfront.url, {"distribution_id": dist["id"], "invalidation_ids": ids, "wait": True}, tmp_path
    ).result
    assert not result.get("failed")
    assert [i["id"] for i in result["invalidations"]] == ids
    assert all(i["status"] == "Completed" and i["completed"] for i in result["invalidations"])
    assert result["completed"] is True and result["timed_out"] is False
    ops = [r["operation"] for r in cloudfront.requests()]
    assert len(ops) == result["api_calls"]
    # while several are in progress, each poll is one ListInvalidations page (the first
    # one included); the last one left, from 2 s on, is read with GetInvalidation
    switch = ops.index("GetInvalidation")
    assert switch >= 2 and set(ops[:switch]) == {"ListInvalidations"} and set(ops[switch:]) == {"GetInvalidation"}
    assert cloudfront.requests()[-1]["answered"] >= done.last


@pytest.mark.loop
def test_wait_in_list_mode_waits_only_for_what_was_in_progress(cloudfront, dist, tmp_path, after_first_poll):
    done = cloudfront.create_invalidation(dist["id"], complete_in=0)
    running = cloudfront.create_invalidation(dist["id"], complete_in=LONG)
    late: list[str] = []

    def create_late() -> None:
        # once the module has listed (its wait has begun), a new invalidation appears
        late.append(cloudfront.create_invalidation(dist["id"], complete_in=LONG))
        cloudfront.complete_in(running, 3)

    after_first_poll(create_late, "ListInvalidations")
    result = run_module(
        cloudfront.url, {"distribution_id": dist["id"], "wait": True, "wait_timeout": 60}, tmp_path
    ).result
    assert not result.get("failed"), result
    assert [i["id"] for i in result["invalidations"]] == [running, done]
    assert all(i["completed"] for i in result["invalidations"])
    assert late and late[0] not in {i["id"] for i in result["invalidations"]}
    assert result["waited"] < 30


@pytest.mark.loop
def test_wait_by_caller_reference(cloudfront, dist, tmp_path, complete_after_first_poll):
    inv = cloudfront.create_invalidation(dist["id"], caller_reference="release-42", complete_in=LONG)
    # the lookup reads the invalidation (its caller reference is not in the list's summaries)
    done = complete_after_first_poll({inv: 3})
    result = run_module(
        cloudfront.url, {"alias": "www.example.com", "caller_reference": "release-42", "wait": True}, tmp_path
    ).result
    assert result["invalidation"]["id"] == inv and result["invalidation"]["status"] == "Completed"
    assert result["waited"] >= 2.5 and cloudfront.requests("GetInvalidation")[-1]["answered"] >= done.last
    assert result["invalidation"]["caller_reference"] == "release-42"


@pytest.mark.loop
def test_wait_on_completed_invalidation_returns_at_once(cloudfront, dist, tmp_path):
    inv = cloudfront.create_invalidation(dist["id"], complete_in=0)
    result = run_module(
        cloudfront.url, {"distribution_id": dist["id"], "invalidation_id": inv, "wait": True}, tmp_path
    ).result
    # one poll and no sleep: a wait that slept once would have waited 1.35 s at least (the schedule's first
    # interval less its jitter); its one poll can take a second on a loaded machine
    assert result["invalidation"]["completed"] is True and result["api_calls"] == 1
    assert result["waited"] < PollSchedule().min_interval * (1 - PollSchedule().jitter)


@pytest.mark.loop
def test_wait_timeout_fails_naming_what_is_still_in_progress(cloudfront, dist, tmp_path):
    slow = cloudfront.create_invalidation(dist["id"], complete_in=LONG)
    quick = cloudfront.create_invalidation(dist["id"], complete_in=0)
    run = run_module(
        cloudfront.url,
        {
            "distribution_id": dist["id"],
            "invalidation_ids": [slow, quick],
            "wait": True,
            "wait_timeout": 3,
            "max_poll_interval": 1,
        },
        tmp_path,
    )
    result = run.result
    assert result["failed"] is True
    waited = f"{result['waited']:.0f}s"
    assert (
        f"Timed out after {waited} (wait_timeout=3): 1 CloudFront invalidation(s) still in progress:" in result["msg"]
    )
    assert result["msg"].endswith(f"still in progress: distribution {dist['id']}: {slow}")
    assert quick not in result["msg"]
    # the last state seen comes back with the failure
    assert [(i["id"], i["status"]) for i in result["invalidations"]] == [(slow, "InProgress"), (quick, "Completed")]
    # the deadline, plus at most one request (bounded by the time left; slower on a loaded machine)
    assert 3 <= result["waited"] < 6 and result["api_calls"] >= 3 and result["timed_out"] is True
    assert "Traceback" not in run.output


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "args, words",
    [
        ({"distribution_id": "e2qwruhapomqzl"}, "distribution_id 'e2qwruhapomqzl' is not a CloudFront ID"),
        ({"distribution_id": ""}, "distribution_id must not be empty"),
        ({"distribution_id": "E2QWRUHAPOMQZL", "invalidation_id": "I2J0 I21"}, "invalidation_id 'I2J0 I21'"),
        ({"distribution_id": "E2QWRUHAPOMQZL", "invalidation_ids": ["I1", "I1"]}, "lists I1 more than once"),
        ({"distribution_id": "E2QWRUHAPOMQZL", "caller_reference": ""}, "caller_reference must not be empty"),
        ({"alias": "not a host"}, "alias 'not a host' is not a domain name"),
        (
            {"distribution_id": "E2QWRUHAPOMQZL", "alias": "www.example.com"},
            "parameters are mutually exclusive: distribution_id|distribution_tenant_id|alias",
        ),
        (
            {"distribution_id": "E2QWRUHAPOMQZL", "invalidation_id": "I1", "invalidation_ids": ["I2"]},
            "mutually exclusive: invalidation_id|invalidation_ids|caller_reference",
        ),
        ({"invalidation_id": "I1"}, "one of the following is required: distribution_id, distribution_tenant_id, alias"),
        ({"distribution_id": "E2QWRUHAPOMQZL", "wait": True, "wait_timeout": 0}, "wait_timeout must be at least 1"),
        ({"distribution_id": "E2QWRUHAPOMQZL", "max_items": -3}, "max_items must be at least 0"),
        ({"distribution_id": "E2QWRUHAPOMQZL", "max_poll_interval": 0}, "max_poll_interval must be at least 1"),
        ({"distribution_id": "E" * 65}, "distribution_id is 65 characters long"),
        ({"distribution_id": "É2QWRUHAPOMQZL"}, "distribution_id 'É2QWRUHAPOMQZL' is not a CloudFront ID"),
        ({"distribution_id": "E2QWRUHAPOMQZL", "invalidation_ids": ["I1", "I２"]}, "invalidation_ids[1] 'I２'"),
        ({"distribution_id": ["E2QWRUHAPOMQZL"]}, "distribution_id"),
        ({"distribution_id": "E2QWRUHAPOMQZL", "wait": True, "wait_timeout": "soon"}, "wait_timeout"),
        ({"distribution_id": "E2QWRUHAPOMQZL", "wait": True, "wait_timeout": -5}, "wait_timeout must be at least 1"),
        ({"distribution_id": "E2QWRUHAPOMQZL", "wait": "sometimes"}, "wait"),
        ({"distribution_id": "E2QWRUHAPOMQZL", "colour": "blue"}, "Unsupported parameters"),
        ({"alias": ""}, "alias must not be empty"),
    ],
)
def test_bad_input_fails_before_any_request(cloudfront, tmp_path, args, words):
    run = run_module(cloudfront.url, args, tmp_path)
    assert run.result["failed"] is True
    assert words in run.result["msg"]
    assert cloudfront.requests() == []
    assert "Traceback" not in run.output


def test_unknown_distribution_is_named(cloudfront, tmp_path):
    for args in ({"distribution_id": "E0NOSUCHDIST00"}, {"distribution_id": "E0NOSUCHDIST00", "invalidation_id": "I1"}):
        run = run_module(cloudfront.url, args, tmp_path)
        assert run.result["failed"] is True
        # the request ID of AWS's answer, for AWS Support, in the message and as a key
        request_id = run.result["request_id"]
        assert request_id and run.result["error_code"] == "NoSuchDistribution"
        assert (
            run.result["msg"] == f"CloudFront distribution E0NOSUCHDIST00 does not exist [AWS request ID {request_id}]"
        )
        assert "Traceback" not in run.output


def test_unknown_invalidation_is_named(cloudfront, dist, tmp_path):
    for args in ({"invalidation_id": "I0NOSUCHINVAL"}, {"invalidation_ids": ["I0NOSUCHINVAL"], "wait": True}):
        run = run_module(cloudfront.url, {"distribution_id": dist["id"], **args}, tmp_path)
        assert run.result["failed"] is True
        assert run.result["msg"] == (
            f"CloudFront invalidation I0NOSUCHINVAL does not exist in distribution {dist['id']}"
            f" [AWS request ID {run.result['request_id']}]"
        )
        assert run.result["error_code"] == "NoSuchInvalidation"
        assert "Traceback" not in run.output


@pytest.mark.loop
def test_alias_matching_nothing_is_named(cloudfront, dist, tmp_path):
    run = run_module(cloudfront.url, {"alias": "nothing.example.net"}, tmp_path)
    assert run.result["failed"] is True
    assert "No CloudFront distribution has the alias nothing.example.net" in run.result["msg"]


@pytest.mark.loop
def test_an_alias_lookup_among_300_distributions_stops_at_its_match(cloudfront, tmp_path):
    """A DistributionSummary is large and accounts have thousands: the lookup reads no page past the
    match (CloudFront lets no two distributions share an alternate domain name)."""
    first = [cloudfront.create_distribution() for _n in range(40)]
    wanted = cloudfront.create_distribution(aliases=["shop.example.com"])
    cloudfront.create_invalidation(wanted["id"], complete_in=0)
    for _n in range(259):
        cloudfront.create_distribution()
    run = run_module(cloudfront.url, {"alias": "shop.example.com", "max_items": 1}, tmp_path)
    assert run.result["distribution_id"] == wanted["id"] and wanted["id"] not in {d["id"] for d in first}
    assert len(cloudfront.requests("ListDistributions")) == 1
    assert run.result["api_calls"] == 2  # the page, and the list of invalidations


def test_access_denied_names_the_iam_action(cloudfront, dist, tmp_path):
    inv = cloudfront.create_invalidation(dist["id"], complete_in=LONG)
    cloudfront.deny("GetInvalidation")
    run = run_module(cloudfront.url, {"distribution_id": dist["id"], "invalidation_id": inv, "wait": True}, tmp_path)
    assert run.result["failed"] is True
    assert "may not call cloudfront:GetInvalidation" in run.result["msg"]
    assert run.result["error_code"] == "AccessDenied"
    assert len(cloudfront.requests()) == 1  # at once, not after a wait
    assert "Traceback" not in run.output


# ---------------------------------------------------------------- connection options


def test_credentials_and_endpoint_from_module_options(cloudfront, dist, tmp_path):
    inv = cloudfront.create_invalidation(dist["id"], complete_in=0)
    env = credential_free_env(tmp_path)
    args = {
        "distribution_id": dist["id"],
        "invalidation_id": inv,
        "access_key": "AKIAEDGEOPSOPTION001",
        "secret_key": "edgeops-option-secret-Vb3Nm7Qa1Ls9",
        "session_token": "edgeops-option-token-Wd4Kc8",
    }
    result = run_module(cloudfront.url, args, tmp_path, env=env).result
    assert result["invalidation"]["id"] == inv
    assert {r["access_key_id"] for r in cloudfront.requests()} == {"AKIAEDGEOPSOPTION001"}


def test_endpoint_from_aws_endpoint_url_environment(cloudfront, dist, tmp_path):
    inv = cloudfront.create_invalidation(dist["id"], complete_in=0)
    result = run_module(
        None,
        {"distribution_id": dist["id"], "invalidation_id": inv},
        tmp_path,
        env=aws_env(AWS_ENDPOINT_URL=cloudfront.url),
    ).result
    assert result["invalidation"]["id"] == inv
    assert {r["access_key_id"] for r in cloudfront.requests()} == {ACCESS_KEY}


def test_profile_from_shared_credentials_file(cloudfront, dist, tmp_path):
    inv = cloudfront.create_invalidation(dist["id"], complete_in=0)
    env = profile_env(tmp_path, "deploy")
    result = run_module(
        cloudfront.url, {"distribution_id": dist["id"], "invalidation_id": inv, "profile": "deploy"}, tmp_path, env=env
    ).result
    assert result["invalidation"]["id"] == inv
    assert {r["access_key_id"] for r in cloudfront.requests()} == {PROFILE_KEY}


def test_no_credentials_fails_clearly(cloudfront, dist, tmp_path):
    env = credential_free_env(tmp_path)
    run = run_module(cloudfront.url, {"distribution_id": dist["id"]}, tmp_path, env=env)
    assert run.result["failed"] is True and "No usable AWS credentials" in run.result["msg"]
    assert "Traceback" not in run.output

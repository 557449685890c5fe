# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the module and the gate cost, counted at the local endpoint: requests in proportion to
what is in progress, not to the history, and one client (one kept-alive connection) per run."""

from __future__ import annotations

from playbook_runner import run_module, run_playbook
from test_wait_for_invalidation_role import LONG, after_gate, gate_play


def operations(cloudfront) -> list[str]:
    return [r["operation"] for r in cloudfront.requests()]


def test_a_gate_without_ids_reads_what_is_in_progress_not_the_history(cloudfront, tmp_path, complete_after_first_poll):
    """1,000 completed invalidations and 2 in progress: GetDistribution says 2 are in progress, and
    the first page of ListInvalidations has them. Nothing in progress: no list at all."""
    dist = cloudfront.create_distribution()["id"]
    cloudfront.add_invalidations(dist, 1000)
    running = [cloudfront.create_invalidation(dist, [f"/{n}"], complete_in=LONG) for n in range(2)]
    complete_after_first_poll(dict.fromkeys(running, 2), "ListInvalidations")
    run = run_playbook(gate_play(tmp_path, cloudfront.url, {"wait_for_invalidation_distribution_id": dist}))
    assert run.rc == 0, run.output
    result = after_gate(tmp_path)["result"]
    assert sorted(i["id"] for i in result["invalidations"]) == sorted(running) and result["completed"] is True
    # before the wait: GetDistribution and one page; then the wait's polls, a page each
    log = operations(cloudfront)
    assert log[:2] == ["GetDistribution", "ListInvalidations"]
    assert set(log[2:]) == {"ListInvalidations"}

    cloudfront.clear_requests()
    quiet = cloudfront.create_distribution()["id"]
    cloudfront.add_invalidations(quiet, 1000)
    (tmp_path / "quiet").mkdir()
    run = run_playbook(gate_play(tmp_path / "quiet", cloudfront.url, {"wait_for_invalidation_distribution_id": quiet}))
    assert run.rc == 0, run.output
    assert after_gate(tmp_path / "quiet")["result"]["invalidations"] == []
    assert operations(cloudfront) == ["GetDistribution"]


def test_an_unknown_id_among_a_thousand_is_refused_after_two_requests(cloudfront, tmp_path):
    dist = cloudfront.create_distribution()["id"]
    cloudfront.add_invalidations(dist, 1000)
    newest = cloudfront.create_invalidation(dist, complete_in=0)
    args = {"distribution_id": dist, "invalidation_ids": [newest, "I0NOSUCHONE"]}
    result = run_module(cloudfront.url, args, tmp_path).result
    assert result["failed"] is True and result["error_code"] == "NoSuchInvalidation"
    assert result["msg"].startswith(f"CloudFront invalidation I0NOSUCHONE does not exist in distribution {dist}")
    assert operations(cloudfront) == ["ListInvalidations", "GetInvalidation"] and result["api_calls"] == 2


def test_an_old_invalidation_costs_one_request_more_not_the_history(cloudfront, tmp_path):
    dist = cloudfront.create_distribution()["id"]
    (oldest, *_older) = cloudfront.add_invalidations(dist, 1000)
    newest = cloudfront.create_invalidation(dist, complete_in=0)
    result = run_module(
        cloudfront.url, {"distribution_id": dist, "invalidation_ids": [newest, oldest]}, tmp_path
    ).result
    assert [i["id"] for i in result["invalidations"]] == [newest, oldest]
    assert all(i["status"] == "Completed" for i in result["invalidations"])
    assert operations(cloudfront) == ["ListInvalidations", "GetInvalidation"]


def test_a_run_builds_one_client_and_keeps_its_connection(cloudfront, tmp_path, complete_after_first_poll):
    """wait_timeout 20: every request of the run on one client, so on one kept-alive connection
    (a client per request, as before, opened a connection, and resolved the credentials, each time)."""
    dist = cloudfront.create_distribution()["id"]
    inv = cloudfront.create_invalidation(dist, complete_in=LONG)
    complete_after_first_poll({inv: 8})
    args = {"distribution_id": dist, "invalidation_id": inv, "wait": True, "wait_timeout": 20}
    result = run_module(cloudfront.url, args, tmp_path).result
    assert result["completed"] is True
    requests = cloudfront.requests()
    assert len(requests) >= 5 and result["api_calls"] == len(requests)
    assert len({r["connection"] for r in requests}) == 1


def test_a_long_wait_builds_a_second_client_for_its_last_seconds_and_no_more(cloudfront, tmp_path):
    """wait_timeout 45: the default timeouts first, then, for the last 40 s, a client whose timeouts
    end a request soon after the deadline: two clients, two connections, however many requests."""
    dist = cloudfront.create_distribution()["id"]
    inv = cloudfront.create_invalidation(dist, complete_in=LONG)
    args = {"distribution_id": dist, "invalidation_id": inv, "wait": True, "wait_timeout": 45, "max_poll_interval": 3}
    result = run_module(cloudfront.url, args, tmp_path).result
    assert result["timed_out"] is True
    requests = cloudfront.requests()
    assert len(requests) >= 12
    connections = [r["connection"] for r in requests]
    assert len(set(connections)) == 2
    # the first connection for the first seconds only, the second for the rest
    switch = connections.index(connections[-1])
    assert set(connections[switch:]) == {connections[-1]} and requests[switch]["time"] - requests[0]["time"] < 10

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the module and the gate cost, counted at the local endpoint: requests in proportion to
what is in progress, not to the history, and one client (one kept-alive connection) per run."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from ansible_collections.edgeops.cloudfront.tests.integration.gate_plays import LONG, after_gate, gate_play
from ansible_collections.edgeops.cloudfront.tests.integration.playbook_runner import (
    SECRET_KEY,
    SESSION_TOKEN,
    aws_env,
    run_module,
    run_playbook,
)

# the collection's own wait loop (pyproject.toml): on the oldest line only
pytestmark = pytest.mark.loop


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
    # before the wait: GetDistribution and one page; then the wait's polls, a page each: the first
    # page, never a later one (a Marker), however long the history
    log = operations(cloudfront)
    assert log[:2] == ["GetDistribution", "ListInvalidations"]
    assert set(log[2:]) == {"ListInvalidations"}
    assert [r["query"] for r in cloudfront.requests("ListInvalidations") if "Marker=" in r["query"]] == []

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


@pytest.mark.waits
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


@pytest.mark.waits
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


@pytest.mark.long
def test_rounds_add_no_polls(cloudfront, tmp_path, complete_after_first_poll):
    """A gate at a progress interval of 1 s (a line a second) polls no more than the module's wait
    for the same 60 s: its progress lines cost no request; the lookup counts as the schedule's
    first poll, and every poll comes when due."""
    dist = cloudfront.create_distribution()["id"]
    sliced, whole = (cloudfront.create_invalidation(dist, [f"/{n}"], complete_in=LONG) for n in "ab")
    done = complete_after_first_poll({sliced: 60, whole: 60})
    gate_key, module_key = "AKIAEDGEOPSSLICED001", "AKIAEDGEOPSUNSLICED1"
    for key in (gate_key, module_key):
        cloudfront.register_credentials(key, SECRET_KEY, SESSION_TOKEN)
    role_vars = {
        "wait_for_invalidation_distribution_id": dist,
        "wait_for_invalidation_ids": [sliced],
        "wait_for_invalidation_progress_interval": 1,
    }
    args = {"distribution_id": dist, "invalidation_id": whole, "wait": True, "wait_timeout": 120}
    with ThreadPoolExecutor(max_workers=2) as pool:
        gate = pool.submit(
            run_playbook, gate_play(tmp_path, cloudfront.url, role_vars), env=aws_env(AWS_ACCESS_KEY_ID=gate_key)
        )
        module = pool.submit(run_module, cloudfront.url, args, tmp_path, env=aws_env(AWS_ACCESS_KEY_ID=module_key))
        gate_run, module_run = gate.result(), module.result()
    assert gate_run.rc == 0, gate_run.output
    assert after_gate(tmp_path)["result"]["completed"] is True and module_run.result["completed"] is True
    polls = {
        key: [r for r in cloudfront.requests("GetInvalidation") if r["access_key_id"] == key]
        for key in (gate_key, module_key)
    }
    assert all(p[-1]["answered"] >= done.last for p in polls.values())
    # the gate's first read is its resolve step, the module's its first poll: the same count
    assert len(polls[gate_key]) <= 1.1 * len(polls[module_key]) + 1, {k: len(p) for k, p in polls.items()}
    assert gate_run.stdout.count("0 of 1 CloudFront invalidation(s) completed after") >= 30  # the rounds were there
    # no poll before it is due, at a round's start either: after a poll at t s into the gate, the
    # next one comes max(1.5, 0.2 t) s later, shortened by the jitter (10 % at most); t counted from
    # the gate's first request, a little after its start
    gate_polls = [r["time"] for r in polls[gate_key]]
    for before, after in zip(gate_polls[1:], gate_polls[2:]):
        due = 0.9 * max(1.5, 0.2 * (before - gate_polls[0]))
        assert after - before >= due - 0.1, [round(t - gate_polls[0], 1) for t in gate_polls]

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The wait under injected faults: throttling storms, 5xx bursts, credentials that stop working."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest
import yaml

from ansible_collections.edgeops.cloudfront.tests.integration.gate_plays import LONG, after_gate, gate_play
from ansible_collections.edgeops.cloudfront.tests.integration.playbook_runner import (
    MODULE,
    run_modes,
    run_module,
    run_playbook,
)
from ansible_collections.edgeops.cloudfront.tests.support.local_cloudfront import NO_ANSWER

# the collection's own wait loop (pyproject.toml): on the oldest line only
pytestmark = pytest.mark.loop


@pytest.fixture
def waiting(cloudfront, complete_after_first_poll):
    """A distribution, an invalidation that completes 4 s after the module's first poll, and when."""
    dist = cloudfront.create_distribution()
    inv = cloudfront.create_invalidation(dist["id"], complete_in=LONG)
    return dist["id"], inv, complete_after_first_poll({inv: 4})


@pytest.mark.storm
@pytest.mark.parametrize("status, code, burst", [(503, "ServiceUnavailable", 5), (500, "InternalError", 5)])
def test_wait_survives_a_burst_and_reports_completed_soon_after(cloudfront, tmp_path, waiting, status, code, burst):
    dist, inv, completion = waiting
    # the next `burst` polls are refused
    cloudfront.controller.errors.set("GetInvalidation", status, code, "Rate exceeded", count=burst)
    args = {"distribution_id": dist, "invalidation_id": inv, "wait": True, "wait_timeout": 600}
    result = run_module(cloudfront.url, args, tmp_path).result
    assert not result.get("failed"), result
    assert result["invalidation"]["status"] == "Completed"
    answers = cloudfront.requests("GetInvalidation")
    assert [a["status"] for a in answers[:burst]] == [status] * burst
    done = [a for a in answers if a["status"] == 200]
    # the backoff is capped at 30 s: the first poll after the storm sees the completion
    assert done and done[0]["time"] - max(completion.last, answers[burst - 1]["time"]) < 35
    # and the storm slowed the polls down: never two refused polls within a second of each other
    gaps = [b["time"] - a["time"] for a, b in zip(answers, answers[1:burst])]
    assert min(gaps) > 1.5


@pytest.mark.storm
def test_throttling_is_retried_in_doubling_windows_then_the_wait_keeps_a_slower_pace(cloudfront, tmp_path, waiting):
    """The account throttles five polls in a row: each is retried after a random part of a window
    that doubles from half a second, as botocore's standard retry mode does (waiter.PollSchedule),
    so the streak is over within 15.5 s; the answer after it sees the completion, or the wait
    goes on at a pace of twice the streak's length: it never gives up before its deadline."""
    dist, inv, completion = waiting
    cloudfront.throttle("GetInvalidation", 5)
    args = {"distribution_id": dist, "invalidation_id": inv, "wait": True, "wait_timeout": 600}
    result = run_module(cloudfront.url, args, tmp_path).result
    assert not result.get("failed"), result
    assert result["invalidation"]["status"] == "Completed"
    answers = cloudfront.requests("GetInvalidation")
    times = [a["time"] for a in answers]
    assert [a["status"] for a in answers[:6]] == [400] * 5 + [200]
    gaps = [b - a for a, b in zip(times, times[1:])]
    # windows of 0.5, 1, 2, 4 and 8 s (a request's own time on top)
    assert all(gap <= 0.5 * 2**k + 0.5 for k, gap in enumerate(gaps[:5])), gaps
    # the streak as the module saw it: from the first throttled answer to the answer after them (their
    # arrivals differ from it by how long each answer took to make, which a busy machine stretches)
    streak = answers[5]["answered"] - answers[0]["answered"]
    if answers[5]["answered"] < completion.last:  # the answer after the streak said InProgress
        # no poll sooner than the pace after that answer: twice the streak (or the first interval,
        # 1.5 s, twice), 30 s at most, less up to 10 % of jitter
        pause = times[6] - answers[5]["answered"]
        assert pause >= 0.9 * min(30.0, max(2 * streak, 3.0)) - 0.2, (gaps, streak, pause)
    assert answers[-1]["status"] == 200 and answers[-1]["answered"] >= completion.last
    assert result["api_calls"] == len(answers)


@pytest.mark.parametrize("code, cause", [("Throttling", "throttled"), ("ServiceUnavailable", "server error")])
@pytest.mark.waits
def test_persistent_faults_fail_cleanly_at_the_deadline_naming_the_cause(cloudfront, tmp_path, code, cause):
    dist = cloudfront.create_distribution()
    inv = cloudfront.create_invalidation(dist["id"], complete_in=LONG)
    cloudfront.controller.errors.set("GetInvalidation", 400 if code == "Throttling" else 503, code, "injected")
    run = run_module(
        cloudfront.url,
        {"distribution_id": dist["id"], "invalidation_id": inv, "wait": True, "wait_timeout": 8},
        tmp_path,
    )
    # the run, from the module's first request to its end (not ansible-playbook's start-up)
    took = time.time() - cloudfront.requests("GetInvalidation")[0]["time"]
    msg = run.result["msg"]
    assert run.result["failed"] is True and run.result["timed_out"] is True
    assert f"the last poll failed ({cause})" in msg and inv in msg and dist["id"] in msg
    assert "Traceback" not in run.output
    assert 8 <= run.result["waited"] < 8 + 5 and took < 30
    polls = cloudfront.requests("GetInvalidation")
    if code == "Throttling":
        # retried as botocore's standard mode: a random part of windows of 0.5, 1, 2, 4, 8 s...
        gaps = [b["time"] - a["time"] for a, b in zip(polls, polls[1:])]
        assert all(gap <= 0.5 * 2**k + 0.5 for k, gap in enumerate(gaps[:4])), gaps
        assert len(polls) <= 9
    else:
        # backoff: far fewer polls than the ~8 a healthy wait makes in 8 s
        assert len(polls) <= 5


@pytest.mark.waits
def test_a_wait_in_which_no_poll_succeeded_is_not_completed_in_any_mode(cloudfront, tmp_path):
    """Every poll throttled to the deadline: the wait knows nothing of the invalidations, and says
    completed: false (a caller that read completed alone would otherwise open), in each mode."""
    dist = cloudfront.create_distribution()["id"]
    first, second = (cloudfront.create_invalidation(dist, [f"/{n}"], complete_in=LONG) for n in "ab")
    for operation in ("GetInvalidation", "ListInvalidations"):
        cloudfront.throttle(operation, 10_000)
    results = run_modes(
        tmp_path,
        cloudfront.url,
        {
            "one": {"distribution_id": dist, "invalidation_id": first, "wait": True, "wait_timeout": 3},
            "several": {"distribution_id": dist, "invalidation_ids": [first, second], "wait": True, "wait_timeout": 3},
            "targets": {"targets": [{"distribution_id": dist, "id": first}], "wait": True, "wait_timeout": 3},
        },
    )
    for mode, result in results.items():
        assert (result["failed"], result["timed_out"], result["completed"]) == (True, True, False), (mode, result)
        assert "no poll succeeded" in result["msg"], (mode, result["msg"])
    assert {r["status"] for r in cloudfront.requests()} == {400}


@pytest.mark.parametrize(
    "code, words",
    [
        ("AccessDenied", "may not call cloudfront:ListInvalidations"),
        ("ExpiredToken", "have expired (ExpiredToken)"),
    ],
)
def test_credential_errors_fail_at_once_saying_what_to_fix(cloudfront, tmp_path, code, words):
    dist = cloudfront.create_distribution()
    cloudfront.create_invalidation(dist["id"], complete_in=LONG)
    cloudfront.deny("ListInvalidations", code=code)
    run = run_module(cloudfront.url, {"distribution_id": dist["id"], "wait": True, "wait_timeout": 600}, tmp_path)
    assert run.result["failed"] is True and words in run.result["msg"]
    assert run.result["error_code"] == code
    assert len(cloudfront.requests()) == 1
    assert "Traceback" not in run.output


@pytest.mark.storm
def test_wait_survives_reset_connections(cloudfront, tmp_path, waiting):
    dist, inv, completion = waiting
    cloudfront.reset_connections("GetInvalidation", 3)
    result = run_module(
        cloudfront.url, {"distribution_id": dist, "invalidation_id": inv, "wait": True, "wait_timeout": 120}, tmp_path
    ).result
    assert not result.get("failed"), result
    assert result["invalidation"]["status"] == "Completed"
    assert [a["status"] for a in cloudfront.requests("GetInvalidation")[:4]] == [0, 0, 0, 200]


@pytest.mark.storm
def test_wait_survives_twenty_seconds_of_outage(cloudfront, tmp_path, after_first_poll):
    dist = cloudfront.create_distribution()["id"]
    inv = cloudfront.create_invalidation(dist, complete_in=LONG)

    def outage() -> None:
        cloudfront.complete_in(inv, 10)  # completes in the middle of the outage
        cloudfront.outage(20)

    after_first_poll(outage)
    started = time.time()
    result = run_module(
        cloudfront.url, {"distribution_id": dist, "invalidation_id": inv, "wait": True, "wait_timeout": 300}, tmp_path
    ).result
    assert not result.get("failed"), result
    assert result["invalidation"]["status"] == "Completed"
    answered = [a["time"] for a in cloudfront.requests("GetInvalidation") if a["status"] == 200]
    # the outage happened: nothing reached the endpoint for 20 s after the first poll, though the
    # wait kept trying (its attempts are counted before they are sent)
    assert len(answered) >= 2 and answered[1] - answered[0] >= 19.5
    assert result["api_calls"] > len(answered) + 2
    # seen within one backed-off poll of the endpoint coming back (20 s after the first poll)
    assert answered[-1] - (answered[0] + 20) < 35
    assert time.time() - started < 90


@pytest.mark.waits
def test_a_stalled_response_cannot_hold_the_wait_past_its_deadline(cloudfront, tmp_path):
    dist = cloudfront.create_distribution()["id"]
    inv = cloudfront.create_invalidation(dist, complete_in=LONG)
    cloudfront.stall("GetInvalidation", 100, 600)  # every poll hangs for ten minutes
    run = run_module(
        cloudfront.url, {"distribution_id": dist, "invalidation_id": inv, "wait": True, "wait_timeout": 12}, tmp_path
    )
    # from the module's first request (ansible-playbook's start, before it, took 15 s on a loaded machine)
    took = time.time() - cloudfront.requests("GetInvalidation")[0]["time"]
    assert run.result["failed"] is True and run.result["timed_out"] is True
    assert "timed out" in run.result["msg"] and inv in run.result["msg"]
    # the module's own time: the deadline plus at most one request, whose timeouts fit a 12 s wait
    # (connect 1 s, read 2 s: api.timeouts_for)
    assert run.result["waited"] <= 12 + 3
    assert took < 12 + 15
    assert "Traceback" not in run.output


@pytest.mark.waits
def test_an_endpoint_that_stays_down_fails_the_wait_at_its_deadline(cloudfront, tmp_path, after_first_poll):
    dist = cloudfront.create_distribution()["id"]
    inv = cloudfront.create_invalidation(dist, complete_in=LONG)
    after_first_poll(cloudfront.down)
    started = time.monotonic()
    run = run_module(
        cloudfront.url, {"distribution_id": dist, "invalidation_id": inv, "wait": True, "wait_timeout": 10}, tmp_path
    )
    cloudfront.up()
    assert run.result["failed"] is True and run.result["timed_out"] is True
    msg = run.result["msg"]
    assert "the last poll failed (unreachable)" in msg and inv in msg and dist in msg
    assert f"1 CloudFront invalidation(s) still in progress: distribution {dist}: {inv}" in msg  # the last state seen
    assert run.result["invalidation"]["status"] == "InProgress"
    assert 10 <= run.result["waited"] < 12 and time.monotonic() - started < 30
    assert "Traceback" not in run.output


# --- outside a wait: the first steps of every run ---------------------------------------------

STALLED = "stalled"
PASSING_FAULTS = {
    "reset": (lambda cf, op: cf.reset_connections(op, 2), [NO_ANSWER, NO_ANSWER]),
    # held past the read timeout of a run outside a wait (6 s: api.timeouts_for(60)): the client gives
    # up on it (it is answered later, or still in flight when the test looks: None)
    "stalled read": (lambda cf, op: cf.stall(op, 1, 12), [STALLED]),
    "503": (lambda cf, op: cf.controller.errors.set(op, 503, "ServiceUnavailable", "injected", 2), [503, 503]),
    "throttled": (lambda cf, op: cf.throttle(op, 2), [400, 400]),
}
# each first step of a run, and the operation it starts with
FIRST_STEPS = {
    "a call without wait": "GetInvalidation",
    "a caller-reference lookup": "ListInvalidations",
    "an alias lookup": "ListDistributions",
    "the gate's first step": "GetDistribution",
}


@pytest.mark.storm
@pytest.mark.parametrize("fault", sorted(PASSING_FAULTS))
def test_outside_a_wait_every_first_step_rides_out_a_passing_fault(cloudfront, tmp_path, fault):
    """Before, one dropped connection failed any of these: botocore's retries were off and
    AWSRetry retries error answers only. Each step starts with a request of its own operation,
    and every one of those requests meets the fault."""
    dist = cloudfront.create_distribution(aliases=["www.example.com"])["id"]
    inv = cloudfront.create_invalidation(dist, caller_reference="release-7", complete_in=0)
    inject, statuses = PASSING_FAULTS[fault]
    for operation in FIRST_STEPS.values():
        inject(cloudfront, operation)
    steps = [
        {"distribution_id": dist, "invalidation_id": inv},
        {"distribution_id": dist, "caller_reference": "release-7"},
        {"alias": "www.example.com", "invalidation_id": inv},
    ]
    tasks: list[dict[str, Any]] = [
        {"name": f"step {n}", MODULE: args, "register": f"step{n}"} for n, args in enumerate(steps)
    ]
    tasks.append(
        {
            "name": "the gate",
            "ansible.builtin.include_role": {"name": "edgeops.cloudfront.wait_for_invalidation"},
            "vars": {"wait_for_invalidation_distribution_id": dist},
        }
    )
    record = "{{ {'steps': [step0, step1, step2], 'gate': wait_for_invalidation_result} | to_json }}"
    tasks.append({"name": "record", "record_json": {"content": record, "dest": str(tmp_path / "r.json")}})
    play = {
        "name": "first steps",
        "hosts": "localhost",
        "gather_facts": False,
        "module_defaults": {"group/edgeops.cloudfront.aws": {"endpoint_url": cloudfront.url}},
        "tasks": tasks,
    }
    (tmp_path / "play.yml").write_text(yaml.safe_dump([play], sort_keys=False))
    run = run_playbook(tmp_path / "play.yml")
    assert run.rc == 0, run.output
    recorded = json.loads((tmp_path / "r.json").read_text())
    assert [step["invalidation"]["id"] for step in recorded["steps"]] == [inv, inv, inv]
    assert recorded["gate"]["completed"] is True and recorded["gate"]["invalidations"] == []
    for step, operation in FIRST_STEPS.items():
        # every fault was hit, and the request after them was answered
        requests = cloudfront.requests(operation)
        if statuses == [STALLED] and step == "the gate's first step":
            # the gate keeps one client for all of its wait, with a long wait's read timeout (30 s,
            # api.timeouts_for): it waits for the stalled answer rather than asking again
            assert [r["status"] for r in requests] == [200], (step, requests)
            continue
        seen = [
            STALLED if r["status"] in (None, 200) and n < len(statuses) else r["status"] for n, r in enumerate(requests)
        ]
        assert seen[: len(statuses) + 1] == [*statuses, 200], (step, seen)
        if statuses == [STALLED]:  # given up at the read timeout, not answered at the end of the stall
            assert 5.5 <= requests[1]["time"] - requests[0]["time"] < 11, step
    assert "Traceback" not in run.output


@pytest.mark.long
def test_outside_a_wait_a_lasting_fault_fails_within_its_budget_naming_the_cause(cloudfront, tmp_path):
    """A minute of retries (RETRY_SECONDS), then a failure that says what and how often."""
    dist = cloudfront.create_distribution()["id"]
    inv = cloudfront.create_invalidation(dist, complete_in=0)
    cloudfront.controller.errors.set("GetInvalidation", 503, "ServiceUnavailable", "injected")
    started = time.monotonic()
    run = run_module(cloudfront.url, {"distribution_id": dist, "invalidation_id": inv}, tmp_path)
    took = time.monotonic() - started
    result = run.result
    assert result["failed"] is True and result["error_code"] == "ServiceUnavailable"
    attempts = len(cloudfront.requests("GetInvalidation"))
    assert result["msg"].startswith(
        f"CloudFront answered cloudfront:GetInvalidation on invalidation {inv} of CloudFront distribution {dist}"
        " with a server error (HTTP 503)"
    )
    assert re.search(rf"\(gave up after {attempts} attempts in 6\ds\)$", result["msg"]), result["msg"]
    assert result["api_calls"] == attempts and 6 <= attempts <= 16
    assert 60 <= took < 60 + 20
    assert "Traceback" not in run.output


@pytest.mark.storm
def test_a_gate_whose_first_requests_are_throttled_past_a_minute_still_opens(cloudfront, tmp_path, after_first_poll):
    """The gate's first step (what is in progress) retries throttling up to the gate's deadline, ever
    more slowly, not for a minute only: gates that start together do not fail on the account's rate."""
    dist = cloudfront.create_distribution()["id"]
    inv = cloudfront.create_invalidation(dist, complete_in=LONG)
    cloudfront.throttle("GetDistribution", 10_000)
    completed_at: list[float] = []

    def thaw_75_seconds_later_then_complete() -> None:
        time.sleep(75)
        cloudfront.controller.errors.clear()
        # the invalidation completes 5 s after the first step's first answer: the gate saw it in progress
        give_up = time.monotonic() + 60
        while not any(r["status"] == 200 for r in cloudfront.requests("GetDistribution")):
            assert time.monotonic() < give_up, "the gate's first step got no answer in the minute after the thaw"
            time.sleep(0.2)
        completed_at.append(cloudfront.complete_in(inv, 5))

    after_first_poll(thaw_75_seconds_later_then_complete, "GetDistribution")
    run = run_playbook(gate_play(tmp_path, cloudfront.url, {"wait_for_invalidation_distribution_id": dist}))
    assert run.rc == 0, run.output
    seen = after_gate(tmp_path)
    assert seen["result"]["completed"] is True and seen["time"] >= completed_at[0]
    assert [(i["id"], i["completed"]) for i in seen["result"]["invalidations"]] == [(inv, True)]
    statuses = [r["status"] for r in cloudfront.requests("GetDistribution")]
    # one module run, its attempts slowing down: about ten in the first minute, then one every
    # 10 to 15 s (a fifth of the time spent)
    assert statuses[-1] == 200 and set(statuses[:-1]) == {400} and 8 <= len(statuses) <= 20, statuses


@pytest.mark.storm
def test_a_gate_round_whose_every_poll_is_throttled_keeps_what_it_saw(cloudfront, tmp_path, after_first_poll):
    """A round (a module run of the gate) in which no poll succeeded changes nothing the gate knows:
    the invalidation stays in progress, as last seen, and the gate opens once it completes, not
    when the round ends with nothing seen."""
    dist = cloudfront.create_distribution()["id"]
    inv = cloudfront.create_invalidation(dist, complete_in=LONG)
    throttled_for = 45  # from the gate's first step: more than two rounds of 20 s (progress_interval 1)
    completed_at: list[float] = []

    def throttle_then_complete() -> None:
        cloudfront.throttle("GetInvalidation", 10_000)
        time.sleep(throttled_for)
        cloudfront.controller.errors.clear()
        completed_at.append(cloudfront.complete_in(inv, 5))

    after_first_poll(throttle_then_complete, "GetInvalidation")
    role_vars = {
        "wait_for_invalidation_distribution_id": dist,
        "wait_for_invalidation_ids": [inv],
        "wait_for_invalidation_progress_interval": 1,
        "wait_for_invalidation_timeout": 300,
    }
    run = run_playbook(gate_play(tmp_path, cloudfront.url, role_vars))
    assert run.rc == 0, run.output
    requests = cloudfront.requests("GetInvalidation")
    answered = [r["time"] for r in requests if r["status"] == 200]
    # the fault was hit: after the first step's answer, nothing but Throttling for over two rounds
    assert len(answered) >= 2 and answered[1] - answered[0] >= 40, requests
    assert any(r["status"] == 400 for r in requests)
    seen = after_gate(tmp_path)
    assert seen["result"]["completed"] is True and seen["time"] >= completed_at[0]
    assert [(i["id"], i["completed"]) for i in seen["result"]["invalidations"]] == [(inv, True)]


@pytest.mark.waits
def test_a_gate_whose_endpoint_is_down_fails_at_its_deadline_not_a_minute_later(cloudfront, tmp_path):
    """The gate's first step retries a passing failure for a minute at most, and never past the
    gate's deadline: a gate of 10 s whose endpoint is down fails after 10 s, naming the cause."""
    dist = cloudfront.create_distribution()["id"]
    inv = cloudfront.create_invalidation(dist, complete_in=LONG)
    role_vars = {
        "wait_for_invalidation_distribution_id": dist,
        "wait_for_invalidation_ids": [inv],
        "wait_for_invalidation_timeout": 10,
    }
    playbook = gate_play(tmp_path, cloudfront.url, role_vars, rescue=True)
    cloudfront.down()
    try:
        started = time.monotonic()
        run = run_playbook(playbook)
        took = time.monotonic() - started
    finally:
        cloudfront.up()
    assert run.rc == 0, run.output  # rescued
    rescued = after_gate(tmp_path, "rescued")
    assert rescued["result"]["completed"] is False and dist in rescued["msg"], rescued
    assert "Could not connect" in rescued["msg"] or "unreachable" in rescued["msg"], rescued
    # ten seconds and ansible-playbook's start and end, not the minute of a run without a deadline
    assert 10 <= rescued["result"]["elapsed"] < 14 and took < 40, (rescued, took)

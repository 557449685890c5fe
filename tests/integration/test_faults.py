# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The wait under injected faults: throttling storms, 5xx bursts, credentials that stop working."""

from __future__ import annotations

import time

import pytest
from playbook_runner import run_module

LONG = 3600


@pytest.fixture
def waiting(cloudfront, after_first_poll):
    """A distribution and an invalidation that completes 4 s after the module's first poll."""
    dist = cloudfront.create_distribution()
    inv = cloudfront.create_invalidation(dist["id"], complete_in=LONG)
    flip: list[float] = []

    def complete_soon() -> None:
        cloudfront.complete_in(inv, 4)
        flip.append(time.time() + 4)

    after_first_poll(complete_soon)
    return dist["id"], inv, flip


@pytest.mark.storm
@pytest.mark.parametrize(
    "status, code, burst", [(400, "Throttling", 10), (503, "ServiceUnavailable", 5), (500, "InternalError", 5)]
)
def test_wait_survives_a_burst_and_reports_completed_soon_after(cloudfront, tmp_path, waiting, status, code, burst):
    dist, inv, flip = waiting
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
    assert done and done[0]["time"] - max(flip[0], answers[burst - 1]["time"]) < 35
    # and the storm slowed the polls down: never two refused polls within a second of each other
    gaps = [b["time"] - a["time"] for a, b in zip(answers, answers[1:burst])]
    assert min(gaps) > 1.5


@pytest.mark.parametrize("code, cause", [("Throttling", "throttled"), ("ServiceUnavailable", "server error")])
def test_persistent_faults_fail_cleanly_at_the_deadline_naming_the_cause(cloudfront, tmp_path, code, cause):
    dist = cloudfront.create_distribution()
    inv = cloudfront.create_invalidation(dist["id"], complete_in=LONG)
    cloudfront.controller.errors.set("GetInvalidation", 400 if code == "Throttling" else 503, code, "injected")
    started = time.monotonic()
    run = run_module(
        cloudfront.url,
        {"distribution_id": dist["id"], "invalidation_id": inv, "wait": True, "wait_timeout": 8},
        tmp_path,
    )
    took = time.monotonic() - started
    msg = run.result["msg"]
    assert run.result["failed"] is True and run.result["timed_out"] is True
    assert f"the last poll failed ({cause})" in msg and inv in msg and dist["id"] in msg
    assert "Traceback" not in run.output
    assert 8 <= run.result["waited"] < 8 + 5 and took < 30
    # backoff: far fewer polls than the ~8 a healthy wait makes in 8 s
    assert len(cloudfront.requests("GetInvalidation")) <= 5


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


def test_wait_survives_reset_connections(cloudfront, tmp_path, waiting):
    dist, inv, flip = waiting
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
    flip: list[float] = []

    def outage() -> None:
        cloudfront.complete_in(inv, 10)  # completes in the middle of the outage
        flip.append(time.time() + 10)
        cloudfront.outage(20)

    after_first_poll(outage)
    started = time.time()
    result = run_module(
        cloudfront.url, {"distribution_id": dist, "invalidation_id": inv, "wait": True, "wait_timeout": 300}, tmp_path
    ).result
    assert not result.get("failed"), result
    assert result["invalidation"]["status"] == "Completed"
    answered = [a["time"] for a in cloudfront.requests("GetInvalidation") if a["status"] == 200]
    # seen within one backed-off poll of the endpoint coming back (20 s after the first poll)
    assert answered[-1] - (answered[0] + 20) < 35
    assert time.time() - started < 90


def test_a_stalled_response_cannot_hold_the_wait_past_its_deadline(cloudfront, tmp_path):
    dist = cloudfront.create_distribution()["id"]
    inv = cloudfront.create_invalidation(dist, complete_in=LONG)
    cloudfront.stall("GetInvalidation", 100, 600)  # every poll hangs for ten minutes
    started = time.monotonic()
    run = run_module(
        cloudfront.url, {"distribution_id": dist, "invalidation_id": inv, "wait": True, "wait_timeout": 12}, tmp_path
    )
    took = time.monotonic() - started
    assert run.result["failed"] is True and run.result["timed_out"] is True
    assert "timed out" in run.result["msg"] and inv in run.result["msg"]
    # the module's own time: the deadline plus at most one request, whose timeouts fit a 12 s wait
    # (connect 1 s, read 2 s: api.timeouts_for)
    assert run.result["waited"] <= 12 + 3
    assert took < 12 + 15
    assert "Traceback" not in run.output


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
    assert f"1 invalidation(s) still in progress: {inv}" in msg  # the last state seen is kept
    assert run.result["invalidation"]["status"] == "InProgress"
    assert 10 <= run.result["waited"] < 12 and time.monotonic() - started < 30
    assert "Traceback" not in run.output

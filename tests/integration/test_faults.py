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


@pytest.mark.parametrize("status, code", [(400, "Throttling"), (503, "ServiceUnavailable"), (500, "InternalError")])
def test_wait_survives_a_burst_and_reports_completed_soon_after(cloudfront, tmp_path, waiting, status, code):
    dist, inv, flip = waiting
    # the next five polls are refused
    cloudfront.controller.errors.set("GetInvalidation", status, code, "Rate exceeded", count=5)
    args = {"distribution_id": dist, "invalidation_id": inv, "wait": True, "wait_timeout": 120}
    result = run_module(cloudfront.url, args, tmp_path).result
    assert not result.get("failed"), result
    assert result["invalidation"]["status"] == "Completed"
    answers = cloudfront.requests("GetInvalidation")
    assert [a["status"] for a in answers[:5]] == [status] * 5
    done = [a for a in answers if a["status"] == 200]
    # the backoff is capped at 30 s: the first poll after the storm sees the completion
    assert done and done[0]["time"] - max(flip[0], answers[4]["time"]) < 35


@pytest.mark.parametrize("code, cause", [("Throttling", "throttled"), ("ServiceUnavailable", "server error")])
def test_persistent_faults_fail_cleanly_at_the_deadline_naming_the_cause(cloudfront, tmp_path, code, cause):
    dist = cloudfront.create_distribution()
    inv = cloudfront.create_invalidation(dist["id"], complete_in=LONG)
    cloudfront.controller.errors.set("GetInvalidation", 400 if code == "Throttling" else 503, code, "injected")
    started = time.monotonic()
    run = run_module(cloudfront.url, {"distribution_id": dist["id"], "invalidation_id": inv, "wait": True,
                                      "wait_timeout": 8}, tmp_path)
    took = time.monotonic() - started
    msg = run.result["msg"]
    assert run.result["failed"] is True and run.result["timed_out"] is True
    assert f"the last poll failed ({cause})" in msg and inv in msg and dist["id"] in msg
    assert "Traceback" not in run.output
    assert 8 <= run.result["waited"] < 8 + 5 and took < 30
    # backoff: far fewer polls than the ~8 a healthy wait makes in 8 s
    assert len(cloudfront.requests("GetInvalidation")) <= 5


@pytest.mark.parametrize("code, words", [
    ("AccessDenied", "may not call cloudfront:ListInvalidations"),
    ("ExpiredToken", "have expired (ExpiredToken)"),
])
def test_credential_errors_fail_at_once_saying_what_to_fix(cloudfront, tmp_path, code, words):
    dist = cloudfront.create_distribution()
    cloudfront.create_invalidation(dist["id"], complete_in=LONG)
    cloudfront.deny("ListInvalidations", code=code)
    run = run_module(cloudfront.url, {"distribution_id": dist["id"], "wait": True, "wait_timeout": 600}, tmp_path)
    assert run.result["failed"] is True and words in run.result["msg"]
    assert run.result["error_code"] == code
    assert len(cloudfront.requests()) == 1
    assert "Traceback" not in run.output

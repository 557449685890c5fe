# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Many gates at once on one distribution: all complete, and jitter keeps their polls apart."""

from __future__ import annotations

import statistics
from concurrent.futures import ThreadPoolExecutor

import pytest
from playbook_runner import aws_env, run_module

GATES = 20

pytestmark = pytest.mark.load


def test_twenty_concurrent_waits_complete_and_are_not_in_lock_step(cloudfront, tmp_path, after_first_poll):
    dist = cloudfront.create_distribution()
    inv = cloudfront.create_invalidation(dist["id"], complete_in=3600)
    # complete once every gate has had time to start and poll for a while
    after_first_poll(lambda: cloudfront.complete_in(inv, 25))
    args = {"distribution_id": dist["id"], "invalidation_id": inv, "wait": True, "wait_timeout": 300}

    def gate(n: int):
        work = tmp_path / f"gate{n}"
        work.mkdir()
        # each gate signs with its own key, so the endpoint's log tells the gates apart
        return run_module(cloudfront.url, args, work, env=aws_env(AWS_ACCESS_KEY_ID=f"AKIAEDGEOPSGATE{n:05d}"))

    with ThreadPoolExecutor(max_workers=GATES) as pool:
        runs = list(pool.map(gate, range(GATES)))
    assert all(r.result["invalidation"]["status"] == "Completed" and not r.result.get("failed") for r in runs)
    polls: dict[str, list[float]] = {}
    for request in cloudfront.requests("GetInvalidation"):
        polls.setdefault(request["access_key_id"], []).append(request["time"])
    assert len(polls) == GATES
    # jitter: the same step of the schedule (about 1 s) lasts a different time in each gate;
    # +/-10 % uniform jitter spreads it with a standard deviation near 0.058 s, lock-step would not
    fifth_gaps = [times[5] - times[4] for times in polls.values()]
    assert statistics.pstdev(fifth_gaps) > 0.025
    assert max(fifth_gaps) - min(fifth_gaps) > 0.08
    # and at no moment do all gates poll together
    moments = sorted(t for times in polls.values() for t in times[4:])
    window = 0.05
    crowd = max(sum(1 for t in moments[i:] if t - moments[i] < window) for i in range(len(moments)))
    assert crowd < GATES // 2

"""Part 3: fan-in. One gate over many invalidations on several distributions, completing spread out.

Each contestant run gets distributions and invalidations of its own, completing at times spread
evenly over [0, spread] seconds from the moment its command starts (in a shuffled order, the same
for every contestant of a round), and an access key id of its own. The gate opens when the command
exits; the figure is the time from the last flip to that exit, with the calls the run made.

Contestants: ours, the role ``edgeops.cloudfront.wait_for_invalidation`` with
``wait_for_invalidation_targets`` (one gate); a shell loop of AWS CLI waiters, one per invalidation
in turn; a playbook task with ``loop:`` over the invalidations, the module waiting for each in turn.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from harness import (
    BENCH,
    CpuMonitor,
    LocalCloudFront,
    Tools,
    calls_by_operation,
    contestant_env,
    flip_time,
    launch,
    requests_of,
    rotated,
    run_key,
    summary,
)

PLAYBOOKS = BENCH / "playbooks"
WAIT_TIMEOUT = 900

CONTESTANTS = {
    "role": "ours: one gate, the wait_for_invalidation role over every target",
    "cli_loop": "a shell loop of `aws cloudfront wait invalidation-completed`, one per invalidation",
    "module_loop": "a task with loop: over the invalidations, cloudfront_invalidation_info wait=true each",
}


def _command(name: str, tools: Tools, url: str, targets: list[dict[str, Any]], work: Path, tag: str) -> list[str]:
    pairs = [(t["distribution_id"], i) for t in targets for i in t["ids"]]
    if name == "role":
        extra = {"bench_endpoint_url": url, "bench_targets": targets, "bench_wait_timeout": WAIT_TIMEOUT}
        return [tools.ansible_playbook, str(PLAYBOOKS / "fanin_role.yml"), "-e", json.dumps(extra)]
    if name == "module_loop":
        extra = {
            "bench_endpoint_url": url,
            "bench_invalidations": [{"distribution_id": d, "invalidation_id": i} for d, i in pairs],
            "bench_wait_timeout": WAIT_TIMEOUT,
        }
        return [tools.ansible_playbook, str(PLAYBOOKS / "fanin_module_loop.yml"), "-e", json.dumps(extra)]
    if name == "cli_loop":
        aws = tools.aws_cli()
        listing = work / f"fanin-{tag}.txt"
        listing.write_text("".join(f"{d} {i}\n" for d, i in pairs))
        return ["bash", str(PLAYBOOKS / "fanin_cli_loop.sh"), aws, url, str(listing)]
    raise ValueError(f"unknown fan-in contestant {name}")


def one_run(
    cloudfront: LocalCloudFront,
    tools: Tools,
    work: Path,
    name: str,
    round_: int,
    distributions: int,
    per_distribution: int,
    spread: float,
    monitor: CpuMonitor,
) -> dict[str, Any]:
    tag = f"r{round_}-{name}"
    key = run_key(f"P3{name}R{round_}", cloudfront)
    targets = []
    for d in range(distributions):
        dist = cloudfront.create_distribution(comment=f"bench fan-in {tag} {d}")["id"]
        ids = [cloudfront.create_invalidation(dist, complete_in=3600) for _n in range(per_distribution)]
        targets.append({"distribution_id": dist, "ids": ids})
    all_ids = [i for t in targets for i in t["ids"]]
    count = len(all_ids)
    offsets = [spread * k / (count - 1) for k in range(count)] if count > 1 else [spread]
    random.Random(f"fanin-{round_}").shuffle(offsets)  # the same completion order for every contestant
    cmd = _command(name, tools, cloudfront.url, targets, work, tag)
    env = contestant_env(key, work)
    for invalidation, offset in zip(all_ids, offsets):
        cloudfront.complete_in(invalidation, offset)
    run = launch(key, cmd, env, work / "logs" / f"fanin-{tag}.log").wait(timeout=WAIT_TIMEOUT + 600)
    assert run.end is not None
    flips = [flip_time(i) for i in all_ids]
    last_flip = max(flips)
    requests = requests_of(cloudfront, key)
    after = sorted(r["time"] for r in requests if r["time"] >= last_flip)
    ok = run.rc == 0
    return {
        "contestant": name,
        "round": round_,
        "ok": ok,
        "rc": run.rc,
        "error": None if ok else run.tail(),
        "access_key_id": key,
        "invalidations": count,
        "distributions": distributions,
        "start": round(run.start, 3),
        "last_flip_after_start": round(last_flip - run.start, 3),
        "gate_open_after_last_flip": round(run.end - last_flip, 3),
        "wall": round(run.wall, 3),
        "cpu": round(run.cpu, 3),
        "calls": len(requests),
        "calls_by_operation": calls_by_operation(requests),
        "calls_after_last_flip": sum(1 for r in requests if r["time"] >= last_flip),
        # the gate's lag = detection (the first request after the last flip) + the rest (the
        # module's exit, the tasks after the wait, the end of the play)
        "detection_after_last_flip": round(after[0] - last_flip, 3) if after else None,
        "request_times": [round(r["time"] - run.start, 3) for r in requests],
        "flip_times": sorted(round(f - run.start, 3) for f in flips),
        "machine_busy": monitor.busy(run.start, run.end),
    }


def measure(
    cloudfront: LocalCloudFront,
    tools: Tools,
    work: Path,
    contestants: Sequence[str],
    rounds: int,
    distributions: int,
    per_distribution: int,
    spread: float,
    monitor: CpuMonitor,
    log: Any,
) -> dict[str, Any]:
    started = time.time()
    samples = []
    for r in range(rounds):
        for name in rotated(contestants, r):
            sample = one_run(cloudfront, tools, work, name, r, distributions, per_distribution, spread, monitor)
            samples.append(sample)
            log(
                f"  fan-in r{r} {name:11} gate open {sample['gate_open_after_last_flip']:7.2f}s after the last flip,"
                f" calls {sample['calls']:4} {'' if sample['ok'] else ' FAILED rc=' + str(sample['rc'])}"
            )
    result: dict[str, Any] = {}
    for name in contestants:
        good = [s for s in samples if s["contestant"] == name and s["ok"]]
        result[name] = {
            "gate_open_after_last_flip": summary(s["gate_open_after_last_flip"] for s in good),
            "detection_after_last_flip": summary(s["detection_after_last_flip"] for s in good),
            "calls": summary((s["calls"] for s in good), digits=1),
            "wall": summary(s["wall"] for s in good),
            "cpu": summary(s["cpu"] for s in good),
            "failed": sum(1 for s in samples if s["contestant"] == name and not s["ok"]),
        }
    return {
        "method": {
            "contestants": {name: CONTESTANTS[name] for name in contestants},
            "rounds": rounds,
            "distributions": distributions,
            "invalidations_per_distribution": per_distribution,
            "spread": spread,
            "wait_timeout": WAIT_TIMEOUT,
        },
        "samples": samples,
        "summary": result,
        "duration": round(time.time() - started, 1),
    }

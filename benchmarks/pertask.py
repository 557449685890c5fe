"""Part 4: per-task cost. A playbook of N info tasks: ours, community.aws, and ansible.builtin.ping.

Each playbook runs N separate tasks (not a loop) on the implicit localhost. Wall time is from the
start of ``ansible-playbook`` to its exit; CPU seconds are the user + system time of the process and
of everything it waited for (the module processes), from ``os.wait4``. The three playbooks run
interleaved, in an order rotated each round, and the ratios are computed within each round.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from harness import (
    CpuMonitor,
    LocalCloudFront,
    Tools,
    calls_by_operation,
    contestant_env,
    requests_of,
    rotated,
    run_key,
    run_to_end,
    summary,
)

CONTESTANTS = {
    "module": "ours: edgeops.cloudfront.cloudfront_invalidation_info (one invalidation, no wait)",
    "community": "community.aws.cloudfront_distribution_info (invalidation: true, invalidation_id)",
    "ping": "ansible.builtin.ping (the floor of what any module costs)",
}


def playbook(name: str, tasks: int, url: str, distribution_id: str, invalidation_id: str) -> list[dict[str, Any]]:
    if name == "module":
        task: dict[str, Any] = {
            "edgeops.cloudfront.cloudfront_invalidation_info": {
                "distribution_id": distribution_id,
                "invalidation_id": invalidation_id,
            }
        }
        defaults = {"group/edgeops.cloudfront.aws": {"endpoint_url": url}}
    elif name == "community":
        task = {
            "community.aws.cloudfront_distribution_info": {
                "invalidation": True,
                "distribution_id": distribution_id,
                "invalidation_id": invalidation_id,
                "endpoint_url": url,
            }
        }
        defaults = {}
    elif name == "ping":
        task, defaults = {"ansible.builtin.ping": {}}, {}
    else:
        raise ValueError(f"unknown per-task contestant {name}")
    play: dict[str, Any] = {
        "name": f"{tasks} tasks: {name}",
        "hosts": "localhost",
        "gather_facts": False,
        "tasks": [{"name": f"Task {n + 1}", **task} for n in range(tasks)],
    }
    if defaults:
        play["module_defaults"] = defaults
    return [play]


def measure(
    cloudfront: LocalCloudFront,
    tools: Tools,
    work: Path,
    contestants: Sequence[str],
    rounds: int,
    tasks: int,
    monitor: CpuMonitor,
    log: Any,
) -> dict[str, Any]:
    started = time.time()
    dist = cloudfront.create_distribution(comment="bench per-task")["id"]
    inv = cloudfront.create_invalidation(dist, complete_in=0)
    books = {}
    for name in contestants:
        path = work / "playbooks" / f"pertask-{name}.yml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(playbook(name, tasks, cloudfront.url, dist, inv), sort_keys=False))
        books[name] = path
    samples = []
    for r in range(rounds):
        for name in rotated(contestants, r):
            key = run_key(f"P4{name}R{r}", cloudfront)
            cmd = [tools.ansible_playbook, str(books[name])]
            run = run_to_end(key, cmd, contestant_env(key, work), work / "logs" / f"pertask-r{r}-{name}.log")
            assert run.end is not None
            requests = requests_of(cloudfront, key)
            sample = {
                "contestant": name,
                "round": r,
                "ok": run.rc == 0,
                "rc": run.rc,
                "error": None if run.rc == 0 else run.tail(),
                "tasks": tasks,
                "wall": round(run.wall, 3),
                "cpu": round(run.cpu, 3),
                "cpu_user": round(run.cpu_user, 3),
                "cpu_sys": round(run.cpu_sys, 3),
                "calls": len(requests),
                "calls_by_operation": calls_by_operation(requests),
                "machine_busy": monitor.busy(run.start, run.end),
            }
            samples.append(sample)
            log(
                f"  per-task r{r} {name:9} wall {sample['wall']:6.2f}s cpu {sample['cpu']:6.2f}s"
                f" calls {sample['calls']:3}{'' if sample['ok'] else '  FAILED rc=' + str(run.rc)}"
            )
    return {
        "method": {"contestants": {n: CONTESTANTS[n] for n in contestants}, "rounds": rounds, "tasks": tasks},
        "samples": samples,
        "summary": summarize(samples, contestants),
        "duration": round(time.time() - started, 1),
    }


def summarize(samples: Sequence[dict[str, Any]], contestants: Sequence[str]) -> dict[str, Any]:
    by_round: dict[int, dict[str, dict[str, Any]]] = {}
    for s in samples:
        if s["ok"]:
            by_round.setdefault(s["round"], {})[s["contestant"]] = s
    out: dict[str, Any] = {}
    for name in contestants:
        good = [s for s in samples if s["contestant"] == name and s["ok"]]
        out[name] = {
            "wall": summary(s["wall"] for s in good),
            "cpu": summary(s["cpu"] for s in good),
            "wall_per_task": summary((s["wall"] / s["tasks"] for s in good), digits=3),
            "cpu_per_task": summary((s["cpu"] / s["tasks"] for s in good), digits=3),
            "calls": summary((s["calls"] for s in good), digits=1),
        }
    ratios: dict[str, Any] = {}
    for a, b in (("module", "community"), ("module", "ping"), ("community", "ping")):
        for measure_ in ("wall", "cpu"):
            values = [
                rnd[a][measure_] / rnd[b][measure_]
                for rnd in by_round.values()
                if a in rnd and b in rnd and rnd[b][measure_] > 0
            ]
            ratios[f"{a}/{b} {measure_}"] = summary(values, digits=3)
    out["ratios"] = ratios
    # the marginal cost of one task above the ping floor, per round
    marginal: dict[str, Any] = {}
    for name in contestants:
        if name == "ping":
            continue
        values = [
            (rnd[name]["wall"] - rnd["ping"]["wall"]) / rnd[name]["tasks"]
            for rnd in by_round.values()
            if name in rnd and "ping" in rnd
        ]
        marginal[name] = summary(values, digits=3)
    out["wall_per_task_above_ping"] = marginal
    out["rounds_complete"] = sum(1 for rnd in by_round.values() if all(n in rnd for n in contestants))
    out["median_machine_busy"] = (
        round(statistics.median([s["machine_busy"] or 0 for s in samples]), 3) if samples else None
    )
    return out

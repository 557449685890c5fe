"""Part 1: detection overshoot and API calls, measured, for invalidations that complete after T seconds.

Each contestant run gets an invalidation of its own, set to complete T seconds after the moment
its command is started, and an access key id of its own. Overshoot is the time from that flip to
``Completed`` until the command's process exits; calls are the requests the endpoint logged with
the run's key id. The contestants run interleaved: round r takes the completion times and the
contestants each in an order rotated by r, and a run starts every ``stagger`` seconds while fewer
than ``max_live`` runs are in progress (``max_live=1``: strictly one after the other).

The tenant contestants (issue 13: ours for a distribution tenant's invalidation, beside the AWS
CLI's ``invalidation-for-distribution-tenant-completed`` waiter) wait for invalidations of a tenant
of a multi-tenant distribution, at completion times of their own (``tenant_Ts``), in the same rounds.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness import (
    BENCH,
    CpuMonitor,
    LocalCloudFront,
    Run,
    Tools,
    contestant_env,
    flip_time,
    launch,
    requests_of,
    rotated,
    run_key,
    summary,
)
from simulate import CLI_DELAY

PLAYBOOKS = BENCH / "playbooks"
# Far enough for every T measured; the until loop's retries follow from it too.
WAIT_TIMEOUT = 600


@dataclass(frozen=True)
class Contestant:
    name: str
    title: str
    tenant: bool = False  # waits for an invalidation of a distribution tenant

    def command(self, tools: Tools, url: str, owner_id: str, invalidation_id: str) -> list[str]:
        """The command; ``owner_id``: the distribution's ID, or the tenant's for a tenant contestant."""
        distribution_id = owner_id
        extra = {
            "bench_endpoint_url": url,
            "bench_distribution_tenant_id" if self.tenant else "bench_distribution_id": owner_id,
            "bench_invalidation_id": invalidation_id,
            "bench_wait_timeout": WAIT_TIMEOUT,
        }
        if self.name == "module":
            return [tools.ansible_playbook, str(PLAYBOOKS / "module_wait.yml"), "-e", json.dumps(extra)]
        if self.name == "tenant_module":
            return [tools.ansible_playbook, str(PLAYBOOKS / "tenant_wait.yml"), "-e", json.dumps(extra)]
        if self.name == "tenant_cli":
            return [
                tools.aws_cli(),
                "cloudfront",
                "wait",
                "invalidation-for-distribution-tenant-completed",
                "--distribution-tenant-id",
                owner_id,
                "--id",
                invalidation_id,
                "--endpoint-url",
                url,
            ]
        if self.name == "until":
            return [tools.ansible_playbook, str(PLAYBOOKS / "until_loop.yml"), "-e", json.dumps(extra)]
        if self.name == "boto3":
            return [tools.python, str(BENCH / "boto3_waiter.py"), url, distribution_id, invalidation_id]
        if self.name == "cli":
            return [
                tools.aws_cli(),
                "cloudfront",
                "wait",
                "invalidation-completed",
                "--distribution-id",
                distribution_id,
                "--id",
                invalidation_id,
                "--endpoint-url",
                url,
            ]
        raise ValueError(f"unknown contestant {self.name}")


CONTESTANTS = {
    c.name: c
    for c in (
        Contestant("module", "ours: cloudfront_invalidation_info wait=true"),
        Contestant("cli", "aws cloudfront wait invalidation-completed"),
        Contestant("boto3", "boto3 invalidation_completed waiter"),
        Contestant("until", "until: loop, community.aws cloudfront_distribution_info, delay 10"),
        Contestant(
            "tenant_module", "ours, a tenant's invalidation: cloudfront_invalidation_info distribution_tenant_id", True
        ),
        Contestant("tenant_cli", "aws cloudfront wait invalidation-for-distribution-tenant-completed", True),
    )
}
TENANT_CONTESTANTS = tuple(name for name, c in CONTESTANTS.items() if c.tenant)


@dataclass(frozen=True)
class Owners:
    """Whose invalidations the runs wait for: a distribution's, and a distribution tenant's (of a
    multi-tenant distribution) for the tenant contestants."""

    distribution_id: str
    tenant_id: str | None = None


def owners(cloudfront: LocalCloudFront, comment: str, tenant: bool) -> Owners:
    """A distribution, and with ``tenant`` a multi-tenant one with a tenant."""
    dist = cloudfront.create_distribution(comment=comment)["id"]
    if not tenant:
        return Owners(dist)
    multi = cloudfront.create_distribution(comment=f"{comment}, multi-tenant", multi_tenant=True)["id"]
    return Owners(dist, cloudfront.create_distribution_tenant(multi, [f"bench-{multi.lower()}.example.com"]))


@dataclass
class Job:
    """One contestant run: prepared (its invalidation), started, then read back."""

    contestant: Contestant
    T: float
    round: int
    mode: str
    cloudfront: LocalCloudFront
    owners: Owners
    tools: Tools
    work: Path
    key: str = ""
    invalidation_id: str = ""
    run: Run | None = None
    flip: float = 0.0

    def start(self) -> None:
        self.key = run_key(f"P1{self.contestant.name}T{self.T:g}R{self.round}{self.mode[:3]}", self.cloudfront)
        if self.contestant.tenant:
            if self.owners.tenant_id is None:
                raise RuntimeError(f"{self.contestant.name}: no distribution tenant (see owners())")
            owner_id = self.owners.tenant_id
            self.invalidation_id = self.cloudfront.create_tenant_invalidation(owner_id, complete_in=3600)
        else:
            owner_id = self.owners.distribution_id
            self.invalidation_id = self.cloudfront.create_invalidation(owner_id, complete_in=3600)
        cmd = self.contestant.command(self.tools, self.cloudfront.url, owner_id, self.invalidation_id)
        env = contestant_env(self.key, self.work)
        log = self.work / "logs" / f"overshoot-{self.mode}-r{self.round}-T{self.T:g}-{self.contestant.name}.log"
        self.cloudfront.complete_in(self.invalidation_id, self.T)  # the flip: T seconds from now
        self.run = launch(self.key, cmd, env, log)
        self.flip = flip_time(self.invalidation_id)

    def sample(self, monitor: CpuMonitor | None, live_at_start: int) -> dict[str, Any]:
        assert self.run is not None and self.run.end is not None
        run = self.run
        requests = requests_of(self.cloudfront, self.key)
        after_flip = [r["time"] for r in requests if r["time"] >= self.flip]
        detected = after_flip[0] if after_flip else None
        ok = run.rc == 0 and detected is not None
        return {
            "contestant": self.contestant.name,
            "T": self.T,
            "round": self.round,
            "mode": self.mode,
            "ok": ok,
            "rc": run.rc,
            "error": None if ok else run.tail(),
            "access_key_id": self.key,
            "invalidation_id": self.invalidation_id,
            "start": round(run.start, 3),
            "flip_after_start": round(self.flip - run.start, 3),
            "overshoot": round(run.end - self.flip, 3),
            # overshoot = detection (first request after the flip) + exit (from that request to the exit)
            "detection": round(detected - self.flip, 3) if detected is not None else None,
            "exit_after_detection": round(run.end - detected, 3) if detected is not None else None,
            "calls": len(requests),
            "calls_by_operation": _by_operation(requests),
            "request_times": [round(r["time"] - run.start, 3) for r in requests],
            "wall": round(run.wall, 3),
            "cpu": round(run.cpu, 3),
            "live_runs_at_start": live_at_start,
            "machine_busy_flip_to_exit": monitor.busy(self.flip, run.end) if monitor else None,
        }


def _by_operation(requests: list[dict[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for r in requests:
        counts[r["operation"] or "?"] = counts.get(r["operation"] or "?", 0) + 1
    return counts


# Seconds of CPU-heavy start-up after a launch (interpreter, imports, Ansible's first task).
STARTUP = {"module": 2.5, "until": 2.5, "cli": 1.2, "boto3": 1.0, "tenant_module": 2.5, "tenant_cli": 1.2}
# A waiter that polls every CLI_DELAY (CLI, boto3) makes its first request about this long after launch.
FIRST_POLL = 0.8
LOOKAHEAD = 4


def sensitive_window(name: str, T: float, start: float) -> tuple[float, float]:
    """When a run started at ``start`` is expected to see the flip and exit: from just before the
    flip to its last possible detection plus its exit. Another run's start-up there would slow
    the exit being measured."""
    flip = start + T
    if name in ("module", "tenant_module"):  # the poll interval near T is about 0.2 x T (at least 1 s)
        return flip - 0.3, flip + max(1.0, 0.22 * T) + 1.5
    if name == "until":  # an attempt every 10 s plus the module run
        return flip - 0.3, flip + 13.0
    polls = max(0, math.ceil((T - FIRST_POLL) / CLI_DELAY))  # CLI (tenant or not), boto3: a poll every CLI_DELAY
    poll = start + FIRST_POLL + CLI_DELAY * polls
    return poll - 0.5, poll + 1.5


def _overlaps(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _fits(job: Job, now: float, live: Sequence[Job]) -> bool:
    """Whether ``job`` may start now: its start-up must not fall in a live run's sensitive window,
    and its own sensitive window must not meet a live run's (two exits at once)."""
    name = job.contestant.name
    startup = (now, now + STARTUP[name])
    mine = sensitive_window(name, job.T, now)
    for other in live:
        assert other.run is not None
        theirs = sensitive_window(other.contestant.name, other.T, other.run.start)
        if _overlaps(startup, theirs) or _overlaps(mine, theirs):
            return False
        if _overlaps(mine, (other.run.start, other.run.start + STARTUP[other.contestant.name])):
            return False
    return True


def run_jobs(
    jobs: Sequence[Job], max_live: int, stagger: float, monitor: CpuMonitor | None, log: Any
) -> list[dict[str, Any]]:
    """Start the jobs in order, one every ``stagger`` seconds while fewer than ``max_live`` run.

    With ``max_live`` > 1 a job starts only where its start-up and its exit meet no other run's
    predicted flip-to-exit window (``sensitive_window``); the next job that fits, among the next
    ``LOOKAHEAD``, goes first. ``max_live`` = 1: strictly one after the other, in order.
    """
    pending = list(jobs)
    live: list[tuple[Job, int]] = []
    samples: list[dict[str, Any]] = []
    last_start = 0.0
    while pending or live:
        for job, at_start in list(live):
            if job.run is not None and job.run.done:
                live.remove((job, at_start))
                sample = job.sample(monitor, at_start)
                samples.append(sample)
                log(
                    f"  {sample['mode']:9} r{job.round} T={job.T:>4g}s {job.contestant.name:7}"
                    f" overshoot {sample['overshoot']:6.2f}s calls {sample['calls']:3}"
                    f"{'' if sample['ok'] else '  FAILED rc=' + str(sample['rc'])}"
                )
        now = time.time()
        if pending and len(live) < max_live and now - last_start >= stagger:
            running = [job for job, _at_start in live]
            chosen = next(
                (job for job in pending[:LOOKAHEAD] if max_live == 1 or _fits(job, now, running)),
                None,
            )
            if chosen is not None:
                pending.remove(chosen)
                chosen.start()
                live.append((chosen, len(live)))
                last_start = time.time()
                continue
        time.sleep(0.02)
    _mark_exposure(samples)
    return samples


def _mark_exposure(samples: list[dict[str, Any]]) -> None:
    """For each sample: how many other runs started (their first 2 s) or exited between its flip
    and its exit, as it happened: the evidence of how quiet its measured window was."""
    for sample in samples:
        flip = sample["start"] + sample["flip_after_start"]
        window = (flip, sample["start"] + sample["wall"])
        others = 0
        for other in samples:
            if other is sample:
                continue
            end = other["start"] + other["wall"]
            if _overlaps(window, (other["start"], other["start"] + 2.0)) or window[0] <= end <= window[1]:
                others += 1
        sample["others_starting_or_exiting_meanwhile"] = others


def plan(
    contestants: Sequence[str],
    Ts: Sequence[float],
    rounds: int,
    mode: str,
    cloudfront: LocalCloudFront,
    owners: Owners,
    tools: Tools,
    work: Path,
    first_round: int = 0,
    tenant_Ts: Sequence[float] | None = None,
) -> list[Job]:
    """Round r: completion times rotated by r, and for each the contestants rotated by r; the tenant
    contestants at ``tenant_Ts`` (default: ``Ts``), after the others in each round."""
    groups = [
        ([name for name in contestants if name not in TENANT_CONTESTANTS], Ts),
        ([name for name in contestants if name in TENANT_CONTESTANTS], Ts if tenant_Ts is None else tenant_Ts),
    ]
    jobs = []
    for r in range(first_round, first_round + rounds):
        for names, times in groups:
            for T in rotated(times, r):
                for name in rotated(names, r):
                    jobs.append(Job(CONTESTANTS[name], T, r, mode, cloudfront, owners, tools, work))
    return jobs


def warm_up(cloudfront: LocalCloudFront, contestants: Sequence[str], tools: Tools, work: Path, log: Any) -> None:
    """One unmeasured run of each contestant (an invalidation already completed): file caches warm."""
    where = owners(cloudfront, "bench warm-up", any(name in TENANT_CONTESTANTS for name in contestants))
    jobs = plan(contestants, [0.0], 1, "warmup", cloudfront, where, tools, work)
    for sample in run_jobs(jobs, 1, 0.0, None, lambda line: None):
        if not sample["ok"]:
            raise RuntimeError(f"warm-up of {sample['contestant']} failed:\n{sample['error']}")
    log(f"  warm-up: {', '.join(contestants)} ran once each")


def measure(
    cloudfront: LocalCloudFront,
    tools: Tools,
    work: Path,
    contestants: Sequence[str],
    Ts: Sequence[float],
    rounds: int,
    max_live: int,
    stagger: float,
    reference_contestants: Sequence[str],
    reference_Ts: Sequence[float],
    reference_rounds: int,
    monitor: CpuMonitor,
    log: Any,
    tenant_Ts: Sequence[float] | None = None,
) -> dict[str, Any]:
    """The interleaved runs, then a serial reference (one run at a time) for the runs most
    sensitive to a busy machine, to show what running side by side changes. The tenant contestants
    run at ``tenant_Ts`` (default: ``Ts``)."""
    started = time.time()
    where = owners(cloudfront, "bench overshoot", any(name in TENANT_CONTESTANTS for name in contestants))
    mode = "serial" if max_live == 1 else "staggered"
    jobs = plan(contestants, Ts, rounds, mode, cloudfront, where, tools, work, tenant_Ts=tenant_Ts)
    samples = run_jobs(jobs, max_live, stagger, monitor, log)
    reference: list[dict[str, Any]] = []
    if max_live > 1 and reference_rounds > 0 and reference_contestants and reference_Ts:
        log(f"  serial reference: {', '.join(reference_contestants)} at T = {', '.join(map(str, reference_Ts))} s")
        jobs = plan(reference_contestants, reference_Ts, reference_rounds, "serial", cloudfront, where, tools, work)
        reference = run_jobs(jobs, 1, 0.0, monitor, log)
    return {
        "method": {
            "contestants": {name: CONTESTANTS[name].title for name in contestants},
            "T": list(Ts),
            "tenant_T": list(Ts if tenant_Ts is None else tenant_Ts),
            "rounds": rounds,
            "schedule": mode,
            "max_live": max_live,
            "stagger": stagger,
            "wait_timeout": WAIT_TIMEOUT,
        },
        "samples": samples,
        "reference_samples": reference,
        "summary": summarize(samples),
        "reference_summary": summarize(reference),
        "duration": round(time.time() - started, 1),
    }


def summarize(samples: Sequence[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per contestant and T: overshoot, its two parts, calls, and failures."""
    out: dict[str, dict[str, Any]] = {}
    for sample in samples:
        out.setdefault(sample["contestant"], {}).setdefault(f"{sample['T']:g}", []).append(sample)
    result: dict[str, dict[str, Any]] = {}
    for name, by_T in out.items():
        result[name] = {}
        for T, group in by_T.items():
            good = [s for s in group if s["ok"]]
            result[name][T] = {
                "overshoot": summary(s["overshoot"] for s in good),
                "detection": summary(s["detection"] for s in good),
                "exit_after_detection": summary(s["exit_after_detection"] for s in good),
                "calls": summary((s["calls"] for s in good), digits=1),
                "first_request": summary(s["request_times"][0] for s in good if s["request_times"]),
                "failed": len(group) - len(good),
                "quiet": sum(1 for s in good if not s.get("others_starting_or_exiting_meanwhile")),
            }
    return result

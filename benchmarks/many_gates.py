"""Part 5: many gates, one account's rate limit (issue 12).

CloudFront's control-plane rate limits are per account and per operation: a release fan-out that
starts many gates at once has them all draw from one bucket. With N gates sharing R requests a
second, a gate can poll at best once every N/R seconds.

**Simulated** (no threads, no real sleeps): N gates start together at t = 0, each waiting for an
invalidation of its own that completes at a time drawn uniformly from ``spread`` (30–300 s), all
drawing their requests from one token bucket (``rate`` R tokens a second, ``burst`` max(1, R) at
most, full at the start). A request that finds the bucket empty is throttled. The requests are the
events of a discrete-event simulation: a heap of the callers' next request times, taken in order;
a request is instantaneous. Ours is the collection's own waiting core, ``waiter.Wait`` with
``waiter.PollSchedule()``, stepped as the gate (the ``cloudfront_invalidation_wait`` action,
module_utils/_cloudfront/gate.py) runs it; beside it, under the same bucket (one at a time, each
contestant with a bucket of its own), the AWS CLI waiter and an Ansible ``until:`` loop, as the
small models below. Every contestant sees the same completion times (paired), seed by seed.

Also simulated: one gate alone, waiting in rounds (a module run per progress interval) against
one unsliced wait, for the polls that slicing costs.

**Measured**: real ``ansible-playbook`` gates (the role ``edgeops.cloudfront.wait_for_invalidation``)
started together against the local endpoint's token bucket (``LocalCloudFront.rate_limit``), each
signing with an access key id of its own, and beside them boto3's ``invalidation_completed``
waiters in threads under a bucket of the same size; each invalidation completes a time drawn from
``spread`` after its caller's first request. The figures come from the endpoint's request log.
"""

from __future__ import annotations

import heapq
import json
import math
import random
import statistics
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import botocore.config
import botocore.exceptions
from harness import (
    BENCH,
    SECRET_KEY,
    LocalCloudFront,
    Tools,
    contestant_env,
    flip_time,
    launch,
    requests_of,
    run_key,
    summary,
)
from simulate import CLI_DELAY, CLI_MAX_ATTEMPTS

from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront import api, gate, waiter

PLAYBOOK = BENCH / "playbooks" / "many_gates_role.yml"
GATE_TIMEOUT = 3600.0  # the simulated gates' timeout (wait_for_invalidation_timeout)
DEFAULT_PROGRESS_INTERVAL = 50  # the role's wait_for_invalidation_progress_interval
MODULE_START = 1.0  # seconds from a module run's start to its first step (assumed)
THROTTLING_STATUS = 400  # the endpoint's (and CloudFront's) Throttling answer
# Slicing: the progress intervals, and the completion times (None: never, within the gate's timeout)
SLICING_INTERVALS = (1, 5, 20, 50, 60)
SLICING_T: tuple[float | None, ...] = (60.0, 300.0, 900.0, None)
SLICING_TIMEOUT = 1800.0
MODEL_SEEDS = 20  # simulated runs of the real part's set-up


def burst_for(rate: float) -> float:
    """The bucket's size for a rate: a second's worth, at least one request (the local endpoint's default)."""
    return max(1.0, rate)


# --------------------------------------------------------------------------------------
# The account's bucket, in simulated time
# --------------------------------------------------------------------------------------


class Bucket:
    """``rate`` tokens a second, ``burst`` at most, full at the start; a request takes one or is
    throttled. The rule of the local endpoint's ``TokenBucket``, on the simulation's clock."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self.updated = 0.0

    def take(self, now: float) -> bool:
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1.0 - 1e-9:
            self.tokens -= 1.0
            return True
        return False


class Throttled(waiter.TransientError):
    """CloudFront's Throttling answer, as the waiting core sees it."""

    throttled = True


# --------------------------------------------------------------------------------------
# The callers: ours, the AWS CLI waiter, an until: loop
# --------------------------------------------------------------------------------------


class Caller:
    """One gate (or waiter) in the simulation: when it sends its first request, and what it makes
    of each answer (the time of its next request, or None when it is over). ``completion``: when its
    invalidation completes; a request that is not throttled at or after it sees ``Completed``."""

    def __init__(self, completion: float, rng: random.Random) -> None:
        self.completion = completion
        self.rng = rng
        self.requests = 0
        self.throttled = 0
        self.throttled_first = 0  # throttled before the first answer (ours: in the resolve step)
        self.first_answer: float | None = None  # when a request was first answered (not throttled)
        self.last_request: float | None = None
        self.longest_gap = 0.0  # the longest time between two requests after the first answer
        self.throttled_after_completion = 0  # throttled requests at or after the completion
        self.pace_at_open: float | None = None  # ours: the wait's pace when it made the poll that saw Completed
        self.opened: float | None = None  # when a request saw Completed (the gate opens)
        self.failed: float | None = None
        self.reason = ""

    def start(self) -> float:
        return 0.0

    def answer(self, at: float, throttled: bool) -> float | None:
        raise NotImplementedError

    @property
    def latency(self) -> float | None:
        return None if self.opened is None else self.opened - self.completion

    def _fail(self, at: float, reason: str) -> None:
        self.failed, self.reason = at, reason


@dataclass(frozen=True)
class GateModel:
    """How the gate spends a wait (the ``cloudfront_invalidation_wait`` action, gate.py).

    The action starts at once a module run for its resolve step, whose request comes ``module_start``
    seconds later (the caller's time 0: the gate's deadline is ``timeout`` - ``module_start`` after
    it). That request reads the invalidation (one GetInvalidation), retried through throttling as
    ``api.CloudFrontApi._call`` does: ``waiter.Wait`` with ``resolve_schedule`` (``api.RETRY_SCHEDULE``)
    for max(``api.RETRY_SECONDS``, the time to the gate's deadline), which the action gives it
    (``wait_deadline``, the module's ``throttled_until``), or for ``resolve_seconds`` when set; then the
    gate fails. Then rounds, each a module run waiting ``slice_seconds`` (``wait_slice``:
    max(progress interval, ``gate.MIN_SLICE``); None: one unsliced wait) of one schedule:
    ``waiter.Wait`` with ``schedule`` (``PollSchedule()``), the time since the gate's start
    (``waited_before``), the time since the last poll (``since_last_poll``) and the pace as the last
    round left them (the first round: pace 1 and no last poll, as ``gate.run_gate`` starts them; the
    resolve step's retries are not carried). A round's first poll is when the schedule says (past its
    slice if need be, ``waiter.Wait.first_poll``); it ends after its last poll that fits in its slice;
    the next one's wait starts ``module_start`` seconds later. The defaults are the gate's; others are
    for trying other settings.
    """

    slice_seconds: float | None = float(max(DEFAULT_PROGRESS_INTERVAL, gate.MIN_SLICE))
    module_start: float = MODULE_START
    timeout: float = GATE_TIMEOUT
    schedule: waiter.PollSchedule = waiter.PollSchedule()
    resolve_schedule: waiter.PollSchedule = api.RETRY_SCHEDULE
    resolve_seconds: float | None = None


class OurGate(Caller):
    """The role's gate, as :class:`GateModel` says, stepping the collection's own ``waiter.Wait``."""

    def __init__(self, completion: float, rng: random.Random, model: GateModel | None = None) -> None:
        super().__init__(completion, rng)
        self.model = model or GateModel()
        # the gate's start (the action's), and its deadline, in the caller's time (0: its first request)
        self.begun = -self.model.module_start
        self.deadline = self.begun + self.model.timeout
        resolve_seconds = self.model.resolve_seconds
        self.resolving: waiter.Wait | None = waiter.Wait(
            max(float(api.RETRY_SECONDS), self.deadline) if resolve_seconds is None else resolve_seconds,
            self.model.resolve_schedule,
            rng.random,
        )
        self.wait: waiter.Wait | None = None
        self.origin = 0.0  # when the current Wait started (its times are relative to it)
        self.pace = 1.0
        self.last_poll: float | None = None
        self.module_runs = 0  # rounds (the resolve step not counted)

    def start(self) -> float:
        assert self.resolving is not None
        return self.resolving.first_poll()

    def answer(self, at: float, throttled: bool) -> float | None:
        if self.resolving is not None:
            return self._resolve_answered(at, throttled)
        assert self.wait is not None
        relative = at - self.origin
        if not throttled and at >= self.completion:
            self.pace_at_open = self.wait.pace
            self.wait.polled(relative)
            self.opened = at
            return None
        following = self.wait.polled(relative, Throttled() if throttled else None)
        self.pace, self.last_poll = self.wait.pace, at
        if following is not None:
            return self.origin + following
        if self.wait.over_by_deadline(relative):
            self._fail(at, "timed out")
            return None
        return self._next_round(at)

    def _resolve_answered(self, at: float, throttled: bool) -> float | None:
        assert self.resolving is not None
        if throttled:
            following = self.resolving.polled(at, Throttled())
            if following is None:
                self._fail(at, "resolve step gave up")
            return following
        self.resolving = None
        if at >= self.completion:  # completed when the gate looked: no round
            self.opened = at
            return None
        return self._next_round(at)

    def _next_round(self, ended: float) -> float | None:
        """The module run after ``ended``: the time of its first poll (``gate.run_gate``: no round
        once the deadline has passed; a round started before it waits what is left, if nothing)."""
        if self.deadline - ended <= 0:
            self._fail(ended, "timed out")
            return None
        start = ended + self.model.module_start
        remaining = max(0.0, self.deadline - start)
        self.module_runs += 1
        self.origin = start
        self.wait = waiter.Wait(
            remaining,
            self.model.schedule,
            self.rng.random,
            waited_before=start - self.begun,
            slice_seconds=self.model.slice_seconds,
            since_last_poll=None if self.last_poll is None else start - self.last_poll,
            pace=self.pace,
        )
        return start + self.wait.first_poll()


@dataclass(frozen=True)
class BotocoreRetries:
    """A botocore retry mode, as it treats a throttled request: ``max_attempts`` attempts at most, the
    one after the i-th (from 1) throttled one after rand × min(2^(i - 1), ``max_backoff``) seconds."""

    max_attempts: int
    max_backoff: float

    def delay(self, attempt: int, rng: random.Random) -> float | None:
        """The sleep after throttled attempt ``attempt`` (from 1); None: the call raises ``Throttling``."""
        if attempt >= self.max_attempts:
            return None
        return rng.random() * min(2.0 ** (attempt - 1), self.max_backoff)


# botocore's retry modes: "legacy" (data/_retry.json: 5 attempts, rand × 2^(i - 1)), the default of the
# AWS CLI v1 (its own botocore), and "standard" (retries/standard.py: 3 attempts, at most 20 s), the
# default of the botocore that Ansible's modules run with in this suite (.venv).
LEGACY = BotocoreRetries(5, math.inf)
STANDARD = BotocoreRetries(3, 20.0)


class CliWaiter(Caller):
    """``aws cloudfront wait invalidation-completed`` (the AWS CLI v1): GetInvalidation, then 20 s of
    sleep after each answer, 30 polls at most (botocore's InvalidationCompleted waiter). Each poll is a
    call in the CLI's default retry mode, botocore's legacy one (:data:`LEGACY`); a call still throttled
    after its attempts raises the Throttling error, which no acceptor of the waiter matches, and the
    waiter fails on it."""

    retries = LEGACY

    def __init__(self, completion: float, rng: random.Random) -> None:
        super().__init__(completion, rng)
        self.polls = 1
        self.attempt = 1

    def answer(self, at: float, throttled: bool) -> float | None:
        if throttled:
            delay = self.retries.delay(self.attempt, self.rng)
            if delay is None:
                self._fail(at, "throttled")
                return None
            self.attempt += 1
            return at + delay
        if at >= self.completion:
            self.opened = at
            return None
        if self.polls >= CLI_MAX_ATTEMPTS:
            self._fail(at, "30 attempts")
            return None
        self.polls, self.attempt = self.polls + 1, 1
        return at + CLI_DELAY


# benchmarks/playbooks/until_loop.yml: delay 10, retries wait_timeout / 10 (the gates' timeout here)
UNTIL_DELAY = 10.0
UNTIL_RETRIES = math.ceil(GATE_TIMEOUT / UNTIL_DELAY)
# amazon.aws AWSRetry.jittered_backoff()'s defaults, which community.aws cloudfront_distribution_info
# (amazon.aws module_utils/cloudfront_facts.py) uses: 10 attempts, a sleep of uniform(0, min(3 x 2^k, 60)) s
AWSRETRY_ATTEMPTS, AWSRETRY_DELAY, AWSRETRY_MAX_DELAY = 10, 3.0, 60.0


class UntilLoop(Caller):
    """An Ansible ``until:`` loop over an info module (community.aws ``cloudfront_distribution_info``,
    as benchmarks/playbooks/until_loop.yml writes it): ``delay: 10``, ``retries`` the gate's timeout
    / 10. Each attempt is a module run, whose request comes ``MODULE_START`` seconds after the attempt
    starts. The module retries a throttled call with amazon.aws's ``AWSRetry.jittered_backoff()``
    (10 attempts, sleeps of uniform(0, min(3 × 2^k, 60)) s), each attempt a botocore call in its
    default retry mode (:data:`STANDARD`: up to 3 requests); a module run that gives up fails, and the
    ``until:`` condition, which reads the invalidation's status from the result, fails the loop with it.
    Modelled: the GetInvalidation requests (the module also reads the distribution, another
    operation, from a bucket of its own)."""

    retries = STANDARD

    def __init__(self, completion: float, rng: random.Random) -> None:
        super().__init__(completion, rng)
        self.attempts = 1
        self.call_attempt = 1  # AWSRetry's
        self.request_attempt = 1  # botocore's, within the call

    def answer(self, at: float, throttled: bool) -> float | None:
        if throttled:
            delay = self.retries.delay(self.request_attempt, self.rng)
            if delay is not None:
                self.request_attempt += 1
                return at + delay
            if self.call_attempt >= AWSRETRY_ATTEMPTS:
                self._fail(at, "throttled")
                return None
            delay = self.rng.uniform(0.0, min(AWSRETRY_DELAY * 2.0 ** (self.call_attempt - 1), AWSRETRY_MAX_DELAY))
            self.call_attempt, self.request_attempt = self.call_attempt + 1, 1
            return at + delay
        if at >= self.completion:
            self.opened = at
            return None
        if self.attempts > UNTIL_RETRIES:
            self._fail(at, "retries exhausted")
            return None
        self.attempts, self.call_attempt, self.request_attempt = self.attempts + 1, 1, 1
        return at + UNTIL_DELAY + MODULE_START


CONTESTANTS: dict[str, tuple[str, Callable[[float, random.Random], Caller]]] = {
    "ours": ("ours: the role's gate (waiter.Wait, PollSchedule defaults, rounds of 50 s)", OurGate),
    "cli": ("AWS CLI waiter: every 20 s, 30 attempts, botocore's legacy retry mode", CliWaiter),
    "until": ("until: loop, delay 10, AWSRetry and botocore's standard retry mode in the module", UntilLoop),
}


def run_callers(callers: Sequence[Caller], bucket: Bucket | None, starts: Sequence[float] | None = None) -> None:
    """The discrete-event simulation: every request in time order, each through the bucket
    (None: no rate limit), until every caller is over. A caller's times are its own, from its
    start; ``starts``: when each one starts (default: all at 0)."""
    offsets = list(starts) if starts is not None else [0.0] * len(callers)
    heap = [(offset + caller.start(), index) for index, (caller, offset) in enumerate(zip(callers, offsets))]
    heapq.heapify(heap)
    while heap:
        at, index = heapq.heappop(heap)
        caller = callers[index]
        throttled = bucket is not None and not bucket.take(at)
        caller.requests += 1
        caller.throttled += throttled
        if throttled and caller.requests == caller.throttled:  # not answered yet
            caller.throttled_first += 1
        own = at - offsets[index]
        if caller.first_answer is not None and caller.last_request is not None:
            caller.longest_gap = max(caller.longest_gap, own - caller.last_request)
        if not throttled and caller.first_answer is None:
            caller.first_answer = own
        if throttled and own >= caller.completion:
            caller.throttled_after_completion += 1
        caller.last_request = own
        following = caller.answer(own, throttled)
        if following is not None:
            heapq.heappush(heap, (offsets[index] + following, index))


# --------------------------------------------------------------------------------------
# The simulation over N and R
# --------------------------------------------------------------------------------------


def percentile(values: Sequence[float], share: float) -> float:
    """The ``share`` quantile (0..1) of ``values``, interpolated between the closest ranks."""
    data = sorted(values)
    position = share * (len(data) - 1)
    low = math.floor(position)
    high = min(low + 1, len(data) - 1)
    if position == low or data[high] == data[low]:  # also where both are inf (gates that never opened)
        return data[low]
    return data[low] + (data[high] - data[low]) * (position - low)


def latency_stats(values: Iterable[float | None]) -> dict[str, Any]:
    """Median, p95 and worst of the latencies of the gates that opened (None: a gate that did not).
    ``p95_all``: the p95 over every gate, one that did not open counting as never: None when more
    than 5 % of them did not."""
    every = list(values)
    data = [v for v in every if v is not None]
    if not data:
        return {"median": None, "p95": None, "max": None, "n": 0, "p95_all": None}
    never = [math.inf] * (len(every) - len(data))
    p95_all = percentile(data + never, 0.95) if never else percentile(data, 0.95)
    return {
        "median": round(statistics.median(data), 2),
        "p95": round(percentile(data, 0.95), 2),
        "max": round(max(data), 2),
        "n": len(data),
        "p95_all": None if math.isinf(p95_all) else round(p95_all, 2),
    }


def completions(N: int, seed: int, spread: tuple[float, float]) -> list[float]:
    """When each of N gates' invalidations completes in run ``seed``: uniform in ``spread``."""
    rng = random.Random(f"many-gates-{N}-{seed}")
    return [rng.uniform(*spread) for _gate in range(N)]


def one_run(
    name: str,
    flips: Sequence[float],
    seed: int,
    bucket: Bucket | None,
    starts: Sequence[float] | None = None,
    factory: Callable[[float, random.Random], Caller] | None = None,
) -> list[Caller]:
    """N callers of one contestant, each with a random source of its own, through one bucket;
    ``flips``: each one's completion, from its start. ``factory``: other callers in its place (to
    try other settings of ours, say), with the same random sources."""
    factory = factory or CONTESTANTS[name][1]
    callers = [factory(flip, random.Random(f"{name}-{seed}-{n}")) for n, flip in enumerate(flips)]
    run_callers(callers, bucket, starts)
    return callers


def cell(runs: Sequence[Sequence[Caller]]) -> dict[str, Any]:
    """What runs of one contestant at one (N, R) add up to; latencies over every gate of every run."""
    gates = [caller for run in runs for caller in run]
    requests = sum(caller.requests for caller in gates)
    throttled = sum(caller.throttled for caller in gates)
    failed = [caller for caller in gates if caller.opened is None]
    out: dict[str, Any] = {
        "latency": latency_stats(caller.latency for caller in gates),
        "requests_per_run": round(statistics.fmean(sum(c.requests for c in run) for run in runs), 1),
        "requests_per_gate": round(requests / len(gates), 2),
        "throttled_fraction": round(throttled / requests, 4) if requests else None,
        "requests": requests,
        "throttled": throttled,
        "throttled_before_first_answer": sum(caller.throttled_first for caller in gates),
        "gates": len(gates),
        "failed": len(failed),
        "failed_reasons": _counted(caller.reason for caller in failed),
        "failed_at": latency_stats(caller.failed for caller in failed),
        # from a caller's start to its first answered request (ours: the end of the resolve step)
        "first_answer": latency_stats(caller.first_answer for caller in gates),
        # callers whose first answer already saw Completed (ours: no round; the resolve step opened it)
        "opened_at_first_answer": sum(1 for c in gates if c.opened is not None and c.opened == c.first_answer),
        "longest_gap": latency_stats(caller.longest_gap for caller in gates if caller.first_answer is not None),
        "tail": _tail(gates),
    }
    if isinstance(gates[0], OurGate):
        ours = [caller for caller in gates if isinstance(caller, OurGate)]
        out["module_runs_per_gate"] = round(statistics.fmean(g.module_runs for g in ours), 2)
    return out


def _tail(gates: Sequence[Caller]) -> dict[str, Any]:
    """The callers whose latency is the p95's or worse: how many, how many of them opened with their
    first answer, how many of their requests after the completion were throttled, and the longest
    time between two of their requests after their first answer."""
    latencies = [c.latency for c in gates if c.latency is not None]
    if not latencies:
        return {
            "gates": 0,
            "opened_at_first_answer": 0,
            "throttled_after_completion": latency_stats([]),
            "longest_gap": latency_stats([]),
            "pace_at_open": latency_stats([]),
        }
    p95 = percentile(latencies, 0.95)
    tail = [c for c in gates if c.latency is not None and c.latency >= p95]
    return {
        "gates": len(tail),
        "opened_at_first_answer": sum(1 for c in tail if c.opened == c.first_answer),
        "throttled_after_completion": latency_stats(c.throttled_after_completion for c in tail),
        "longest_gap": latency_stats(c.longest_gap for c in tail),
        # ours, opened in a round: the pace (the factor throttling put on the interval) of the poll that opened it
        "pace_at_open": latency_stats(c.pace_at_open for c in tail),
    }


def _counted(reasons: Iterable[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for reason in reasons:
        counts[reason] = counts.get(reason, 0) + 1
    return counts


def seeds_for(N: int, seeds: int) -> int:
    """Seeds per (N, R): ``seeds``, a quarter of them (at least 2) from N = 1000 on."""
    return seeds if N < 1000 else max(2, seeds // 4)


def simulate(
    Ns: Sequence[int], Rs: Sequence[float], seeds: int, spread: tuple[float, float], log: Callable[[str], None]
) -> dict[str, Any]:
    """Each contestant for each N, without a rate limit and for each R."""
    grid: dict[str, dict[str, Any]] = {}
    for N in Ns:
        runs_of_N = seeds_for(N, seeds)
        flips = [completions(N, seed, spread) for seed in range(runs_of_N)]
        by_rate: dict[str, Any] = {}
        for R in [math.inf, *Rs]:
            by_rate[f"{R:g}"] = {
                name: cell(
                    [
                        one_run(name, flips[seed], seed, None if math.isinf(R) else Bucket(R, burst_for(R)))
                        for seed in range(runs_of_N)
                    ]
                )
                for name in CONTESTANTS
            }
            ours = by_rate[f"{R:g}"]["ours"]
            log(
                f"  N = {N:4}, R = {R:>3g}/s: ours p95 {ours['latency']['p95']} s,"
                f" throttled {ours['throttled_fraction']:.1%}, failed {ours['failed']}"
            )
        grid[str(N)] = {"seeds": runs_of_N, "by_rate": by_rate}
    return grid


# --------------------------------------------------------------------------------------
# Slicing: one gate in rounds against one unsliced wait
# --------------------------------------------------------------------------------------


def gate_alone(completion: float, seed: int, model: GateModel) -> OurGate:
    caller = OurGate(completion, random.Random(f"slicing-{seed}"), model)
    run_callers([caller], None)
    return caller


def slicing(intervals: Sequence[int], Ts: Sequence[float | None], seeds: int, timeout: float) -> dict[str, Any]:
    """For each progress interval and completion time (None: never), the polls of the gate's waits
    in rounds over those of one unsliced wait (the resolve step's request left out of both)."""
    unsliced = GateModel(slice_seconds=None, timeout=timeout)
    out: dict[str, Any] = {}
    for interval in intervals:
        model = GateModel(slice_seconds=float(max(interval, gate.MIN_SLICE)), timeout=timeout)
        row: dict[str, Any] = {}
        for T in Ts:
            flip = math.inf if T is None else T
            sliced = [gate_alone(flip, seed, model) for seed in range(seeds)]
            whole = [gate_alone(flip, seed, unsliced) for seed in range(seeds)]
            polls_sliced = sum(g.requests - 1 for g in sliced)
            polls_whole = sum(g.requests - 1 for g in whole)
            row["never" if T is None else f"{T:g}"] = {
                "polls_sliced": round(polls_sliced / seeds, 1),
                "polls_unsliced": round(polls_whole / seeds, 1),
                "ratio": round(polls_sliced / polls_whole, 3),
                "module_runs": round(statistics.fmean(g.module_runs for g in sliced), 1),
                "latency_sliced": latency_stats(g.latency for g in sliced),
                "latency_unsliced": latency_stats(g.latency for g in whole),
            }
        out[str(interval)] = row
    return out


# --------------------------------------------------------------------------------------
# Measured: real gates, and boto3 waiters, under the local endpoint's bucket
# --------------------------------------------------------------------------------------


def _real_figures(requests: Sequence[dict[str, Any]], flip: float) -> dict[str, Any]:
    """From one caller's requests in the endpoint's log: its calls, the throttled ones, and the latency:
    from the completion to its last answered request, the one that saw Completed (a caller that
    succeeded stops there). The log has a request's arrival: one that arrived just before the
    completion may have been answered after it (latency 0)."""
    answered = [r["time"] for r in requests if r["status"] != THROTTLING_STATUS]
    statuses = [r["status"] for r in requests]
    first_answer = next((n for n, status in enumerate(statuses) if status != THROTTLING_STATUS), len(statuses))
    times = [r["time"] for r in requests]
    return {
        "requests": len(requests),
        "throttled": statuses.count(THROTTLING_STATUS),
        "throttled_first": first_answer,
        # from the first answer (the resolve step's) to the next request: a module start and an interval
        "next_after_first_answer": round(times[first_answer + 1] - times[first_answer], 3)
        if first_answer + 1 < len(times)
        else None,
        "latency": round(max(0.0, answered[-1] - flip), 3) if answered else None,
        "request_times": [round(r["time"], 3) for r in requests],
        "statuses": statuses,
    }


def _real_summary(samples: Sequence[dict[str, Any]]) -> dict[str, Any]:
    requests = sum(s["requests"] for s in samples)
    out = {
        "latency": latency_stats(s["latency"] if s["ok"] else None for s in samples),
        "requests": requests,
        "requests_per_gate": round(requests / len(samples), 2) if samples else None,
        "throttled_fraction": round(sum(s["throttled"] for s in samples) / requests, 4) if requests else None,
        "throttled_before_first_answer": sum(s["throttled_first"] for s in samples),
        "throttled": sum(s["throttled"] for s in samples),
        "next_after_first_answer": summary(s.get("next_after_first_answer") for s in samples),
        "gates": len(samples),
        "failed": sum(1 for s in samples if not s["ok"]),
        "failed_reasons": _counted(s["reason"] for s in samples if not s["ok"]),
    }
    if samples and "gate_open" in samples[0]:
        out["gate_open"] = latency_stats(s["gate_open"] if s["ok"] else None for s in samples)
    return out


class FlipsAfterFirstRequest:
    """Completes each caller's invalidation a time drawn from ``spread`` after that caller's first
    request (as the endpoint logged it): the wait is measured from the moment the caller asks,
    whatever its start took (twenty ``ansible-playbook`` processes starting together on a small
    machine take tens of seconds to make their first request). A thread watches the request log."""

    def __init__(
        self,
        cloudfront: LocalCloudFront,
        keys: Sequence[str],
        invalidations: Sequence[str],
        spread: tuple[float, float],
    ) -> None:
        rng = random.Random("many-gates-real")
        self.cloudfront = cloudfront
        self.pending = {key: (invalidation, rng.uniform(*spread)) for key, invalidation in zip(keys, invalidations)}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="many-gates-flips", daemon=True)

    def __enter__(self) -> FlipsAfterFirstRequest:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _watch(self) -> None:
        while self.pending and not self._stop.wait(0.05):
            first: dict[str, float] = {}
            for request in self.cloudfront.requests():
                key = request["access_key_id"]
                if key in self.pending and key not in first:
                    first[key] = request["time"]
            for key, at in first.items():
                invalidation, after = self.pending.pop(key)
                self.cloudfront.complete_in(invalidation, max(0.0, at + after - time.time()))


def real_gates(
    cloudfront: LocalCloudFront, tools: Tools, work: Path, distribution_id: str, count: int, spread: tuple[float, float]
) -> list[dict[str, Any]]:
    """``count`` ansible-playbook gates started together, each signing with a key id of its own."""
    invalidations = [
        cloudfront.create_invalidation(distribution_id, [f"/g{n}"], complete_in=3600) for n in range(count)
    ]
    keys = [run_key(f"P5GATE{n}", cloudfront) for n in range(count)]
    runs = []
    with FlipsAfterFirstRequest(cloudfront, keys, invalidations, spread):
        for n, (key, invalidation) in enumerate(zip(keys, invalidations)):
            extra = {
                "bench_endpoint_url": cloudfront.url,
                "bench_distribution_id": distribution_id,
                "bench_invalidation_id": invalidation,
                "bench_wait_timeout": int(GATE_TIMEOUT),
            }
            cmd = [tools.ansible_playbook, str(PLAYBOOK), "-e", json.dumps(extra)]
            runs.append(launch(key, cmd, contestant_env(key, work), work / "logs" / f"many-gates-{n}.log"))
        for run in runs:
            run.wait(timeout=GATE_TIMEOUT + 300)
    samples = []
    for run, key, invalidation in zip(runs, keys, invalidations):
        assert run.end is not None
        flip = flip_time(invalidation)
        figures = _real_figures(requests_of(cloudfront, key), flip)
        ok = run.rc == 0 and figures["latency"] is not None
        samples.append(
            {
                "access_key_id": key,
                "ok": ok,
                "reason": None if ok else f"playbook failed (rc {run.rc})",
                "error": None if ok else run.tail(),
                "start": round(run.start, 3),
                "flip": round(flip, 3),
                "gate_open": round(run.end - flip, 3),
                "wall": round(run.wall, 3),
                "cpu": round(run.cpu, 3),
                **figures,
            }
        )
    return samples


def boto3_waiters(
    cloudfront: LocalCloudFront, distribution_id: str, count: int, spread: tuple[float, float]
) -> list[dict[str, Any]]:
    """``count`` boto3 ``invalidation_completed`` waiters (Delay 20, MaxAttempts 30) in threads of this
    process, started together, each with a client and key id of its own: the AWS CLI v1's waiter, and its
    retry mode (botocore's legacy one, :data:`LEGACY`), without a process each."""
    config = botocore.config.Config(retries={"mode": "legacy"})
    keys = [run_key(f"P5BOTO{n}", cloudfront) for n in range(count)]
    clients = [cloudfront.client(key, config=config, secret=SECRET_KEY) for key in keys]
    invalidations = [
        cloudfront.create_invalidation(distribution_id, [f"/b{n}"], complete_in=3600) for n in range(count)
    ]
    ends: list[float] = [0.0] * count
    errors: list[str | None] = [None] * count
    ready = threading.Barrier(count + 1)

    def wait(n: int) -> None:
        ready.wait()
        try:
            clients[n].get_waiter("invalidation_completed").wait(
                DistributionId=distribution_id,
                Id=invalidations[n],
                WaiterConfig={"Delay": CLI_DELAY, "MaxAttempts": CLI_MAX_ATTEMPTS},
            )
        except botocore.exceptions.WaiterError as e:
            errors[n] = str(e)
        ends[n] = time.time()

    threads = [threading.Thread(target=wait, args=(n,), name=f"boto3-waiter-{n}") for n in range(count)]
    with FlipsAfterFirstRequest(cloudfront, keys, invalidations, spread):
        for thread in threads:
            thread.start()
        ready.wait()
        for thread in threads:
            thread.join(timeout=CLI_DELAY * CLI_MAX_ATTEMPTS + 300)
    samples = []
    for n, (key, invalidation) in enumerate(zip(keys, invalidations)):
        flip = flip_time(invalidation)
        figures = _real_figures(requests_of(cloudfront, key), flip)
        ok = errors[n] is None and figures["latency"] is not None
        samples.append(
            {
                "access_key_id": key,
                "ok": ok,
                "reason": None if ok else "throttled" if "Throttling" in (errors[n] or "") else "waiter failed",
                "error": errors[n],
                "flip": round(flip, 3),
                "end": round(ends[n], 3),
                **figures,
            }
        )
    return samples


def model_of(starts: Sequence[float], flips: Sequence[float], rate: float, burst: float, seeds: int) -> dict[str, Any]:
    """The simulation of a real run: our gates, each starting when a real one made its first request,
    with the completion it saw (from that request), under the same bucket and without a rate limit."""
    return {
        "runs": seeds,
        "throttled": cell([one_run("ours", flips, seed, Bucket(rate, burst), starts) for seed in range(seeds)]),
        "unthrottled": cell([one_run("ours", flips, seed, None, starts) for seed in range(seeds)]),
    }


def measure_real(
    cloudfront: LocalCloudFront,
    tools: Tools,
    work: Path,
    count: int,
    rate: float,
    burst: float,
    spread: tuple[float, float],
    beside: bool,
    log: Callable[[str], None],
) -> dict[str, Any]:
    started = time.time()
    dist = cloudfront.create_distribution(comment="bench many gates")["id"]
    out: dict[str, Any] = {
        "method": {
            "gates": count,
            "rate": rate,
            "burst": burst,
            "spread": list(spread),
            "spread_from": "each caller's first request",
            "timeout": GATE_TIMEOUT,
        },
        "samples": {},
        "summary": {},
    }
    cloudfront.rate_limit(rate, burst)
    t0 = time.time()
    gates = real_gates(cloudfront, tools, work, dist, count, spread)
    out["samples"]["ours"], out["summary"]["ours"] = gates, _real_summary(gates)
    # the model of this run: each gate from its first request, with the completion as it saw it
    started_gates = [s for s in gates if s["request_times"]]
    if started_gates:
        first = min(s["start"] for s in gates)
        starts = [s["request_times"][0] - first for s in started_gates]
        flips = [s["flip"] - s["request_times"][0] for s in started_gates]
        out["model"] = model_of(starts, flips, rate, burst, MODEL_SEEDS)
    log(f"  {count} real gates: {_said(out['summary']['ours'])} ({time.time() - t0:.0f} s)")
    if beside:
        cloudfront.rate_limit(rate, burst)  # a fresh bucket of the same size
        t0 = time.time()
        waiters = boto3_waiters(cloudfront, dist, count, spread)
        out["samples"]["boto3"], out["summary"]["boto3"] = waiters, _real_summary(waiters)
        log(f"  {count} boto3 waiters: {_said(out['summary']['boto3'])} ({time.time() - t0:.0f} s)")
    cloudfront.clear_faults()
    out["duration"] = round(time.time() - started, 1)
    return out


def _said(s: dict[str, Any]) -> str:
    latency = s["latency"]
    return (
        f"latency median {latency['median']} s, p95 {latency['p95']} s, worst {latency['max']} s;"
        f" {s['requests']} requests, {s['throttled_fraction']:.1%} throttled, {s['failed']} failed"
    )


# --------------------------------------------------------------------------------------
# The part
# --------------------------------------------------------------------------------------


def measure(
    cloudfront: LocalCloudFront,
    tools: Tools,
    work: Path,
    Ns: Sequence[int],
    Rs: Sequence[float],
    seeds: int,
    spread: tuple[float, float],
    slicing_intervals: Sequence[int],
    slicing_Ts: Sequence[float | None],
    slicing_seeds: int,
    real_count: int,
    real_rate: float,
    real_spread: tuple[float, float],
    real_beside: bool,
    log: Callable[[str], None],
) -> dict[str, Any]:
    """The simulation over N and R, the slicing, then (``real_count`` > 0) the real gates."""
    started = time.time()
    result: dict[str, Any] = {
        "method": {
            "N": list(Ns),
            "R": list(Rs),
            "burst": {f"{R:g}": burst_for(R) for R in Rs},
            "seeds": {str(N): seeds_for(N, seeds) for N in Ns},
            "spread": list(spread),
            "gate_timeout": GATE_TIMEOUT,
            "gate_model": asdict(GateModel()),
            # the resolve step's request: throttling retried up to the gate's deadline, other passing
            # failures for api.RETRY_SECONDS (api.CloudFrontApi._call, throttled_until)
            "resolve_retry": {
                "throttled_until": "the gate's deadline",
                "other_failures_seconds": api.RETRY_SECONDS,
            },
            "contestants": {name: title for name, (title, _factory) in CONTESTANTS.items()},
            "cli": {
                "delay": CLI_DELAY,
                "max_attempts": CLI_MAX_ATTEMPTS,
                "retries": {"mode": "legacy", "max_attempts": LEGACY.max_attempts},
            },
            "until": {
                "delay": UNTIL_DELAY,
                "retries": UNTIL_RETRIES,
                "module_start": MODULE_START,
                "botocore_retries": {"mode": "standard", **asdict(STANDARD)},
                "awsretry": [AWSRETRY_ATTEMPTS, AWSRETRY_DELAY, AWSRETRY_MAX_DELAY],
            },
        },
    }
    result["simulation"] = simulate(Ns, Rs, seeds, spread, log)
    result["slicing"] = {
        "intervals": list(slicing_intervals),
        "T": ["never" if T is None else T for T in slicing_Ts],
        "seeds": slicing_seeds,
        "timeout": SLICING_TIMEOUT,
        "by_interval": slicing(slicing_intervals, slicing_Ts, slicing_seeds, SLICING_TIMEOUT),
    }
    result["simulation_duration"] = round(time.time() - started, 1)
    log(f"  simulated in {result['simulation_duration']:.0f} s")
    if real_count:
        result["real"] = measure_real(
            cloudfront, tools, work, real_count, real_rate, burst_for(real_rate), real_spread, real_beside, log
        )
    result["duration"] = round(time.time() - started, 1)
    return result

"""Part 5: many gates, one account's rate limit (issues 12 and 18).

CloudFront's control-plane rate limits are per account and per operation: a release fan-out that
starts many gates at once has them all draw from one bucket. With N gates sharing R requests a
second, a gate can poll at best once every N/R seconds.

**Simulated**: N gates start together at t = 0, each waiting for an invalidation of its own that
completes at a time drawn uniformly from ``spread`` (30–300 s), all drawing their requests from one
token bucket (``rate`` R tokens a second, ``burst`` max(1, R) at most, full at the start). A request
that finds the bucket empty is throttled. Ours is the gate itself, the collection's code from the
action's arguments to the verdict (``simgate.run_simulated_gate``), each gate in a thread of its own
on one simulated clock (``simclock.SimClock``: time stands still while code runs, and jumps to the
next wake-up when every gate sleeps); the simulation answers its GetInvalidation requests. Beside
it, under a bucket of its own of the same size (one contestant at a time), the AWS CLI waiter and an
Ansible ``until:`` loop, as the small models below. In every run, **another caller** (another
pipeline) makes one request every 5 s in the same bucket while the contestant's callers are at it.
Every contestant sees the same completion times (paired), seed by seed.

**Measured**: real ``ansible-playbook`` gates (the role ``edgeops.cloudfront.wait_for_invalidation``)
started together against the local endpoint's token bucket (``LocalCloudFront.rate_limit``), each
signing with an access key id of its own, and beside them boto3's ``invalidation_completed``
waiters in threads under a bucket of the same size; each invalidation completes a time drawn from
``spread`` after its caller's first request. The figures come from the endpoint's request log.
"""

from __future__ import annotations

import functools
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
    CompletesAfterFirstRequest,
    LocalCloudFront,
    Tools,
    contestant_env,
    flip_time,
    launch,
    requests_of,
    run_key,
    summary,
)
from simclock import SimClock
from simgate import DEFAULT_PROGRESS_INTERVAL, OneInvalidation, run_simulated_gate
from simulate import CLI_DELAY, CLI_MAX_ATTEMPTS
from targets import GATES_STREAK_BOTOCORE_STANDARD

from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront import api, waiter
from ansible_collections.edgeops.cloudfront.tests.support.fake_clock import FakeClock
from ansible_collections.edgeops.cloudfront.tests.support.local_cloudfront import TokenBucket

PLAYBOOK = BENCH / "playbooks" / "many_gates_role.yml"
GATE_TIMEOUT = 3600.0  # the simulated gates' timeout (wait_for_invalidation_timeout)
MODULE_START = 1.0  # seconds from a module run's start to its first step (the until: loop's; assumed)
THROTTLING_STATUS = 400  # the endpoint's (and CloudFront's) Throttling answer
MODEL_SEEDS = 20  # simulated runs of the real part's set-up


def burst_for(rate: float) -> float:
    """The bucket's size for a rate: a second's worth, at least one request (the local endpoint's default)."""
    return max(1.0, rate)


class Caller:
    """What one caller (a gate, a waiter, another pipeline) did in a simulation: its requests, in its
    own time (0: its start). ``completion``: when its invalidation completes; a request that is not
    throttled at or after it sees ``Completed``."""

    def __init__(self, completion: float) -> None:
        self.completion = completion
        self.requests = 0
        self.throttled = 0
        self.throttled_first = 0  # throttled before the first answer (ours: in the lookup)
        self.first_answer: float | None = None  # when a request was first answered (not throttled)
        self.last_request: float | None = None
        self.longest_gap = 0.0  # the longest time between two requests after the first answer
        self.throttled_after_completion = 0  # throttled requests at or after the completion
        self.opened: float | None = None  # when a request saw Completed (the gate opens)
        self.failed: float | None = None
        self.reason = ""

    def record(self, own: float, throttled: bool) -> bool:
        """A request at ``own`` (the caller's time), throttled or not; whether it sees Completed."""
        self.requests += 1
        self.throttled += throttled
        if throttled and self.first_answer is None:
            self.throttled_first += 1
        if self.first_answer is not None and self.last_request is not None:
            self.longest_gap = max(self.longest_gap, own - self.last_request)
        if not throttled and self.first_answer is None:
            self.first_answer = own
        if throttled and own >= self.completion:
            self.throttled_after_completion += 1
        self.last_request = own
        completed = not throttled and own >= self.completion
        if completed and self.opened is None:
            self.opened = own
        return completed

    @property
    def latency(self) -> float | None:
        return None if self.opened is None else self.opened - self.completion

    def _fail(self, at: float, reason: str) -> None:
        self.failed, self.reason = at, reason


class ModelCaller(Caller):
    """A caller modelled by its rules (not our code): when it sends its first request, and what it
    makes of each answer: the time of its next request, or None when it is over."""

    def __init__(self, completion: float, rng: random.Random) -> None:
        super().__init__(completion)
        self.rng = rng

    def start(self) -> float:
        return 0.0

    def answer(self, at: float, throttled: bool) -> float | None:
        raise NotImplementedError


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
# default of the botocore that Ansible's modules run with in this suite (the ansible-core 2.19 line's).
LEGACY = BotocoreRetries(5, math.inf)
STANDARD = BotocoreRetries(3, 20.0)


class CliWaiter(ModelCaller):
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


class UntilLoop(ModelCaller):
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


class OurGate(Caller):
    """The gate itself: the collection's code (``simgate.run_simulated_gate``), whose requests the
    simulation answers."""

    def __init__(self, completion: float, rng: random.Random) -> None:
        super().__init__(completion)
        self.rng = rng


CONTESTANTS: dict[str, tuple[str, Callable[[float, random.Random], Caller]]] = {
    "ours": ("ours: the gate, the collection's own code (gate.run_gate) on a simulated clock", OurGate),
    "cli": (
        f"AWS CLI waiter: every {CLI_DELAY:g} s, {CLI_MAX_ATTEMPTS} attempts, botocore's legacy retry mode",
        CliWaiter,
    ),
    "until": ("until: loop, delay 10, AWSRetry and botocore's standard retry mode in the module", UntilLoop),
}
OTHER_CALLER_INTERVAL = 5.0  # another pipeline's requests, in the same bucket: one every 5 s


class Run:
    """One simulated run: callers of one contestant, each starting at its offset (default: all at
    0), and another caller (another pipeline) making a request every ``OTHER_CALLER_INTERVAL`` s
    while any of them is still at it, all drawing from one bucket, on one :class:`simclock.SimClock`.
    ``limit``: the bucket's (rate, burst), the local endpoint's ``TokenBucket`` on that clock (None:
    no rate limit). Ours run the gate's own code; the others step their models."""

    def __init__(
        self,
        callers: Sequence[Caller],
        limit: tuple[float, float] | None,
        starts: Sequence[float] | None,
        rng: random.Random,
    ) -> None:
        self.callers = callers
        self.offsets = list(starts) if starts is not None else [0.0] * len(callers)
        self.clock = SimClock()
        self.bucket = None if limit is None else TokenBucket(*limit, clock=self.clock.monotonic)
        self.over = 0
        self.other = Caller(math.inf)
        self.other_phase = rng.uniform(0.0, OTHER_CALLER_INTERVAL)

    def _throttled(self) -> bool:
        return self.bucket is not None and not self.bucket.take()

    def run(self) -> None:
        participants: list[Callable[[], None]] = [
            functools.partial(self._gate if isinstance(c, OurGate) else self._model, c, o)
            for c, o in zip(self.callers, self.offsets)
        ]
        results = self.clock.run([*participants, self._other_caller])
        for result in results:
            if isinstance(result, BaseException):
                raise result

    def _gate(self, caller: OurGate, offset: float) -> None:
        clock = self.clock
        if offset:
            clock.sleep(offset)

        def answer() -> tuple[bool, bool]:
            throttled = self._throttled()
            return throttled, caller.record(clock.monotonic() - offset, throttled)

        try:
            outcome = run_simulated_gate(OneInvalidation(answer), clock, GATE_TIMEOUT, rand=caller.rng.random)
            if not outcome.completed:
                caller._fail(clock.monotonic() - offset, "timed out" if outcome.timed_out else outcome.msg)
        finally:
            self.over += 1

    def _model(self, caller: Caller, offset: float) -> None:
        assert isinstance(caller, ModelCaller)
        clock = self.clock
        try:
            if offset:
                clock.sleep(offset)
            at: float | None = caller.start()
            while at is not None:
                ahead = at - (clock.monotonic() - offset)
                if ahead > 0:
                    clock.sleep(ahead)
                own = clock.monotonic() - offset
                throttled = self._throttled()
                caller.record(own, throttled)
                at = caller.answer(own, throttled)
        finally:
            self.over += 1

    def _other_caller(self) -> None:
        self.clock.sleep(self.other_phase)
        while self.over < len(self.callers):
            self.other.record(self.clock.monotonic(), self._throttled())
            self.clock.sleep(OTHER_CALLER_INTERVAL)


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
    limit: tuple[float, float] | None,
    starts: Sequence[float] | None = None,
) -> tuple[list[Caller], Caller]:
    """N callers of one contestant, each with a random source of its own, through one bucket (``limit``:
    its rate and burst; None: no limit), and the other caller beside them; ``flips``: each one's
    completion, from its start. The lookups' retries draw their jitter from ``random``'s global
    source, seeded for the run."""
    callers = [CONTESTANTS[name][1](flip, random.Random(f"{name}-{seed}-{n}")) for n, flip in enumerate(flips)]
    random.seed(f"{name}-{seed}-retries")
    run = Run(callers, limit, starts, random.Random(f"other-{seed}"))
    run.run()
    return callers, run.other


def cell(runs: Sequence[tuple[Sequence[Caller], Caller]]) -> dict[str, Any]:
    """What runs of one contestant at one (N, R) add up to; latencies over every gate of every run.
    ``other``: the other caller of each run, beside the contestant's."""
    gates = [caller for run, _other in runs for caller in run]
    requests = sum(caller.requests for caller in gates)
    throttled = sum(caller.throttled for caller in gates)
    failed = [caller for caller in gates if caller.opened is None]
    others = [other for _run, other in runs]
    other_requests = sum(o.requests for o in others)
    return {
        "latency": latency_stats(caller.latency for caller in gates),
        "requests_per_run": round(statistics.fmean(sum(c.requests for c in run) for run, _other in runs), 1),
        "requests_per_gate": round(requests / len(gates), 2),
        "throttled_fraction": round(throttled / requests, 4) if requests else None,
        "requests": requests,
        "throttled": throttled,
        "throttled_before_first_answer": sum(caller.throttled_first for caller in gates),
        "gates": len(gates),
        "failed": len(failed),
        "failed_reasons": _counted(caller.reason for caller in failed),
        "failed_at": latency_stats(caller.failed for caller in failed),
        # from a caller's start to its first answered request (ours: the end of its lookup)
        "first_answer": latency_stats(caller.first_answer for caller in gates),
        # callers whose first answer already saw Completed (ours: the lookup opened the gate)
        "opened_at_first_answer": sum(1 for c in gates if c.opened is not None and c.opened == c.first_answer),
        "longest_gap": latency_stats(caller.longest_gap for caller in gates if caller.first_answer is not None),
        "tail": _tail(gates),
        "other_caller": {
            "requests": other_requests,
            "throttled": sum(o.throttled for o in others),
            "throttled_fraction": round(sum(o.throttled for o in others) / other_requests, 4)
            if other_requests
            else None,
            "worst_run": max((round(o.throttled / o.requests, 4) for o in others if o.requests), default=None),
        },
    }


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
        }
    p95 = percentile(latencies, 0.95)
    tail = [c for c in gates if c.latency is not None and c.latency >= p95]
    return {
        "gates": len(tail),
        "opened_at_first_answer": sum(1 for c in tail if c.opened == c.first_answer),
        "throttled_after_completion": latency_stats(c.throttled_after_completion for c in tail),
        "longest_gap": latency_stats(c.longest_gap for c in tail),
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
                        one_run(name, flips[seed], seed, None if math.isinf(R) else (R, burst_for(R)))
                        for seed in range(runs_of_N)
                    ]
                )
                for name in CONTESTANTS
            }
            ours = by_rate[f"{R:g}"]["ours"]
            log(
                f"  N = {N:4}, R = {R:>3g}/s: ours p95 {ours['latency']['p95']} s, worst {ours['latency']['max']} s"
                f" (median {ours['latency']['median']} s), throttled {ours['throttled_fraction']:.1%},"
                f" the other caller {ours['other_caller']['throttled_fraction'] or 0:.1%}, failed {ours['failed']}"
            )
        grid[str(N)] = {"seeds": runs_of_N, "by_rate": by_rate}
    return grid


# --------------------------------------------------------------------------------------
# One gate through a streak of throttled answers, and after a burst
# --------------------------------------------------------------------------------------

STREAK = 6
STREAK_AT = (0.0, 600.0)  # the streak begins with the first poll after the lookup, or 600 s into the wait
BURSTS = (10.0, 30.0, 60.0)  # the account throttles every request for this long...
BURST_AT = 60.0  # ...from this many seconds into the wait


def _single_gate(seed: int, throttled: Callable[[float, int], bool], completion: float) -> tuple[list[float], float]:
    """One gate (the real code on a fake clock) whose n-th request at time t is throttled when
    ``throttled(t, n)``; its invalidation completes at ``completion``. Its requests' times (the
    throttled ones negative), and when it opened."""
    clock = FakeClock()
    times: list[float] = []

    def answer() -> tuple[bool, bool]:
        now = clock.monotonic()
        refused = throttled(now, len(times))
        times.append(-now if refused else now)
        return refused, not refused and now >= completion

    outcome = run_simulated_gate(
        OneInvalidation(answer), clock, GATE_TIMEOUT, rand=random.Random(f"single-{seed}").random
    )
    return times, clock.monotonic() if outcome.completed else math.inf


class StreakFrom:
    """Throttles ``STREAK`` requests in a row, from the first poll (not the lookup's request) made at
    or after ``at``."""

    def __init__(self, at: float) -> None:
        self.at = at
        self.first: int | None = None

    def throttled(self, now: float, n: int) -> bool:
        if n and now >= self.at and self.first is None:
            self.first = n
        return self.first is not None and self.first <= n < self.first + STREAK


def streak(seeds: int) -> dict[str, Any]:
    """Six throttled answers in a row: the time from the first of them to the answer after them."""
    out: dict[str, Any] = {}
    for at in STREAK_AT:
        spans = []
        for seed in range(seeds):
            # the lookup's request is answered; the first poll at or after ``at`` begins the streak
            streak_of = StreakFrom(at)
            times, _opened = _single_gate(seed, streak_of.throttled, math.inf if at else 120.0)
            first = streak_of.first
            assert first is not None
            spans.append(times[first + STREAK] + times[first])  # the first was throttled: negative
        out[f"{at:g}"] = {"mean": round(statistics.fmean(spans), 2), "max": round(max(spans), 2)}
    return {"throttles": STREAK, "botocore_standard": list(GATES_STREAK_BOTOCORE_STANDARD), "by_start": out}


def recovery(seeds: int) -> dict[str, Any]:
    """A burst: every request throttled for B s from ``BURST_AT`` into the wait, the invalidation
    completing 0–60 s after the burst. How much later the gate opens than without the burst."""
    out: dict[str, Any] = {}
    for burst in BURSTS:
        lags = []
        for seed in range(seeds):
            completion = BURST_AT + burst + random.Random(f"burst-{seed}").uniform(0.0, 60.0)
            _t, clean = _single_gate(seed, lambda _now, _n: False, completion)
            _t, hit = _single_gate(seed, lambda now, _n, b=burst: BURST_AT <= now < BURST_AT + b, completion)
            lags.append(hit - clean)
        out[f"{burst:g}"] = {
            "median": round(statistics.median(lags), 2),
            "p95": round(percentile(lags, 0.95), 2),
            "max": round(max(lags), 2),
        }
    return {"burst_at": BURST_AT, "completion_after_burst": [0.0, 60.0], "by_burst": out}


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


def flips_after_first_request(
    cloudfront: LocalCloudFront, keys: Sequence[str], invalidations: Sequence[str], spread: tuple[float, float]
) -> CompletesAfterFirstRequest:
    """Each caller's invalidation completes a time drawn from ``spread`` (seeded, in the callers'
    order) after that caller's first request."""
    rng = random.Random("many-gates-real")
    flips = CompletesAfterFirstRequest(cloudfront, poll=0.05)
    for key, invalidation in zip(keys, invalidations):
        flips.add(key, invalidation, rng.uniform(*spread))
    return flips


def real_gates(
    cloudfront: LocalCloudFront, tools: Tools, work: Path, distribution_id: str, count: int, spread: tuple[float, float]
) -> list[dict[str, Any]]:
    """``count`` ansible-playbook gates started together, each signing with a key id of its own."""
    invalidations = [
        cloudfront.create_invalidation(distribution_id, [f"/g{n}"], complete_in=3600) for n in range(count)
    ]
    keys = [run_key(f"P5GATE{n}", cloudfront) for n in range(count)]
    runs = []
    with flips_after_first_request(cloudfront, keys, invalidations, spread):
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
    with flips_after_first_request(cloudfront, keys, invalidations, spread):
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
        "throttled": cell([one_run("ours", flips, seed, (rate, burst), starts) for seed in range(seeds)]),
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


def settings() -> dict[str, Any]:
    """The part's settings of its callers, as its results record them (``method``)."""
    return {
        "gate_timeout": GATE_TIMEOUT,
        "progress_interval": DEFAULT_PROGRESS_INTERVAL,
        "other_caller_interval": OTHER_CALLER_INTERVAL,
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
    }


def measure(
    cloudfront: LocalCloudFront,
    tools: Tools,
    work: Path,
    Ns: Sequence[int],
    Rs: Sequence[float],
    seeds: int,
    spread: tuple[float, float],
    real_count: int,
    real_rate: float,
    real_spread: tuple[float, float],
    real_beside: bool,
    log: Callable[[str], None],
) -> dict[str, Any]:
    """The simulation over N and R, then (``real_count`` > 0) the real gates."""
    started = time.time()
    result: dict[str, Any] = {
        "method": {
            "N": list(Ns),
            "R": list(Rs),
            "burst": {f"{R:g}": burst_for(R) for R in Rs},
            "seeds": {str(N): seeds_for(N, seeds) for N in Ns},
            "spread": list(spread),
            **settings(),
            "poll_schedule": asdict(waiter.PollSchedule()),
            "retry_schedule": asdict(api.RETRY_SCHEDULE),
            "contestants": {name: title for name, (title, _factory) in CONTESTANTS.items()},
        },
    }
    result["simulation"] = simulate(Ns, Rs, seeds, spread, log)
    single_seeds = max(20, seeds * 10)
    result["single"] = {"seeds": single_seeds, "streak": streak(single_seeds), "recovery": recovery(single_seeds)}
    single = result["single"]
    log(f"  one gate: {single['streak']['by_start']}, after a burst: {single['recovery']['by_burst']}")
    result["simulation_duration"] = round(time.time() - started, 1)
    log(f"  simulated in {result['simulation_duration']:.0f} s")
    if real_count:
        result["real"] = measure_real(
            cloudfront, tools, work, real_count, real_rate, burst_for(real_rate), real_spread, real_beside, log
        )
    result["duration"] = round(time.time() - started, 1)
    return result

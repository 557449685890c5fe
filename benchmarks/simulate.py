"""Part 2: long waits by simulation, with a fake clock (no real sleeping).

Ours is the collection's own waiting core, ``waiter.wait_for`` with ``waiter.PollSchedule()`` (the
module's defaults), driven by a fake clock, with its jitter drawn from a seeded random source. The
others are the poll schedules they document: the AWS CLI (and boto3) waiter polls every 20 s and gives
up after 30 attempts; Terraform's invalidation waits poll every 30 s.

A poll is taken to be instantaneous and to see ``Completed`` from the flip on, so the figures are those
of the schedules alone (part 1 measures what processes add). The flip of sample ``s`` is at ``T`` plus
an offset drawn uniformly from [-30, 30) s with seed ``s``: a 60 s window holds whole periods of both
the 20 s and the 30 s poll, so a fixed-interval poller is not favoured by a T that falls on its grid.
Every contestant sees the same flips (paired comparison).
"""

from __future__ import annotations

import dataclasses
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import botocore.session
from harness import summary
from simgate import OneInvalidation, run_simulated_gate

from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront import waiter
from ansible_collections.edgeops.cloudfront.tests.support.fake_clock import FakeClock

FLIP_WINDOW = 60.0  # the flip is at T + uniform[-FLIP_WINDOW/2, FLIP_WINDOW/2)
MODULE_DEFAULT_WAIT_TIMEOUT = 1800.0  # the module's and the role's default
SIM_WAIT_TIMEOUT = 3600.0  # large enough for every T simulated
# botocore's InvalidationCompleted waiter (the CLI's and boto3's), asked of botocore's waiter model
_CLI_WAITER = botocore.session.get_session().get_waiter_model("cloudfront").get_waiter("InvalidationCompleted")
CLI_DELAY, CLI_MAX_ATTEMPTS = float(_CLI_WAITER.delay), int(_CLI_WAITER.max_attempts)
TERRAFORM_INTERVAL = 30.0
NEAR = 0.2  # the alternatives' short waits complete at T +/- NEAR x T (uniform)


@dataclass
class Outcome:
    """One simulated wait: ``done`` (saw Completed), when it ended, and the polls it made."""

    done: bool
    end: float
    calls: int
    flip: float

    @property
    def overshoot(self) -> float | None:
        return self.end - self.flip if self.done else None


def flip_for(T: float, seed: int) -> float:
    return T + random.Random(f"flip-{seed}").uniform(-FLIP_WINDOW / 2, FLIP_WINDOW / 2)


def ours(flip: float, seed: int, timeout: float = SIM_WAIT_TIMEOUT) -> Outcome:
    """The module's wait (``waiter.wait_for`` with the default ``PollSchedule``), on a fake clock."""
    clock = FakeClock()
    rng = random.Random(f"jitter-{seed}")
    outcome = waiter.wait_for(
        lambda: clock.now >= flip, bool, timeout, schedule=waiter.PollSchedule(), clock=clock, rand=rng.random
    )
    return Outcome(outcome.done, clock.now, outcome.polls, flip)


def fixed_interval(flip: float, interval: float, max_attempts: int | None = None) -> Outcome:
    """Poll at 0, interval, 2 x interval, ...; give up after ``max_attempts`` polls (None: never)."""
    polls_needed = math.ceil(max(0.0, flip) / interval) + 1  # the first poll at or after the flip
    if max_attempts is not None and polls_needed > max_attempts:
        return Outcome(False, (max_attempts - 1) * interval, max_attempts, flip)
    return Outcome(True, (polls_needed - 1) * interval, polls_needed, flip)


def cli_waiter(flip: float, seed: int) -> Outcome:
    return fixed_interval(flip, CLI_DELAY, CLI_MAX_ATTEMPTS)


def cli_pace(flip: float, seed: int) -> Outcome:
    """The CLI waiter's 20 s pace without its 30-attempt limit: the yardstick for calls and
    overshoot "over the same time" where the CLI waiter itself has given up."""
    return fixed_interval(flip, CLI_DELAY)


def terraform(flip: float, seed: int) -> Outcome:
    return fixed_interval(flip, TERRAFORM_INTERVAL)


# --------------------------------------------------------------------------------------
# The gate (the cloudfront_invalidation_wait action's loop: module_utils/_cloudfront/gate.py)
# --------------------------------------------------------------------------------------


def gate(flip: float, seed: int, timeout: float = SIM_WAIT_TIMEOUT) -> Outcome:
    """The gate's own code (``simgate.run_simulated_gate``: the action's ``run_gate`` with its
    lookup, its requests and its progress) on the fake clock, waiting for one invalidation by id;
    its GetInvalidation requests are answered by the simulation (each takes no time)."""
    clock = FakeClock()
    rng = random.Random(f"jitter-{seed}")
    calls = 0

    def answer() -> tuple[bool, bool]:
        nonlocal calls
        calls += 1
        return False, clock.now >= flip

    outcome = run_simulated_gate(OneInvalidation(answer), clock, timeout, rand=rng.random)
    return Outcome(outcome.completed, clock.now, calls, flip)


Simulator = Callable[[float, int], Outcome]

CONTESTANTS: dict[str, tuple[str, Simulator]] = {
    "module": ("ours: module wait (waiter.wait_for, PollSchedule defaults), wait_timeout 3600", ours),
    "role": ("ours: the gate (the role's action, gate.run_gate on a fake clock)", gate),
    "cli": (f"AWS CLI / boto3 waiter: every {CLI_DELAY:g} s, {CLI_MAX_ATTEMPTS} attempts", cli_waiter),
    "cli_pace": (
        f"{CLI_DELAY:g} s polls without the {CLI_MAX_ATTEMPTS}-attempt limit"
        f" (yardstick past {(CLI_MAX_ATTEMPTS - 1) * CLI_DELAY:g} s)",
        cli_pace,
    ),
    "terraform": (f"fixed {TERRAFORM_INTERVAL:g} s poll (Terraform)", terraform),
}


def settings() -> dict[str, Any]:
    """The part's settings, as its results record them (``method``)."""
    return {
        "flip_window": FLIP_WINDOW,
        "wait_timeout": SIM_WAIT_TIMEOUT,
        "cli_delay": CLI_DELAY,
        "cli_max_attempts": CLI_MAX_ATTEMPTS,
        "terraform_interval": TERRAFORM_INTERVAL,
    }


def simulate(Ts: Sequence[float], seeds: int) -> dict[str, Any]:
    # the samples, by columns: the flips (shared), then each contestant's end, calls and success
    samples: dict[str, dict[str, Any]] = {
        "flip": {f"{T:g}": [round(flip_for(T, seed), 2) for seed in range(seeds)] for T in Ts}
    }
    result: dict[str, dict[str, Any]] = {}
    for name, (_title, simulator) in CONTESTANTS.items():
        samples[name], result[name] = {}, {}
        for T in Ts:
            outcomes = [simulator(flip_for(T, seed), seed) for seed in range(seeds)]
            samples[name][f"{T:g}"] = {
                "end": [round(o.end, 2) for o in outcomes],
                "calls": [o.calls for o in outcomes],
                "done": [o.done for o in outcomes],
            }
            done = [o for o in outcomes if o.done]
            failed = [o for o in outcomes if not o.done]
            result[name][f"{T:g}"] = {
                "overshoot": summary(o.overshoot for o in done),
                "calls": summary((o.calls for o in outcomes), digits=1),
                "failed": len(failed),
                "failed_at": summary(o.end for o in failed),
            }
    # the module's default wait_timeout: where does a long wait end without raising it?
    default_timeout = {}
    for T in Ts:
        outcomes = [ours(flip_for(T, seed), seed, MODULE_DEFAULT_WAIT_TIMEOUT) for seed in range(seeds)]
        default_timeout[f"{T:g}"] = {
            "failed": sum(not o.done for o in outcomes),
            "failed_at": summary(o.end for o in outcomes if not o.done),
        }
    return {
        "method": {
            "contestants": {name: title for name, (title, _simulator) in CONTESTANTS.items()},
            "T": list(Ts),
            "seeds": seeds,
            **settings(),
            "schedule": asdict(waiter.PollSchedule()),
        },
        "summary": result,
        "module_with_default_wait_timeout": default_timeout,
        "samples": samples,
    }


# --------------------------------------------------------------------------------------
# What the schedule's growth trades (an exploration for tuning, not a contestant)
# --------------------------------------------------------------------------------------

_DEFAULT = waiter.PollSchedule()
ALTERNATIVE_SCHEDULES = {
    f"growth {_DEFAULT.growth:g} (the default)": _DEFAULT,
    "growth 0.15": dataclasses.replace(_DEFAULT, growth=0.15),
    "growth 0.1": dataclasses.replace(_DEFAULT, growth=0.1),
    "growth 0.1, min 1 s": dataclasses.replace(_DEFAULT, growth=0.1, min_interval=1.0),
}


def _wait(flip: float, seed: int, schedule: waiter.PollSchedule) -> Outcome:
    clock = FakeClock()
    rng = random.Random(f"jitter-{seed}")
    outcome = waiter.wait_for(
        lambda: clock.now >= flip, bool, SIM_WAIT_TIMEOUT, schedule=schedule, clock=clock, rand=rng.random
    )
    return Outcome(outcome.done, clock.now, outcome.polls, flip)


def _near(T: float, seed: int) -> float:
    return T * random.Random(f"near-{seed}").uniform(1 - NEAR, 1 + NEAR)


def alternatives(
    short_Ts: Sequence[float], long_Ts: Sequence[float], seeds: int, first_polls: Sequence[float]
) -> dict[str, Any]:
    """For each candidate schedule: the detection delay for short waits that complete around T (T +/- NEAR x T),
    where the module's first poll comes as long after the command's start as it did in part 1
    (sample ``s`` takes the measured start-up ``first_polls[s % n]``), and the overshoot and calls
    of long waits against the CLI waiter's 20 s pace, as in ``simulate``."""
    first_polls = list(first_polls) or [1.8]
    out: dict[str, Any] = {}
    for label, schedule in ALTERNATIVE_SCHEDULES.items():
        row: dict[str, Any] = {"detection": {}, "overshoot": {}, "calls": {}, "calls_vs_cli_pace": {}}
        for T in short_Ts:
            # the flip, in the module's time (its first poll at 0); a flip before it is seen at once
            # around T (+/- NEAR x T): the detection delay at one exact T depends on where T falls between two
            # polls of a nearly fixed schedule; tuning should not chase that
            outcomes = [
                _wait(_near(T, seed) - first_polls[seed % len(first_polls)], seed, schedule) for seed in range(seeds)
            ]
            row["detection"][f"{T:g}"] = summary(max(0.0, o.end - o.flip) for o in outcomes)
            row["calls"][f"{T:g}"] = summary((o.calls for o in outcomes), digits=1)
        for T in long_Ts:
            outcomes = [_wait(flip_for(T, seed), seed, schedule) for seed in range(seeds)]
            pace = [cli_pace(flip_for(T, seed), seed) for seed in range(seeds)]
            row["overshoot"][f"{T:g}"] = summary(o.overshoot for o in outcomes)
            row["calls"][f"{T:g}"] = summary((o.calls for o in outcomes), digits=1)
            row["calls_vs_cli_pace"][f"{T:g}"] = summary((o.calls / p.calls for o, p in zip(outcomes, pace)), digits=2)
        out[label] = row
    return {
        "first_polls": summary(first_polls),
        "short_T": list(short_Ts),
        "long_T": list(long_Ts),
        "seeds": seeds,
        "schedules": out,
    }

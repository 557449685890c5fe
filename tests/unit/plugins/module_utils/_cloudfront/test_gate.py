# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The gate's inputs, rounds, progress lines and verdict, driven by a fake clock: no real sleeps."""

from __future__ import annotations

from typing import Any

import pytest

from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.gate import (
    MIN_SLICE,
    GateError,
    GateSettings,
    Progress,
    Resume,
    SliceResult,
    Target,
    gate_settings,
    run_gate,
)
from ansible_collections.edgeops.cloudfront.tests.unit.plugins.module_utils._cloudfront.fakes import FakeClock

PREFIX = "wait_for_invalidation_"


def inv(dist: str, invalidation_id: str, done: bool = False) -> dict[str, Any]:
    return {
        "distribution_id": dist,
        "id": invalidation_id,
        "status": "Completed" if done else "InProgress",
        "completed": done,
        "create_time": "2026-11-29T12:00:00+00:00",
    }


class FakeRunner:
    """CloudFront as the module runs see it: invalidations complete at given gate times.

    ``resolve`` costs ``start`` seconds (a module start); ``wait`` sleeps until the next
    completion, the end of its slice or its timeout, polling as the module would, and returns
    what it saw. ``script`` replaces a round's answer: an exception to raise or a SliceResult."""

    def __init__(self, clock: FakeClock, found: dict[str, list[dict[str, Any]]], done_at: dict[str, float]) -> None:
        self.clock = clock
        self.start = clock.now
        self.found = found
        self.done_at = done_at
        self.rounds: list[dict[str, Any]] = []
        self.script: dict[int, Any] = {}
        self.resolved: list[float] = []  # the time to the deadline each resolve was given

    def _seen(self, i: dict[str, Any]) -> dict[str, Any]:
        done = i["completed"] or self.clock.now - self.start >= self.done_at.get(i["id"], float("inf"))
        return {**i, "status": "Completed" if done else "InProgress", "completed": done}

    def resolve(self, target: Target, timeout: float) -> list[dict[str, Any]]:
        self.resolved.append(timeout)
        self.clock.sleep(1.0)
        return [self._seen(i) for i in self.found[target.label]]

    def wait(self, pending: list[dict[str, Any]], timeout: float, slice_seconds: int, where: Resume) -> SliceResult:
        self.rounds.append(
            {"pending": [i["id"] for i in pending], "timeout": timeout, "slice": slice_seconds, "where": where}
        )
        answer = self.script.get(len(self.rounds))
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, SliceResult):
            self.clock.sleep(slice_seconds)
            return answer
        end = self.clock.now + min(timeout, slice_seconds)
        first = [self._seen(i) for i in pending]
        while self.clock.now < end:
            self.clock.sleep(min(2.0, end - self.clock.now))
            seen = [self._seen(i) for i in pending]
            if sum(i["completed"] for i in seen) > sum(i["completed"] for i in first):
                return SliceResult(seen)
        return SliceResult(seen, timed_out=timeout <= slice_seconds and not all(i["completed"] for i in seen))


def settings(timeout: int = 600, interval: int = 5, fail_on_timeout: bool = True, **targets: Any) -> GateSettings:
    args = {"timeout": timeout, "progress_interval": interval, "fail_on_timeout": fail_on_timeout, **targets}
    return gate_settings(args, PREFIX)


def gate(found, done_at, timeout=600, interval=5, fail_on_timeout=True, script=None, **targets):
    clock = FakeClock(1000.0)
    runner = FakeRunner(clock, found, done_at)
    runner.script = script or {}
    lines: list[tuple[float, str]] = []
    progress = Progress(interval, clock, lambda line: lines.append((clock.now - runner.start, line)))
    outcome = run_gate(settings(timeout, interval, fail_on_timeout, **targets), runner, progress)  # type: ignore[arg-type]
    return outcome, runner, lines


# --- inputs ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, words",
    [
        (
            {},
            f"give exactly one of {PREFIX}distribution_id, {PREFIX}distribution_tenant_id, {PREFIX}alias and"
            f" {PREFIX}targets (none was given)",
        ),
        (
            {"distribution_tenant_id": "dt_x!"},
            f"{PREFIX}distribution_tenant_id 'dt_x!' is not a CloudFront distribution",
        ),
        ({"distribution_id": "E1", "alias": "www.example.com"}, "(several were given)"),
        ({"targets": [{"distribution_id": "E1"}], "ids": ["I1"]}, f"{PREFIX}ids goes with {PREFIX}distribution_id"),
        ({"distribution_id": "e1"}, f"{PREFIX}distribution_id 'e1' is not a CloudFront ID"),
        ({"alias": "not a domain"}, f"{PREFIX}alias 'not a domain' is not a domain name"),
        ({"distribution_id": "E1", "ids": ["I1", "I1"]}, f"{PREFIX}ids lists I1 more than once"),
        (
            {"targets": [{"distribution_id": "E1"}, {"distribution_id": "E2", "ids": ["I1", "bad id"]}]},
            f"{PREFIX}targets[1].ids[1] 'bad id' is not a CloudFront ID",
        ),
        ({"targets": [{"distribution_id": "E1", "alias": "www.example.com"}]}, f"{PREFIX}targets[0]: give exactly one"),
        (
            {"targets": [{"ids": ["I1"]}]},
            f"{PREFIX}targets[0]: give exactly one of distribution_id, distribution_tenant_id and alias",
        ),
        ({"distribution_id": "E1", "timeout": 0}, f"{PREFIX}timeout must be at least 1, got 0"),
        ({"distribution_id": "E1", "progress_interval": 0}, f"{PREFIX}progress_interval must be at least 1, got 0"),
    ],
)
def test_every_input_is_checked_and_the_message_names_it_as_the_caller_does(args, words):
    with pytest.raises(GateError) as error:
        gate_settings({"timeout": 60, "progress_interval": 5, **args}, PREFIX)
    assert words in error.value.msg


def test_empty_values_are_not_given_and_the_rules_for_ids_are_the_modules():
    checked = settings(distribution_id="", alias="www.example.com", ids=[], targets=[])
    assert checked.targets == [Target(alias="www.example.com")]
    checked = settings(
        targets=[
            {"distribution_id": "E1", "ids": ["I1", "I2"]},
            {"alias": "a.example.com"},
            {"distribution_tenant_id": "dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB"},
        ]
    )
    assert checked.targets == [
        Target("E1", None, ("I1", "I2")),
        Target(None, "a.example.com", ()),
        Target(distribution_tenant_id="dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB"),
    ]


@pytest.mark.parametrize("interval, slice_seconds", [(1, MIN_SLICE), (19, MIN_SLICE), (50, 50), (300, 300)])
def test_a_short_progress_interval_makes_lines_not_module_runs(interval, slice_seconds):
    assert settings(interval=interval, distribution_id="E1").slice_seconds == slice_seconds


# --- rounds and verdict ------------------------------------------------------------------------


def test_with_ids_the_gate_waits_for_all_of_them_and_opens_when_the_last_is_seen_completed():
    found = {"E1": [inv("E1", "I1"), inv("E1", "I2", done=True)]}
    outcome, runner, lines = gate(found, {"I1": 30}, distribution_id="E1", ids=["I1", "I2"])
    assert outcome.completed and not outcome.timed_out and not outcome.failed
    assert [i["id"] for i in outcome.invalidations] == ["I1", "I2"]
    assert set(outcome.invalidations[0]) == {"distribution_id", "id", "status", "completed"}
    assert outcome.msg == f"2 of 2 CloudFront invalidation(s) completed after {outcome.elapsed}s"
    assert 30 <= outcome.elapsed <= 32
    assert all(r["pending"] == ["I1"] for r in runner.rounds)  # completed ones are not asked about again
    assert lines[-1][1].startswith("2 of 2")


def test_without_ids_the_gate_waits_for_those_in_progress_when_it_started():
    found = {"www.example.com": [inv("E1", "I3"), inv("E1", "I2", done=True), inv("E1", "I1")]}
    outcome, runner, _lines = gate(found, {"I3": 10, "I1": 25}, alias="www.example.com")
    assert outcome.completed and [i["id"] for i in outcome.invalidations] == ["I3", "I1"]
    assert runner.rounds[0]["pending"] == ["I3", "I1"]


def test_each_target_is_resolved_with_the_time_left_to_the_deadline():
    """Throttled requests of the resolve step are retried up to the gate's deadline, not past it."""
    found = {"E1": [inv("E1", "I1", done=True)], "E2": [inv("E2", "I2", done=True)]}
    _outcome, runner, _lines = gate(
        found, {}, timeout=300, targets=[{"distribution_id": "E1"}, {"distribution_id": "E2"}]
    )
    assert runner.resolved == [300, 299]  # each resolve costs a second here


def test_nothing_in_progress_opens_at_once_without_a_round():
    outcome, runner, lines = gate({"E1": [inv("E1", "I1", done=True)]}, {}, distribution_id="E1")
    assert outcome.completed and outcome.invalidations == [] and runner.rounds == []
    assert [line for _time, line in lines] == [
        "Looking up the CloudFront invalidations to wait for (up to 600s): distribution E1: those in progress",
        "Waiting up to 600s for 0 CloudFront invalidation(s) in progress",
    ]


def test_a_round_in_which_no_poll_succeeded_changes_nothing():
    """The gate never opens on a round that saw nothing (all polls throttled, say)."""
    found = {"E1": [inv("E1", "I1")]}
    script = {n: SliceResult([]) for n in range(1, 40)}
    outcome, runner, _lines = gate(found, {"I1": 50}, timeout=300, script=script, distribution_id="E1")
    assert not outcome.completed and outcome.timed_out and outcome.failed
    assert outcome.invalidations == [{"distribution_id": "E1", "id": "I1", "status": "InProgress", "completed": False}]


def test_a_round_answering_for_an_invalidation_the_gate_does_not_wait_for_changes_nothing():
    found = {"E1": [inv("E1", "I1")]}
    script = {n: SliceResult([inv("E1", "I9", done=True), inv("E2", "I1", done=True)]) for n in range(1, 40)}
    outcome, _runner, _lines = gate(found, {}, timeout=200, script=script, distribution_id="E1")
    assert not outcome.completed and [i["id"] for i in outcome.invalidations] == ["I1"]


def test_the_timeout_fails_the_gate_naming_what_is_in_progress_and_keeps_the_last_state():
    found = {"E1": [inv("E1", "I1")], "E2": [inv("E2", "I2"), inv("E2", "I3")]}
    targets = [{"distribution_id": "E1", "ids": ["I1"]}, {"distribution_id": "E2"}]
    outcome, runner, _lines = gate(found, {"I1": 20, "I2": 40}, timeout=100, targets=targets)
    assert outcome.failed and outcome.timed_out and not outcome.completed
    assert outcome.msg == (
        f"Timed out after {outcome.elapsed}s ({PREFIX}timeout=100): 1 CloudFront invalidation(s) still in"
        " progress: distribution E2: I3"
    )
    assert [i["completed"] for i in outcome.invalidations] == [True, True, False]
    # the deadline holds: each round's timeout is what is left of the gate's
    assert 100 <= outcome.elapsed <= 102
    assert runner.rounds[0]["timeout"] == 98  # resolving the two targets took two seconds of the 100


def test_a_soft_gate_opens_at_the_timeout_with_a_warning():
    outcome, _runner, _lines = gate(
        {"E1": [inv("E1", "I1")]}, {}, timeout=60, fail_on_timeout=False, distribution_id="E1"
    )
    assert not outcome.failed and outcome.timed_out and not outcome.completed
    assert outcome.warning == outcome.msg
    assert outcome.msg.startswith(f"Soft gate open after {outcome.elapsed}s ({PREFIX}timeout=60) with 1")


def test_a_round_that_ends_past_the_deadline_ends_the_gate():
    """A round answering late (not timed out, past the deadline): no further round."""
    script = {1: SliceResult([inv("E1", "I1")])}
    outcome, runner, _lines = gate(
        {"E1": [inv("E1", "I1")]}, {}, timeout=10, interval=30, script=script, distribution_id="E1"
    )
    assert outcome.timed_out and len(runner.rounds) == 1


@pytest.mark.parametrize("at", ["resolve", "round"])
def test_a_failure_ends_the_gate_with_its_message_code_and_the_invalidations_as_last_seen(at):
    found = {"E1": [inv("E1", "I1"), inv("E1", "I2")]}
    error = GateError("CloudFront invalidation I2 does not exist in distribution E1", "NoSuchInvalidation")
    clock = FakeClock(1000.0)
    runner = FakeRunner(clock, found, {"I1": 5})
    if at == "resolve":

        def fail(target: Target, timeout: float) -> list[dict[str, Any]]:
            raise error

        runner.resolve = fail  # type: ignore[method-assign]
    else:
        runner.script = {2: error}
    progress = Progress(5, clock, lambda line: None)
    outcome = run_gate(settings(distribution_id="E1"), runner, progress)  # type: ignore[arg-type]
    assert outcome.failed and not outcome.completed and not outcome.timed_out
    assert outcome.msg == error.msg and outcome.error_code == "NoSuchInvalidation"
    expected = [] if at == "resolve" else [(True, "I1"), (False, "I2")]
    assert [(i["completed"], i["id"]) for i in outcome.invalidations] == expected
    assert outcome.result()["error_code"] == "NoSuchInvalidation"


def test_the_result_has_the_same_keys_for_every_ending():
    keys = {"completed", "timed_out", "elapsed", "invalidations", "msg"}
    done, _runner, _lines = gate({"E1": [inv("E1", "I1")]}, {"I1": 3}, distribution_id="E1")
    late, _runner, _lines = gate({"E1": [inv("E1", "I1")]}, {}, timeout=30, distribution_id="E1")
    assert set(done.result()) == keys == set(late.result())


# --- progress lines ---------------------------------------------------------------------------


def test_a_line_is_said_at_each_completion_as_a_round_sees_it_and_one_at_the_end():
    found = {"E1": [inv("E1", "I1"), inv("E1", "I2"), inv("E1", "I3")]}
    outcome, _runner, lines = gate(found, {"I1": 7, "I2": 15, "I3": 70}, interval=50, distribution_id="E1")
    said = [line for _time, line in lines]
    assert (
        said[0]
        == "Looking up the CloudFront invalidations to wait for (up to 600s): distribution E1: those in progress"
    )
    assert said[1] == "Waiting up to 600s for 3 CloudFront invalidation(s) in progress: distribution E1: I1, I2, I3"
    counts = [line.split(" of ")[0] for line in said[2:]]
    assert counts[:2] == ["1", "2"] and counts[-1] == "3"
    assert said[2].endswith("still in progress: distribution E1: I2, I3")
    assert said[-1] == f"3 of 3 CloudFront invalidation(s) completed after {outcome.elapsed:.1f}s"


def test_the_ticker_says_a_line_once_an_interval_has_passed_without_one():
    clock = FakeClock(1000.0)
    lines: list[str] = []
    progress = Progress(5, clock, lines.append)
    from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.gate import GateState

    state = GateState()
    state.add(Target("E1"), [inv("E1", "I1")])  # type: ignore[list-item]
    progress.tick()
    assert lines == []  # nothing to say before the wait begins
    progress.begin(state, "Waiting")
    assert progress.seconds_until_due() == 5
    clock.sleep(4.9)
    progress.tick()
    assert lines == ["Waiting"]
    clock.sleep(0.1)
    progress.tick()
    assert lines[-1] == "0 of 1 CloudFront invalidation(s) completed after 5.0s; still in progress: distribution E1: I1"
    assert progress.seconds_until_due() == 5
    # a round's answer says a line when half an interval has passed, or when more are completed
    clock.sleep(2)
    progress.update(state)
    assert len(lines) == 2
    clock.sleep(0.5)
    progress.update(state)
    assert len(lines) == 3 and lines[-1].startswith("0 of 1") and "after 7.5s" in lines[-1]


def test_ticks_a_little_late_do_not_push_the_later_lines_back():
    """Over 300 lines at an interval of 1 s, a wake-up a few milliseconds late each time would make
    a line every 1.0x s; the lines stay due a whole interval apart from the first."""
    clock = FakeClock(1000.0)
    lines: list[float] = []
    progress = Progress(1, clock, lambda line: lines.append(clock.now - 1000.0))
    from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.gate import GateState

    state = GateState()
    state.add(Target("E1"), [inv("E1", "I1")])  # type: ignore[list-item]
    progress.begin(state, "Waiting")
    for late in (1.3, 2.1, 2.95, 3.0, 7.5, 8.2, 8.6):
        clock.now = 1000.0 + late
        progress.tick()
    # 1.3 (due 1), 2.1 (due 2), 3.0 (due 3); 7.5 is more than an interval late: due again at 8.5
    assert lines == pytest.approx([0.0, 1.3, 2.1, 3.0, 7.5, 8.6])


def test_each_round_goes_on_where_the_last_one_left_the_schedule():
    """The pace (slower after throttling) and the last poll carry from one module run to the next,
    so that a round neither polls at once nor forgets that the account throttles."""
    script = {
        1: SliceResult([inv("E1", "I1")], pace=8.0, last_poll=1234.5),
        2: SliceResult([], pace=5.6),  # a round without a poll: the last poll stays
        3: SliceResult([inv("E1", "I1", done=True)], pace=3.9, last_poll=1300.0),
    }
    outcome, runner, _lines = gate({"E1": [inv("E1", "I1")]}, {}, interval=30, script=script, distribution_id="E1")
    assert outcome.completed
    wheres = [r["where"] for r in runner.rounds]
    assert [(w.pace, w.last_poll) for w in wheres] == [(1.0, None), (8.0, 1234.5), (5.6, 1234.5)]
    assert [w.waited for w in wheres] == [1.0, 31.0, 61.0]  # from the gate's start (resolving took 1 s)


def test_a_gate_of_a_tenant_and_a_distribution_names_each_as_what_it_is():
    tenant = "dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB"
    found = {
        tenant: [{**inv("", "I1"), "distribution_tenant_id": tenant}],
        "E1": [inv("E1", "I2")],
    }
    del found[tenant][0]["distribution_id"]
    targets = [{"distribution_tenant_id": tenant}, {"distribution_id": "E1"}]
    outcome, runner, lines = gate(found, {"I1": 5, "I2": 30}, targets=targets)
    assert outcome.completed
    assert outcome.invalidations == [
        {"distribution_tenant_id": tenant, "id": "I1", "status": "Completed", "completed": True},
        {"distribution_id": "E1", "id": "I2", "status": "Completed", "completed": True},
    ]
    assert lines[0][1].endswith(
        f"(up to 600s): distribution tenant {tenant}: those in progress; distribution E1: those in progress"
    )
    assert lines[1][1].endswith(f"in progress: distribution tenant {tenant}: I1; distribution E1: I2")


# --- the lookup: progress, and throttling that outlasts the gate ---------------------------------


class ThrottledLookup(FakeRunner):
    """A lookup that CloudFront throttles until ``until`` seconds into the gate (the module run
    retries meanwhile, and the ticker thread says the lines that fall due), then answers, or, at
    the gate's deadline, gives up with the code of its last answer."""

    def __init__(self, clock: FakeClock, found: dict[str, list[dict[str, Any]]], until: float, code: str) -> None:
        super().__init__(clock, found, {})
        self.until = until
        self.code = code
        self.progress: Progress | None = None

    def resolve(self, target: Target, timeout: float) -> list[dict[str, Any]]:
        end = self.clock.now + timeout
        while self.clock.now - self.start < self.until:
            if self.clock.now >= end:
                raise GateError(f"CloudFront answered with {self.code} until the deadline", self.code)
            self.clock.sleep(0.5)
            assert self.progress is not None
            self.progress.tick()
        return super().resolve(target, timeout)


def throttled_gate(until: float, code: str = "Throttling", fail_on_timeout: bool = True, timeout: int = 30):
    clock = FakeClock(1000.0)
    runner = ThrottledLookup(clock, {"E1": [inv("E1", "I1")], "www.example.com": [inv("E2", "I2")]}, until, code)
    lines: list[tuple[float, str]] = []
    progress = Progress(5, clock, lambda line: lines.append((clock.now - runner.start, line)))
    runner.progress = progress
    targets = [{"distribution_id": "E1", "ids": ["I1"]}, {"alias": "www.example.com"}]
    outcome = run_gate(settings(timeout, 5, fail_on_timeout, targets=targets), runner, progress)  # type: ignore[arg-type]
    return outcome, runner, lines


def test_a_lookup_says_what_it_looks_up_at_once_and_once_an_interval_while_it_lasts():
    outcome, _runner, lines = throttled_gate(until=12)
    looked_up = "distribution E1: I1; alias www.example.com: those in progress"
    assert lines[:3] == [
        (0.0, f"Looking up the CloudFront invalidations to wait for (up to 30s): {looked_up}"),
        (5.0, f"Still looking up the CloudFront invalidations to wait for after 5.0s: {looked_up}"),
        (10.0, f"Still looking up the CloudFront invalidations to wait for after 10.0s: {looked_up}"),
    ]
    assert lines[3][1].startswith("Waiting up to 30s for 2 CloudFront invalidation(s) in progress")
    assert outcome.timed_out and outcome.failed  # they never complete here


@pytest.mark.parametrize("fail_on_timeout", [True, False])
def test_throttling_that_outlasts_the_gate_in_its_lookup_is_a_timeout_not_an_error(fail_on_timeout):
    outcome, runner, lines = throttled_gate(until=3600, fail_on_timeout=fail_on_timeout)
    assert (outcome.completed, outcome.timed_out, outcome.failed) == (False, True, fail_on_timeout)
    assert outcome.error_code is None and outcome.elapsed == 30.0 and runner.rounds == []
    left = (
        "CloudFront invalidations not looked up yet (CloudFront answered with Throttling until the deadline):"
        " distribution E1: I1; alias www.example.com: those in progress"
    )
    if fail_on_timeout:
        assert outcome.msg == f"Timed out after 30.0s (wait_for_invalidation_timeout=30): {left}"
        assert outcome.warning is None
    else:
        assert (
            outcome.msg
            == outcome.warning
            == f"Soft gate open after 30.0s (wait_for_invalidation_timeout=30) with {left}"
        )
    assert [time for time, _line in lines] == [0.0, 5.0, 10.0, 15.0, 20.0, 25.0, 30.0]


def test_a_lookup_failure_that_is_not_throttling_is_an_error_even_at_the_deadline():
    outcome, _runner, _lines = throttled_gate(until=3600, code="ServiceUnavailable", fail_on_timeout=False)
    assert (outcome.timed_out, outcome.failed, outcome.error_code) == (False, True, "ServiceUnavailable")
    assert outcome.msg == "CloudFront answered with ServiceUnavailable until the deadline"


def test_a_throttled_lookup_that_gives_up_before_the_deadline_is_an_error():
    """Only throttling that lasts to the deadline is a timeout: a run that gave up earlier failed."""
    clock = FakeClock(1000.0)
    runner = FakeRunner(clock, {}, {})

    def give_up(target: Target, timeout: float) -> list[dict[str, Any]]:
        raise GateError("Rate exceeded", "Throttling")

    runner.resolve = give_up  # type: ignore[method-assign]
    progress = Progress(5, clock, lambda line: None)
    outcome = run_gate(settings(30, 5, False, distribution_id="E1"), runner, progress)  # type: ignore[arg-type]
    assert (outcome.timed_out, outcome.failed, outcome.error_code, outcome.msg) == (
        False,
        True,
        "Throttling",
        "Rate exceeded",
    )

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The gate's inputs, its wait, its progress lines and its verdict, driven by a fake clock: no real sleeps."""

from __future__ import annotations

import dataclasses
from typing import Any, Callable

import pytest

from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.errors import TransientCloudFrontError
from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.gate import (
    GateError,
    GateSettings,
    GateState,
    Progress,
    Target,
    gate_settings,
    run_gate,
)
from ansible_collections.edgeops.cloudfront.tests.support.fake_clock import FakeClock
from ansible_collections.edgeops.cloudfront.tests.unit.plugins.module_utils._cloudfront.fakes import (
    no_jitter,
)

PREFIX = "wait_for_invalidation_"


def inv(dist: str, invalidation_id: str, done: bool = False) -> dict[str, Any]:
    return {
        "distribution_id": dist,
        "id": invalidation_id,
        "status": "Completed" if done else "InProgress",
        "completed": done,
        "create_time": "2026-11-29T12:00:00+00:00",
    }


def throttled() -> TransientCloudFrontError:
    return TransientCloudFrontError("CloudFront throttled cloudfront:GetInvalidation", "throttled", "Throttling")


class FakeRunner:
    """CloudFront as the gate sees it: invalidations complete at given gate times.

    A lookup costs a second; a poll answers at once what is pending as it is now, or, for the n-th
    poll, ``script[n]``: an exception to raise or the invalidations to answer."""

    def __init__(self, clock: FakeClock, found: dict[str, list[dict[str, Any]]], done_at: dict[str, float]) -> None:
        self.clock = clock
        self.start = clock.now
        self.found = found
        self.done_at = done_at
        self.script: dict[int, Any] = {}
        self.resolved: list[float] = []  # the time to the deadline each lookup was given
        self.watched: list[str] | None = None
        self.polls: list[float] = []  # gate times of the polls
        self.pace = 0.0  # what the lookup's requests left (GateRequests.pace)
        self.changed = False  # whether resolving created an invalidation (GateRequests.changed)

    def _seen(self, i: dict[str, Any]) -> dict[str, Any]:
        done = i["completed"] or self.clock.now - self.start >= self.done_at.get(i["id"], float("inf"))
        return {**i, "status": "Completed" if done else "InProgress", "completed": done}

    def resolve(self, target: Target, deadline: float) -> list[dict[str, Any]]:
        self.resolved.append(deadline - self.clock.now)
        self.clock.sleep(1.0)
        return [self._seen(i) for i in self.found[target.label]]

    def watch(self, pending: list[dict[str, Any]]) -> Callable[[], list[dict[str, Any]]]:
        self.watched = [i["id"] for i in pending]

        def poll() -> list[dict[str, Any]]:
            self.polls.append(round(self.clock.now - self.start, 3))
            answer = self.script.get(len(self.polls))
            if isinstance(answer, Exception):
                raise answer
            if answer is not None:
                return list(answer)
            return [self._seen(i) for i in pending]

        return poll


def settings(timeout: int = 600, interval: int = 5, fail_on_timeout: bool = True, **targets: Any) -> GateSettings:
    args = {"wait_timeout": timeout, "progress_interval": interval, "fail_on_timeout": fail_on_timeout, **targets}
    return gate_settings(args, PREFIX)


def gate(found, done_at, timeout=600, interval=5, fail_on_timeout=True, script=None, **targets):
    clock = FakeClock(1000.0)
    runner = FakeRunner(clock, found, done_at)
    runner.script = script or {}
    lines: list[tuple[float, str]] = []
    progress = Progress(interval, clock, lambda line: lines.append((clock.now - runner.start, line)))
    outcome = run_gate(settings(timeout, interval, fail_on_timeout, **targets), runner, progress, rand=no_jitter)  # type: ignore[arg-type]
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
        (
            {"targets": [{"distribution_id": "E1"}], "invalidation_ids": ["I1"]},
            f"{PREFIX}ids goes with {PREFIX}distribution_id",
        ),
        ({"distribution_id": "e1"}, f"{PREFIX}distribution_id 'e1' is not a CloudFront ID"),
        ({"alias": "not a domain"}, f"{PREFIX}alias 'not a domain' is not a domain name"),
        ({"distribution_id": "E1", "invalidation_ids": ["I1", "I1"]}, f"{PREFIX}ids lists I1 more than once"),
        (
            {"targets": [{"distribution_id": "E1"}, {"distribution_id": "E2", "ids": ["I1", "bad id"]}]},
            f"{PREFIX}targets[1].ids[1] 'bad id' is not a CloudFront ID",
        ),
        ({"targets": [{"distribution_id": "E1", "alias": "www.example.com"}]}, f"{PREFIX}targets[0]: give exactly one"),
        (
            {"targets": [{"ids": ["I1"]}]},
            f"{PREFIX}targets[0]: give exactly one of distribution_id, distribution_tenant_id, alias",
        ),
        (
            {"targets": [{"distribution_id": "E1", "invalidations": ["I1"]}]},
            f"{PREFIX}targets[0] has unsupported key(s) invalidations",
        ),
        ({"distribution_id": "E1", "wait_timeout": 0}, f"{PREFIX}timeout must be at least 1, got 0"),
        ({"distribution_id": "E1", "progress_interval": 0}, f"{PREFIX}progress_interval must be at least 1, got 0"),
    ],
)
def test_every_input_is_checked_and_the_message_names_it_as_the_caller_does(args, words):
    with pytest.raises(GateError) as error:
        gate_settings({"wait_timeout": 60, "progress_interval": 5, **args}, PREFIX)
    assert words in error.value.msg


def test_without_a_prefix_the_messages_name_the_actions_own_options():
    with pytest.raises(GateError) as error:
        gate_settings({"distribution_id": "E1", "wait_timeout": 0, "progress_interval": 5})
    assert error.value.msg == "wait_timeout must be at least 1, got 0"


def test_empty_values_are_not_given_and_the_rules_for_targets_are_the_modules():
    checked = settings(distribution_id="", alias="www.example.com", invalidation_ids=[], targets=[])
    assert checked.targets == [Target(alias="www.example.com")]
    checked = settings(
        targets=[
            {"distribution_id": "E1", "ids": ["I1", "I2"]},
            {"alias": "a.example.com"},
            {"distribution_tenant_id": "dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB"},
            # an item of the info module's invalidations, as it is
            {**inv("E2", "I3"), "caller_reference": "r", "paths": ["/a"], "path_count": 1},
        ]
    )
    assert checked.targets == [
        Target("E1", None, ("I1", "I2")),
        Target(None, "a.example.com", ()),
        Target(distribution_tenant_id="dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB"),
        Target("E2", None, ("I3",)),
    ]


# --- the wait and the verdict -------------------------------------------------------------------


def test_with_ids_the_gate_waits_for_all_of_them_and_opens_when_the_last_is_seen_completed():
    found = {"E1": [inv("E1", "I1"), inv("E1", "I2", done=True)]}
    outcome, runner, lines = gate(found, {"I1": 30}, distribution_id="E1", invalidation_ids=["I1", "I2"])
    assert outcome.completed and not outcome.timed_out and not outcome.failed
    assert [i["id"] for i in outcome.invalidations] == ["I1", "I2"]
    assert set(outcome.invalidations[0]) == {"distribution_id", "id", "status", "completed"}
    assert outcome.msg == f"2 of 2 CloudFront invalidation(s) completed after {outcome.elapsed}s"
    # seen on the first poll at or after 30 s: the interval there is a fifth of the time waited
    assert 30 <= outcome.elapsed <= 30 + 0.2 * 30 + 0.1
    assert runner.watched == ["I1"]  # completed ones are not asked about again
    assert lines[-1][1].startswith("2 of 2")


def test_the_lookup_is_the_first_poll_of_the_schedule():
    """The lookup just read the state: the first poll comes an interval later, not at once, and
    the polls follow the schedule (a second and a half, then a fifth of the time waited)."""
    _outcome, runner, _lines = gate({"E1": [inv("E1", "I1")]}, {"I1": 30}, distribution_id="E1")
    assert runner.polls[0] == pytest.approx(1.0 + 1.5)  # the lookup took a second
    gaps = [b - a for a, b in zip(runner.polls, runner.polls[1:])]
    assert gaps == pytest.approx([max(1.5, 0.2 * t) for t in runner.polls[:-1]], abs=0.01)


def test_the_pace_a_throttled_lookup_left_holds_the_first_polls():
    """The lookup's requests were throttled and left the account's pace (30 s): the wait goes on at
    it, a tenth shorter per answer, rather than at the schedule's fast start."""
    clock = FakeClock(1000.0)
    runner = FakeRunner(clock, {"E1": [inv("E1", "I1")]}, {"I1": 80})
    runner.pace = 30.0
    progress = Progress(5, clock, lambda line: None)
    outcome = run_gate(settings(600, 5, True, distribution_id="E1"), runner, progress, rand=no_jitter)  # type: ignore[arg-type]
    assert outcome.completed
    assert runner.polls[:3] == pytest.approx([1.0 + 30.0, 31.0 + 27.0, 58.0 + 24.3])


def test_a_lookup_that_took_the_whole_timeout_leaves_one_poll_at_the_deadline():
    """The lookup took the gate's one second: the wait has nothing left, polls once, at once, and
    the gate times out at its deadline, saying where things stand."""
    outcome, runner, lines = gate({"E1": [inv("E1", "I1")]}, {"I1": 30}, timeout=1, distribution_id="E1")
    assert outcome.timed_out and outcome.elapsed == 1.0 and runner.polls == [1.0]
    assert lines[-1] == (
        1.0,
        "0 of 1 CloudFront invalidation(s) completed after 1.0s; still in progress: distribution E1: I1",
    )


def test_without_ids_the_gate_waits_for_those_in_progress_when_it_started():
    found = {"www.example.com": [inv("E1", "I3"), inv("E1", "I2", done=True), inv("E1", "I1")]}
    outcome, runner, _lines = gate(found, {"I3": 10, "I1": 25}, alias="www.example.com")
    assert outcome.completed and [i["id"] for i in outcome.invalidations] == ["I3", "I1"]
    assert runner.watched == ["I3", "I1"]


def test_each_target_is_looked_up_with_the_time_left_to_the_deadline():
    """Throttled requests of the lookup are retried up to the gate's deadline, not past it."""
    found = {"E1": [inv("E1", "I1", done=True)], "E2": [inv("E2", "I2", done=True)]}
    _outcome, runner, _lines = gate(
        found, {}, timeout=300, targets=[{"distribution_id": "E1"}, {"distribution_id": "E2"}]
    )
    assert runner.resolved == [300, 299]  # each lookup costs a second here


def test_nothing_in_progress_opens_at_once_without_a_poll():
    outcome, runner, lines = gate({"E1": [inv("E1", "I1", done=True)]}, {}, distribution_id="E1")
    assert outcome.completed and outcome.invalidations == [] and runner.polls == [] and runner.watched is None
    assert [line for _time, line in lines] == [
        "Looking up the CloudFront invalidations to wait for (up to 600s): distribution E1: those in progress",
        "Waiting up to 600s for 0 CloudFront invalidation(s) in progress",
    ]


def test_a_poll_that_failed_changes_nothing_and_the_timeout_says_why():
    """The gate never opens on a poll that saw nothing (throttled, say)."""
    found = {"E1": [inv("E1", "I1")]}
    script = {n: throttled() for n in range(1, 200)}
    outcome, runner, _lines = gate(found, {"I1": 50}, timeout=300, script=script, distribution_id="E1")
    assert not outcome.completed and outcome.timed_out and outcome.failed
    assert outcome.invalidations == [{"distribution_id": "E1", "id": "I1", "status": "InProgress", "completed": False}]
    assert outcome.msg.endswith(
        "still in progress: distribution E1: I1; the last poll failed (throttled): CloudFront throttled"
        " cloudfront:GetInvalidation"
    )


def test_throttled_polls_are_retried_in_doubling_windows_then_the_gate_slows_to_its_pace():
    """Five throttled answers in a row: retried after windows of 0.5, 1, 2, 4 and 8 s (no jitter:
    the whole window); the answer after them sets the pace to twice the 15.5 s the streak lasted,
    30 s at most, and each answer after it shortens the pace by a tenth."""
    found = {"E1": [inv("E1", "I1")]}
    script = {n: throttled() for n in range(1, 6)}
    _outcome, runner, _lines = gate(found, {"I1": 120}, timeout=600, script=script, distribution_id="E1")
    gaps = [round(b - a, 2) for a, b in zip(runner.polls, runner.polls[1:])]
    assert gaps[:5] == [0.5, 1.0, 2.0, 4.0, 8.0]
    assert gaps[5:8] == [30.0, 27.0, 24.3]


def test_a_poll_answering_for_an_invalidation_the_gate_does_not_wait_for_changes_nothing():
    found = {"E1": [inv("E1", "I1")]}
    script = {n: [inv("E1", "I9", done=True), inv("E2", "I1", done=True)] for n in range(1, 400)}
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
    # the deadline holds: the last poll at it, none after
    assert outcome.elapsed == 100.0 and runner.polls[-1] == 100.0


def test_a_soft_gate_opens_at_the_timeout_with_a_warning():
    outcome, _runner, _lines = gate(
        {"E1": [inv("E1", "I1")]}, {}, timeout=60, fail_on_timeout=False, distribution_id="E1"
    )
    assert not outcome.failed and outcome.timed_out and not outcome.completed
    assert outcome.warning == outcome.msg
    assert outcome.msg.startswith(f"Soft gate open after {outcome.elapsed}s ({PREFIX}timeout=60) with 1")


@pytest.mark.parametrize("at", ["lookup", "poll"])
def test_a_failure_ends_the_gate_with_its_message_code_and_the_invalidations_as_last_seen(at):
    found = {"E1": [inv("E1", "I1"), inv("E1", "I2")]}
    error = GateError("CloudFront invalidation I2 does not exist in distribution E1", "NoSuchInvalidation")
    clock = FakeClock(1000.0)
    runner = FakeRunner(clock, found, {"I1": 5})
    if at == "lookup":

        def fail(target: Target, deadline: float) -> list[dict[str, Any]]:
            raise error

        runner.resolve = fail  # type: ignore[method-assign]
    else:
        runner.script = {5: error}
    progress = Progress(5, clock, lambda line: None)
    outcome = run_gate(settings(distribution_id="E1"), runner, progress, rand=no_jitter)  # type: ignore[arg-type]
    assert outcome.failed and not outcome.completed and not outcome.timed_out
    assert outcome.msg == error.msg and outcome.error_code == "NoSuchInvalidation"
    expected = [] if at == "lookup" else [(True, "I1"), (False, "I2")]
    assert [(i["completed"], i["id"]) for i in outcome.invalidations] == expected
    assert outcome.result()["error_code"] == "NoSuchInvalidation"


def test_the_result_has_the_same_keys_for_every_ending():
    keys = {"completed", "timed_out", "elapsed", "invalidations", "msg"}
    done, _runner, _lines = gate({"E1": [inv("E1", "I1")]}, {"I1": 3}, distribution_id="E1")
    late, _runner, _lines = gate({"E1": [inv("E1", "I1")]}, {}, timeout=30, distribution_id="E1")
    assert set(done.result()) == keys == set(late.result())


# --- progress lines ---------------------------------------------------------------------------


def test_a_line_is_said_at_each_completion_as_a_poll_sees_it_and_one_at_the_end():
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
    state = GateState()
    state.add(Target("E1"), [inv("E1", "I1")])  # type: ignore[list-item]
    progress.tick()
    assert lines == []  # nothing to say before the gate begins
    progress.begin(state, "Waiting")
    assert progress.seconds_until_due() == 5
    clock.sleep(4.9)
    progress.tick()
    assert lines == ["Waiting"]
    clock.sleep(0.1)
    progress.tick()
    assert lines[-1] == "0 of 1 CloudFront invalidation(s) completed after 5.0s; still in progress: distribution E1: I1"
    assert progress.seconds_until_due() == 5
    # a poll's answer says a line when half an interval has passed, or when more are completed
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
    state = GateState()
    state.add(Target("E1"), [inv("E1", "I1")])  # type: ignore[list-item]
    progress.begin(state, "Waiting")
    for late in (1.3, 2.1, 2.95, 3.0, 7.5, 8.2, 8.6):
        clock.now = 1000.0 + late
        progress.tick()
    # 1.3 (due 1), 2.1 (due 2), 3.0 (due 3); 7.5 is more than an interval late: due again at 8.5
    assert lines == pytest.approx([0.0, 1.3, 2.1, 3.0, 7.5, 8.6])


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
    """A lookup that CloudFront throttles until ``until`` seconds into the gate (the API retries
    meanwhile, and the ticker thread says the lines that fall due), then answers, or, at the gate's
    deadline, gives up with the code of its last answer."""

    def __init__(self, clock: FakeClock, found: dict[str, list[dict[str, Any]]], until: float, code: str) -> None:
        super().__init__(clock, found, {})
        self.until = until
        self.code = code
        self.progress: Progress | None = None

    def resolve(self, target: Target, deadline: float) -> list[dict[str, Any]]:
        while self.clock.now - self.start < self.until:
            if self.clock.now >= deadline:
                raise GateError(f"CloudFront answered with {self.code} until the deadline", self.code)
            self.clock.sleep(0.5)
            assert self.progress is not None
            self.progress.tick()
        return super().resolve(target, deadline)


def throttled_gate(until: float, code: str = "Throttling", fail_on_timeout: bool = True, timeout: int = 30):
    clock = FakeClock(1000.0)
    runner = ThrottledLookup(clock, {"E1": [inv("E1", "I1")], "www.example.com": [inv("E2", "I2")]}, until, code)
    lines: list[tuple[float, str]] = []
    progress = Progress(5, clock, lambda line: lines.append((clock.now - runner.start, line)))
    runner.progress = progress
    targets = [{"distribution_id": "E1", "ids": ["I1"]}, {"alias": "www.example.com"}]
    outcome = run_gate(settings(timeout, 5, fail_on_timeout, targets=targets), runner, progress, rand=no_jitter)  # type: ignore[arg-type]
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
    assert outcome.error_code is None and outcome.elapsed == 30.0 and runner.polls == []
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

    def give_up(target: Target, deadline: float) -> list[dict[str, Any]]:
        raise GateError("Rate exceeded", "Throttling")

    runner.resolve = give_up  # type: ignore[method-assign]
    progress = Progress(5, clock, lambda line: None)
    outcome = run_gate(settings(30, 5, False, distribution_id="E1"), runner, progress, rand=no_jitter)  # type: ignore[arg-type]
    assert (outcome.timed_out, outcome.failed, outcome.error_code, outcome.msg) == (
        False,
        True,
        "Throttling",
        "Rate exceeded",
    )


# --- at the edges: exactly when a line is due, values, counts (a clock that does not start at zero) ---


def one(invalidation_id: str, done: bool = False) -> dict[str, Any]:
    return inv("E1", invalidation_id, done)


def state_of(total: int, done: int) -> GateState:
    state = GateState()
    ids = tuple(f"I{k}" for k in range(total))
    state.add(Target("E1", ids=ids), [one(i, k < done) for k, i in enumerate(ids)])  # type: ignore[misc]
    return state


def test_a_gate_fails_on_timeout_unless_told_otherwise():
    assert gate_settings({"distribution_id": "E1", "wait_timeout": 60, "progress_interval": 5}).fail_on_timeout is True
    assert GateSettings([], 600, progress_interval=5).fail_on_timeout is True


def test_the_elapsed_time_is_reported_to_a_tenth_of_a_second():
    clock = FakeClock(7.0)
    runner = FakeRunner(clock, {"E1": [inv("E1", "I1")]}, {"I1": 11.34 - 1.0})
    outcome = run_gate(
        settings(60, 100, distribution_id="E1"), runner, Progress(100, clock, lambda line: None), rand=no_jitter
    )  # type: ignore[arg-type]
    assert outcome.completed and outcome.elapsed == round(outcome.elapsed, 1)
    assert outcome.msg == f"1 of 1 CloudFront invalidation(s) completed after {outcome.elapsed}s"


def test_a_target_is_a_value():
    target = Target("E1", ids=("I1",))
    assert hash(target) == hash(Target("E1", ids=("I1",)))
    with pytest.raises(dataclasses.FrozenInstanceError):
        target.alias = "www.example.com"  # type: ignore[misc]


def test_a_line_as_soon_as_more_are_completed_and_not_for_the_same_count():
    clock, lines = FakeClock(7.0), []
    progress = Progress(100, clock, lines.append)
    progress.begin(state_of(4, 0), "waiting")
    for at, done in [(10, 1), (20, 1), (30, 2), (40, 2), (50, 3)]:
        clock.now = 7.0 + at
        progress.update(state_of(4, done))
    assert lines == [
        "waiting",
        "1 of 4 CloudFront invalidation(s) completed after 10.0s; still in progress: distribution E1: I1, I2, I3",
        "2 of 4 CloudFront invalidation(s) completed after 30.0s; still in progress: distribution E1: I2, I3",
        "3 of 4 CloudFront invalidation(s) completed after 50.0s; still in progress: distribution E1: I3",
    ]
    assert progress.elapsed() == 50.0


def test_no_line_for_a_poll_that_completed_nothing_before_half_an_interval():
    clock, lines = FakeClock(7.0), []
    progress = Progress(10, clock, lines.append)
    progress.begin(state_of(2, 0), "waiting")
    clock.now += 4.0
    progress.update(state_of(2, 0))
    assert lines == ["waiting"]
    clock.now += 5.0  # 9 s since the last line: past half an interval
    progress.update(state_of(2, 0))
    assert lines[1:] == [
        "0 of 2 CloudFront invalidation(s) completed after 9.0s; still in progress: distribution E1: I0, I1"
    ]


def test_the_ticker_says_a_line_once_an_interval_has_passed_and_says_when_the_next_is_due():
    clock, lines = FakeClock(7.0), []
    progress = Progress(10, clock, lines.append)
    progress.begin(state_of(1, 0), "waiting")
    clock.now += 5.0
    assert progress.seconds_until_due() == 5.0
    progress.tick()
    assert lines == ["waiting"]
    clock.now += 12.0  # 17 s since the last line
    assert progress.seconds_until_due() == 0.0
    progress.tick()
    assert lines[1:] == [
        "0 of 1 CloudFront invalidation(s) completed after 17.0s; still in progress: distribution E1: I0"
    ]


def test_a_poll_with_as_many_completed_or_fewer_is_no_news_however_many_invalidations():
    # counts over 256 are new int objects each time: "more completed" must compare values
    clock, lines = FakeClock(7.0), []
    progress = Progress(100, clock, lines.append)
    progress.begin(state_of(300, 0), "waiting")
    for at, done in [(10, 260), (20, 260), (30, 259)]:
        clock.now = 7.0 + at
        progress.update(state_of(300, done))
    assert len(lines) == 2 and lines[1].startswith("260 of 300 CloudFront invalidation(s) completed after 10.0s")

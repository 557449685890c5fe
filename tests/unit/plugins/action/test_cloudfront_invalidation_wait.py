# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The gate's action plugin: its options' defaults, the module runs it asks for (the arguments of
each run, what it makes of the answers), its task's result (bad input, check mode, a soft gate's
warning) and the progress ticker's pace. A fake action runs the "module"; no real sleep."""

from __future__ import annotations

import threading
from typing import Any
from unittest.mock import MagicMock

import pytest
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.playbook.task import Task

from ansible_collections.edgeops.cloudfront.plugins.action import cloudfront_invalidation_wait as action
from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.gate import GateError, Resume, Target

NOW = 1000.0


class FakeAction:
    """Answers each module run with the next of ``answers``; records the runs."""

    def __init__(self, *answers: dict[str, Any]) -> None:
        self.answers = list(answers)
        self.runs: list[dict[str, Any]] = []

    def _execute_module(self, module_name: str, module_args: dict[str, Any], task_vars: dict[str, Any]):
        assert module_name == "edgeops.cloudfront.cloudfront_invalidation_info" and task_vars == {"v": 1}
        self.runs.append(module_args)
        return self.answers.pop(0)


@pytest.fixture(autouse=True)
def frozen_time(monkeypatch):
    monkeypatch.setattr(action.time, "time", lambda: NOW)


def runner(*answers: dict[str, Any]) -> tuple[action.ModuleRunner, FakeAction]:
    fake = FakeAction(*answers)
    return action.ModuleRunner(fake, {"profile": "deploy"}, {"v": 1}), fake  # type: ignore[arg-type]


def test_the_gate_waits_half_an_hour_says_a_line_every_50_seconds_and_fails_on_timeout():
    checked = ArgumentSpecValidator(action.ARGUMENT_SPEC).validate({"distribution_id": "E1"})
    params = checked.validated_parameters
    assert (params["timeout"], params["progress_interval"], params["fail_on_timeout"]) == (1800, 50, True)


@pytest.mark.parametrize(
    "target, asked",
    [
        (Target(distribution_id="E1"), {"distribution_id": "E1", "in_progress_only": True}),
        (Target(distribution_tenant_id="dt_x1"), {"distribution_tenant_id": "dt_x1", "in_progress_only": True}),
        (
            Target(alias="www.example.com", ids=("I1", "I2")),
            {"alias": "www.example.com", "invalidation_ids": ["I1", "I2"]},
        ),
    ],
)
def test_resolving_a_target_asks_for_its_invalidations_until_the_deadline(target, asked):
    module, fake = runner({"invalidations": [{"id": "I1"}]})
    assert module.resolve(target, 300.0) == [{"id": "I1"}]
    assert fake.runs == [{"profile": "deploy", "wait_deadline": NOW + 300.0, **asked}]
    module, fake = runner({})
    assert module.resolve(target, 300.0) == []


@pytest.mark.parametrize(
    "answer, msg",
    [
        ({"failed": True, "msg": "Access denied", "error_code": "AccessDenied"}, "Access denied"),
        ({"failed": True}, "cloudfront_invalidation_info failed"),
    ],
)
def test_a_failed_run_is_a_gate_error_with_its_message_and_code(answer, msg):
    module, _fake = runner(answer)
    with pytest.raises(GateError) as error:
        module.resolve(Target(distribution_id="E1"), 300.0)
    assert error.value.msg == msg and error.value.code == answer.get("error_code")


PENDING = [
    {"distribution_id": "E1", "id": "I1", "status": "InProgress", "completed": False, "create_time": "t"},
    {"distribution_tenant_id": "dt_x1", "id": "I2", "status": "InProgress", "completed": False},
]


def test_a_round_goes_on_from_the_state_the_gate_last_saw():
    module, fake = runner({"invalidations": [{"id": "I1"}], "pace": 2.5, "last_poll": NOW - 3})
    seen = module.wait(PENDING, 12.3, 50, Resume(waited=40.5, pace=1.5, last_poll=NOW - 20))
    assert fake.runs == [
        {
            "profile": "deploy",
            "targets": [
                {"distribution_id": "E1", "id": "I1", "status": "InProgress", "completed": False},
                {"distribution_tenant_id": "dt_x1", "id": "I2", "status": "InProgress", "completed": False},
            ],
            "wait": True,
            "wait_timeout": 13,
            "wait_deadline": NOW + 12.3,
            "wait_slice": 50,
            "wait_started": NOW - 40.5,
            "wait_pace": 1.5,
            "wait_last_poll": NOW - 20,
        }
    ]
    assert (seen.invalidations, seen.timed_out, seen.pace, seen.last_poll) == ([{"id": "I1"}], False, 2.5, NOW - 3)


def test_a_first_round_has_no_last_poll_and_at_least_a_second():
    module, fake = runner({})
    seen = module.wait(PENDING[:1], 0.2, 50, Resume(waited=0.0))
    assert fake.runs[0]["wait_timeout"] == 1 and "wait_last_poll" not in fake.runs[0]
    assert (seen.invalidations, seen.pace, seen.last_poll) == ([], 1.0, None)


@pytest.mark.parametrize("timeout", [0.0, -0.5])
def test_a_round_with_no_time_left_still_asks_for_a_wait_timeout_the_module_accepts(timeout):
    module, fake = runner({})
    module.wait(PENDING[:1], timeout, 50, Resume(waited=0.0))
    assert fake.runs[0]["wait_timeout"] == 1  # the module refuses a wait_timeout under 1


def test_a_round_that_timed_out_is_an_answer_and_any_other_failure_an_error():
    module, _fake = runner({"failed": True, "timed_out": True, "invalidations": [{"id": "I1"}], "msg": "Timed out"})
    seen = module.wait(PENDING[:1], 10, 50, Resume(waited=100.0))
    assert seen.timed_out is True and seen.invalidations == [{"id": "I1"}]
    module, _fake = runner({"failed": True, "msg": "Access denied", "error_code": "AccessDenied"})
    with pytest.raises(GateError):
        module.wait(PENDING[:1], 10, 50, Resume(waited=100.0))


class CountedStop:
    """A stand-in for the ticker's ``threading.Event``: ``wait()`` records its timeout and returns at
    once (no real sleep), until ``rounds`` waits were made; then it is set, and the gate may end."""

    def __init__(self, rounds: int) -> None:
        self.rounds = rounds
        self.timeouts: list[float] = []
        self.stopped = threading.Event()

    def wait(self, timeout: float) -> bool:
        if not self.stopped.is_set():
            self.timeouts.append(timeout)
            if len(self.timeouts) >= self.rounds:
                self.stopped.set()
        return self.stopped.is_set()

    def set(self) -> None:
        self.stopped.set()


class DueProgress:
    """A progress whose next line is always due (a line that is late): counts the ticks."""

    def __init__(self) -> None:
        self.ticks = 0

    def seconds_until_due(self) -> float:
        return 0.0

    def tick(self) -> None:
        self.ticks += 1


def test_the_ticker_waits_at_least_50_ms_between_ticks_even_when_a_line_is_overdue(monkeypatch):
    stop = CountedStop(rounds=5)
    events = [stop]  # the first Event made is the ticker's stop; the thread's own are real ones
    real_event = threading.Event
    monkeypatch.setattr(action.threading, "Event", lambda: events.pop() if events else real_event())
    progress = DueProgress()

    def gate() -> str:
        assert stop.stopped.wait(10), "the ticker never ticked"
        return "outcome"

    assert action._with_ticker(progress, gate) == "outcome"  # type: ignore[arg-type]
    assert stop.timeouts == [0.05] * 5  # never a wait of 0 s: no busy loop while a line is overdue
    assert progress.ticks == 4  # a tick after each wait that did not end the gate


def gate_task(
    args: dict[str, Any], *answers: dict[str, Any], check_mode: bool = False
) -> tuple[action.ActionModule, FakeAction]:
    """The gate's action for a task with ``args``; its module runs answer ``answers`` in turn.
    The connection has no remote temporary directory yet, and making one fails the test."""
    task = MagicMock(Task)
    task.args, task.async_val, task.check_mode, task.diff = args, 0, check_mode, False
    connection = MagicMock()
    connection._shell.tmpdir = None
    gate = action.ActionModule(
        task=task, connection=connection, play_context=MagicMock(), loader=None, templar=None, shared_loader_obj=None
    )
    fake = FakeAction(*answers)
    gate._execute_module = fake._execute_module  # type: ignore[method-assign]

    def no_tmp_path(*_args: Any, **_kwargs: Any) -> str:
        raise AssertionError("the gate made a remote temporary directory: it transfers no files")

    gate._make_tmp_path = no_tmp_path  # type: ignore[method-assign]
    return gate, fake


def test_bad_input_fails_the_gate_closed_before_any_module_run():
    gate, fake = gate_task({"distribution_id": "bad"})
    result = gate.run(task_vars={"v": 1})
    assert fake.runs == []
    assert (result["failed"], result["completed"], result["timed_out"], result["invalidations"]) == (
        True,
        False,
        False,
        [],
    )
    assert result["elapsed"] == 0.0 and result["changed"] is False
    assert result["msg"].startswith("distribution_id 'bad' is not a CloudFront ID") and "warnings" not in result


IN_PROGRESS = {"distribution_id": "E1", "id": "I1", "status": "InProgress", "completed": False}
TIMED_OUT = {"failed": True, "timed_out": True, "invalidations": [IN_PROGRESS], "msg": "Timed out"}


def test_a_soft_gate_that_times_out_opens_with_a_warning_and_a_hard_one_fails_without():
    soft, fake = gate_task(
        {"distribution_id": "E1", "fail_on_timeout": False}, {"invalidations": [IN_PROGRESS]}, TIMED_OUT
    )
    result = soft.run(task_vars={"v": 1})
    assert len(fake.runs) == 2 and result["failed"] is False and result["timed_out"] is True
    assert result["warnings"] == [result["msg"]] and result["msg"].startswith("Soft gate open after")
    hard, fake = gate_task({"distribution_id": "E1"}, {"invalidations": [IN_PROGRESS]}, TIMED_OUT)
    result = hard.run(task_vars={"v": 1})
    assert result["failed"] is True and result["timed_out"] is True and "warnings" not in result


def test_the_gate_runs_in_check_mode_as_it_only_reads():
    gate, fake = gate_task({"distribution_id": "E1"}, {"invalidations": []}, check_mode=True)
    result = gate.run(task_vars={"v": 1})
    assert len(fake.runs) == 1 and result["completed"] is True and result["changed"] is False

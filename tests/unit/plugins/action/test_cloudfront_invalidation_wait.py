# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The gate's action plugin: its options' defaults, the module runs it asks for (the arguments of
each run, what it makes of the answers), its task's result (bad input, check mode, a soft gate's
warning) and the progress ticker's pace. A fake action runs the "module"; no real sleep."""

from __future__ import annotations

import dataclasses
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
        assert module_name == "edgeops.cloudfront.cloudfront_invalidation_info" and task_vars["v"] == 1
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


@dataclasses.dataclass
class Event:
    msg: str
    formatted_traceback: str | None


class Summary:
    """What ansible-core 2.19 and later give as a module's ``exception``: a summary of an event."""

    def __init__(self, msg: str, traceback: str | None) -> None:
        self.event = Event(msg, traceback)


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


def gate_task(
    args: dict[str, Any], *answers: dict[str, Any], check_mode: bool = False, strategy: str = "linear"
) -> tuple[action.ActionModule, FakeAction]:
    """The gate's action for a task with ``args``, in a play of ``strategy``; its module runs answer
    ``answers`` in turn. The connection has no remote temporary directory yet, and making one
    fails the test."""
    task = MagicMock(Task)
    task.args, task.async_val, task.check_mode, task.diff = args, 0, check_mode, False
    task.get_play.return_value.strategy = strategy
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


@pytest.mark.parametrize(
    "args, named",
    [
        ({"distribution_id": "E1", "wait": True}, "wait"),  # from module_defaults of a group, say
        (
            {"distribution_id": "E1", "timeout_seconds": 5, "invalidation_ids": ["I1"]},
            "invalidation_ids, timeout_seconds",
        ),
    ],
)
def test_an_unknown_option_is_refused_naming_it_before_any_module_run(args, named):
    gate, fake = gate_task(args)
    result = gate.run(task_vars={"v": 1})
    assert fake.runs == [] and result["failed"] is True and result["completed"] is False
    assert result["msg"].startswith(
        f"Unsupported option(s) for edgeops.cloudfront.cloudfront_invalidation_wait: {named} (from the task or"
    )


def test_the_aws_connection_options_and_their_aliases_go_to_the_module_runs():
    args = {"distribution_id": "E1", "aws_profile": "deploy", "endpoint_url": "http://x", "region": "eu-west-1"}
    gate, fake = gate_task(args, {"invalidations": []})
    result = gate.run(task_vars={"v": 1})
    assert result["completed"] is True
    assert {key: fake.runs[0][key] for key in ("aws_profile", "endpoint_url", "region")} == {
        "aws_profile": "deploy",
        "endpoint_url": "http://x",
        "region": "eu-west-1",
    }


@pytest.mark.parametrize("strategy", ["free", "ansible.builtin.host_pinned", "mitogen_free"])
def test_a_play_whose_strategy_runs_each_host_on_its_own_is_refused(strategy):
    gate, fake = gate_task({"distribution_id": "E1"}, strategy=strategy)
    result = gate.run(task_vars={"v": 1, "ansible_play_hosts_all": ["web1", "web2", "web3"]})
    assert fake.runs == [] and result["failed"] is True
    assert result["msg"].startswith(
        f"The CloudFront gate runs once per play, and this play's strategy ({strategy}) would run it once for"
        " each of its 3 hosts"
    )


@pytest.mark.parametrize(
    "strategy, hosts", [("free", ["localhost"]), ("linear", ["web1", "web2"]), ("debug", ["a", "b"])]
)
def test_a_play_that_runs_the_gate_once_is_not_refused(strategy, hosts):
    gate, fake = gate_task({"distribution_id": "E1"}, {"invalidations": []}, strategy=strategy)
    result = gate.run(task_vars={"v": 1, "ansible_play_hosts_all": hosts})
    assert len(fake.runs) == 1 and result["completed"] is True


@pytest.mark.parametrize(
    "answer",
    [
        {"failed": True, "msg": "Unable to locate credentials"},  # no AWS error code
        {"failed": True, "msg": "MODULE FAILURE", "module_stderr": "Traceback\nssl.SSLError: bad handshake", "rc": 1},
    ],
)
def test_a_round_that_fails_without_an_aws_error_code_ends_the_gate_with_its_cause(answer):
    """Only a round that ended at its deadline (timed_out) is an answer; any other failure, with an AWS
    error code or without one, ends the gate at once, and its message keeps the cause."""
    gate, fake = gate_task({"distribution_id": "E1", "ids": ["I1"]}, {"invalidations": [IN_PROGRESS]}, answer)
    result = gate.run(task_vars={"v": 1})
    assert len(fake.runs) == 2 and result["failed"] is True and result["timed_out"] is False
    assert result["invalidations"] == [IN_PROGRESS] and "error_code" not in result
    assert ("Unable to locate credentials" in result["msg"]) or ("ssl.SSLError: bad handshake" in result["msg"])


@pytest.mark.parametrize(
    "args, words",
    [
        ({"distribution_id": "E1", "timeout": "soon"}, "timeout"),
        ({"distribution_id": "E1", "fail_on_timeout": "ture"}, "fail_on_timeout"),
        ({"distribution_id": "E1", "progress_interval": "5s"}, "progress_interval"),
        ({"targets": [{"distribution_id": "E1", "invalidation_ids": ["I1"]}]}, "targets.invalidation_ids"),
        ({"targets": "E1"}, "targets"),
    ],
)
def test_inputs_of_the_wrong_type_or_shape_are_refused_before_any_module_run(args, words):
    """The argument spec's own refusals (types, an unknown key of a target), before gate_settings'."""
    gate, fake = gate_task(args)
    result = gate.run(task_vars={"v": 1})
    assert fake.runs == [] and result["failed"] is True and result["completed"] is False
    assert words in result["msg"], result["msg"]

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The gate's action plugin: its options (names, aliases, defaults, refusals), the connection it makes
once, in the task's environment, and its task's result (bad input, a soft gate's warning, check
mode). The gate's requests are stood in for; no network, no real sleep."""

from __future__ import annotations

import os
from typing import Any
from unittest.mock import MagicMock

import pytest
import yaml
from ansible.playbook.task import Task

from ansible_collections.edgeops.cloudfront.plugins.action import cloudfront_invalidation_wait as action
from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.gate import GateError, option_name
from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.waiter import TransientError
from ansible_collections.edgeops.cloudfront.plugins.modules import cloudfront_invalidation_wait as docs
from ansible_collections.edgeops.cloudfront.tests.support.fake_clock import FakeClock

IN_PROGRESS = {"distribution_id": "E1", "id": "I1", "status": "InProgress", "completed": False}
DONE = {**IN_PROGRESS, "status": "Completed", "completed": True}


def test_the_gate_waits_half_an_hour_says_a_line_every_50_seconds_and_fails_on_timeout():
    settings, connection = action.gate_arguments({"distribution_id": "E1"})
    assert (settings.timeout, settings.progress_interval, settings.fail_on_timeout) == (1800, 50, True)
    assert connection == {}


def test_the_options_have_the_info_modules_names_and_keep_the_old_ones_as_aliases():
    settings, _connection = action.gate_arguments(
        {"alias": "www.example.com", "invalidation_ids": ["I1"], "wait_timeout": 60}
    )
    old, _connection = action.gate_arguments({"alias": "www.example.com", "ids": ["I1"], "timeout": 60})
    assert settings == old and settings.timeout == 60 and settings.targets[0].ids == ("I1",)


def test_the_documented_options_are_the_actions_and_the_roles_inputs_are_the_same():
    """One option set: the action's argument spec is what its documentation says (names, aliases,
    types, defaults), and the role passes each of them from its variable of the same short name."""
    documented = yaml.safe_load(docs.DOCUMENTATION)["options"]
    assert set(documented) == set(action.ARGUMENT_SPEC)
    for name, spec in action.ARGUMENT_SPEC.items():
        doc = documented[name]
        assert doc.get("aliases", []) == spec.get("aliases", []), name
        assert doc["type"] == spec["type"] and doc.get("default") == spec.get("default"), name
        assert doc.get("elements") == spec.get("elements"), name
    role = os.path.join(os.path.dirname(docs.__file__), "..", "..", "roles", "wait_for_invalidation")
    with open(os.path.join(role, "tasks", "main.yml")) as tasks:
        text = tasks.read()
    for name in action.ARGUMENT_SPEC:
        if name != "option_prefix":
            assert f'        {name}: "{{{{ {option_name(name, "wait_for_invalidation_")} }}}}"' in text, name


@pytest.mark.parametrize(
    "args, named",
    [
        ({"distribution_id": "E1", "wait": True}, "wait"),  # from module_defaults of a group, say
        (
            {"distribution_id": "E1", "timeout_seconds": 5, "invalidation_idz": ["I1"]},
            "invalidation_idz, timeout_seconds",
        ),
    ],
)
def test_an_unknown_option_is_refused_naming_it(args, named):
    with pytest.raises(GateError) as refused:
        action.gate_arguments(args)
    assert refused.value.msg.startswith(f"Unsupported option(s) for {action.ACTION}: {named} (from the task or")
    assert (
        ". It takes alias, caller_reference, distribution_id, distribution_tenant_id, fail_on_timeout,"
        " invalidation_ids, paths, progress_interval, targets, wait_timeout, and the AWS connection options of"
        " amazon.aws modules ("
    ) in refused.value.msg


def test_the_aws_connection_options_and_their_aliases_go_to_the_connection():
    args = {"distribution_id": "E1", "aws_profile": "deploy", "endpoint_url": "http://x", "region": "eu-west-1"}
    _settings, connection = action.gate_arguments(args)
    assert connection == {"aws_profile": "deploy", "endpoint_url": "http://x", "region": "eu-west-1"}


@pytest.mark.parametrize(
    "args, words",
    [
        ({"distribution_id": "E1", "wait_timeout": "soon"}, "wait_timeout"),
        ({"distribution_id": "E1", "fail_on_timeout": "ture"}, "fail_on_timeout"),
        ({"distribution_id": "E1", "progress_interval": "5s"}, "progress_interval"),
        (
            {"targets": [{"distribution_id": "E1", "invalidations": ["I1"]}]},
            "targets[0] has unsupported key(s) invalidations",
        ),
        ({"targets": "E1"}, "targets"),
        ({"distribution_id": "bad"}, "distribution_id 'bad' is not a CloudFront ID"),
    ],
)
def test_inputs_of_the_wrong_type_or_shape_are_refused_naming_the_option(args, words):
    with pytest.raises(GateError) as refused:
        action.gate_arguments(args)
    assert words in refused.value.msg, refused.value.msg


class FakeConnection:
    """Stands for GateConnection: records the options and the environment it was made in."""

    made: list[dict[str, Any]] = []

    def __init__(self, options: dict[str, Any]) -> None:
        FakeConnection.made.append({"options": options, "AWS_PROFILE": os.environ.get("AWS_PROFILE")})

    def api(self, budget: float) -> Any:
        api = MagicMock()
        api.budget = budget
        return api


class FakeRequests:
    """Stands for GateRequests: the lookup finds ``found``; each poll answers the next of ``polls``."""

    found: list[dict[str, Any]] = []
    polls: list[Any] = []
    pace = 0.0
    changed = False

    def __init__(self, api: Any, check_mode: bool = False) -> None:
        self.api = api
        self.check_mode = check_mode

    def resolve(self, target: Any, deadline: float) -> list[dict[str, Any]]:
        return list(self.found)

    def watch(self, pending: list[dict[str, Any]]) -> Any:
        answers = list(self.polls)

        def poll() -> list[dict[str, Any]]:
            answer = answers.pop(0) if answers else TransientError()
            if isinstance(answer, Exception):
                raise answer
            return answer

        return poll


@pytest.fixture
def fakes(monkeypatch):
    FakeConnection.made = []
    FakeRequests.found, FakeRequests.polls = [IN_PROGRESS], [[DONE]]
    monkeypatch.setattr(action, "GateConnection", FakeConnection)
    monkeypatch.setattr(action, "GateRequests", FakeRequests)
    monkeypatch.setattr(action, "connection_options", dict)
    monkeypatch.setattr(action.Ticker, "run", lambda self, call: call())  # no thread here
    monkeypatch.setattr(action, "Clock", FakeClock)  # no real sleep
    return FakeRequests


def gate_task(args: dict[str, Any], environment: dict[str, str] | None = None, strategy: str = "linear"):
    """The gate's action for a task with ``args`` and an ``environment:``, in a play of ``strategy``."""
    task = MagicMock(Task)
    task.args, task.async_val, task.check_mode, task.diff = args, 0, False, False
    task.get_play.return_value.strategy = strategy
    gate = action.ActionModule(
        task=task, connection=MagicMock(), play_context=MagicMock(), loader=None, templar=None, shared_loader_obj=None
    )

    def compute(raw_environment_out: dict[str, str] | None = None) -> str:
        if raw_environment_out is not None:
            raw_environment_out.update(environment or {})
        return ""

    gate._compute_environment_string = compute  # type: ignore[method-assign]
    return gate


def test_bad_input_fails_the_gate_closed_before_any_connection(fakes):
    result = gate_task({"distribution_id": "bad"}).run(task_vars={})
    assert FakeConnection.made == []
    assert (result["failed"], result["completed"], result["timed_out"], result["invalidations"]) == (
        True,
        False,
        False,
        [],
    )
    assert result["elapsed"] == 0.0 and result["changed"] is False and "warnings" not in result
    assert result["msg"].startswith("distribution_id 'bad' is not a CloudFront ID")


def test_the_connection_is_made_once_in_the_tasks_environment(fakes, monkeypatch):
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    gate = gate_task({"distribution_id": "E1", "profile": "deploy"}, environment={"AWS_PROFILE": "from-the-task"})
    fakes.polls = [[IN_PROGRESS], TransientError(), [DONE]]
    result = gate.run(task_vars={})
    assert result["completed"] is True and result["failed"] is False
    assert FakeConnection.made == [{"options": {"profile": "deploy"}, "AWS_PROFILE": "from-the-task"}]
    assert "AWS_PROFILE" not in os.environ  # the task's environment is the task's


def test_a_soft_gate_that_times_out_opens_with_a_warning_and_a_hard_one_fails_without(fakes):
    fakes.polls = []  # every poll fails and is retried until the deadline
    soft = gate_task({"distribution_id": "E1", "fail_on_timeout": False, "wait_timeout": 1}).run(task_vars={})
    assert soft["failed"] is False and soft["timed_out"] is True and soft["completed"] is False
    assert soft["warnings"] == [soft["msg"]] and soft["msg"].startswith("Soft gate open after")
    hard = gate_task({"distribution_id": "E1", "wait_timeout": 1}).run(task_vars={})
    assert hard["failed"] is True and hard["timed_out"] is True and "warnings" not in hard


def test_a_connection_that_cannot_be_made_fails_the_gate_with_its_cause(fakes, monkeypatch):
    def no_profile(options: dict[str, Any]) -> Any:
        raise GateError(
            "Could not set up the AWS session for the CloudFront gate: The config profile (x) could not be found"
        )

    monkeypatch.setattr(action, "GateConnection", no_profile)
    result = gate_task({"distribution_id": "E1", "profile": "x"}).run(task_vars={})
    assert result["failed"] is True and result["completed"] is False and "profile (x)" in result["msg"]
    assert (result["timed_out"], result["elapsed"], result["invalidations"]) == (False, 0.0, [])


@pytest.mark.parametrize("strategy", ["free", "ansible.builtin.host_pinned", "mitogen_free"])
def test_a_play_whose_strategy_runs_each_host_on_its_own_is_refused(fakes, strategy):
    result = gate_task({"distribution_id": "E1"}, strategy=strategy).run(
        task_vars={"ansible_play_hosts_all": ["web1", "web2", "web3"]}
    )
    assert FakeConnection.made == [] and result["failed"] is True
    assert result["msg"].startswith(
        f"The CloudFront gate runs once per play, and this play's strategy ({strategy}) would run it once for"
        " each of its 3 hosts"
    )


@pytest.mark.parametrize(
    "strategy, hosts", [("free", ["localhost"]), ("linear", ["web1", "web2"]), ("debug", ["a", "b"])]
)
def test_a_play_that_runs_the_gate_once_is_not_refused(fakes, strategy, hosts):
    result = gate_task({"distribution_id": "E1"}, strategy=strategy).run(task_vars={"ansible_play_hosts_all": hosts})
    assert len(FakeConnection.made) == 1 and result["completed"] is True


def test_the_gate_runs_in_check_mode_as_it_only_reads():
    assert action.ActionModule._supports_check_mode is True

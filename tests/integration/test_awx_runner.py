# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The gate as an AWX job: run through ansible-runner, the engine AWX runs jobs with.

Credentials reach the job only as environment variables, as AWX's AWS credential injects
them, and so does the local endpoint (AWS_ENDPOINT_URL_CLOUDFRONT, as an administrator's
custom credential would): the job-template playbook takes no endpoint from its variables.
The job's playbook is the collection's job-template playbook, imported from a project the
way an AWX project holds it. A workflow is jobs in a row, each node's ``set_stats``
artifacts handed to the next as extra variables, as AWX does.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import ansible_runner
import pytest
import yaml

from ansible_collections.edgeops.cloudfront.tests.integration.awx_jobs import RESULT, artifacts, awx_project, run_job
from ansible_collections.edgeops.cloudfront.tests.integration.playbook_runner import (
    ACCESS_KEY,
    SECRET_KEY,
    assert_no_secret_in,
)

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("verbosity", [0, 3])
def test_gate_job_passes_its_result_to_the_next_workflow_node(
    cloudfront, tmp_path, awx_env, complete_after_first_poll, verbosity
):
    dist = cloudfront.create_distribution()
    inv = [cloudfront.create_invalidation(dist["id"], [f"/{n}"], complete_in=3600) for n in range(2)]
    # two IDs are read from ListInvalidations pages: the first page is the resolve step
    done = complete_after_first_poll(dict.fromkeys(inv, 2), "ListInvalidations")
    private = awx_project(tmp_path)
    extravars = {
        "cloudfront_distribution_id": dist["id"],
        "cloudfront_invalidation_ids": f"{inv[0]}, {inv[1]}\n",
        "cloudfront_gate_timeout": "120",
    }
    runner = run_job(private, extravars, awx_env, verbosity)
    assert runner.status == "successful", runner.stdout.read()
    # the gate opened on a poll that saw both completed: answered after they completed
    assert runner.rc == 0 and cloudfront.requests()[-1]["answered"] >= done.last
    # the credential reached the module through the environment only
    assert {r["access_key_id"] for r in cloudfront.requests()} == {ACCESS_KEY}
    result = artifacts(runner)[RESULT]
    assert result["completed"] is True and result["timed_out"] is False
    assert sorted(i["id"] for i in result["invalidations"]) == sorted(inv)
    assert all(i["status"] == "Completed" for i in result["invalidations"])
    # the progress lines are in the job output, as AWX shows it
    stdout = runner.stdout.read()
    assert f"Waiting up to 120s for 2 CloudFront invalidation(s) in progress: distribution {dist['id']}" in stdout
    assert "2 of 2 CloudFront invalidation(s) completed after" in stdout
    assert_no_secret_in(private)


@pytest.mark.parametrize(
    "first_name, second_name, soft",
    [
        pytest.param(None, None, False, id="same-name-hard"),
        pytest.param(None, None, True, id="same-name-soft"),
        pytest.param("static_gate", "app_gate", False, id="own-names-hard"),
    ],
)
def test_the_second_gate_of_a_workflow_decides_and_publishes_on_its_own(
    cloudfront, tmp_path, awx_env, first_name, second_name, soft
):
    """deploy static files -> gate -> deploy the app -> gate: AWX hands the first gate's
    artifact to the second as an extra variable, which beats the second gate's set_fact. The
    second gate still times out (hard: fails; soft: reports completed: false) and publishes
    its own result."""
    static = cloudfront.create_distribution(aliases=["static.example.com"])
    app = cloudfront.create_distribution()
    done = cloudfront.create_invalidation(static["id"], complete_in=0)
    stuck = cloudfront.create_invalidation(app["id"], complete_in=3600)

    first_answers = {"cloudfront_alias": "static.example.com", "cloudfront_invalidation_ids": done}
    if first_name:
        first_answers["cloudfront_gate_result_name"] = first_name
    first = run_job(awx_project(tmp_path, "gate-static"), first_answers, awx_env)
    assert first.status == "successful", first.stdout.read()
    handed_on = artifacts(first)
    assert list(handed_on) == [first_name or RESULT]
    assert handed_on[first_name or RESULT]["completed"] is True

    second_answers = {
        "cloudfront_distribution_id": app["id"],
        "cloudfront_invalidation_ids": stuck,
        "cloudfront_gate_timeout": 3,
    }
    if soft:
        second_answers["cloudfront_gate_fail_on_timeout"] = "false"
    elif second_name:
        second_answers["cloudfront_gate_fail_on_timeout"] = "true"
    # else not answered: the job template's gate is hard by default
    if second_name:
        second_answers["cloudfront_gate_result_name"] = second_name
    # AWX: the node's extra variables are the artifacts of the nodes before it, and its survey answers
    second = run_job(awx_project(tmp_path, "gate-app"), {**handed_on, **second_answers}, awx_env)
    stdout = second.stdout.read()
    assert second.status == ("successful" if soft else "failed"), stdout
    published = artifacts(second)
    assert list(published) == [second_name or RESULT]
    result = published[second_name or RESULT]
    assert result["completed"] is False and result["timed_out"] is True
    assert result["invalidations"] == [
        {"distribution_id": app["id"], "id": stuck, "status": "InProgress", "completed": False}
    ]
    assert result["msg"].startswith("Soft gate open after" if soft else "Timed out after")
    assert result["msg"].endswith(f"still in progress: distribution {app['id']}: {stuck}")
    # with one name for both gates, the second says that the first's result hides its own fact
    hidden = f"wait_for_invalidation: {RESULT} is also an extra variable"
    assert (hidden in stdout) is (second_name is None)
    assert_no_secret_in(tmp_path)


def rescue_plays(role_vars: dict[str, Any], **include: Any) -> list[dict[str, Any]]:
    """A job whose playbook reports a failed gate in a rescue, publishing what the rescue sees
    (``include``: more options of the include_role)."""
    gate = {
        "name": "The gate",
        "ansible.builtin.include_role": {"name": "edgeops.cloudfront.wait_for_invalidation", **include},
        "vars": role_vars,
    }
    report = {
        "name": "Publish what the rescue sees of the failure",
        "ansible.builtin.set_stats": {
            "data": {"rescued_msg": "{{ ansible_failed_result.msg }}"},
            "per_host": False,
        },
    }
    block = {"name": "Gate, or report", "block": [gate], "rescue": [report]}
    return [{"name": "Deploy, then gate", "hosts": "localhost", "gather_facts": False, "tasks": [block]}]


FAILURES = {
    "NoSuchInvalidation": (404, "CloudFront invalidation {inv} does not exist in distribution {dist}"),
    "AccessDenied": (
        403,
        "Access denied: the AWS credentials in use may not call cloudfront:GetInvalidation on invalidation"
        " {inv} of CloudFront distribution {dist}",
    ),
    "ExpiredToken": (
        403,
        "The AWS credentials have expired (ExpiredToken) while calling cloudfront:GetInvalidation on"
        " invalidation {inv} of CloudFront distribution {dist}",
    ),
}


@pytest.mark.parametrize("code", sorted(FAILURES))
def test_a_failure_in_the_middle_of_a_gate_is_published_and_named(
    cloudfront, tmp_path, awx_env, after_first_poll, code
):
    status, words = FAILURES[code]
    dist = cloudfront.create_distribution()["id"]
    inv = cloudfront.create_invalidation(dist, complete_in=3600)
    # GetInvalidation #1 finds the invalidation; #2 is the wait's first poll; from then on, the error
    after_first_poll(lambda: cloudfront.controller.errors.set("GetInvalidation", status, code, code), count=2)
    plays = rescue_plays({"wait_for_invalidation_distribution_id": dist, "wait_for_invalidation_ids": [inv]})
    runner = run_job(awx_project(tmp_path, plays=plays), {}, awx_env)
    assert runner.status == "successful", runner.stdout.read()  # rescued
    published = artifacts(runner)
    message = words.format(inv=inv, dist=dist)
    assert published["rescued_msg"].startswith(message)
    assert published[RESULT] == {
        "completed": False,
        "timed_out": False,
        "elapsed": published[RESULT]["elapsed"],
        "invalidations": [{"distribution_id": dist, "id": inv, "status": "InProgress", "completed": False}],
        "msg": published["rescued_msg"],
        "error_code": code,
    }
    assert [r["status"] for r in cloudfront.requests("GetInvalidation")] == [200, 200, status]
    assert_no_secret_in(tmp_path)


def test_a_malformed_id_in_the_second_target_is_published_and_named(cloudfront, tmp_path, awx_env):
    dist = cloudfront.create_distribution()["id"]
    plays = rescue_plays(
        {
            "wait_for_invalidation_targets": [
                {"distribution_id": dist},
                {"distribution_id": "E2QWRUHAPOMQZM", "ids": ["I2J0I21PCUYOIK", "i2j0-bad"]},
            ]
        }
    )
    runner = run_job(awx_project(tmp_path, plays=plays), {}, awx_env)
    assert runner.status == "successful", runner.stdout.read()
    published = artifacts(runner)
    assert published["rescued_msg"] == (
        "wait_for_invalidation_targets[1].ids[1] 'i2j0-bad' is not a CloudFront ID: IDs are upper-case"
        " letters and digits (for example E2QWRUHAPOMQZL)"
    )
    assert published[RESULT] == {
        "completed": False,
        "timed_out": False,
        "elapsed": 0.0,
        "invalidations": [],
        "msg": published["rescued_msg"],
    }
    assert cloudfront.requests() == []


def test_a_gate_task_that_fails_before_its_action_runs_publishes_that_it_did_not_complete(
    cloudfront, tmp_path, awx_env
):
    """Without the role's argument validation (rolespec_validate: false), an undefined variable in the
    gate's arguments fails its task before the action runs: the result the role builds from nothing
    says completed: false, with the task's message, and AWX passes that on."""
    dist = cloudfront.create_distribution()["id"]
    role_vars = {"wait_for_invalidation_distribution_id": dist, "wait_for_invalidation_ids": ["{{ release.id }}"]}
    plays = rescue_plays(role_vars, rolespec_validate=False)
    runner = run_job(awx_project(tmp_path, plays=plays), {}, awx_env)
    assert runner.status == "successful", runner.stdout.read()  # rescued
    published = artifacts(runner)
    assert "'release' is undefined" in published["rescued_msg"]
    assert published[RESULT] == {
        "completed": False,
        "timed_out": False,
        "elapsed": 0.0,
        "invalidations": [],
        "msg": published["rescued_msg"],
    }
    assert cloudfront.requests() == []


def test_the_result_goes_by_its_name_and_set_stats_false_publishes_nothing(cloudfront, tmp_path, awx_env):
    dist = cloudfront.create_distribution()["id"]
    inv = cloudfront.create_invalidation(dist, complete_in=0)
    role_vars = {
        "wait_for_invalidation_distribution_id": dist,
        "wait_for_invalidation_ids": [inv],
        "wait_for_invalidation_result_name": "static_gate",
    }
    show = {
        "name": "Publish the fact the play sees",
        "ansible.builtin.set_stats": {"data": {"seen": "{{ static_gate }}"}},
    }
    plays = rescue_plays(role_vars)
    plays[0]["tasks"].append(show)
    published = artifacts(run_job(awx_project(tmp_path, "named", plays), {}, awx_env))
    assert sorted(published) == ["seen", "static_gate"]
    assert published["seen"] == published["static_gate"] and published["seen"]["completed"] is True

    plays = rescue_plays({**role_vars, "wait_for_invalidation_set_stats": False})
    plays[0]["tasks"].append(show)
    published = artifacts(run_job(awx_project(tmp_path, "unpublished", plays), {}, awx_env))
    assert list(published) == ["seen"] and published["seen"]["completed"] is True


class Listener:
    """A TCP port that counts the connections made to it (a server a launcher would own)."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}"
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection = self.socket.accept()[0]
            except OSError:
                return
            self.connections += 1
            connection.close()


def test_no_extra_variable_redirects_the_job_template_playbook(cloudfront, tmp_path, awx_env):
    """Variables that earlier versions read, or that name what a launcher would like to change,
    reach neither the endpoint nor the interpreter of the job-template playbook's requests."""
    evil = Listener()
    try:
        dist = cloudfront.create_distribution()["id"]
        extravars = {
            "cloudfront_distribution_id": dist,
            "cloudfront_endpoint_url": evil.url,
            "cloudfront_profile": "someone-else",
            # a gate redirected to the listener fails in 10 s, not after a minute of retries
            "cloudfront_gate_timeout": 10,
        }
        runner = run_job(awx_project(tmp_path), extravars, awx_env)
        assert runner.status == "successful", runner.stdout.read()
        assert evil.connections == 0
        assert [r["operation"] for r in cloudfront.requests()] == ["GetDistribution"]
    finally:
        evil.socket.close()


def test_runner_writes_the_environment_to_artifacts_command(cloudfront, tmp_path, awx_env):
    """What docs/awx.md warns about: ansible-runner's artifacts/<ident>/command holds the job's
    environment, secrets included, and nothing else in the artifacts does."""
    dist = cloudfront.create_distribution()
    private = awx_project(tmp_path)
    runner = ansible_runner.run(
        private_data_dir=str(private),
        playbook="gate.yml",
        quiet=True,
        envvars=awx_env,
        suppress_env_files=True,
        extravars={"cloudfront_distribution_id": dist["id"]},
    )
    assert runner.status == "successful", runner.stdout.read()
    leaked = {p for p in private.rglob("*") if p.is_file() and SECRET_KEY in p.read_text(errors="replace")}
    command = private / "artifacts" / runner.config.ident / "command"
    try:
        assert leaked == {command}
    finally:
        command.unlink()
    assert_no_secret_in(private)


def job_inventory(private: Path, group_vars: dict[str, Any], host_vars: dict[str, Any]) -> None:
    """The job's inventory, as someone other than the job template's owner may write it: localhost,
    with group_vars/all.yml and host_vars/localhost.yml."""
    inventory = private / "inventory"
    (inventory / "group_vars").mkdir(parents=True)
    (inventory / "host_vars").mkdir()
    (inventory / "hosts").write_text("localhost ansible_connection=local\n")
    (inventory / "group_vars" / "all.yml").write_text(yaml.safe_dump(group_vars))
    (inventory / "host_vars" / "localhost.yml").write_text(yaml.safe_dump(host_vars))


def test_an_inventory_cannot_redirect_soften_or_move_the_job_templates_gate(
    cloudfront, tmp_path, awx_env, complete_after_first_poll
):
    """group_vars and host_vars of the job's inventory set the gate's endpoint, profile, IDs and
    hardness, and move localhost to another interpreter with become: the gate still asks the real
    endpoint, on the controller, for the invalidation of the survey, and holds until it completes."""
    evil = Listener()
    try:
        dist = cloudfront.create_distribution()["id"]
        old = cloudfront.create_invalidation(dist, complete_in=0)
        inv = cloudfront.create_invalidation(dist, complete_in=3600)
        # GetInvalidation #1 finds the invalidation; #2 is the wait's first poll
        done = complete_after_first_poll({inv: 3}, "GetInvalidation", count=2)
        private = awx_project(tmp_path)
        job_inventory(
            private,
            group_vars={
                "wait_for_invalidation_endpoint_url": evil.url,
                "wait_for_invalidation_profile": "someone-else",
                "wait_for_invalidation_ids": [old],
                "wait_for_invalidation_fail_on_timeout": False,
                "wait_for_invalidation_timeout": 1,
            },
            host_vars={
                # nothing listens on port 9: a gate that took this connection would fail
                "ansible_connection": "ssh",
                "ansible_host": "127.0.0.1",
                "ansible_port": 9,
                "ansible_python_interpreter": "/nonexistent/python3",
                "ansible_become": True,
                "ansible_become_user": "nobody",
                "ansible_become_exe": "/nonexistent/sudo",
            },
        )
        answers = {
            "cloudfront_distribution_id": dist,
            "cloudfront_invalidation_ids": inv,
            "cloudfront_gate_timeout": 60,
        }
        runner = run_job(private, answers, awx_env)
        assert runner.status == "successful", runner.stdout.read()
        assert evil.connections == 0
        polls = cloudfront.requests("GetInvalidation")
        # answered after the completion (a poll can arrive before it and be answered after it, as here in CI)
        assert polls[-1]["answered"] >= done.last, "the gate opened before CloudFront completed the invalidation"
        result = artifacts(runner)[RESULT]
        assert result["completed"] is True
        assert result["invalidations"] == [
            {"distribution_id": dist, "id": inv, "status": "Completed", "completed": True}
        ]
    finally:
        evil.socket.close()


# The role's inputs, and the controller's connection, interpreter and become variables: each would
# redirect, soften or move the gate if given as an extra variable (a launcher's variables, a
# workflow's extra variables or survey, an earlier node's set_stats), which beats role parameters.
def refused(evil_url: str, old: str) -> dict[str, Any]:
    return {
        "wait_for_invalidation_distribution_id": "E2QWRUHAPOMQZL",
        "wait_for_invalidation_distribution_tenant_id": "dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB",
        "wait_for_invalidation_alias": "www.example.org",
        "wait_for_invalidation_ids": [old],
        "wait_for_invalidation_paths": ["/*"],
        "wait_for_invalidation_caller_reference": "someone-elses-release",
        "wait_for_invalidation_targets": [],
        "wait_for_invalidation_timeout": 1,
        "wait_for_invalidation_fail_on_timeout": False,
        "wait_for_invalidation_result_name": "other_gate",
        "wait_for_invalidation_set_stats": False,
        "wait_for_invalidation_progress_interval": 3600,
        "wait_for_invalidation_endpoint_url": evil_url,
        "wait_for_invalidation_profile": "someone-else",
        "ansible_connection": "ssh",
        "ansible_python_interpreter": "/nonexistent/python3",
        "ansible_become": True,
    }


def test_extra_variables_that_would_redirect_soften_or_move_the_gate_fail_the_job_naming_each(
    cloudfront, tmp_path, awx_env
):
    """Nothing of the role's, nor the controller's connection, is taken from extra variables: the job
    fails before any request, naming each one given (a workflow's extra variables reach every node)."""
    evil = Listener()
    try:
        dist = cloudfront.create_distribution()["id"]
        old = cloudfront.create_invalidation(dist, complete_in=0)
        inv = cloudfront.create_invalidation(dist, complete_in=3600)
        given = refused(evil.url, old)
        answers = {"cloudfront_distribution_id": dist, "cloudfront_invalidation_ids": inv}
        runner = run_job(awx_project(tmp_path), {**given, **answers}, awx_env)
        stdout = runner.stdout.read()
        assert runner.status == "failed", stdout
        for name in given:
            assert f"{name} was given as an extra variable" in stdout, name
        assert cloudfront.requests() == [] and evil.connections == 0
    finally:
        evil.socket.close()


def test_every_input_of_the_role_is_refused_as_an_extra_variable():
    """The playbook's list covers the role's every input (meta/argument_specs.yml)."""
    specs = yaml.safe_load((REPO / "roles" / "wait_for_invalidation" / "meta" / "argument_specs.yml").read_text())
    inputs = set(specs["argument_specs"]["main"]["options"])
    assert inputs | {"ansible_connection", "ansible_python_interpreter", "ansible_become"} == set(refused("", ""))


@pytest.mark.parametrize(
    "answer, value, says",
    [
        ("cloudfront_gate_fail_on_timeout", "ture", "not a valid boolean"),
        ("cloudfront_gate_timeout", "1800s", "cannot be converted to an int"),
    ],
)
def test_a_typo_in_the_gates_hardness_or_timeout_fails_the_job_before_any_request(
    cloudfront, tmp_path, awx_env, answer, value, says
):
    """A workflow artifact, the API or the CLI pass what the survey would refuse: never coerced (a
    typo made false would open a hard gate at its timeout), but refused, naming the answer."""
    dist = cloudfront.create_distribution()["id"]
    inv = cloudfront.create_invalidation(dist, complete_in=3600)
    answers = {"cloudfront_distribution_id": dist, "cloudfront_invalidation_ids": inv, answer: value}
    runner = run_job(awx_project(tmp_path), answers, awx_env)
    stdout = runner.stdout.read()
    assert runner.status == "failed", stdout
    assert re.search(rf"argument '{answer}' is of type .* {says}", stdout, re.DOTALL), stdout
    assert cloudfront.requests() == []


def job_processes(marker: str) -> list[int]:
    """The processes whose environment holds ``marker`` (those of one job), but this one."""
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if marker.encode() in environ.read_bytes() and int(environ.parent.name) != os.getpid():
                found.append(int(environ.parent.name))
        except OSError:  # gone meanwhile, or not ours to read
            continue
    return found


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="reads the processes' environments in /proc")
@pytest.mark.waits
def test_a_cancelled_job_stops_its_gate_and_leaves_no_process(cloudfront, tmp_path, awx_env):
    """ansible-runner cancels a job by killing the process group of ansible-playbook, which does
    not reach ansible-core's workers (each in a session of its own). The gate notices that its job
    is gone and stops with its module run: no request after the cancel, no process left."""
    dist = cloudfront.create_distribution()["id"]
    inv = cloudfront.create_invalidation(dist, complete_in=3600)
    marker = f"edgeops-job-{uuid.uuid4().hex}"
    cancelled: list[float] = []

    def cancel() -> bool:
        # the lookup and two polls of the wait: the gate is in a module run, polling every second or two
        if not cancelled and len(cloudfront.requests("GetInvalidation")) >= 3:
            cancelled.append(time.time())
        return bool(cancelled)

    answers = {"cloudfront_distribution_id": dist, "cloudfront_invalidation_ids": inv, "cloudfront_gate_timeout": 300}
    runner = ansible_runner.run(
        private_data_dir=str(awx_project(tmp_path)),
        playbook="gate.yml",
        extravars=answers,
        envvars={**awx_env, "EDGEOPS_TEST_JOB": marker},
        quiet=True,
        suppress_env_files=True,
        cancel_callback=cancel,
    )
    try:
        assert runner.status == "canceled" and cancelled
        give_up = time.time() + 5
        while job_processes(marker) and time.time() < give_up:
            time.sleep(0.1)
        assert job_processes(marker) == [], "the job's processes outlived its cancel"
        time.sleep(4)  # a gate still running would have polled meanwhile
        late = [r for r in cloudfront.requests() if r["time"] > cancelled[0] + 1.0]
        assert late == [], late
    finally:
        for pid in job_processes(marker):  # what a failure left behind
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)

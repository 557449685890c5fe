# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What playbooks and their runs do around the gate: tags, become, strategies, limits, the action
called directly, a module run that crashes, a throttled lookup. None of it skips the gate, runs it
per host or elsewhere, opens it early or loses the cause: real ansible-playbook runs against the
local endpoint."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from ansible_collections.edgeops.cloudfront.tests.integration.gate_plays import LONG, ROLE
from ansible_collections.edgeops.cloudfront.tests.integration.playbook_runner import aws_env, run_playbook

ACTION = "edgeops.cloudfront.cloudfront_invalidation_wait"
# hosts the controller cannot reach (nothing listens on port 9): a gate that ran on them would fail
UNREACHABLE = "[web]\nweb1\nweb2\nweb3\n\n[web:vars]\nansible_connection=ssh\nansible_host=127.0.0.1\nansible_port=9\n"


def write_play(tmp_path: Path, play: dict[str, Any], name: str = "play.yml") -> Path:
    playbook = tmp_path / name
    playbook.write_text(yaml.safe_dump([play], sort_keys=False))
    return playbook


def record(tmp_path: Path, name: str, content: str = "{{ {'time': now().timestamp()} | to_json }}") -> dict[str, Any]:
    """A task that writes ``content`` to ``tmp_path/name.json`` on the controller."""
    return {
        "name": f"Record {name}",
        "record_json": {"dest": str(tmp_path / f"{name}.json"), "content": content},
        "delegate_to": "localhost",
    }


def recorded(tmp_path: Path, name: str) -> dict[str, Any]:
    return json.loads((tmp_path / f"{name}.json").read_text())


def test_the_readmes_tagged_include_runs_the_gate_under_tags(cloudfront, tmp_path, complete_after_first_poll):
    """README's pattern with tags: [release] on the include and on the smoke test, run with
    --tags release: the gate runs (its included tasks do not inherit the include's tags, but they
    are tagged always) and the smoke test runs only once the invalidation is completed."""
    dist = cloudfront.create_distribution()["id"]
    inv = cloudfront.create_invalidation(dist, complete_in=LONG)
    done = complete_after_first_poll({inv: 3}, "GetInvalidation", count=2)
    gate = {
        "name": "Hold until CloudFront has completed the invalidation",
        "ansible.builtin.include_role": {"name": ROLE},
        "vars": {"wait_for_invalidation_distribution_id": dist, "wait_for_invalidation_ids": [inv]},
        "tags": ["release"],
    }
    play = {
        "name": "Release",
        "hosts": "localhost",
        "gather_facts": False,
        "module_defaults": {"group/edgeops.cloudfront.aws": {"endpoint_url": cloudfront.url}},
        "tasks": [
            gate,
            {**record(tmp_path, "smoke"), "tags": ["release"]},
            {**record(tmp_path, "other"), "tags": ["other"]},
        ],
    }
    run = run_playbook(write_play(tmp_path, play), args=["--tags", "release"])
    assert run.rc == 0, run.output
    polls = cloudfront.requests("GetInvalidation")
    # the last answer was made after the completion (the request may arrive just before it)
    assert polls and polls[-1]["answered"] >= done.last, "the gate did not poll until the invalidation completed"
    assert recorded(tmp_path, "smoke")["time"] >= polls[-1]["answered"]
    assert not (tmp_path / "other.json").exists()


def test_become_does_not_reach_the_gate(cloudfront, tmp_path):
    """A play with become: true and an inventory that makes localhost become another user with a sudo
    that does not exist (as in an execution environment): the gate runs without become."""
    dist = cloudfront.create_distribution()["id"]
    inv = cloudfront.create_invalidation(dist, complete_in=2)
    inventory = tmp_path / "hosts.ini"
    inventory.write_text(
        "localhost ansible_connection=local ansible_become=true ansible_become_method=sudo"
        " ansible_become_user=nobody ansible_become_exe=/nonexistent/sudo\n"
    )
    play = {
        "name": "Deploy with become",
        "hosts": "localhost",
        "gather_facts": False,
        "become": True,
        "module_defaults": {"group/edgeops.cloudfront.aws": {"endpoint_url": cloudfront.url}},
        "roles": [{"role": ROLE, "wait_for_invalidation_distribution_id": dist, "wait_for_invalidation_ids": [inv]}],
        "tasks": [record(tmp_path, "after", "{{ wait_for_invalidation_result | to_json }}")],
    }
    run = run_playbook(write_play(tmp_path, play), inventory=inventory)
    assert run.rc == 0, run.output
    assert "/nonexistent/sudo" not in run.output
    assert recorded(tmp_path, "after")["completed"] is True


def test_a_free_strategy_play_of_several_hosts_is_refused_before_any_request(cloudfront, tmp_path):
    dist = cloudfront.create_distribution()["id"]
    inventory = tmp_path / "hosts.ini"
    inventory.write_text(UNREACHABLE)
    play = {
        "name": "Deploy, then gate",
        "hosts": "web",
        "gather_facts": False,
        "strategy": "free",
        "module_defaults": {"group/edgeops.cloudfront.aws": {"endpoint_url": cloudfront.url}},
        "roles": [{"role": ROLE, "wait_for_invalidation_distribution_id": dist}],
    }
    run = run_playbook(write_play(tmp_path, play), inventory=inventory)
    assert run.rc != 0
    assert "The CloudFront gate runs once per play, and this play's strategy (free) would run it once" in run.output
    assert cloudfront.requests() == []


def test_the_job_template_playbook_fails_when_its_limit_leaves_out_the_controller(cloudfront, tmp_path):
    dist = cloudfront.create_distribution()["id"]
    inventory = tmp_path / "hosts.ini"
    inventory.write_text(UNREACHABLE)
    extra_vars = {"cloudfront_distribution_id": dist}
    env = aws_env(AWS_ENDPOINT_URL_CLOUDFRONT=cloudfront.url)
    playbook = "edgeops.cloudfront.invalidation_gate"
    limited = run_playbook(playbook, extra_vars, env=env, inventory=inventory, args=["--limit", "web1"])
    assert limited.rc != 0, limited.output
    assert "The CloudFront gate runs on the controller (localhost), which the job's limit (web1)" in limited.output
    assert cloudfront.requests() == []
    # the same inventory without the limit: the gate runs, on the controller
    run = run_playbook(playbook, extra_vars, env=env, inventory=inventory)
    assert run.rc == 0, run.output
    assert [r["operation"] for r in cloudfront.requests()] == ["GetDistribution"]


def test_the_action_called_directly_refuses_an_unknown_option_and_runs_with_its_own(
    cloudfront, tmp_path, complete_after_first_poll
):
    """module_defaults of the group with an option of other modules (wait), a misspelled option: each
    named, before any request; then the action as a task of its own, waiting."""
    dist = cloudfront.create_distribution()["id"]
    inv = cloudfront.create_invalidation(dist, complete_in=LONG)
    done = complete_after_first_poll({inv: 2}, "GetInvalidation", count=2)
    group = {"endpoint_url": cloudfront.url}
    tasks = [
        {
            "name": "wait from the group's module_defaults",
            ACTION: {"distribution_id": dist, "ids": [inv]},
            "module_defaults": {"group/edgeops.cloudfront.aws": {**group, "wait": True}},
            "register": "with_wait",
            "ignore_errors": True,
        },
        {
            "name": "a misspelled option",
            ACTION: {"distribution_id": dist, "ids": [inv], "timout": 30},
            "register": "misspelled",
            "ignore_errors": True,
        },
        {
            "name": "the gate",
            ACTION: {"distribution_id": dist, "ids": [inv], "progress_interval": 1},
            "register": "gate",
        },
        record(tmp_path, "results", "{{ {'with_wait': with_wait, 'misspelled': misspelled, 'gate': gate} | to_json }}"),
    ]
    play = {
        "name": "The action",
        "hosts": "localhost",
        "gather_facts": False,
        "module_defaults": {"group/edgeops.cloudfront.aws": group},
        "tasks": tasks,
    }
    run = run_playbook(write_play(tmp_path, play))
    assert run.rc == 0, run.output
    results = recorded(tmp_path, "results")
    unsupported = f"Unsupported option(s) for {ACTION}: "
    assert results["with_wait"]["failed"] is True and results["with_wait"]["msg"].startswith(unsupported + "wait (")
    assert results["misspelled"]["failed"] is True and results["misspelled"]["msg"].startswith(unsupported + "timout (")
    gate = results["gate"]
    assert gate["completed"] is True and gate["failed"] is False
    assert gate["invalidations"] == [{"distribution_id": dist, "id": inv, "status": "Completed", "completed": True}]
    polls = cloudfront.requests("GetInvalidation")
    assert polls[-1]["answered"] >= done.last and len(polls) >= 3  # none before the third task


# The gate's process (ansible-playbook's worker) with botocore's calls patched from the N-th on
# (EDGEOPS_TEST_FROM, counted across the run in EDGEOPS_TEST_CALLS): a crash, or a failure that
# carries no AWS error code (a certificate that does not verify).
PATCHED_CALLS = """
import os
import sys

if os.path.basename(sys.argv[0] if sys.argv else "") == "ansible-playbook":
    import botocore.client
    import botocore.exceptions

    original = botocore.client.BaseClient._make_api_call

    def patched(self, operation_name, api_params):
        calls = os.environ["EDGEOPS_TEST_CALLS"]
        with open(calls, "a") as f:
            f.write("x")
        if os.path.getsize(calls) >= int(os.environ["EDGEOPS_TEST_FROM"]):
            if os.environ["EDGEOPS_TEST_FAULT"] == "crash":
                raise RuntimeError("edgeops test: the gate crashed")
            raise botocore.exceptions.SSLError(endpoint_url="https://cloudfront", error="certificate verify failed")
        return original(self, operation_name, api_params)

    botocore.client.BaseClient._make_api_call = patched
"""


def patched_env(tmp_path: Path, fault: str, start: int) -> dict[str, str]:
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(PATCHED_CALLS)
    return aws_env(
        PYTHONPATH=str(site),
        EDGEOPS_TEST_CALLS=str(tmp_path / "calls"),
        EDGEOPS_TEST_FROM=str(start),
        EDGEOPS_TEST_FAULT=fault,
    )


def rescued_gate(tmp_path: Path, endpoint: str, role_vars: dict[str, Any]) -> Path:
    block = {
        "name": "Gate, or report",
        "block": [{"name": "The gate", "ansible.builtin.include_role": {"name": ROLE}, "vars": role_vars}],
        "rescue": [
            record(
                tmp_path,
                "rescued",
                "{{ {'msg': ansible_failed_result.msg, 'result': wait_for_invalidation_result} | to_json }}",
            )
        ],
    }
    play = {
        "name": "Gate, or report",
        "hosts": "localhost",
        "gather_facts": False,
        "module_defaults": {"group/edgeops.cloudfront.aws": {"endpoint_url": endpoint}},
        "tasks": [block],
    }
    return write_play(tmp_path, play)


def test_a_gate_that_crashes_fails_with_its_cause_and_publishes_that_it_did_not_complete(cloudfront, tmp_path):
    dist = cloudfront.create_distribution()["id"]
    role_vars = {"wait_for_invalidation_distribution_id": dist}
    run = run_playbook(rescued_gate(tmp_path, cloudfront.url, role_vars), env=patched_env(tmp_path, "crash", 1))
    assert run.rc == 0, run.output
    rescued = recorded(tmp_path, "rescued")
    assert "edgeops test: the gate crashed" in rescued["msg"], rescued
    assert rescued["result"]["completed"] is False and rescued["result"]["msg"] == rescued["msg"]
    assert cloudfront.requests() == []


@pytest.mark.waits
def test_a_soft_gate_whose_lookup_is_throttled_to_its_timeout_shows_progress_and_times_out(cloudfront, tmp_path):
    """Progress lines from the start, while the gate looks up what is in progress (every request
    throttled), one per interval; at the timeout, a soft gate opens with a timeout, not an error."""
    dist = cloudfront.create_distribution()["id"]
    cloudfront.create_invalidation(dist, complete_in=LONG)
    cloudfront.throttle("GetDistribution", 10_000)
    role_vars = {
        "wait_for_invalidation_distribution_id": dist,
        "wait_for_invalidation_timeout": 12,
        "wait_for_invalidation_progress_interval": 2,
        "wait_for_invalidation_fail_on_timeout": False,
    }
    play = {
        "name": "Deploy, then gate",
        "hosts": "localhost",
        "gather_facts": False,
        "module_defaults": {"group/edgeops.cloudfront.aws": {"endpoint_url": cloudfront.url}},
        "roles": [{"role": ROLE, **role_vars}],
        "tasks": [record(tmp_path, "after", "{{ wait_for_invalidation_result | to_json }}")],
    }
    run = run_playbook(write_play(tmp_path, play))
    assert run.rc == 0, run.output
    result = recorded(tmp_path, "after")
    assert (result["completed"], result["timed_out"], "error_code" in result) == (False, True, False), result
    assert result["msg"].startswith("Soft gate open after 1"), result["msg"]
    assert "(wait_for_invalidation_timeout=12) with CloudFront invalidations not looked up yet (" in result["msg"]
    assert result["msg"].endswith(f"): distribution {dist}: those in progress"), result["msg"]
    lines = run.stdout.splitlines()
    looked_up = f"distribution {dist}: those in progress"
    assert f"Looking up the CloudFront invalidations to wait for (up to 12s): {looked_up}" in lines
    still = re.compile(r"^Still looking up the CloudFront invalidations to wait for after ([\d.]+)s: (.*)$")
    times = [float(m.group(1)) for m in map(still.match, lines) if m and m.group(2) == looked_up]
    # one line every 2 s from the start, none more often: 2, 4, 6, 8, 10 (and 12, if the lookup outlasts it)
    assert 5 <= len(times) <= 6, times
    assert all(1.9 <= b - a <= 2.6 for a, b in zip([0.0, *times], times)), times
    assert {r["status"] for r in cloudfront.requests()} == {400}


@pytest.mark.parametrize(
    "name, value, says",
    [
        ("wait_for_invalidation_fail_on_timeout", "ture", "not a valid boolean"),
        ("wait_for_invalidation_set_stats", "ture", "not a valid boolean"),
        ("wait_for_invalidation_timeout", "1800s", "cannot be converted to an int"),
        ("wait_for_invalidation_progress_interval", "5s", "cannot be converted to an int"),
    ],
)
def test_a_typo_in_the_roles_booleans_or_numbers_fails_before_any_request(cloudfront, tmp_path, name, value, says):
    """Checked strictly by the role's argument spec, wherever the value comes from (here group_vars):
    never coerced, as `| bool` would make a typo false and a hard gate soft."""
    dist = cloudfront.create_distribution()["id"]
    (tmp_path / "group_vars").mkdir()
    (tmp_path / "group_vars" / "all.yml").write_text(yaml.safe_dump({name: value}))
    inventory = tmp_path / "hosts.ini"
    inventory.write_text("localhost ansible_connection=local\n")
    play = {
        "name": "Deploy, then gate",
        "hosts": "localhost",
        "gather_facts": False,
        "module_defaults": {"group/edgeops.cloudfront.aws": {"endpoint_url": cloudfront.url}},
        "roles": [{"role": ROLE, "wait_for_invalidation_distribution_id": dist}],
    }
    run = run_playbook(write_play(tmp_path, play), inventory=inventory)
    assert run.rc != 0
    assert re.search(rf"argument '{name}' is of type .* {says}", run.output, re.DOTALL), run.output
    assert cloudfront.requests() == []


def test_a_misspelled_key_of_a_target_is_refused_naming_it(cloudfront, tmp_path):
    """invalidations: for invalidation_ids: dropped, the gate would wait for what is in progress
    (nothing) and open. Refused instead, by the role and by the action called directly, before any
    request."""
    dist = cloudfront.create_distribution()["id"]
    old = cloudfront.create_invalidation(dist, complete_in=0)
    inv = cloudfront.create_invalidation(dist, complete_in=LONG)
    cloudfront.complete_in(inv, LONG)
    misspelled = [{"distribution_id": dist, "invalidations": [inv]}]
    role = {
        "name": "The gate",
        "ansible.builtin.include_role": {"name": ROLE},
        # a short timeout: a gate that dropped the key would wait for what is in progress, and time out
        "vars": {"wait_for_invalidation_targets": misspelled, "wait_for_invalidation_timeout": 5},
    }
    tasks = [
        {
            "name": "The role",
            "block": [role],
            "rescue": [record(tmp_path, "role", "{{ {'msg': ansible_failed_result.msg} | to_json }}")],
        },
        {
            "name": "The action",
            ACTION: {"targets": misspelled, "timeout": 5},
            "register": "action",
            "ignore_errors": True,
        },
        record(tmp_path, "action", "{{ action | to_json }}"),
    ]
    play = {
        "name": "Gate with a misspelled target",
        "hosts": "localhost",
        "gather_facts": False,
        "module_defaults": {"group/edgeops.cloudfront.aws": {"endpoint_url": cloudfront.url}},
        "tasks": tasks,
    }
    run = run_playbook(write_play(tmp_path, play))
    assert run.rc == 0, run.output
    # the gate's check names the variable the user set
    role_msg = recorded(tmp_path, "role")["msg"]
    assert role_msg.startswith("wait_for_invalidation_targets[0] has unsupported key(s) invalidations"), role_msg
    assert old not in run.output
    action = recorded(tmp_path, "action")
    assert action["failed"] is True and action["completed"] is False
    assert action["msg"].startswith("targets[0] has unsupported key(s) invalidations"), action["msg"]
    assert cloudfront.requests() == []


def test_a_poll_that_fails_without_an_aws_error_code_fails_the_gate_at_once_with_its_cause(cloudfront, tmp_path):
    """The lookup's request goes through; the wait's first poll fails with no AWS answer (a TLS
    certificate that does not verify): no retry mends that, and the gate fails at once, naming it,
    not at its deadline with its cause lost."""
    dist = cloudfront.create_distribution()["id"]
    inv = cloudfront.create_invalidation(dist, complete_in=LONG)
    role_vars = {
        "wait_for_invalidation_distribution_id": dist,
        "wait_for_invalidation_ids": [inv],
        # a gate that retried the failing polls would time out at 30 s, its cause lost
        "wait_for_invalidation_timeout": 30,
    }
    run = run_playbook(
        rescued_gate(tmp_path, cloudfront.url, role_vars), env=patched_env(tmp_path, "tls", 2), timeout=120
    )
    assert run.rc == 0, run.output
    rescued = recorded(tmp_path, "rescued")
    assert rescued["msg"].startswith("TLS failed while calling cloudfront:GetInvalidation on invalidation"), rescued
    assert "certificate verify failed" in rescued["msg"]
    result = rescued["result"]
    assert (result["completed"], result["timed_out"]) == (False, False) and result["elapsed"] < 15, result
    assert result["invalidations"] == [{"distribution_id": dist, "id": inv, "status": "InProgress", "completed": False}]
    assert len(cloudfront.requests()) == 1  # the lookup; the poll failed before it was sent

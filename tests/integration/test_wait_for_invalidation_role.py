# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The wait_for_invalidation role: a deployment gate, in real ansible-playbook runs against the local endpoint."""

from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from playbook_runner import PlaybookRun, run_playbook

ROLE = "edgeops.cloudfront.wait_for_invalidation"
LONG = 3600
# A Python without boto3: if the gate ran on the web servers, it would fail there.
SYSTEM_PYTHON = shutil.which("python3", path="/usr/bin")


def gate_play(
    tmp_path: Path,
    endpoint: str,
    role_vars: dict[str, Any],
    hosts: str = "localhost",
    after: list[dict[str, Any]] | None = None,
) -> Path:
    """A play: the gate, then a task that records when it ran and what the gate said."""
    record = {
        "name": "Record when the next task ran",
        "ansible.builtin.copy": {
            "dest": str(tmp_path / "{{ inventory_hostname }}.json"),
            "mode": "0600",
            "content": "{{ {'time': now().timestamp(), 'result': wait_for_invalidation_result} | to_json }}",
        },
        "delegate_to": "localhost",
    }
    play = {
        "name": "Deploy, then gate",
        "hosts": hosts,
        "gather_facts": False,
        "module_defaults": {"group/edgeops.cloudfront.aws": {"endpoint_url": endpoint}},
        "roles": [{"role": ROLE, **role_vars}],
        "tasks": [record, *(after or [])],
    }
    playbook = tmp_path / "gate.yml"
    playbook.write_text(yaml.safe_dump([play], sort_keys=False))
    return playbook


def after_gate(tmp_path: Path, host: str = "localhost") -> dict[str, Any]:
    return json.loads((tmp_path / f"{host}.json").read_text())


def progress_lines(run: PlaybookRun) -> list[str]:
    return re.findall(r'"msg": "(\d+ of \d+ CloudFront invalidation\(s\) completed after [^"]*)"', run.stdout)


@pytest.mark.skipif(SYSTEM_PYTHON is None, reason="needs a system Python without boto3")
def test_gate_runs_once_on_the_controller_and_holds_later_tasks(cloudfront, tmp_path, after_first_poll):
    dist = cloudfront.create_distribution()
    inv = cloudfront.create_invalidation(dist["id"], complete_in=LONG)
    flipped: list[float] = []

    def flip() -> None:
        cloudfront.complete_in(inv, 3)
        flipped.append(time.time() + 3)

    after_first_poll(flip, "ListInvalidations")
    inventory = tmp_path / "hosts.ini"
    inventory.write_text(
        f"[web]\nweb1\nweb2\nweb3\n\n[web:vars]\nansible_connection=local\nansible_python_interpreter={SYSTEM_PYTHON}\n"
    )
    playbook = gate_play(tmp_path, cloudfront.url, {"wait_for_invalidation_distribution_id": dist["id"]}, hosts="web")
    run = run_playbook(playbook, inventory=inventory)
    assert run.rc == 0, run.output
    # once, not per host: one listing at the start, whatever the number of hosts
    assert len(cloudfront.requests("ListInvalidations")) == 1
    for host in ("web1", "web2", "web3"):
        seen = after_gate(tmp_path, host)
        assert seen["time"] >= flipped[0], "a task after the gate ran before the invalidation completed"
        assert seen["result"]["completed"] is True
        assert seen["result"]["invalidations"] == [
            {"distribution_id": dist["id"], "id": inv, "status": "Completed", "completed": True}
        ]
        assert seen["result"]["elapsed"] >= 2.5


def test_several_distributions_finishing_at_different_times(cloudfront, tmp_path, after_first_poll):
    first = cloudfront.create_distribution(aliases=["www.example.com"])
    second = cloudfront.create_distribution(aliases=["static.example.com"])
    third = cloudfront.create_distribution()
    a = [cloudfront.create_invalidation(first["id"], [f"/a{n}"], complete_in=LONG) for n in range(2)]
    b = [cloudfront.create_invalidation(second["id"], [f"/b{n}"], complete_in=LONG) for n in range(2)]
    c = [cloudfront.create_invalidation(third["id"], [f"/c{n}"], complete_in=LONG) for n in range(2)]
    flips = dict(zip(a + b + c, [2, 9, 3, 5, 7, 11]))
    flipped: list[float] = []

    def flip() -> None:
        for inv, seconds in flips.items():
            cloudfront.complete_in(inv, seconds)
        flipped.append(time.time() + max(flips.values()))

    # the gate's resolve step reads each of the 3 distributions once (ListInvalidations); the
    # flips count from the first poll of the wait, the 4th ListInvalidations
    after_first_poll(flip, "ListInvalidations", count=4)
    targets = [
        {"distribution_id": first["id"], "ids": a},
        {"alias": "static.example.com", "ids": b},
        {"distribution_id": third["id"]},
    ]
    playbook = gate_play(
        tmp_path,
        cloudfront.url,
        {"wait_for_invalidation_targets": targets, "wait_for_invalidation_progress_interval": 3},
    )
    run = run_playbook(playbook)
    assert run.rc == 0, run.output
    seen = after_gate(tmp_path)
    assert seen["time"] >= flipped[0]
    result = seen["result"]
    assert result["completed"] is True
    got = {(i["distribution_id"], i["id"]) for i in result["invalidations"]}
    assert got == {(first["id"], i) for i in a} | {(second["id"], i) for i in b} | {(third["id"], i) for i in c}
    assert all(i["status"] == "Completed" and i["completed"] for i in result["invalidations"])
    lines = progress_lines(run)
    assert len(lines) >= 2 and lines[-1].startswith("6 of 6") and not lines[0].startswith("6 of 6")


def test_empty_ids_waits_for_exactly_those_in_progress_at_the_start(cloudfront, tmp_path, after_first_poll):
    dist = cloudfront.create_distribution()
    cloudfront.create_invalidation(dist["id"], complete_in=0)
    running = cloudfront.create_invalidation(dist["id"], complete_in=LONG)
    late: list[str] = []

    def later() -> None:
        late.append(cloudfront.create_invalidation(dist["id"], complete_in=LONG))
        cloudfront.complete_in(running, 2)

    after_first_poll(later, "ListInvalidations")
    playbook = gate_play(
        tmp_path,
        cloudfront.url,
        {"wait_for_invalidation_distribution_id": dist["id"], "wait_for_invalidation_timeout": 120},
    )
    run = run_playbook(playbook)
    assert run.rc == 0, run.output
    result = after_gate(tmp_path)["result"]
    assert result["completed"] is True and result["elapsed"] < 60
    assert [i["id"] for i in result["invalidations"]] == [running]
    assert late and late[0] not in run.stdout.split("Waiting up to")[0]


def test_nothing_in_progress_opens_at_once(cloudfront, tmp_path):
    dist = cloudfront.create_distribution()
    cloudfront.create_invalidation(dist["id"], complete_in=0)
    run = run_playbook(gate_play(tmp_path, cloudfront.url, {"wait_for_invalidation_distribution_id": dist["id"]}))
    assert run.rc == 0, run.output
    result = after_gate(tmp_path)["result"]
    assert result == {"completed": True, "elapsed": result["elapsed"], "invalidations": []}
    assert len(cloudfront.requests()) == 1


def test_hard_timeout_fails_naming_what_is_in_progress(cloudfront, tmp_path):
    dist = cloudfront.create_distribution()
    done = cloudfront.create_invalidation(dist["id"], complete_in=0)
    stuck = cloudfront.create_invalidation(dist["id"], complete_in=LONG)
    playbook = gate_play(
        tmp_path,
        cloudfront.url,
        {
            "wait_for_invalidation_distribution_id": dist["id"],
            "wait_for_invalidation_ids": [done, stuck],
            "wait_for_invalidation_timeout": 4,
            "wait_for_invalidation_progress_interval": 2,
        },
    )
    started = time.time()
    run = run_playbook(playbook)
    assert run.rc != 0
    assert not (tmp_path / "localhost.json").exists(), "a task after a failed gate ran"
    assert "wait_for_invalidation: timed out after" in run.stdout
    assert f"1 CloudFront invalidation(s) still in progress: distribution {dist['id']}: {stuck}" in run.stdout
    assert "Traceback" not in run.output
    assert time.time() - started < 30


def test_soft_timeout_reports_and_the_play_goes_on(cloudfront, tmp_path):
    dist = cloudfront.create_distribution()
    stuck = cloudfront.create_invalidation(dist["id"], complete_in=LONG)
    playbook = gate_play(
        tmp_path,
        cloudfront.url,
        {
            "wait_for_invalidation_distribution_id": dist["id"],
            "wait_for_invalidation_timeout": 3,
            "wait_for_invalidation_fail_on_timeout": False,
        },
    )
    run = run_playbook(playbook)
    assert run.rc == 0, run.output
    result = after_gate(tmp_path)["result"]
    assert result["completed"] is False and 3 <= result["elapsed"] < 30
    assert result["invalidations"] == [
        {"distribution_id": dist["id"], "id": stuck, "status": "InProgress", "completed": False}
    ]
    assert "soft gate open after" in run.stdout and stuck in run.stdout


def test_progress_is_reported_while_waiting(cloudfront, tmp_path, after_first_poll):
    dist = cloudfront.create_distribution()
    inv = cloudfront.create_invalidation(dist["id"], complete_in=LONG)
    after_first_poll(lambda: cloudfront.complete_in(inv, 10), "ListInvalidations")
    playbook = gate_play(
        tmp_path,
        cloudfront.url,
        {"wait_for_invalidation_distribution_id": dist["id"], "wait_for_invalidation_progress_interval": 5},
    )
    run = run_playbook(playbook)
    assert run.rc == 0, run.output
    lines = progress_lines(run)
    # a round lasts at most the 5 s interval plus a module start, however loaded the machine is
    assert len(lines) >= 2
    assert lines[0].startswith("0 of 1 CloudFront invalidation(s) completed after")
    assert f"still in progress: distribution {dist['id']}: {inv}" in lines[0]
    assert lines[-1].startswith("1 of 1")
    # the waiting happens inside the module: one module run per progress report, not one per poll
    polls = len(cloudfront.requests("GetInvalidation"))
    assert polls > len(lines)


@pytest.mark.parametrize(
    "role_vars, words",
    [
        (
            {},
            "give exactly one of wait_for_invalidation_distribution_id, wait_for_invalidation_alias and "
            "wait_for_invalidation_targets (none was given)",
        ),
        (
            {
                "wait_for_invalidation_distribution_id": "E2QWRUHAPOMQZL",
                "wait_for_invalidation_targets": [{"distribution_id": "E2QWRUHAPOMQZM"}],
            },
            "(several were given)",
        ),
        (
            {"wait_for_invalidation_distribution_id": "E2QWRUHAPOMQZL", "wait_for_invalidation_timeout": "soon"},
            "wait_for_invalidation_timeout",
        ),
        ({"wait_for_invalidation_targets": [{"distribution_id": "E2QWRUHAPOMQZL", "colour": "blue"}]}, "colour"),
        (
            {"wait_for_invalidation_targets": [{"distribution_id": "E2QWRUHAPOMQZL", "alias": "www.example.com"}]},
            "mutually exclusive: distribution_id|alias",
        ),
        (
            {"wait_for_invalidation_targets": [{"ids": ["I1"]}]},
            "one of the following is required: distribution_id, alias",
        ),
        (
            {
                "wait_for_invalidation_targets": [
                    {"distribution_id": "E2QWRUHAPOMQZL"},
                    {"distribution_id": "E2QWRUHAPOMQZM", "ids": ["I1", "bad id"]},
                ]
            },
            "target E2QWRUHAPOMQZM: distribution and invalidation IDs are upper-case letters and digits",
        ),
        ({"wait_for_invalidation_distribution_id": "e2qwruhapomqzl"}, "target e2qwruhapomqzl"),
        (
            {
                "wait_for_invalidation_targets": [{"distribution_id": "E2QWRUHAPOMQZL"}],
                "wait_for_invalidation_ids": ["I1"],
            },
            "wait_for_invalidation_ids goes with",
        ),
        (
            {"wait_for_invalidation_distribution_id": "E2QWRUHAPOMQZL", "wait_for_invalidation_timeout": 0},
            "must be at least 1",
        ),
    ],
)
def test_bad_inputs_are_refused_before_any_api_call(cloudfront, tmp_path, role_vars, words):
    run = run_playbook(gate_play(tmp_path, cloudfront.url, role_vars))
    assert run.rc != 0
    assert words in run.stdout
    assert cloudfront.requests() == []
    assert "Traceback" not in run.output


@pytest.mark.parametrize("example", ["deploy_with_gate.yml", "report_and_wait.yml"])
def test_example_playbooks_run_against_the_endpoint(cloudfront, example, after_first_poll):
    dist = cloudfront.create_distribution()
    inv = cloudfront.create_invalidation(dist["id"], ["/index.html"], complete_in=LONG)
    after_first_poll(lambda: cloudfront.complete_in(inv, 2))
    playbook = Path(__file__).resolve().parents[2] / "examples" / example
    run = run_playbook(
        playbook,
        extra_vars={"cloudfront_endpoint_url": cloudfront.url, "distribution_id": dist["id"], "invalidation_id": inv},
    )
    assert run.rc == 0, run.output
    assert "InProgress" in run.stdout and '"status": "Completed"' in run.stdout

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The wait_for_invalidation role: a deployment gate, in real ansible-playbook runs against the local endpoint."""

from __future__ import annotations

import re
import shutil
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import yaml

from ansible_collections.edgeops.cloudfront.tests.integration.gate_plays import (
    LONG,
    ROLE,
    after_gate,
    gate_play,
    progress_lines,
    waited,
)
from ansible_collections.edgeops.cloudfront.tests.integration.playbook_runner import (
    PROFILE_KEY,
    SECRET_KEY,
    SESSION_TOKEN,
    PlaybookRun,
    aws_env,
    profile_env,
    run_playbook,
)

# A Python without boto3: if the gate ran on the web servers, it would fail there.
SYSTEM_PYTHON = shutil.which("python3", path="/usr/bin")


def gate_result(seen: dict[str, Any]) -> dict[str, Any]:
    """The result's decisive keys (its msg and elapsed are checked where they matter)."""
    return {key: seen[key] for key in ("completed", "timed_out", "invalidations")}


@pytest.mark.skipif(SYSTEM_PYTHON is None, reason="needs a system Python without boto3")
def test_gate_runs_once_on_the_controller_and_holds_later_tasks(cloudfront, tmp_path, complete_after_first_poll):
    dist = cloudfront.create_distribution()
    inv = cloudfront.create_invalidation(dist["id"], complete_in=LONG)
    done = complete_after_first_poll({inv: 3}, "ListInvalidations")
    inventory = tmp_path / "hosts.ini"
    inventory.write_text(
        # hosts the controller cannot reach (nothing listens on port 9), with a Python without boto3:
        # the gate must run on the controller, in the controller's Python
        "[web]\nweb1\nweb2\nweb3\n\n[web:vars]\nansible_connection=ssh\nansible_host=127.0.0.1\nansible_port=9\n"
        f"ansible_python_interpreter={SYSTEM_PYTHON}\n"
    )
    playbook = gate_play(tmp_path, cloudfront.url, {"wait_for_invalidation_distribution_id": dist["id"]}, hosts="web")
    run = run_playbook(playbook, inventory=inventory)
    assert run.rc == 0, run.output
    # once, not per host: one listing at the start, whatever the number of hosts
    assert len(cloudfront.requests("ListInvalidations")) == 1
    for host in ("web1", "web2", "web3"):
        seen = after_gate(tmp_path, host)
        assert seen["time"] >= done.last, "a task after the gate ran before the invalidation completed"
        assert gate_result(seen["result"]) == {
            "completed": True,
            "timed_out": False,
            "invalidations": [{"distribution_id": dist["id"], "id": inv, "status": "Completed", "completed": True}],
        }
        assert seen["result"]["elapsed"] >= 2.5


def test_the_readmes_first_example_gates_by_alias_with_a_profile_from_module_defaults(
    cloudfront, tmp_path, complete_after_first_poll
):
    """README.md's first example, as written: a play over a host group, the profile from the play's
    module_defaults (group/edgeops.cloudfront.aws), the role included with the alias and the release's
    invalidation ID; the next task runs once CloudFront has completed it."""
    dist = cloudfront.create_distribution(aliases=["www.example.com"])
    inv = cloudfront.create_invalidation(dist["id"], complete_in=LONG)
    # the alias lookup lists the distributions; the gate then reads the invalidation
    done = complete_after_first_poll({inv: 3})
    inventory = tmp_path / "hosts.ini"
    inventory.write_text("[webservers]\nweb1\nweb2\n\n[webservers:vars]\nansible_connection=local\n")
    play = {
        "name": "Release www.example.com",
        "hosts": "webservers",
        "gather_facts": False,
        "module_defaults": {"group/edgeops.cloudfront.aws": {"profile": "deploy", "endpoint_url": cloudfront.url}},
        "tasks": [
            {
                "name": "Hold until CloudFront has completed the invalidation",
                "ansible.builtin.include_role": {"name": ROLE},
                "vars": {
                    "wait_for_invalidation_alias": "www.example.com",
                    "wait_for_invalidation_ids": [inv],
                    "wait_for_invalidation_timeout": 1800,
                },
            },
            {
                "name": "Smoke test (runs only once CloudFront serves the new content)",
                "record_json": {
                    "dest": str(tmp_path / "{{ inventory_hostname }}.json"),
                    "content": "{{ {'time': now().timestamp(), 'result': wait_for_invalidation_result} | to_json }}",
                },
                "delegate_to": "localhost",
            },
        ],
    }
    playbook = tmp_path / "release.yml"
    playbook.write_text(yaml.safe_dump([play], sort_keys=False))
    run = run_playbook(playbook, env=profile_env(tmp_path, "deploy"), inventory=inventory)
    assert run.rc == 0, run.output
    for host in ("web1", "web2"):
        seen = after_gate(tmp_path, host)
        assert seen["time"] >= done.last and seen["result"]["completed"] is True
        assert [i["id"] for i in seen["result"]["invalidations"]] == [inv]
    requests = cloudfront.requests()
    assert {r["access_key_id"] for r in requests} == {PROFILE_KEY}  # the profile's, signed with its secret
    assert [r["operation"] for r in requests][0] == "ListDistributions"  # found by its alias
    assert len(cloudfront.requests("ListDistributions")) == 1  # once, not per host


def test_the_roles_own_profile_and_endpoint_settings_are_used(cloudfront, tmp_path):
    """wait_for_invalidation_profile and wait_for_invalidation_endpoint_url, where neither the
    environment nor module_defaults give them."""
    dist = cloudfront.create_distribution()["id"]
    inv = cloudfront.create_invalidation(dist, complete_in=0)
    play = {
        "name": "Gate with the role's own settings",
        "hosts": "localhost",
        "gather_facts": False,
        "roles": [
            {
                "role": ROLE,
                "wait_for_invalidation_distribution_id": dist,
                "wait_for_invalidation_ids": [inv],
                "wait_for_invalidation_profile": "release-bot",
                "wait_for_invalidation_endpoint_url": cloudfront.url,
            }
        ],
    }
    playbook = tmp_path / "gate.yml"
    playbook.write_text(yaml.safe_dump([play], sort_keys=False))
    run = run_playbook(playbook, env=profile_env(tmp_path, "release-bot"))
    assert run.rc == 0, run.output
    requests = cloudfront.requests()
    assert requests and {r["access_key_id"] for r in requests} == {PROFILE_KEY}


@pytest.mark.waits
def test_several_distributions_finishing_at_different_times(cloudfront, tmp_path, complete_after_first_poll):
    first = cloudfront.create_distribution(aliases=["www.example.com"])
    second = cloudfront.create_distribution(aliases=["static.example.com"])
    third = cloudfront.create_distribution()
    a = [cloudfront.create_invalidation(first["id"], [f"/a{n}"], complete_in=LONG) for n in range(2)]
    b = [cloudfront.create_invalidation(second["id"], [f"/b{n}"], complete_in=LONG) for n in range(2)]
    c = [cloudfront.create_invalidation(third["id"], [f"/c{n}"], complete_in=LONG) for n in range(2)]
    # the gate's resolve step reads each of the 3 distributions once (ListInvalidations); the
    # completions count from the first poll of the wait, the 4th ListInvalidations
    done = complete_after_first_poll(dict(zip(a + b + c, [2, 9, 3, 5, 7, 11])), "ListInvalidations", count=4)
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
    assert seen["time"] >= done.last
    result = seen["result"]
    assert result["completed"] is True
    got = {(i["distribution_id"], i["id"]) for i in result["invalidations"]}
    assert got == {(first["id"], i) for i in a} | {(second["id"], i) for i in b} | {(third["id"], i) for i in c}
    assert all(i["status"] == "Completed" and i["completed"] for i in result["invalidations"])
    lines = progress_lines(run)
    assert len(lines) >= 2 and lines[-1].startswith("6 of 6") and not lines[0].startswith("6 of 6")


def test_empty_ids_waits_for_exactly_those_in_progress_at_the_start(cloudfront, tmp_path, after_first_poll):
    """Two in progress at the start (the gate polls them with ListInvalidations pages, newest first),
    one created once the gate has looked: it is on every page the gate reads after that, and never
    waited for."""
    dist = cloudfront.create_distribution()
    cloudfront.create_invalidation(dist["id"], complete_in=0)
    running = [cloudfront.create_invalidation(dist["id"], [f"/{n}"], complete_in=LONG) for n in range(2)]
    late: list[str] = []
    created_late: list[float] = []

    def later() -> None:
        late.append(cloudfront.create_invalidation(dist["id"], complete_in=LONG))
        created_late.append(time.time())
        for invalidation in running:
            cloudfront.complete_in(invalidation, 2)

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
    assert sorted(i["id"] for i in result["invalidations"]) == sorted(running)
    # the gate read pages that held the late one (newest first), and never waited for it: in no
    # progress line, nor in the result
    assert late and any(r["time"] > created_late[0] for r in cloudfront.requests("ListInvalidations"))
    assert late[0] not in run.stdout


def test_nothing_in_progress_opens_at_once(cloudfront, tmp_path):
    dist = cloudfront.create_distribution()
    cloudfront.create_invalidation(dist["id"], complete_in=0)
    run = run_playbook(gate_play(tmp_path, cloudfront.url, {"wait_for_invalidation_distribution_id": dist["id"]}))
    assert run.rc == 0, run.output
    result = after_gate(tmp_path)["result"]
    assert gate_result(result) == {"completed": True, "timed_out": False, "invalidations": []}
    assert result["msg"] == f"0 of 0 CloudFront invalidation(s) completed after {result['elapsed']}s"
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
            "wait_for_invalidation_progress_interval": 10,
        },
    )
    run = run_playbook(playbook)
    assert run.rc != 0
    assert not (tmp_path / "localhost.json").exists(), "a task after a failed gate ran"
    timed_out = re.search(
        r"Timed out after ([\d.]+)s \(wait_for_invalidation_timeout=4\): 1 CloudFront invalidation\(s\) still in"
        f" progress: distribution {dist['id']}: {stuck}",
        run.stdout,
    )
    assert timed_out, run.stdout
    # at the deadline, give or take its last request (timeouts of 1 and 2 s this close to it) and
    # the module run's end: not a progress interval (10 s) later
    assert 4 <= float(timed_out.group(1)) <= 4 + 3.5
    assert "Traceback" not in run.output


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
    assert gate_result(result) == {
        "completed": False,
        "timed_out": True,
        "invalidations": [{"distribution_id": dist["id"], "id": stuck, "status": "InProgress", "completed": False}],
    }
    # at the deadline, give or take its last request and the module run's end: not a progress
    # interval (50 s, the default) later
    assert 3 <= result["elapsed"] <= 3 + 3.5
    # at the default verbosity, as a warning (on stderr)
    assert f"[WARNING]: Soft gate open after {result['elapsed']}s (wait_for_invalidation_timeout=3)" in run.stderr
    assert result["msg"].endswith(f"still in progress: distribution {dist['id']}: {stuck}")


@pytest.mark.waits
def test_a_gate_of_several_rounds_ends_at_its_deadline_hard_or_soft(cloudfront, tmp_path):
    """A timeout of 25 s at a progress interval of 5 s: two rounds (a module run waits 20 s at least).
    Judged by the endpoint's records and the test's clock, not by what the gate says of itself: its
    last request comes at its deadline (counted from before its first request), its task ends a few
    seconds later, not a progress interval later, and never before the deadline."""
    timeout, interval = 25, 5
    gates = {}
    for hardness in ("hard", "soft"):
        dist = cloudfront.create_distribution()["id"]
        stuck = cloudfront.create_invalidation(dist, complete_in=LONG)
        key = f"AKIAEDGEOPSDEADLINE{hardness[0].upper()}"
        cloudfront.register_credentials(key, SECRET_KEY, SESSION_TOKEN)
        role_vars = {
            "wait_for_invalidation_distribution_id": dist,
            "wait_for_invalidation_ids": [stuck],
            "wait_for_invalidation_timeout": timeout,
            "wait_for_invalidation_progress_interval": interval,
            "wait_for_invalidation_fail_on_timeout": hardness == "hard",
        }
        (tmp_path / hardness).mkdir()
        gates[hardness] = (key, (dist, stuck), gate_play(tmp_path / hardness, cloudfront.url, role_vars, rescue=True))
    started = time.time()
    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = {
            h: pool.submit(run_playbook, book, env=aws_env(AWS_ACCESS_KEY_ID=key))
            for h, (key, _i, book) in gates.items()
        }
        runs = {h: run.result() for h, run in runs.items()}
    for hardness, (key, (dist, stuck), _book) in gates.items():
        run = runs[hardness]
        assert run.rc == 0, run.output  # the hard gate's failure is rescued
        rescued = (tmp_path / hardness / "rescued.json").exists()
        assert rescued is (hardness == "hard"), run.output
        seen = after_gate(tmp_path / hardness)  # the task after the gate (after the rescue, if any)
        assert gate_result(seen["result"]) == {
            "completed": False,
            "timed_out": True,
            "invalidations": [{"distribution_id": dist, "id": stuck, "status": "InProgress", "completed": False}],
        }
        requests = [r["time"] for r in cloudfront.requests() if r["access_key_id"] == key]
        first, last = requests[0], requests[-1]
        # the gate started before its first request: no request after its deadline, and its last poll
        # at the deadline (not a round or a progress interval early)
        assert first + timeout - 2.5 <= last <= first + timeout + 0.5, [round(t - first, 1) for t in requests]
        assert started + timeout <= seen["time"] <= first + timeout + 4.5, (seen["time"] - first, started - first)
        assert ("Timed out after" if hardness == "hard" else "Soft gate open after") in run.output


@pytest.mark.waits
def test_progress_lines_come_at_least_once_per_interval_and_at_each_completion(
    cloudfront, tmp_path, complete_after_first_poll
):
    """At least once per interval (3 s here), at each completion, and no more often: between two
    lines that say the same, half an interval at least (a round that ends says a line only then)."""
    dist = cloudfront.create_distribution()
    first = cloudfront.create_invalidation(dist["id"], ["/a"], complete_in=LONG)
    second = cloudfront.create_invalidation(dist["id"], ["/b"], complete_in=LONG)
    # the resolve step lists the distribution once; the wait's polls read both with one list each
    complete_after_first_poll({first: 4, second: 14}, "ListInvalidations")
    playbook = gate_play(
        tmp_path,
        cloudfront.url,
        {"wait_for_invalidation_distribution_id": dist["id"], "wait_for_invalidation_progress_interval": 3},
    )
    run = run_playbook(playbook)
    assert run.rc == 0, run.output
    lines = progress_lines(run)
    assert lines[0].startswith("0 of 2 CloudFront invalidation(s) completed after")
    # newest first, as CloudFront lists them
    assert lines[0].endswith(f"still in progress: distribution {dist['id']}: {second}, {first}")
    assert any(line.startswith("1 of 2") and line.endswith(f"{dist['id']}: {second}") for line in lines)
    assert lines[-1].startswith("2 of 2") and "still in progress" not in lines[-1]
    # a line at least every interval (3 s, and what a thread's wake-up can add on a busy machine);
    # the first is due an interval after the line that says what the gate waits for, which comes
    # after the gate's first module run (the resolve step, a second or more on a busy machine)
    times = [waited(line) for line in lines]
    assert max(b - a for a, b in zip(times, times[1:])) <= 3 + 1.0, times
    # no more often: a gate that said a line every second would say the same thing 1 s apart
    same = [b - a for (a, x), (b, y) in zip(zip(times, lines), zip(times[1:], lines[1:])) if x[:6] == y[:6]]
    assert same and min(same) >= 3 / 2 - 0.2, times
    assert len(lines) <= times[-1] / 1.5 + 3, times
    # each completion is said when a poll sees it: the first, 10 s before the second, is not
    # held back until the module run ends with the second
    first_seen = next(waited(line) for line in lines if line.startswith("1 of 2"))
    assert waited(lines[-1]) - first_seen >= 4


@pytest.mark.parametrize(
    "role_vars, words",
    [
        (
            {},
            "give exactly one of wait_for_invalidation_distribution_id, wait_for_invalidation_distribution_tenant_id,"
            " wait_for_invalidation_alias and wait_for_invalidation_targets (none was given)",
        ),
        (
            {
                "wait_for_invalidation_distribution_id": "E2QWRUHAPOMQZL",
                "wait_for_invalidation_targets": [{"distribution_id": "E2QWRUHAPOMQZM"}],
            },
            "(several were given)",
        ),
        (
            {
                "wait_for_invalidation_targets": [
                    {"distribution_id": "E2QWRUHAPOMQZL"},
                    {"distribution_id": "E2QWRUHAPOMQZM", "ids": ["I1", "bad id"]},
                ]
            },
            "wait_for_invalidation_targets[1].ids[1] 'bad id' is not a CloudFront ID",
        ),
        (
            {"wait_for_invalidation_distribution_id": "e2qwruhapomqzl"},
            "wait_for_invalidation_distribution_id 'e2qwruhapomqzl' is not a CloudFront ID",
        ),
        (
            {
                "wait_for_invalidation_targets": [{"distribution_id": "E2QWRUHAPOMQZL"}],
                "wait_for_invalidation_ids": ["I1"],
            },
            "wait_for_invalidation_ids goes with",
        ),
        (
            {"wait_for_invalidation_distribution_id": "E2QWRUHAPOMQZL", "wait_for_invalidation_timeout": 0},
            "wait_for_invalidation_timeout must be at least 1, got 0",
        ),
        # a target is checked by the gate, with the info module's rule for its targets
        (
            {"wait_for_invalidation_targets": [{"distribution_id": "E2QWRUHAPOMQZL", "colour": "blue"}]},
            "wait_for_invalidation_targets[0] has unsupported key(s) colour",
        ),
        (
            {"wait_for_invalidation_targets": [{"distribution_id": "E2QWRUHAPOMQZL", "alias": "www.example.com"}]},
            "wait_for_invalidation_targets[0]: give exactly one of distribution_id, distribution_tenant_id, alias",
        ),
        (
            {"wait_for_invalidation_targets": [{"ids": ["I1"]}]},
            "wait_for_invalidation_targets[0]: give exactly one of distribution_id, distribution_tenant_id, alias",
        ),
    ],
)
def test_bad_inputs_are_refused_before_any_api_call_and_the_result_says_so(cloudfront, tmp_path, role_vars, words):
    """Input errors of the gate itself: they end it like any failure, result set and published."""
    playbook = gate_play(tmp_path, cloudfront.url, role_vars, rescue=True)
    run = run_playbook(playbook)
    assert run.rc == 0, run.output
    assert cloudfront.requests() == []
    assert "Traceback" not in run.output
    rescued = after_gate(tmp_path, "rescued")
    assert words in rescued["msg"]
    assert rescued["result"] == {
        "completed": False,
        "timed_out": False,
        "elapsed": 0.0,
        "invalidations": [],
        "msg": rescued["msg"],
    }


@pytest.mark.parametrize(
    "role_vars, words",
    [
        (
            {"wait_for_invalidation_distribution_id": "E2QWRUHAPOMQZL", "wait_for_invalidation_timeout": "soon"},
            "wait_for_invalidation_timeout",
        ),
        (
            {"wait_for_invalidation_distribution_id": "E2QWRUHAPOMQZL", "wait_for_invalidation_result_name": "a-b"},
            'wait_for_invalidation_result_name "a-b" must be a variable name',
        ),
        (
            {
                "wait_for_invalidation_distribution_id": "E2QWRUHAPOMQZL",
                "wait_for_invalidation_result_name": "ansible_python_interpreter",
            },
            "not one of Ansible's",
        ),
    ],
)
def test_misuse_of_the_role_is_refused_before_the_gate_starts(cloudfront, tmp_path, role_vars, words):
    """Wrong types and shapes (role argument validation) and a result name that cannot be one:
    the role is misused, the gate does not start, nothing is published."""
    run = run_playbook(gate_play(tmp_path, cloudfront.url, role_vars))
    assert run.rc != 0
    assert words in run.stdout
    assert cloudfront.requests() == []
    assert "Traceback" not in run.output
    assert "Hold until CloudFront" not in run.stdout


@pytest.mark.parametrize("example", ["deploy_with_gate.yml", "report_and_wait.yml"])
def test_example_playbooks_run_against_the_endpoint(cloudfront, example, complete_after_first_poll):
    dist = cloudfront.create_distribution()
    inv = cloudfront.create_invalidation(dist["id"], ["/index.html"], complete_in=LONG)
    complete_after_first_poll({inv: 2})
    playbook = Path(__file__).resolve().parents[2] / "examples" / example
    run = run_playbook(
        playbook,
        extra_vars={"cloudfront_endpoint_url": cloudfront.url, "distribution_id": dist["id"], "invalidation_id": inv},
    )
    assert run.rc == 0, run.output
    assert "InProgress" in run.stdout and '"status": "Completed"' in run.stdout


LONG_GATE = 305  # seconds: more than 300 progress lines at a 1 s interval


@pytest.mark.long
def test_a_gate_of_more_than_300_rounds_ends_right_and_each_round_costs_the_same(cloudfront, tmp_path):
    """Two gates of over 300 progress rounds side by side, one that completes and one that times
    out: ansible-core's nesting limit (about 245 includes) is far behind, each round costs the
    same to the end, and a round is a progress line: the gate runs no module."""
    opens = cloudfront.create_distribution()["id"]
    stays = cloudfront.create_distribution()["id"]
    completes = cloudfront.create_invalidation(opens, complete_in=LONG_GATE + 5)
    stuck = cloudfront.create_invalidation(stays, complete_in=LONG)
    gates = {
        "completes": {"wait_for_invalidation_distribution_id": opens, "wait_for_invalidation_ids": [completes]},
        "times_out": {
            "wait_for_invalidation_distribution_id": stays,
            "wait_for_invalidation_ids": [stuck],
            "wait_for_invalidation_timeout": LONG_GATE,
        },
    }

    def gate(name: str) -> PlaybookRun:
        work = tmp_path / name
        work.mkdir()
        role_vars = {**gates[name], "wait_for_invalidation_progress_interval": 1}
        return run_playbook(gate_play(work, cloudfront.url, role_vars, rescue=True), verbosity=3, timeout=900)

    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = dict(zip(gates, pool.map(gate, gates)))
    completed = after_gate(tmp_path / "completes")["result"]
    assert runs["completes"].rc == 0 and completed["completed"] is True
    assert completed["invalidations"][0]["status"] == "Completed"
    rescued = after_gate(tmp_path / "times_out", "rescued")
    assert rescued["result"]["timed_out"] is True and rescued["result"]["completed"] is False
    assert rescued["msg"].startswith("Timed out after")
    assert rescued["msg"].endswith(f"still in progress: distribution {stays}: {stuck}")
    # the deadline holds: what a last module run can add (its start, one request), not a round more
    assert LONG_GATE <= rescued["result"]["elapsed"] <= LONG_GATE + 4
    for name, run in runs.items():
        assert "Traceback" not in run.output and "recursion" not in run.output, name
        times = [waited(line) for line in progress_lines(run)]
        assert len(times) > 300, (name, len(times))
        gaps = [b - a for a, b in zip(times, times[1:])]
        # at least one line per interval, from the first round to the last ...
        assert max(gaps) <= 1 + 1.0, (name, max(gaps))
        # ... and the last rounds take no longer than the first ones
        assert statistics.mean(gaps[-50:]) <= statistics.mean(gaps[:50]) + 0.05, name
        # a round is a line, and costs nothing but the line: the gate runs no module at all
        assert "/plugins/modules/cloudfront_invalidation_info.py" not in run.stdout, name

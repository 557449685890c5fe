# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The gate talks to CloudFront itself, in one process from start to verdict: one session (one
sts:AssumeRole with a role profile, however many polls), its connections kept alive, and the
connection settings a module run would have had (module_defaults, the task's environment:,
check mode). Real ansible-playbook runs against the local endpoint, which answers STS too."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from ansible_collections.edgeops.cloudfront.tests.integration.gate_plays import LONG, ROLE
from ansible_collections.edgeops.cloudfront.tests.integration.playbook_runner import (
    PROFILE_KEY,
    PROFILE_SECRET,
    credential_free_env,
    run_playbook,
)


def role_profile_env(tmp_path: Path, endpoint: str) -> dict[str, str]:
    """Credentials only through the profile ``gate``, which assumes a role with the keys of ``base``
    (STS at the local endpoint)."""
    config = tmp_path / "config"
    config.write_text(
        "[profile gate]\nrole_arn = arn:aws:iam::123456789012:role/deploy\nsource_profile = base\n\n[profile base]\n"
    )
    credentials = tmp_path / "credentials"
    credentials.write_text(f"[base]\naws_access_key_id = {PROFILE_KEY}\naws_secret_access_key = {PROFILE_SECRET}\n")
    return credential_free_env(
        tmp_path,
        AWS_CONFIG_FILE=str(config),
        AWS_SHARED_CREDENTIALS_FILE=str(credentials),
        AWS_ENDPOINT_URL_STS=endpoint,
    )


def play(tmp_path: Path, endpoint: str, role_vars: dict[str, Any], **keywords: Any) -> Path:
    gate: dict[str, Any] = {"name": "The gate", "ansible.builtin.include_role": {"name": ROLE}, "vars": role_vars}
    if keywords:  # on a block around it (include_role takes no environment:)
        gate = {"name": "Around the gate", "block": [gate], **keywords}
    record = {
        "name": "Record the result",
        "record_json": {
            "dest": str(tmp_path / "result.json"),
            "content": "{{ wait_for_invalidation_result | to_json }}",
        },
    }
    plays = [
        {
            "name": "Gate",
            "hosts": "localhost",
            "gather_facts": False,
            "module_defaults": {"group/edgeops.cloudfront.aws": {"endpoint_url": endpoint}},
            "tasks": [gate, record],
        }
    ]
    playbook = tmp_path / "gate.yml"
    playbook.write_text(yaml.safe_dump(plays, sort_keys=False))
    return playbook


def result_of(tmp_path: Path) -> dict[str, Any]:
    return yaml.safe_load((tmp_path / "result.json").read_text())


@pytest.mark.waits
def test_a_gate_with_a_role_profile_assumes_the_role_once_and_keeps_its_connection(
    cloudfront, tmp_path, complete_after_first_poll
):
    dist = cloudfront.create_distribution()["id"]
    inv = cloudfront.create_invalidation(dist, complete_in=LONG)
    # the lookup reads it; several polls of the wait follow before it completes
    complete_after_first_poll({inv: 8}, "GetInvalidation")
    role_vars = {
        "wait_for_invalidation_distribution_id": dist,
        "wait_for_invalidation_ids": [inv],
        "wait_for_invalidation_profile": "gate",
        "wait_for_invalidation_progress_interval": 1,
    }
    run = run_playbook(play(tmp_path, cloudfront.url, role_vars), env=role_profile_env(tmp_path, cloudfront.url))
    assert run.rc == 0, run.output
    assert result_of(tmp_path)["completed"] is True
    requests = cloudfront.requests()
    sts = [r for r in requests if r["service"] == "sts"]
    polls = [r for r in requests if r["operation"] == "GetInvalidation"]
    assert len(sts) == 1 and sts[0]["access_key_id"] == PROFILE_KEY, sts
    # the gate's every request signed with the role's credentials, on one kept-alive connection
    assert len(polls) >= 4 and len({r["access_key_id"] for r in polls}) == 1
    assert polls[0]["access_key_id"].startswith("ASIA") and polls[0]["session_token"]
    assert len({r["connection"] for r in polls}) == 1, polls


def test_the_tasks_environment_reaches_the_gate(cloudfront, tmp_path):
    """environment: on a block around the gate (as on any task) gives the gate what it gives a module
    run: here, the profile, the only credentials there are."""
    dist = cloudfront.create_distribution()["id"]
    inv = cloudfront.create_invalidation(dist, complete_in=0)
    credentials = tmp_path / "credentials"
    credentials.write_text(f"[deploy]\naws_access_key_id = {PROFILE_KEY}\naws_secret_access_key = {PROFILE_SECRET}\n")
    env = credential_free_env(tmp_path, AWS_SHARED_CREDENTIALS_FILE=str(credentials))
    role_vars = {"wait_for_invalidation_distribution_id": dist, "wait_for_invalidation_ids": [inv]}
    run = run_playbook(play(tmp_path, cloudfront.url, role_vars, environment={"AWS_PROFILE": "deploy"}), env=env)
    assert run.rc == 0, run.output
    assert result_of(tmp_path)["completed"] is True
    assert {r["access_key_id"] for r in cloudfront.requests()} == {PROFILE_KEY}


def test_the_gate_runs_in_check_mode(cloudfront, tmp_path, complete_after_first_poll):
    dist = cloudfront.create_distribution()["id"]
    inv = cloudfront.create_invalidation(dist, complete_in=LONG)
    done = complete_after_first_poll({inv: 2}, "GetInvalidation")
    role_vars = {"wait_for_invalidation_distribution_id": dist, "wait_for_invalidation_ids": [inv]}
    run = run_playbook(play(tmp_path, cloudfront.url, role_vars), args=["--check"])
    assert run.rc == 0, run.output
    assert cloudfront.requests("GetInvalidation")[-1]["answered"] >= done.last  # it waited
    assert "1 of 1 CloudFront invalidation(s) completed" in run.stdout

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The gate as an AWX job: run through ansible-runner, the engine AWX runs jobs with.

Credentials reach the job only as environment variables, as AWX's AWS credential injects
them; the job's playbook is the collection's job-template playbook, imported from a
project the way an AWX project would hold it.
"""

from __future__ import annotations

import os
from pathlib import Path

import ansible_runner
import pytest
from playbook_runner import ACCESS_KEY, SECRET_KEY, SESSION_TOKEN

SECRETS = (SECRET_KEY, SESSION_TOKEN)


def awx_project(tmp_path: Path) -> Path:
    """A private data dir laid out like an AWX job's: project/ with the job template's playbook."""
    private = tmp_path / "job"
    (private / "project").mkdir(parents=True)
    (private / "project" / "gate.yml").write_text(
        "---\n- name: CloudFront gate (job template)\n"
        "  ansible.builtin.import_playbook: edgeops.cloudfront.invalidation_gate\n"
    )
    return private


def run_job(private: Path, extravars: dict, envvars: dict, verbosity: int = 0) -> ansible_runner.Runner:
    """Run the job; then remove artifacts/<ident>/command, where ansible-runner writes the
    job's environment, secrets included (suppress_env_files does not cover it)."""
    runner = ansible_runner.run(
        private_data_dir=str(private),
        playbook="gate.yml",
        extravars=extravars,
        envvars=envvars,
        quiet=True,
        suppress_env_files=True,
        verbosity=verbosity,
    )
    (private / "artifacts" / runner.config.ident / "command").unlink()
    return runner


def artifact_texts(private: Path) -> str:
    return "\n".join(p.read_text(errors="replace") for p in private.rglob("*") if p.is_file())


@pytest.fixture
def awx_env() -> dict[str, str]:
    """What AWX's AWS credential injects, plus what the runner needs to find the collection."""
    return {
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_SECURITY_TOKEN": SESSION_TOKEN,
        "AWS_SESSION_TOKEN": SESSION_TOKEN,
        "ANSIBLE_COLLECTIONS_PATH": os.environ["ANSIBLE_COLLECTIONS_PATH"],
    }


@pytest.mark.parametrize("verbosity", [0, 3])
def test_gate_job_passes_its_result_to_the_next_workflow_node(
    cloudfront, tmp_path, awx_env, after_first_poll, verbosity
):
    dist = cloudfront.create_distribution()
    inv = [cloudfront.create_invalidation(dist["id"], [f"/{n}"], complete_in=3600) for n in range(2)]
    after_first_poll(lambda: [cloudfront.complete_in(i, 2) for i in inv])
    private = awx_project(tmp_path)
    extravars = {
        "cloudfront_distribution_id": dist["id"],
        "cloudfront_invalidation_ids": f"{inv[0]}, {inv[1]}\n",
        "cloudfront_gate_timeout": "120",
        "cloudfront_endpoint_url": cloudfront.url,
    }
    runner = run_job(private, extravars, awx_env, verbosity)
    assert runner.status == "successful", runner.stdout.read()
    assert runner.rc == 0
    # the credential reached the module through the environment only
    assert {r["access_key_id"] for r in cloudfront.requests()} == {ACCESS_KEY}
    stats = [e for e in runner.events if e["event"] == "playbook_on_stats"]
    assert len(stats) == 1
    result = stats[0]["event_data"]["artifact_data"]["wait_for_invalidation_result"]
    assert result["completed"] is True
    assert sorted(i["id"] for i in result["invalidations"]) == sorted(inv)
    assert all(i["status"] == "Completed" for i in result["invalidations"])
    # no secret in the job's output, its events or anything left in its artifacts
    text = artifact_texts(private)
    assert not any(secret in text for secret in SECRETS)


def test_failed_gate_job_still_publishes_its_result(cloudfront, tmp_path, awx_env):
    dist = cloudfront.create_distribution()
    stuck = cloudfront.create_invalidation(dist["id"], complete_in=3600)
    private = awx_project(tmp_path)
    extravars = {
        "cloudfront_distribution_id": dist["id"],
        "cloudfront_invalidation_ids": [stuck],
        "cloudfront_gate_timeout": 3,
        "cloudfront_endpoint_url": cloudfront.url,
    }
    runner = run_job(private, extravars, awx_env)
    assert runner.status == "failed"
    stdout = runner.stdout.read()
    assert f"distribution {dist['id']}: {stuck}" in stdout
    stats = [e for e in runner.events if e["event"] == "playbook_on_stats"]
    result = stats[0]["event_data"]["artifact_data"]["wait_for_invalidation_result"]
    assert result["completed"] is False and result["invalidations"][0]["id"] == stuck
    assert not any(secret in artifact_texts(private) for secret in SECRETS)


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
        extravars={"cloudfront_distribution_id": dist["id"], "cloudfront_endpoint_url": cloudfront.url},
    )
    assert runner.status == "successful", runner.stdout.read()
    leaked = {p for p in private.rglob("*") if p.is_file() and SECRET_KEY in p.read_text(errors="replace")}
    command = private / "artifacts" / runner.config.ident / "command"
    try:
        assert leaked == {command}
    finally:
        command.unlink()
    assert not any(secret in artifact_texts(private) for secret in SECRETS)

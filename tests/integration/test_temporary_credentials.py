# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Temporary credentials (an ``ASIA...`` key and its session token), as AWX injects them.

The local endpoint refuses a temporary key that comes without its token, as AWS does; older AWX
controllers inject the token as AWS_SECURITY_TOKEN alone, which amazon.aws 10 no longer reads.
"""

from __future__ import annotations

import os

from ansible_collections.edgeops.cloudfront.tests.integration.awx_jobs import artifacts, awx_project, run_job
from ansible_collections.edgeops.cloudfront.tests.integration.gate_plays import after_gate, gate_play
from ansible_collections.edgeops.cloudfront.tests.integration.playbook_runner import (
    SECRET_KEY,
    SESSION_TOKEN,
    TEMPORARY_KEY,
    assert_no_secret_in,
    aws_env,
    run_module,
    run_playbook,
)


def temporary_env(**tokens: str) -> dict[str, str]:
    """The environment of a run with a temporary key and only the tokens given."""
    env = aws_env(AWS_ACCESS_KEY_ID=TEMPORARY_KEY)
    env.pop("AWS_SESSION_TOKEN")
    env.update(tokens)
    return env


def assert_signed_with_the_token(cloudfront) -> None:
    requests = cloudfront.requests()
    assert requests and all(r["access_key_id"] == TEMPORARY_KEY and r["session_token"] for r in requests)


def test_the_module_reads_aws_security_token_for_the_environments_key(cloudfront, tmp_path):
    dist = cloudfront.create_distribution()["id"]
    inv = cloudfront.create_invalidation(dist, complete_in=0)
    run = run_module(
        cloudfront.url,
        {"distribution_id": dist, "invalidation_id": inv},
        tmp_path,
        env=temporary_env(AWS_SECURITY_TOKEN=SESSION_TOKEN),
    )
    assert run.result["invalidation"]["status"] == "Completed"
    assert_signed_with_the_token(cloudfront)
    assert SESSION_TOKEN not in run.output


def test_a_temporary_key_without_its_token_fails_naming_the_session_token(cloudfront, tmp_path):
    dist = cloudfront.create_distribution()["id"]
    inv = cloudfront.create_invalidation(dist, complete_in=0)
    run = run_module(cloudfront.url, {"distribution_id": dist, "invalidation_id": inv}, tmp_path, env=temporary_env())
    result = run.result
    assert result["failed"] is True and result["error_code"] == "InvalidClientTokenId"
    assert (
        f"the access key {TEMPORARY_KEY} is a temporary one (ASIA...), and no session token was given" in result["msg"]
    )
    assert "set session_token, or AWS_SESSION_TOKEN (or AWS_SECURITY_TOKEN)" in result["msg"]
    assert len(cloudfront.requests()) == 1  # not retried: a retry cannot mend it
    assert "Traceback" not in run.output


def test_the_gate_reads_aws_security_token(cloudfront, tmp_path, complete_after_first_poll):
    dist = cloudfront.create_distribution()["id"]
    inv = cloudfront.create_invalidation(dist, complete_in=3600)
    complete_after_first_poll({inv: 2}, "GetDistribution")
    playbook = gate_play(tmp_path, cloudfront.url, {"wait_for_invalidation_distribution_id": dist})
    run = run_playbook(playbook, env=temporary_env(AWS_SECURITY_TOKEN=SESSION_TOKEN))
    assert run.rc == 0, run.output
    assert after_gate(tmp_path)["result"]["completed"] is True
    assert_signed_with_the_token(cloudfront)
    assert SESSION_TOKEN not in run.output


def test_the_awx_job_reads_aws_security_token(cloudfront, tmp_path):
    """An older AWX controller's AWS credential: the token as AWS_SECURITY_TOKEN only."""
    dist = cloudfront.create_distribution()["id"]
    inv = cloudfront.create_invalidation(dist, complete_in=0)
    envvars = {
        "AWS_ACCESS_KEY_ID": TEMPORARY_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_SECURITY_TOKEN": SESSION_TOKEN,
        "AWS_ENDPOINT_URL_CLOUDFRONT": cloudfront.url,
        "ANSIBLE_COLLECTIONS_PATH": os.environ["ANSIBLE_COLLECTIONS_PATH"],
    }
    private = awx_project(tmp_path)
    answers = {"cloudfront_distribution_id": dist, "cloudfront_invalidation_ids": inv}
    runner = run_job(private, answers, envvars)
    assert runner.status == "successful", runner.stdout.read()
    assert artifacts(runner)["wait_for_invalidation_result"]["completed"] is True
    assert_signed_with_the_token(cloudfront)
    assert_no_secret_in(private)

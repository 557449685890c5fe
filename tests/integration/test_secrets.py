# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""No secret key or session token in any output or result, at the default verbosity and at -vvv."""

from __future__ import annotations

import json

import pytest
import yaml

from ansible_collections.edgeops.cloudfront.tests.integration.playbook_runner import (
    ACCESS_KEY,
    OPTION_SECRET,
    OPTION_TOKEN,
    assert_no_secret,
    aws_env,
    run_module,
    run_playbook,
)


def scenario(cloudfront, name: str) -> dict:
    """Module arguments for one scenario, successful or failing."""
    dist = cloudfront.create_distribution(aliases=["www.example.com"])["id"]
    done = cloudfront.create_invalidation(dist, complete_in=0)
    stuck = cloudfront.create_invalidation(dist, complete_in=3600)
    if name == "throttled":
        cloudfront.throttle("GetInvalidation", 2)
    if name == "denied":
        cloudfront.deny("GetInvalidation")
    return {
        "report": {"distribution_id": dist, "invalidation_id": done},
        "wait": {"alias": "www.example.com", "invalidation_ids": [done], "wait": True},
        "throttled": {"distribution_id": dist, "invalidation_id": done, "wait": True},
        "timeout": {"distribution_id": dist, "invalidation_id": stuck, "wait": True, "wait_timeout": 2},
        "missing": {"distribution_id": dist, "invalidation_id": "I0NOSUCHONE"},
        "denied": {"distribution_id": dist, "invalidation_id": done},
        "bad_input": {"distribution_id": "not an id"},
        "secret_options": {
            "distribution_id": dist,
            "invalidation_id": done,
            "access_key": "AKIAEDGEOPSOPTION002",
            "secret_key": OPTION_SECRET,
            "session_token": OPTION_TOKEN,
        },
    }[name]


@pytest.mark.parametrize("verbosity", [0, 3])
@pytest.mark.parametrize(
    "name", ["report", "wait", "throttled", "timeout", "missing", "denied", "bad_input", "secret_options"]
)
def test_module_output_and_result_hold_no_secret(cloudfront, tmp_path, name, verbosity):
    run = run_module(cloudfront.url, scenario(cloudfront, name), tmp_path, verbosity=verbosity)
    assert_no_secret(run.output, json.dumps(run.result))
    if verbosity:
        assert "ansible-playbook [core" in run.output  # verbose output really was on


@pytest.mark.parametrize("verbosity", [0, 3])
@pytest.mark.parametrize(
    "timeout, given_in",
    [(60, "environment"), (2, "environment"), (60, "module_defaults"), (2, "module_defaults")],
)
def test_gate_output_holds_no_secret(cloudfront, tmp_path, complete_after_first_poll, verbosity, timeout, given_in):
    """The credentials from the environment (as AWX injects them) or from module_defaults, which
    the gate's action hands to each of its module runs."""
    dist = cloudfront.create_distribution()["id"]
    inv = cloudfront.create_invalidation(dist, complete_in=3600)
    if timeout > 2:
        complete_after_first_poll({inv: 2}, "ListInvalidations")
    defaults = {"endpoint_url": cloudfront.url}
    if given_in == "module_defaults":
        defaults.update(access_key="AKIAEDGEOPSOPTION003", secret_key=OPTION_SECRET, session_token=OPTION_TOKEN)
    play = [
        {
            "name": "Gate",
            "hosts": "localhost",
            "gather_facts": False,
            "module_defaults": {"group/edgeops.cloudfront.aws": defaults},
            "roles": [
                {
                    "role": "edgeops.cloudfront.wait_for_invalidation",
                    "wait_for_invalidation_distribution_id": dist,
                    "wait_for_invalidation_timeout": timeout,
                    "wait_for_invalidation_progress_interval": 1,
                }
            ],
            "tasks": [{"name": "Show the result", "ansible.builtin.debug": {"var": "wait_for_invalidation_result"}}],
        }
    ]
    playbook = tmp_path / "gate.yml"
    playbook.write_text(yaml.safe_dump(play))
    run = run_playbook(playbook, verbosity=verbosity, env=aws_env())
    assert (run.rc == 0) is (timeout > 2), run.output
    assert_no_secret(run.output)
    # the credentials in use were the ones given there
    key = "AKIAEDGEOPSOPTION003" if given_in == "module_defaults" else ACCESS_KEY
    assert {r["access_key_id"] for r in cloudfront.requests()} == {key}

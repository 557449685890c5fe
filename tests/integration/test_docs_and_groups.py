# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The module's documentation renders in ansible-doc, and its action group reaches amazon.aws modules."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from ansible_collections.edgeops.cloudfront.plugins.modules import cloudfront_invalidation_info as module
from ansible_collections.edgeops.cloudfront.tests.integration.playbook_runner import MODULE, aws_env, run_playbook

ANSIBLE_DOC = str(Path(sys.executable).with_name("ansible-doc"))


def test_ansible_doc_renders_every_option_example_and_return_key():
    proc = subprocess.run([ANSIBLE_DOC, MODULE], capture_output=True, text=True, check=False, env=aws_env())
    assert proc.returncode == 0, proc.stderr
    assert "[WARNING]" not in proc.stderr and "ERROR" not in proc.stderr
    text = proc.stdout
    doc = yaml.safe_load(module.DOCUMENTATION)
    returns = yaml.safe_load(module.RETURN)
    for option in doc["options"]:
        assert f"{option}" in text, option
    for option in (
        "access_key",
        "secret_key",
        "session_token",
        "profile",
        "endpoint_url",
        "aws_ca_bundle",
        "validate_certs",
        "region",
    ):
        assert option in text, option
    for key, spec in returns.items():
        assert key in text, key
        for sub in spec.get("contains", {}):
            assert sub in text, sub
    for example in yaml.safe_load(module.EXAMPLES):
        assert example["name"] in text


def test_action_group_sets_options_for_amazon_aws_modules_too(cloudfront, tmp_path):
    """module_defaults for group/edgeops.cloudfront.aws reach amazon.aws modules (extend_group)."""
    dist = cloudfront.create_distribution()
    play = [
        {
            "name": "One group, two collections",
            "hosts": "localhost",
            "gather_facts": False,
            "module_defaults": {
                "group/edgeops.cloudfront.aws": {"endpoint_url": cloudfront.url, "region": "us-east-1"}
            },
            "tasks": [
                {"name": "amazon.aws module", "amazon.aws.aws_caller_info": {}, "register": "caller"},
                {"name": "our module", MODULE: {"distribution_id": dist["id"]}, "register": "ours"},
                {
                    "name": "Check",
                    "ansible.builtin.assert": {
                        "that": [
                            "caller.account == '123456789012'",
                            f"ours.distribution_id == '{dist['id']}'",
                        ]
                    },
                },
            ],
        }
    ]
    playbook = tmp_path / "group.yml"
    playbook.write_text(yaml.safe_dump(play, sort_keys=False))
    run = run_playbook(playbook)
    assert run.rc == 0, run.output
    assert cloudfront.requests(), "the module did not reach the endpoint through the group's endpoint_url"


def test_ansible_doc_renders_the_role_and_its_inputs():
    proc = subprocess.run(
        [ANSIBLE_DOC, "-t", "role", "edgeops.cloudfront.wait_for_invalidation"],
        capture_output=True,
        text=True,
        check=False,
        env=aws_env(),
    )
    assert proc.returncode == 0, proc.stderr
    role_dir = Path(__file__).resolve().parents[2] / "roles" / "wait_for_invalidation"
    specs = yaml.safe_load((role_dir / "meta" / "argument_specs.yml").read_text())["argument_specs"]["main"]
    defaults = yaml.safe_load((role_dir / "defaults" / "main.yml").read_text())
    # meta/argument_specs.yml and defaults/main.yml in lockstep
    assert set(specs["options"]) == set(defaults)
    for name, spec in specs["options"].items():
        assert spec["default"] == defaults[name], name
        assert name in proc.stdout, name

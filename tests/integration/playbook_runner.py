# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Run real ``ansible-playbook`` against the local CloudFront endpoint and read back the results.

Credentials reach Ansible only as environment variables, with long, recognisable values so
that a test can assert they never appear in any output.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import yaml

ACCESS_KEY = "AKIAEDGEOPSTESTKEY42"
SECRET_KEY = "edgeops-test-secret-Zq8vW3xY7LmN2pQ4rT6u"
SESSION_TOKEN = "edgeops-test-session-token-Hk5Jd9Lp2Xw7"
TEMPORARY_KEY = "ASIAEDGEOPSTEMPKEY07"
OPTION_SECRET = "edgeops-option-secret-Qw8Er4Ty6Ui2"
OPTION_TOKEN = "edgeops-option-token-Zx3Cv5Bn7Mm9"
# a profile's key, in a shared credentials file (profile_env)
PROFILE_KEY = "AKIAEDGEOPSPROFILE01"
PROFILE_SECRET = "edgeops-profile-secret-Ty6Ui8Op2"
# What the tests sign with: the local endpoint checks each signature against these (conftest.py),
# so that a secret or a token lost on the way fails as it would on AWS.
CREDENTIALS = {
    ACCESS_KEY: (SECRET_KEY, SESSION_TOKEN),
    TEMPORARY_KEY: (SECRET_KEY, SESSION_TOKEN),
    "AKIAEDGEOPSOPTION001": ("edgeops-option-secret-Vb3Nm7Qa1Ls9", "edgeops-option-token-Wd4Kc8"),
    "AKIAEDGEOPSOPTION002": (OPTION_SECRET, OPTION_TOKEN),
    "AKIAEDGEOPSOPTION003": (OPTION_SECRET, OPTION_TOKEN),
    PROFILE_KEY: (PROFILE_SECRET, None),
}


def accept_test_credentials(server: Any) -> None:
    """Make a local endpoint (``LocalCloudFront``) accept the tests' credentials, and only them."""
    for key, (secret, token) in CREDENTIALS.items():
        server.register_credentials(key, secret, token)


# Every secret a test hands to Ansible: none may appear in any output or artifact.
SECRETS = tuple(sorted({value for pair in CREDENTIALS.values() for value in pair if value}))
MODULE = "edgeops.cloudfront.cloudfront_invalidation_info"
CREATE_MODULE = "edgeops.cloudfront.cloudfront_invalidation"
ANSIBLE_PLAYBOOK = str(Path(sys.executable).with_name("ansible-playbook"))
# seconds: the endpoint's clock (time.time) against a module's or a gate's (time.monotonic) over a wait,
# when a test compares the endpoint's log with the pace they keep
CLOCKS = 0.02


def aws_env(**extra: str) -> dict[str, str]:
    """The environment of an Ansible run: the test's own, AWS credentials as AWX injects them."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID=ACCESS_KEY,
        AWS_SECRET_ACCESS_KEY=SECRET_KEY,
        AWS_SESSION_TOKEN=SESSION_TOKEN,
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORCE_COLOR="0",
        ANSIBLE_RETRY_FILES_ENABLED="0",
        ANSIBLE_LOCALHOST_WARNING="0",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="0",
        # record_json, the plays' record of what they saw (action_plugins/record_json.py)
        ANSIBLE_ACTION_PLUGINS=str(Path(__file__).with_name("action_plugins")),
    )
    env.update(extra)
    return env


def credential_free_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a run with no AWS credentials at all: none in the environment, no shared
    files, no instance metadata; ``extra`` added."""
    env = {k: v for k, v in aws_env().items() if not k.startswith("AWS_")}
    env.update(
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "no-credentials"),
        AWS_CONFIG_FILE=str(tmp_path / "no-config"),
        AWS_EC2_METADATA_DISABLED="true",
    )
    env.update(extra)
    return env


def profile_env(tmp_path: Path, profile: str = "deploy") -> dict[str, str]:
    """The environment of a run whose only credentials are ``profile``'s, in a shared credentials
    file: PROFILE_KEY, signed with PROFILE_SECRET."""
    credentials = tmp_path / "credentials"
    credentials.write_text(
        f"[{profile}]\naws_access_key_id = {PROFILE_KEY}\naws_secret_access_key = {PROFILE_SECRET}\n"
    )
    return credential_free_env(tmp_path, AWS_SHARED_CREDENTIALS_FILE=str(credentials))


def assert_no_secret(*texts: str) -> None:
    """None of the tests' secrets (SECRETS) in these texts."""
    for text in texts:
        leaked = [secret for secret in SECRETS if secret in text]
        assert not leaked, f"secrets in the output: {leaked}"


def assert_no_secret_in(directory: Path) -> None:
    """None of the tests' secrets in any file below ``directory`` (a job's output, events, artifacts)."""
    assert_no_secret(*(p.read_text(errors="replace") for p in directory.rglob("*") if p.is_file()))


def run_modes(
    tmp_path: Path,
    endpoint: str,
    modes: dict[str, dict[str, Any]],
    name: str = "modes",
    module: str = MODULE,
    env: dict[str, str] | None = None,
    check: bool = False,
) -> dict[str, Any]:
    """Run ``module`` once per mode (its arguments), all in one playbook, failures ignored; each
    mode's registered result. No traceback in the output. ``check``: in check and diff mode."""
    tasks: list[dict[str, Any]] = [
        {"name": mode, module: args, "register": f"mode{n}", "ignore_errors": True}
        for n, (mode, args) in enumerate(modes.items())
    ]
    if check:
        for task in tasks:
            task.update(check_mode=True, diff=True)
    results = tmp_path / f"{name}.json"
    content = "{{ [" + ", ".join(f"mode{n}" for n in range(len(modes))) + "] | to_json }}"
    tasks.append({"name": "Record the results", "record_json": {"content": content, "dest": str(results)}})
    play = {
        "name": "Every mode",
        "hosts": "localhost",
        "gather_facts": False,
        "module_defaults": {"group/edgeops.cloudfront.aws": {"endpoint_url": endpoint}},
        "tasks": tasks,
    }
    playbook = tmp_path / f"{name}.yml"
    playbook.write_text(yaml.safe_dump([play], sort_keys=False))
    run = run_playbook(playbook, env=env)
    assert run.rc == 0, run.output
    assert "Traceback" not in run.output
    return dict(zip(modes, json.loads(results.read_text())))


@dataclass
class PlaybookRun:
    rc: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def run_playbook(
    playbook: Path | str,
    extra_vars: dict[str, Any] | None = None,
    env: dict[str, str] | None = None,
    verbosity: int = 0,
    timeout: float = 300,
    inventory: Path | None = None,
    args: Sequence[str] = (),
) -> PlaybookRun:
    """Run ``ansible-playbook`` on ``playbook`` with ``args`` (``--tags``, ``--limit``...)."""
    # without an inventory: the implicit localhost, with ansible-playbook's own Python
    cmd = [ANSIBLE_PLAYBOOK, str(playbook), *args]
    if inventory is not None:
        cmd += ["-i", str(inventory)]
    if extra_vars:
        cmd += ["-e", json.dumps(extra_vars)]
    if verbosity:
        cmd.append("-" + "v" * verbosity)
    proc = subprocess.run(
        cmd,
        env=env or aws_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    return PlaybookRun(proc.returncode, proc.stdout, proc.stderr)


@dataclass
class ModuleRun(PlaybookRun):
    result: dict[str, Any]


def run_module(
    endpoint_url: str | None,
    args: dict[str, Any],
    tmp_path: Path,
    *,
    check_mode: bool = False,
    env: dict[str, str] | None = None,
    verbosity: int = 0,
    module: str = MODULE,
    diff: bool = False,
) -> ModuleRun:
    """Run the module once in a real playbook; return its registered result and the output.

    ``endpoint_url`` goes into ``module_defaults`` for ``group/edgeops.cloudfront.aws``
    (``None``: leave the endpoint to the environment).
    """
    result_file = tmp_path / "result.json"
    group_defaults = {"endpoint_url": endpoint_url} if endpoint_url else {}
    play = {
        "name": "Run the module under test",
        "hosts": "localhost",
        "gather_facts": False,
        "module_defaults": {"group/edgeops.cloudfront.aws": group_defaults},
        "tasks": [
            {
                "name": "Module under test",
                module: args,
                "register": "under_test",
                "ignore_errors": True,
                "check_mode": check_mode,
                "diff": diff,
            },
            {
                "name": "Record the result",
                "record_json": {
                    "content": "{{ under_test | to_json }}",
                    "dest": str(result_file),
                },
            },
        ],
    }
    playbook = tmp_path / "module.yml"
    playbook.write_text(yaml.safe_dump([play], sort_keys=False))
    run = run_playbook(playbook, env=env, verbosity=verbosity)
    assert run.rc == 0, run.output
    return ModuleRun(run.rc, run.stdout, run.stderr, json.loads(result_file.read_text()))

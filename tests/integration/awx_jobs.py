# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""AWX jobs run through ansible-runner, the engine AWX runs jobs with: a private data dir laid out
like an AWX job's, the job's run, and what it published for the next workflow nodes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ansible_runner
import yaml

# the variable the gate publishes its result as, by default (the role's wait_for_invalidation_result_name)
RESULT = "wait_for_invalidation_result"


def awx_project(tmp_path: Path, name: str = "job", plays: list[dict[str, Any]] | None = None) -> Path:
    """A private data dir laid out like an AWX job's: project/gate.yml, the job template's
    playbook (``plays``: a playbook of the test's own instead)."""
    private = tmp_path / name
    (private / "project").mkdir(parents=True)
    if plays is None:
        text = (
            "---\n- name: CloudFront gate (job template)\n"
            "  ansible.builtin.import_playbook: edgeops.cloudfront.invalidation_gate\n"
        )
    else:
        text = yaml.safe_dump(plays, sort_keys=False)
    (private / "project" / "gate.yml").write_text(text)
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


def artifacts(runner: ansible_runner.Runner) -> dict[str, Any]:
    """What the job published with set_stats: what AWX hands to the next workflow nodes."""
    stats = [e for e in runner.events if e["event"] == "playbook_on_stats"]
    assert len(stats) == 1
    data: dict[str, Any] = stats[0]["event_data"].get("artifact_data") or {}
    return data

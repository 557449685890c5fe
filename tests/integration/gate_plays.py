# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The wait_for_invalidation role in a play of a test's own, and what it leaves behind: the record
of the task after the gate, the gate's progress lines in the output."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from ansible_collections.edgeops.cloudfront.tests.integration.playbook_runner import PlaybookRun

ROLE = "edgeops.cloudfront.wait_for_invalidation"
# seconds: an invalidation that completes after LONG does not complete within a test unless the test completes it
LONG = 3600


def gate_play(
    tmp_path: Path,
    endpoint: str,
    role_vars: dict[str, Any],
    hosts: str = "localhost",
    after: list[dict[str, Any]] | None = None,
    rescue: bool = False,
) -> Path:
    """A play: the gate, then a task that records when it ran and what the gate said.

    ``rescue``: the gate in a block whose rescue records ``ansible_failed_result.msg`` and the
    result, as a playbook that reports a failed gate would (``after_gate(tmp_path, "rescued")``)."""
    record = {
        "name": "Record when the next task ran",
        "record_json": {
            "dest": str(tmp_path / "{{ inventory_hostname }}.json"),
            "content": "{{ {'time': now().timestamp(), 'result': wait_for_invalidation_result} | to_json }}",
        },
        "delegate_to": "localhost",
    }
    play: dict[str, Any] = {
        "name": "Deploy, then gate",
        "hosts": hosts,
        "gather_facts": False,
        "module_defaults": {"group/edgeops.cloudfront.aws": {"endpoint_url": endpoint}},
    }
    if rescue:
        gate = {"name": "The gate", "ansible.builtin.include_role": {"name": ROLE}, "vars": role_vars}
        rescued = {
            "name": "Record what the rescue sees",
            "record_json": {
                "dest": str(tmp_path / "rescued.json"),
                "content": "{{ {'msg': ansible_failed_result.msg, 'result': wait_for_invalidation_result} | to_json }}",
            },
        }
        play["tasks"] = [{"name": "Gate, or report", "block": [gate], "rescue": [rescued]}, record, *(after or [])]
    else:
        play["roles"] = [{"role": ROLE, **role_vars}]
        play["tasks"] = [record, *(after or [])]
    playbook = tmp_path / "gate.yml"
    playbook.write_text(yaml.safe_dump([play], sort_keys=False))
    return playbook


def after_gate(tmp_path: Path, host: str = "localhost") -> dict[str, Any]:
    """What the task after the gate recorded for ``host`` (gate_play): when it ran, the gate's result."""
    return json.loads((tmp_path / f"{host}.json").read_text())


PROGRESS = re.compile(
    r"^(\d+) of (\d+) CloudFront invalidation\(s\) completed after ([\d.]+)s(?:; still in progress: (.*))?$"
)


def progress_lines(run: PlaybookRun) -> list[str]:
    """The gate's progress lines: lines of their own in the job output, at the default verbosity."""
    return [line for line in run.stdout.splitlines() if PROGRESS.match(line)]


def waited(line: str) -> float:
    """The seconds a progress line says the gate has waited."""
    match = PROGRESS.match(line)
    assert match, line
    return float(match.group(3))

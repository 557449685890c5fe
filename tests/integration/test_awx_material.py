# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The AWX material gives launchers nothing that redirects the gate.

examples/awx_setup.yml (the job template, the workflow), docs/awx-survey.json and
playbooks/invalidation_gate.yml, read as AWX reads them: a launcher may answer the survey,
and nothing else; the playbook reads the survey's answers, and nothing else; no answer sets
the endpoint, the profile, the credentials or the interpreter.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
SETUP = yaml.safe_load((REPO / "examples" / "awx_setup.yml").read_text())
SURVEY = json.loads((REPO / "docs" / "awx-survey.json").read_text())
PLAYBOOK = yaml.safe_load((REPO / "playbooks" / "invalidation_gate.yml").read_text())
GATE = "CloudFront invalidation gate"
# What must never come from a launcher: Ansible's connection and interpreter variables, the
# role's connection settings, anything about endpoints, profiles or credentials.
FORBIDDEN = re.compile(r"^ansible_|^aws_|endpoint|profile|interpreter|credential|access_key|secret|token|_url$")


def tasks_of(module: str) -> list[dict[str, Any]]:
    return [task[module] for play in SETUP for task in play["tasks"] if module in task]


def the_gate_template() -> dict[str, Any]:
    (template,) = [t for t in tasks_of("awx.awx.job_template") if t["name"] == GATE]
    return template


def survey_variables() -> set[str]:
    return {question["variable"] for question in SURVEY["spec"]}


class Anything(dict):
    """Every filter and test name is known: only the variables matter here."""

    def __contains__(self, key: object) -> bool:
        return True

    def get(self, key: object, default: object = None) -> object:
        return super().get(key, lambda *args, **kwargs: None)


def the_gate_play() -> dict[str, Any]:
    (play,) = [play for play in PLAYBOOK if play.get("roles")]
    return play


def variables_read_by_the_playbook() -> set[str]:
    """Every variable the job-template playbook's role parameters read (its only inputs)."""
    play = the_gate_play()
    environment = jinja2.Environment()
    environment.filters = Anything(environment.filters)
    environment.tests = Anything(environment.tests)
    names: set[str] = set()
    for role in play["roles"]:
        for key, value in role.items():
            if key != "role" and isinstance(value, str):
                names |= jinja2.meta.find_undeclared_variables(environment.parse(value))
    return names


def test_the_gate_job_template_takes_nothing_at_launch_but_the_survey():
    template = the_gate_template()
    assert template["ask_variables_on_launch"] is False
    assert template["survey_enabled"] is True
    assert "awx-survey.json" in template["survey_spec"]
    prompted = sorted(key for key, value in template.items() if key.startswith("ask_") and value is not False)
    assert prompted == []
    # and no other job template of the example prompts for anything either
    for other in tasks_of("awx.awx.job_template"):
        assert not any(value for key, value in other.items() if key.startswith("ask_")), other["name"]


@pytest.mark.filterwarnings("ignore:invalid escape sequence:DeprecationWarning")  # the regex's \\s
def test_the_playbook_reads_the_survey_answers_and_nothing_else():
    assert variables_read_by_the_playbook() == survey_variables()


def test_no_survey_answer_names_the_endpoint_the_interpreter_or_the_credentials():
    assert survey_variables()
    assert sorted(v for v in survey_variables() if FORBIDDEN.search(v)) == []
    # nor does the playbook hand the role anything of the sort: its connection settings are empty
    (role,) = the_gate_play()["roles"]
    connection = {
        key: value for key, value in role.items() if FORBIDDEN.search(key.removeprefix("wait_for_invalidation_"))
    }
    assert connection == {"wait_for_invalidation_endpoint_url": "", "wait_for_invalidation_profile": ""}


def test_the_playbook_sets_every_input_of_the_role_so_that_no_inventory_variable_reaches_it():
    """Role parameters beat every inventory, group_vars and host_vars variable: each input of the
    role is one (only extra variables beat them, and the playbook refuses those)."""
    specs = yaml.safe_load((REPO / "roles" / "wait_for_invalidation" / "meta" / "argument_specs.yml").read_text())
    (role,) = the_gate_play()["roles"]
    assert set(role) - {"role"} == set(specs["argument_specs"]["main"]["options"])


def test_every_task_of_the_playbook_runs_whatever_the_job_tags():
    tasks = [task for play in PLAYBOOK for key in ("pre_tasks", "tasks") for task in play.get(key, [])]
    assert tasks and all("always" in task.get("tags", []) for task in tasks), tasks


def test_the_job_template_outlasts_the_longest_gate_its_survey_allows():
    """AWX kills a job at the job template's timeout: a gate still waiting then publishes nothing.
    The template's timeout is the survey's largest gate timeout and a margin (a last request, the
    playbook's start and end, publishing)."""
    (timeout_question,) = [q for q in SURVEY["spec"] if q["variable"] == "cloudfront_gate_timeout"]
    assert the_gate_template()["timeout"] >= timeout_question["max"] + 300


def test_the_workflow_gives_each_gate_only_survey_answers_and_a_name_of_its_own():
    (workflow,) = tasks_of("awx.awx.workflow_job_template")
    gates = [node for node in workflow["workflow_nodes"] if node["unified_job_template"]["name"] == GATE]
    assert len(gates) == 2
    for gate in gates:
        # with ask_variables_on_launch false, AWX takes a node's extra_data for survey answers only
        assert set(gate["extra_data"]) <= survey_variables()
    names = [gate["extra_data"]["cloudfront_gate_result_name"] for gate in gates]
    assert len(set(names)) == 2, names
    assert all(re.fullmatch(r"[a-z][a-z0-9_]{0,63}", name) for name in names)

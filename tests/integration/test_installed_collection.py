# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The collection as users get it: built with ``ansible-galaxy collection build``, installed with
``ansible-galaxy collection install`` into a fresh collections path, and run from there.

The build starts from a copy of the source tree in which every kind of thing a working tree
collects (virtualenvs, the .work area, test output, caches, earlier tarballs) is present, so
that the tarball's file list shows what galaxy.yml's build_ignore keeps out. The installed copy
runs with a collections path that holds only it (amazon.aws comes from the ``ansible``
package's site-packages, as Galaxy is not asked), and the -vvv output shows where each module
and role task came from: the installed copy, never the source tree.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import yaml

from ansible_collections.edgeops.cloudfront.tests.integration.playbook_runner import aws_env, run_playbook

REPO = Path(__file__).resolve().parents[2]
ANSIBLE_GALAXY = str(Path(sys.executable).with_name("ansible-galaxy"))
GALAXY = yaml.safe_load((REPO / "galaxy.yml").read_text())
NAME = f"{GALAXY['namespace']}.{GALAXY['name']}"
LONG = 3600

# Stand-ins for what a working tree collects and a tarball must not hold.
LEFTOVERS = (
    ".git/HEAD",
    ".venv/pyvenv.cfg",
    ".venv-2.21/bin/python",
    ".venv-lint/pyvenv.cfg",
    ".venv-nox/bin/nox",
    ".nox/pytest-2-19/pyvenv.cfg",
    ".nox/.cache/x",
    "tests/unit/plugins/module_utils/_cloudfront/.ruff_cache/0.17.6/12345",
    ".work/home/.ansible/test/cache/get_pip_25_2.py",
    ".work/collections/ansible_collections/edgeops/README.md",
    ".work/2.21/ansible-test/ansible_collections/edgeops/cloudfront/tests/output/junit/units.xml",
    "tests/output/junit/python3.11-modules-units.xml",
    "tests/output/.tmp/sanity/pylint.txt",
    "benchmarks/output/results.json",
    "plugins/modules/__pycache__/cloudfront_invalidation_info.cpython-311.pyc",
    "plugins/module_utils/_cloudfront/waiter.pyc",
    "tests/integration/__pycache__/conftest.cpython-313-pytest-8.4.2.pyc",
    ".pytest_cache/v/cache/nodeids",
    ".mypy_cache/3.11/waiter.data.json",
    ".ruff_cache/0.14.0/12345",
    ".cache/pip/http/x",
    "build/lib/x.py",
    "dist/edgeops-cloudfront-0.0.1.tar.gz",
    "edgeops-cloudfront-0.0.9.tar.gz",
)
# Which of the tarball's paths are leftovers of those kinds.
FORBIDDEN_PARTS = {".git", ".work", ".nox", "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".cache"}
FORBIDDEN_PREFIXES = ("tests/output/", "benchmarks/output/", "build/", "dist/")
# What a user of the collection needs.
REQUIRED = {
    "MANIFEST.json",
    "FILES.json",
    "README.md",
    "meta/runtime.yml",
    "plugins/modules/cloudfront_invalidation_info.py",
    "plugins/module_utils/_cloudfront/api.py",
    "plugins/module_utils/_cloudfront/waiter.py",
    "roles/wait_for_invalidation/tasks/main.yml",
    "roles/wait_for_invalidation/defaults/main.yml",
    "roles/wait_for_invalidation/meta/argument_specs.yml",
    "playbooks/invalidation_gate.yml",
    "examples/deploy_with_gate.yml",
}


def is_leftover(path: str) -> bool:
    parts = path.split("/")
    return (
        bool(FORBIDDEN_PARTS.intersection(parts))
        or any(part.startswith(".venv") for part in parts)
        or path.endswith((".pyc", ".tar.gz"))
        or path.startswith(FORBIDDEN_PREFIXES)
    )


def galaxy(*args: str, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(
        [ANSIBLE_GALAXY, *args],
        capture_output=True,
        text=True,
        check=False,
        env=env or aws_env(),
        stdin=subprocess.DEVNULL,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def installed_env(collections: Path) -> dict[str, str]:
    """Ansible sees only the fresh collections path (and site-packages, for amazon.aws): not the
    source tree, which the test session reaches through ANSIBLE_COLLECTIONS_PATH and PYTHONPATH."""
    env = aws_env(ANSIBLE_COLLECTIONS_PATH=str(collections))
    env.pop("PYTHONPATH", None)
    env.pop("ANSIBLE_COLLECTIONS_PATHS", None)
    return env


@pytest.fixture(scope="module")
def tarball(tmp_path_factory) -> Path:
    """The tarball built from a copy of the source tree with every kind of leftover in it."""
    tree = tmp_path_factory.mktemp("source") / "cloudfront"

    def big_leftovers(directory: str, names: list[str]) -> set[str]:
        # the real ones are large (or, for .git in a worktree, a file): stand-ins take their place
        if Path(directory) != REPO:
            return set()
        return {n for n in names if n in {".git", ".work", ".nox"} or n.startswith(".venv")}

    shutil.copytree(REPO, tree, symlinks=True, ignore=big_leftovers)
    for leftover in LEFTOVERS:
        (tree / leftover).parent.mkdir(parents=True, exist_ok=True)
        (tree / leftover).write_text("left over\n")
    dist = tmp_path_factory.mktemp("dist")
    galaxy("collection", "build", str(tree), "--output-path", str(dist))
    (built,) = dist.glob("*.tar.gz")
    assert built.name == f"{GALAXY['namespace']}-{GALAXY['name']}-{GALAXY['version']}.tar.gz"
    return built


@pytest.fixture(scope="module")
def installed(tarball, tmp_path_factory) -> Path:
    """A fresh collections path holding the collection installed from the tarball."""
    collections = tmp_path_factory.mktemp("collections")
    env = installed_env(collections)
    # --offline: Galaxy is not asked; the dependency on amazon.aws is met by the `ansible` package
    out = galaxy("collection", "install", "--offline", str(tarball), "-p", str(collections), env=env)
    assert f"{NAME}:{GALAXY['version']} was installed successfully" in out
    return collections


def test_the_tarball_holds_the_collection_and_no_leftovers(tarball):
    with tarfile.open(tarball) as archive:
        members = archive.getnames()
        manifest = json.load(archive.extractfile("MANIFEST.json"))
    files = {m for m in members if not m.endswith("/")}
    missing = sorted(REQUIRED - files)
    assert missing == [], f"the tarball lacks {missing}"
    leftovers = sorted(m for m in members if is_leftover(m.rstrip("/")))
    assert leftovers == [], f"galaxy.yml's build_ignore lets these into the tarball: {leftovers}"
    # every stand-in was really looked at: each is a leftover by the rule above
    assert all(is_leftover(leftover) for leftover in LEFTOVERS)
    info = manifest["collection_info"]
    assert (info["namespace"], info["name"], info["version"]) == (
        GALAXY["namespace"],
        GALAXY["name"],
        GALAXY["version"],
    )
    assert info["dependencies"] == GALAXY["dependencies"]


def test_the_installed_copy_is_the_only_one_ansible_sees(installed):
    env = installed_env(installed)
    listed = json.loads(galaxy("collection", "list", NAME, "--format", "json", env=env))
    assert listed == {str(installed / "ansible_collections"): {NAME: {"version": GALAXY["version"]}}}
    # the installed files are the tarball's, checksum for checksum
    galaxy("collection", "verify", "--offline", NAME, env=env)


def assert_ran_from(run_output: str, installed: Path, module: bool = True) -> None:
    """Every module and role task of the collection came from the installed copy (``module``: the
    run used the info module; the gate runs none)."""
    copy = installed / "ansible_collections" / "edgeops" / "cloudfront"
    if module:
        assert f"Using module file {copy}/plugins/modules/cloudfront_invalidation_info.py" in run_output
    assert f"task path: {copy}/roles/wait_for_invalidation/tasks/" in run_output
    # any path into a copy of the collection is into the installed one
    places = set(re.findall(r"(/\S*?)/ansible_collections/edgeops/cloudfront/", run_output))
    assert places == {str(installed)}, places
    # nor into the source tree, directly or through the session's collections path (.work)
    session_paths = [p for p in os.environ.get("ANSIBLE_COLLECTIONS_PATH", "").split(os.pathsep) if p]
    for source in (REPO / "plugins", REPO / "roles", REPO / "playbooks", REPO / "examples", *session_paths):
        assert str(source) not in run_output


def test_the_demo_playbook_runs_from_the_installed_copy(installed, cloudfront, complete_after_first_poll):
    dist = cloudfront.create_distribution(aliases=["www.example.com"])
    inv = cloudfront.create_invalidation(dist["id"], ["/index.html", "/assets/*"], complete_in=LONG)
    complete_after_first_poll({inv: 2})
    playbook = installed / "ansible_collections" / "edgeops" / "cloudfront" / "examples" / "deploy_with_gate.yml"
    run = run_playbook(
        playbook,
        extra_vars={"cloudfront_endpoint_url": cloudfront.url, "distribution_id": dist["id"], "invalidation_id": inv},
        env=installed_env(installed),
        verbosity=3,
    )
    assert run.rc == 0, run.output
    assert "InProgress" in run.stdout and '"status": "Completed"' in run.stdout
    assert_ran_from(run.output, installed)


def test_the_gate_playbook_runs_from_the_installed_copy(installed, cloudfront, complete_after_first_poll):
    dist = cloudfront.create_distribution()
    invs = [cloudfront.create_invalidation(dist["id"], [f"/{n}"], complete_in=LONG) for n in range(2)]
    # two IDs are read from ListInvalidations pages: the first page is the resolve step
    complete_after_first_poll(dict.fromkeys(invs, 2), "ListInvalidations")
    run = run_playbook(
        f"{NAME}.invalidation_gate",
        extra_vars={
            "cloudfront_distribution_id": dist["id"],
            "cloudfront_invalidation_ids": " ".join(invs),
            "cloudfront_gate_timeout": 120,
        },
        # the job-template playbook takes its endpoint from the environment only
        env={**installed_env(installed), "AWS_ENDPOINT_URL_CLOUDFRONT": cloudfront.url},
        verbosity=3,
    )
    assert run.rc == 0, run.output
    assert "2 of 2 CloudFront invalidation(s) completed" in run.stdout
    assert_ran_from(run.output, installed, module=False)

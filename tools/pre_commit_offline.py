"""Write a copy of .pre-commit-config.yaml whose hooks need no network.

Usage: python tools/pre_commit_offline.py CONFIG OUTPUT   (run by the `lint` session of noxfile.py)

.pre-commit-config.yaml takes ruff's hooks from astral-sh/ruff-pre-commit, which pre-commit clones
from GitHub. In the copy, that repository becomes a local one with the same hooks (same ids, and
the entries and file types of ruff-pre-commit's .pre-commit-hooks.yaml; the config's own settings
such as args still win), run by the ruff on PATH (the lint session's). The copy is
only written when the config's rev is the ruff version installed (tests/lint-requirements.txt),
so that both run the same ruff. The local hooks (mypy, ansible-lint) are copied as they are.
"""

from __future__ import annotations

import copy
import sys
from importlib.metadata import version
from typing import Any

import yaml

RUFF_PRE_COMMIT = "https://github.com/astral-sh/ruff-pre-commit"
# ruff-pre-commit's hooks; "ruff" is its old name for ruff-check.
RUFF_HOOKS = {
    "ruff-check": {"name": "ruff check", "entry": "ruff check --force-exclude"},
    "ruff": {"name": "ruff check", "entry": "ruff check --force-exclude"},
    "ruff-format": {"name": "ruff format", "entry": "ruff format --force-exclude"},
}
RUFF_HOOK_DEFAULTS = {"language": "system", "types_or": ["python", "pyi", "jupyter"], "require_serial": True}


def offline_repo(repo: dict[str, Any], ruff_version: str) -> dict[str, Any]:
    if repo["repo"] != RUFF_PRE_COMMIT:
        raise SystemExit(f"{repo['repo']}: no offline stand-in for this hook repository (tools/pre_commit_offline.py)")
    if repo.get("rev") != f"v{ruff_version}":
        raise SystemExit(
            f"ruff-pre-commit is at {repo.get('rev')} in .pre-commit-config.yaml, but tests/lint-requirements.txt"
            f" installs ruff {ruff_version}: give both the same version"
        )
    hooks = []
    for hook in repo["hooks"]:
        if hook["id"] not in RUFF_HOOKS:
            raise SystemExit(f"{RUFF_PRE_COMMIT}: unknown hook {hook['id']!r} (tools/pre_commit_offline.py)")
        hooks.append({"id": hook["id"], **RUFF_HOOKS[hook["id"]], **copy.deepcopy(RUFF_HOOK_DEFAULTS), **hook})
    return {"repo": "local", "hooks": hooks}


def main(source: str, target: str) -> None:
    with open(source, encoding="utf-8") as handle:
        config = yaml.safe_load(handle)
    ruff_version = version("ruff")
    config["repos"] = [
        repo if repo["repo"] in ("local", "meta") else offline_repo(repo, ruff_version) for repo in config["repos"]
    ]
    with open(target, "w", encoding="utf-8") as handle:
        handle.write(f"# Written by tools/pre_commit_offline.py from {source}: do not edit.\n")
        yaml.safe_dump(config, handle, sort_keys=False)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(sys.argv[1], sys.argv[2])

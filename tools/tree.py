# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A copy of the working tree to test in: the files git knows (tracked, as they are in the working
tree, and new ones not ignored; deleted ones skipped; a link copied as a link), so that mutants are
written into the copy and never into the repository.

Usage: python tools/tree.py DEST      (DEST must not exist, or be empty)

copy_tree(repo, dest) makes the copy; collection_env(copy, python) makes the copy the collection
edgeops.cloudfront for tests run with `python`: it links copy/.work/collections/ansible_collections/
edgeops/cloudfront to the copy and returns the environment of such a run (tests/operator_mutants.py
and tests/wiring_mutants.py use both). link_collection and working_area are the parts that
noxfile.py shares for the repository itself.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path


def copy_tree(repo: Path, dest: Path) -> None:
    """The working tree's files that git knows or would add, less the deleted ones, to dest."""
    if dest.exists() and any(dest.iterdir()):
        raise SystemExit(f"tree.py: {dest} is not empty")
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--deduplicate"],
        cwd=repo,
        check=True,
        capture_output=True,
    ).stdout.split(b"\0")
    dest.mkdir(parents=True, exist_ok=True)
    for name in filter(None, (os.fsdecode(entry) for entry in listed)):
        source = repo / name
        if source.is_file():
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target, follow_symlinks=False)


def link_collection(collections: Path, root: Path) -> None:
    """collections/ansible_collections/edgeops/cloudfront, a link to root (the repository or a copy)."""
    link = collections / "ansible_collections" / "edgeops" / "cloudfront"
    link.parent.mkdir(parents=True, exist_ok=True)
    if not link.is_symlink() or Path(os.readlink(link)) != root:
        link.unlink(missing_ok=True)
        link.symlink_to(root)


def working_area(home: Path, collections_path: str) -> dict[str, str]:
    """The variables of a working area: HOME and Ansible's files in home, the collections path;
    never the real home directory (noxfile.py's sessions and lines, the copies below)."""
    (home / ".ansible" / "tmp").mkdir(parents=True, exist_ok=True)
    return {
        "HOME": str(home),
        "ANSIBLE_HOME": str(home / ".ansible"),
        "ANSIBLE_LOCAL_TEMP": str(home / ".ansible" / "tmp"),
        "ANSIBLE_COLLECTIONS_PATH": collections_path,
    }


def collection_env(copy: Path, python: str) -> dict[str, str]:
    """The environment of tests of the copy run with `python` (the Python of a virtualenv of one
    line): its bin directory first on PATH, the copy as edgeops.cloudfront on the collections path
    and on PYTHONPATH, its working area in copy/.work/home; no EDGEOPS_ variable of the caller's
    (they name the caller's line, virtualenv and working area)."""
    collections = copy / ".work" / "collections"
    link_collection(collections, copy)
    # no bytecode at all: a mutant may have the size and the second of the source it replaces
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("EDGEOPS_") and key != "PYTHONPYCACHEPREFIX"
    }
    env.update(
        working_area(copy / ".work" / "home", str(collections)),
        PATH=os.pathsep.join([str(Path(os.path.abspath(python)).parent), env.get("PATH", os.defpath)]),
        ANSIBLE_NOCOLOR="1",
        PYTHONPATH=str(collections),
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1].startswith("-"):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        sys.exit(2)
    copy_tree(Path(__file__).resolve().parent.parent, Path(sys.argv[1]).resolve())

"""What ansible-builder makes of this collection, offline (the `ee-check` session of noxfile.py; no
container engine: nothing is built). Everything is written under .work/ee/.

1. the collection tarball (ansible-galaxy collection build) carries meta/execution-environment.yml
   and the two files it names, requirements.txt and bindep.txt;
2. installed into an empty collections path (--offline --no-deps), `ansible-builder introspect`
   gathers from it exactly requirements.txt (Python) and bindep.txt (system: none);
3. `ansible-builder create` on examples/execution-environment.yml (next to the tarball, where the
   example expects it), in a network namespace without a network when one can be made (unshare -n:
   Galaxy is never asked), writes a build context that installs amazon.aws and this tarball and
   gathers their requirements.
"""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / ".work" / "ee"


def run(*command: str | Path, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(part) for part in command], check=True, text=True, stdin=subprocess.DEVNULL, **kwargs)


def entries(path: Path) -> list[str]:
    return sorted(
        line.strip() for line in path.read_text().splitlines() if line.strip() and not line.lstrip().startswith("#")
    )


def main() -> None:
    shutil.rmtree(OUT, ignore_errors=True)
    dist, collections, example = OUT / "dist", OUT / "collections", OUT / "ee" / "examples"
    for directory in (dist, collections, example, OUT / "ee" / "dist"):
        directory.mkdir(parents=True)
    version = yaml.safe_load((REPO / "galaxy.yml").read_text())["version"]
    tarball = f"edgeops-cloudfront-{version}.tar.gz"

    print(f"ansible-galaxy collection build ({tarball})")
    run("ansible-galaxy", "collection", "build", "--output-path", dist, REPO, stdout=subprocess.DEVNULL)
    members = run("tar", "-tzf", dist / tarball, capture_output=True).stdout.split()
    for member in ("meta/execution-environment.yml", "requirements.txt", "bindep.txt"):
        if member not in members:
            sys.exit(f"FAIL: {tarball} lacks {member}")

    print("ansible-builder introspect (the installed collection's requirements)")
    env = {**os.environ, "ANSIBLE_COLLECTIONS_PATH": str(collections)}
    run(
        "ansible-galaxy",
        "collection",
        "install",
        "--offline",
        "--no-deps",
        "--force",
        "-p",
        collections,
        dist / tarball,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    found = yaml.safe_load(run("ansible-builder", "introspect", collections, capture_output=True).stdout)

    def gathered(kind: str) -> list[str]:
        return sorted(
            line.split("  # from collection")[0].strip()
            for line in found.get(kind) or []
            if "edgeops.cloudfront" in line
        )

    python, system = gathered("python"), gathered("system")
    if python != entries(REPO / "requirements.txt") or system != entries(REPO / "bindep.txt"):
        sys.exit(
            f"FAIL: ansible-builder gathers python {python} and system {system} from edgeops.cloudfront;"
            f" requirements.txt says {entries(REPO / 'requirements.txt')}, bindep.txt {entries(REPO / 'bindep.txt')}"
        )
    print(f"    python: {', '.join(python) or 'none'}; system: {', '.join(system) or 'none'}")

    print("ansible-builder create -f examples/execution-environment.yml (offline)")
    shutil.copy(REPO / "examples" / "execution-environment.yml", example)
    shutil.copy(dist / tarball, OUT / "ee" / "dist")
    context = OUT / "ee" / "context"
    create = [
        "ansible-builder",
        "create",
        "-f",
        str(example / "execution-environment.yml"),
        "-c",
        str(context),
        "--output-filename",
        "Containerfile",
        "-v1",
    ]
    if subprocess.run(["unshare", "-n", "true"], capture_output=True, check=False).returncode == 0:
        create = ["unshare", "-n", *create]
    else:
        print("    (unshare -n is not permitted here: create runs with the network)")
    run(*create)
    problems = []
    containerfile = (context / "Containerfile").read_text()
    for step in (
        "ansible-galaxy collection install",
        "-r requirements.yml",
        "introspect.py introspect",
        "ansible-core>=2.19,<2.20",
    ):
        if step not in containerfile:
            problems.append(f"Containerfile has no {step!r}")
    names = [
        c["name"] for c in yaml.safe_load((context / "_build" / "requirements.yml").read_text()).get("collections", [])
    ]
    if "amazon.aws" not in names:
        problems.append(f"_build/requirements.yml does not install amazon.aws: {names}")
    if f"/build/collections/{tarball}" not in names:
        problems.append(
            f"_build/requirements.yml does not install /build/collections/{tarball} (the version"
            f" of galaxy.yml; update examples/execution-environment.yml): {names}"
        )
    copied = context / "_build" / "collections" / tarball
    if not copied.is_file() or not filecmp.cmp(copied, dist / tarball, shallow=False):
        problems.append(f"_build/collections/{tarball} is missing or not the built tarball")
    if problems:
        sys.exit("FAIL: " + "; ".join(problems))
    print(
        f"    {context.relative_to(REPO)}: Containerfile, _build/requirements.yml ({', '.join(names)}),"
        f" _build/collections/{tarball}"
    )
    print("execution environment: OK")


if __name__ == "__main__":
    main()

# /// script
# dependencies = ["nox==2026.10.20", "antsibull-nox==1.10.0"]
# ///
"""The declared test sessions of the collection (nox; the ecosystem's checks from antsibull-nox).

    .venv-nox/bin/nox -l                   the sessions
    .venv-nox/bin/nox -s docs-check        one of them

`make test` runs them (tools/test.sh); `.venv-nox` is built by tools/bootstrap.sh from
tests/nox-requirements.txt.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nox

try:
    import antsibull_nox
except ImportError:
    print("antsibull-nox must be installed beside nox: tests/nox-requirements.txt")
    sys.exit(1)

REPO = Path(__file__).resolve().parent
# The `ansible` package of the oldest line (tests/requirements.txt) brings amazon.aws: its site-packages
# is the collections path where antsibull-nox finds the collections this one depends on.
DEPENDENCIES = sorted((REPO / ".venv" / "lib").glob("python3.*/site-packages"))
os.environ["ANSIBLE_COLLECTIONS_PATH"] = os.pathsep.join(map(str, DEPENDENCIES))
# antsibull-docs copies a collection with `git ls-files` when it sits in a git work tree: amazon.aws,
# inside the (ignored) .venv of this repository, would be copied empty. Git stops looking at .venv.
os.environ["GIT_CEILING_DIRECTORIES"] = str(REPO / ".venv")
nox.options.reuse_venv = "yes"
nox.options.error_on_missing_interpreters = True

antsibull_nox.load_antsibull_nox_toml()

if __name__ == "__main__":
    nox.main()

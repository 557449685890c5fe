#!/usr/bin/env bash
# Run ansible-test on this collection, offline except for PyPI.
#
# Usage: tools/ansible_test.sh PYTHON_BIN -- ANSIBLE_TEST_ARGS...
#   tools/ansible_test.sh .venv/bin/python -- sanity --python 3.11 --venv --requirements
#   tools/ansible_test.sh .venv/bin/python -- units --python 3.11 --venv --requirements
#
# PYTHON_BIN is the python of a virtualenv with ansible-core (and the `ansible` package, which
# brings amazon.aws) installed; ansible-test is taken from the same bin directory.
# Exits with ansible-test's exit code.
#
# What it sets up, all under .work/ (gitignored; EDGEOPS_WORK names another working area, as
# tools/test.sh does for each ansible-core line), never in the real home directory:
#   .work/home                  HOME and ANSIBLE_HOME (ansible-test caches its venvs here)
#   .work/home/.ansible/test/cache/get_pip_<pip version>.py
#                               tools/get_pip_offline.py, in place of the get-pip.py script
#                               that ansible-test would download from a host not reachable here
#   .work/ansible-test/ansible_collections/edgeops/cloudfront
#                               a fresh copy of the collection's files (tracked, and untracked
#                               but not ignored) in a git repository of its own, where
#                               ansible-test runs; its results are in tests/output/ of that copy
#   .work/ansible-test/ansible_collections/amazon
#                               link to the amazon namespace of PYTHON_BIN's `ansible` package
#                               (ansible-test sets ANSIBLE_COLLECTIONS_PATH to .work/ansible-test)
#   .work/ansible-test-bin      python3.X links to the real pyenv interpreters (pyenv's shims
#                               fail for versions that are not selected), so that runs without
#                               --python find every installed Python version
# If shellcheck is missing (the shellcheck sanity test would be skipped), it is installed with
# apt-get when running as root; EDGEOPS_NO_APT=1 turns that off.
set -euo pipefail

usage() {
    sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

if [ $# -lt 3 ] || [ "$2" != "--" ]; then
    usage
fi
python_bin=$1

case "$python_bin" in
    /*) ;;
    */*) python_bin="$PWD/$python_bin" ;;
    *) python_bin=$(command -v "$python_bin") || { echo "ansible_test.sh: $1 not found" >&2; exit 2; } ;;
esac
shift 2
bin_dir=$(dirname "$python_bin")
if [ ! -x "$python_bin" ] || [ ! -e "$bin_dir/ansible-test" ]; then
    echo "ansible_test.sh: no ansible-test next to $python_bin" >&2
    exit 2
fi

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=${EDGEOPS_WORK:-$REPO/.work}
ROOT=$WORK/ansible-test
DEST=$ROOT/ansible_collections/edgeops/cloudfront

# --- environment: a home of our own; nothing inherited that points ansible elsewhere -------------
mkdir -p "$WORK/home"
export HOME=$WORK/home
export ANSIBLE_HOME=$HOME/.ansible
unset ANSIBLE_COLLECTIONS_PATH ANSIBLE_COLLECTIONS_PATHS ANSIBLE_CONFIG PYTHONPATH VIRTUAL_ENV
export PATH="$bin_dir:$WORK/ansible-test-bin:$PATH"

# --- pip bootstrap script ansible-test would download ---------------------------------------------
cache=$HOME/.ansible/test/cache
mkdir -p "$cache"
pip_versions=$("$python_bin" - <<'EOF'
import os
import re

import ansible_test

source = os.path.join(os.path.dirname(ansible_test.__file__), "_internal", "python_requirements.py")
with open(source, encoding="utf-8") as handle:
    text = handle.read()
print(" ".join(sorted(set(re.findall(r"""\bpip\s*=\s*['"]([0-9][0-9.]*)['"]""", text)))))
EOF
)
if [ -z "$pip_versions" ]; then
    echo "ansible_test.sh: could not find the pip version ansible-test bootstraps" >&2
    exit 2
fi
for version in $pip_versions; do
    cp "$REPO/tools/get_pip_offline.py" "$cache/get_pip_${version//./_}.py"
done

# --- real interpreters for every installed Python 3 (pyenv shims fail for unselected versions) -----
rm -rf "$WORK/ansible-test-bin"
mkdir -p "$WORK/ansible-test-bin"
pyenv_root=${PYENV_ROOT:-}
if [ -z "$pyenv_root" ] && command -v pyenv >/dev/null 2>&1; then
    pyenv_root=$(pyenv root)
fi
if [ -n "$pyenv_root" ] && [ -d "$pyenv_root/versions" ]; then
    # oldest first, so that the newest patch release of a minor version wins
    while IFS= read -r version_dir; do
        [ -e "$version_dir/pyvenv.cfg" ] && continue  # a pyenv-virtualenv environment
        for interpreter in "$version_dir"/bin/python3.[0-9] "$version_dir"/bin/python3.[0-9][0-9]; do
            if [ -x "$interpreter" ]; then
                ln -sfn "$interpreter" "$WORK/ansible-test-bin/$(basename "$interpreter")"
            fi
        done
    done < <(find "$pyenv_root/versions" -mindepth 1 -maxdepth 1 -name '3.*' | sort -V)
fi

# --- shellcheck, for the shellcheck sanity test ---------------------------------------------------
if ! command -v shellcheck >/dev/null 2>&1 && [ -z "${EDGEOPS_NO_APT:-}" ] \
    && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    # one at a time: tools/test.sh runs ansible-test for both lines at once, and apt-get refuses
    # to run while another apt-get holds its lock
    mkdir -p "$REPO/.work"
    exec 9>"$REPO/.work/apt.lock"
    flock 9
    if ! command -v shellcheck >/dev/null 2>&1; then
        echo "==> installing shellcheck (apt-get) for the shellcheck sanity test" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y -qq shellcheck >/dev/null 2>&1 \
            || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq shellcheck >/dev/null 2>&1; } \
            || echo "==> could not install shellcheck: the shellcheck sanity test will be skipped" >&2
    fi
    exec 9>&-
fi

# --- a fresh copy of the collection inside an ansible_collections tree ----------------------------
rm -rf "$ROOT"
mkdir -p "$DEST"
(
    cd "$REPO"
    git ls-files -z --cached --others --exclude-standard \
        | while IFS= read -r -d '' file; do
            # files deleted in the work tree are still listed by --cached
            if [ -e "$file" ] || [ -L "$file" ]; then printf '%s\0' "$file"; fi
        done \
        | tar --null --no-recursion -T - -cf -
) | tar -C "$DEST" -xf -
# ansible-test lists a collection's files with git when it finds a .git on the way up from the
# collection: make the copy its own (empty) repository, or it would find this repository, where
# .work/ is ignored, and see no files at all. Untracked files are listed, so nothing is added.
git -C "$DEST" init -q

# --- collections the modules depend on: amazon.aws from the `ansible` package ---------------------
amazon=$("$python_bin" - <<'EOF'
import importlib.util
import os

spec = importlib.util.find_spec("ansible_collections.amazon.aws")
if spec is not None and spec.submodule_search_locations:
    print(os.path.dirname(list(spec.submodule_search_locations)[0]))
EOF
)
if [ -z "$amazon" ] || [ ! -d "$amazon/aws" ]; then
    echo "ansible_test.sh: amazon.aws not found for $python_bin (install the 'ansible' package)" >&2
    exit 2
fi
ln -sfn "$amazon" "$ROOT/ansible_collections/amazon"

# --- run --------------------------------------------------------------------------------------------
cd "$DEST"
status=0
"$python_bin" "$bin_dir/ansible-test" "$@" </dev/null || status=$?
if [ "$status" -ne 0 ]; then
    echo "==> ansible-test exited $status; results: ${DEST#"$REPO"/}/tests/output" >&2
fi
exit "$status"

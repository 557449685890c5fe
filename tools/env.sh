# shellcheck shell=bash
# Sourced by the tools: sets up the ansible-core 2.19 / Python 3.11 environment of the project.
# Everything lives under .work/ (gitignored): HOME, ANSIBLE_HOME, the collections path.
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=${EDGEOPS_WORK:-$REPO/.work}
PYTHON=${EDGEOPS_PYTHON:-$(command -v python3.11 || command -v python3)}
VENV=${EDGEOPS_VENV:-$REPO/.venv}

"$REPO/tools/bootstrap.sh" "$PYTHON" "$VENV" "$REPO/requirements.txt" "$REPO/tests/requirements.txt"

mkdir -p "$WORK/home" "$WORK/collections/ansible_collections/edgeops"
ln -sfn "$REPO" "$WORK/collections/ansible_collections/edgeops/cloudfront"

export REPO WORK VENV
export HOME="$WORK/home"
export ANSIBLE_HOME="$WORK/home/.ansible"
export ANSIBLE_COLLECTIONS_PATH="$WORK/collections"
export ANSIBLE_LOCAL_TEMP="$WORK/home/.ansible/tmp"
export ANSIBLE_NOCOLOR=1
export PYTHONPATH="$WORK/collections${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONDONTWRITEBYTECODE=1
export PATH="$VENV/bin:$PATH"

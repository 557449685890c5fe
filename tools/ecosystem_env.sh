# shellcheck shell=bash
# Sourced by tools/docs.sh, tools/changelog.sh and tools/ee_check.sh: the project environment
# (tools/env.sh: .venv with ansible-core 2.19 and amazon.aws first on PATH, the collection
# linked into .work/collections) plus the ecosystem tools in .venv-ecosystem
# (tests/ecosystem-requirements.txt), created on first use and rebuilt when the requirements change.
# The tools are called by path ($ECO_BIN/antsibull-docs...), so that ansible-doc, ansible-galaxy
# and python on PATH stay those of .venv.
# shellcheck source=tools/env.sh
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
ECO_VENV=${EDGEOPS_ECO_VENV:-$REPO/.venv-ecosystem}
"$REPO/tools/bootstrap.sh" "$PYTHON" "$ECO_VENV" "$REPO/tests/ecosystem-requirements.txt"
ECO_BIN=$ECO_VENV/bin
export ECO_VENV ECO_BIN
# Caches and temporary files of the tools stay under .work/ too.
export XDG_CACHE_HOME="$WORK/home/.cache"
mkdir -p "$XDG_CACHE_HOME" "$ANSIBLE_LOCAL_TEMP"

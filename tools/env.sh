# shellcheck shell=bash
# Sourced by the tools: sets up the environment of one ansible-core line of the project
# (tools/lines.sh lists them): its virtualenv, built on first use and rebuilt when its
# requirements change, and its working area (gitignored) with HOME, ANSIBLE_HOME and the
# collections path, so that nothing is read from or written to the real home directory.
#
# EDGEOPS_LINE selects the line: 2.19 (the default: Python 3.11, .venv, .work) or 2.21
# (Python 3.13, .venv-2.21, .work/2.21). EDGEOPS_PYTHON, EDGEOPS_VENV and EDGEOPS_WORK override
# the line's interpreter, virtualenv and working area. Sourcing fails, saying so, where the
# line's Python is missing.
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=tools/lines.sh
. "$REPO/tools/lines.sh"

EDGEOPS_LINE=${EDGEOPS_LINE:-2.19}
if ! LINE_PYTHON_VERSION=$(edgeops_line_python_version "$EDGEOPS_LINE"); then
    echo "env.sh: EDGEOPS_LINE=$EDGEOPS_LINE is not a line of this project ($(edgeops_lines))" >&2
    return 2
fi
if ! PYTHON=$(edgeops_line_python "$EDGEOPS_LINE"); then
    echo "env.sh: no Python $LINE_PYTHON_VERSION here for the ansible-core $EDGEOPS_LINE line" \
        "(install it, with pyenv for example, or set EDGEOPS_PYTHON)" >&2
    return 1
fi
VENV=${EDGEOPS_VENV:-$REPO/$(edgeops_line_venv "$EDGEOPS_LINE")}
WORK=${EDGEOPS_WORK:-$REPO/$(edgeops_line_work "$EDGEOPS_LINE")}

"$REPO/tools/bootstrap.sh" "$PYTHON" "$VENV" "$REPO/requirements.txt" \
    "$REPO/$(edgeops_line_requirements "$EDGEOPS_LINE")" || return

mkdir -p "$WORK/home" "$WORK/collections/ansible_collections/edgeops"
ln -sfn "$REPO" "$WORK/collections/ansible_collections/edgeops/cloudfront"

export REPO WORK VENV PYTHON EDGEOPS_LINE LINE_PYTHON_VERSION
export HOME="$WORK/home"
export ANSIBLE_HOME="$WORK/home/.ansible"
export ANSIBLE_COLLECTIONS_PATH="$WORK/collections"
export ANSIBLE_LOCAL_TEMP="$WORK/home/.ansible/tmp"
export ANSIBLE_NOCOLOR=1
export PYTHONPATH="$WORK/collections${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONDONTWRITEBYTECODE=1
export PATH="$VENV/bin:$PATH"

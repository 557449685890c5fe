#!/usr/bin/env bash
# Run a command, from the repository root, in the environment of one ansible-core line
# (tools/env.sh: its virtualenv first on PATH, its working area as HOME, the collections path).
#
# Usage: tools/line.sh LINE COMMAND [ARGS...]      LINE: 2.19 or 2.21 (tools/lines.sh)
#   tools/line.sh 2.21 pytest tests/integration/test_secrets.py
#   tools/line.sh 2.21 tools/ansible_test.sh python -- sanity --python 3.13 --venv --requirements
#   tools/line.sh 2.19 ansible-doc edgeops.cloudfront.cloudfront_invalidation_info
set -euo pipefail
if [ $# -lt 2 ]; then
    sed -n '2,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
fi
export EDGEOPS_LINE=$1
shift
# shellcheck source=tools/env.sh
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
# tools/ansible_test.sh (and env.sh, sourced again by a tool) keep to this line's working area
export EDGEOPS_WORK=$WORK
cd "$REPO"
exec "$@"

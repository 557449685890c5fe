#!/usr/bin/env bash
# ansible-lint, production profile, offline, over the collection's Ansible content.
#
# Usage: tools/lint.sh [ANSIBLE_LINT_ARGS...]
#   default: the role, the playbooks and the examples, and the collection's metadata
#   (galaxy.yml, meta/runtime.yml, changelogs/) that ansible-lint checks with them
#
# ansible-lint lives in a virtualenv of its own, .venv-lint (tests/lint-requirements.txt),
# so that it cannot change the ansible-core of the main virtualenv; it is created on first
# use and rebuilt when the requirements change. The configuration is .ansible-lint.
# edgeops.cloudfront.* resolves through .work/collections (tools/env.sh), amazon.aws.*
# through the `ansible` package of .venv-lint; Galaxy is never asked (--offline).
# Everything it writes (caches, mocks) goes under .work/. Exits non-zero on any finding.
set -euo pipefail
# shellcheck source=tools/env.sh
. "$(dirname "$0")/env.sh"
cd "$REPO"

LINT_VENV=$REPO/.venv-lint
"$REPO/tools/bootstrap.sh" "$PYTHON" "$LINT_VENV" "$REPO/tests/lint-requirements.txt"

# HOME and ANSIBLE_HOME already point into .work (env.sh); so must every other cache.
export XDG_CACHE_HOME="$WORK/home/.cache"
export XDG_CONFIG_HOME="$WORK/home/.config"
export XDG_DATA_HOME="$WORK/home/.local/share"
mkdir -p "$ANSIBLE_LOCAL_TEMP" "$XDG_CACHE_HOME"
# The lint venv's ansible-* commands (ansible-lint runs some of them) come first; without
# VIRTUAL_ENV ansible-compat keeps its cache in ANSIBLE_HOME, not in a virtualenv.
unset VIRTUAL_ENV ANSIBLE_CONFIG
export PATH="$LINT_VENV/bin:$PATH"
# No colour; --offline: no Galaxy, no version check against PyPI.
export NO_COLOR=1

lint=(ansible-lint --offline --nocolor --profile production -c "$REPO/.ansible-lint")
if [ $# -eq 0 ]; then
    set -- roles/ playbooks/ examples/ galaxy.yml meta/runtime.yml changelogs/
fi
echo "==> $("${lint[@]}" --version </dev/null | head -n1)"
echo "==> ansible-lint --profile production $*"
exec "${lint[@]}" "$@" </dev/null

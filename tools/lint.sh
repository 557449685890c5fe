#!/usr/bin/env bash
# The linters, offline, at the versions pinned in tests/lint-requirements.txt.
#
# Usage: tools/lint.sh                         every check below, in this order
#        tools/lint.sh [--ansible-lint] ARGS   ansible-lint only (no ARGS: the collection root)
#        tools/lint.sh --run TOOL [ARGS]       one tool of .venv-lint in this environment
#                                              (the local hooks of .pre-commit-config.yaml use it)
#        tools/lint.sh --pre-commit [ARGS]     `pre-commit run ARGS` with no network (see below)
#
# Every check:
#   ruff check . / ruff format --check .   Python lint and format (pyproject.toml, [tool.ruff])
#   mypy                                   types of plugins/ (pyproject.toml, [tool.mypy])
#   pre-commit validate-config             .pre-commit-config.yaml; then its hooks over every file,
#                                          offline, but for ansible-lint, which comes next anyway
#   ansible-lint                           production profile, on the collection root as certification
#                                          lints it: the role, the playbooks, the examples, the tests'
#                                          and benchmarks' YAML, the collection's metadata
#
# The tools live in a virtualenv of their own, .venv-lint (tests/lint-requirements.txt), so that
# they cannot change the ansible-core of the main virtualenv; it is created on first use and
# rebuilt when the requirements change. edgeops.cloudfront.* resolves through .work/collections
# (tools/env.sh), amazon.aws.* through the `ansible` package of .venv-lint; Galaxy is never asked
# (--offline). ansible-lint's configuration is .ansible-lint.
# --pre-commit: .pre-commit-config.yaml takes ruff's hooks from GitHub; this runs pre-commit on a
# copy of it (.work/pre-commit-offline.yaml, tools/pre_commit_offline.py) where they run the ruff
# of .venv-lint, which must be the version of the config's rev.
# Everything the tools write (caches, mocks) goes under .work/. Exits non-zero on any finding.
set -euo pipefail
# shellcheck source=tools/env.sh
. "$(dirname "$0")/env.sh"
cd "$REPO"

LINT_VENV=$REPO/.venv-lint
"$REPO/tools/bootstrap.sh" "$PYTHON" "$LINT_VENV" "$REPO/tests/lint-requirements.txt"

# HOME and ANSIBLE_HOME already point into .work (env.sh); so must every other cache
# (pre-commit's is $XDG_CACHE_HOME/pre-commit, mypy's .work/mypy_cache, see pyproject.toml).
export XDG_CACHE_HOME="$WORK/home/.cache"
export XDG_CONFIG_HOME="$WORK/home/.config"
export XDG_DATA_HOME="$WORK/home/.local/share"
export RUFF_CACHE_DIR="$WORK/ruff_cache"
mkdir -p "$ANSIBLE_LOCAL_TEMP" "$XDG_CACHE_HOME"
# The lint venv's commands (ansible-lint runs ansible-* commands) come first; without
# VIRTUAL_ENV ansible-compat keeps its cache in ANSIBLE_HOME, not in a virtualenv.
unset VIRTUAL_ENV ANSIBLE_CONFIG
export PATH="$LINT_VENV/bin:$PATH"
# No colour; --offline: no Galaxy, no version check against PyPI.
export NO_COLOR=1

ansible_lint() {
    local lint=(ansible-lint --offline --nocolor --profile production -c "$REPO/.ansible-lint")
    if [ $# -eq 0 ]; then
        # the collection root, as certification lints it (.ansible-lint excludes what is not its content)
        set -- .
    fi
    echo "==> $("${lint[@]}" --version </dev/null | head -n1)"
    echo "==> ansible-lint --profile production $*"
    "${lint[@]}" "$@" </dev/null
}

pre_commit_offline() {
    local config=$WORK/pre-commit-offline.yaml
    python "$REPO/tools/pre_commit_offline.py" .pre-commit-config.yaml "$config"
    pre-commit run --config "$config" "$@"
}

case "${1:-}" in
    --run)
        shift
        exec "$@"
        ;;
    --pre-commit)
        shift
        pre_commit_offline "$@"
        exit
        ;;
    --ansible-lint)
        shift
        ansible_lint "$@"
        exit
        ;;
    ?*)
        ansible_lint "$@"
        exit
        ;;
esac

echo "==> $(ruff --version): ruff check, ruff format --check"
ruff check .
ruff format --check .
echo "==> $(mypy --version | cut -d' ' -f1-2): plugins/ (pyproject.toml [tool.mypy])"
mypy
echo "==> pre-commit $(pre-commit --version | cut -d' ' -f2): .pre-commit-config.yaml, its hooks but ansible-lint, offline"
pre-commit validate-config .pre-commit-config.yaml
SKIP=ansible-lint pre_commit_offline --all-files --show-diff-on-failure
ansible_lint

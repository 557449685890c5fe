#!/usr/bin/env bash
# Every test of the collection, from a fresh clone: sets up its own virtualenv (.venv) and
# working area (.work), then runs the unit tests, the local endpoint's tests, the
# integration tests (real ansible-playbook runs against the local CloudFront endpoint over
# HTTP) and ansible-test sanity.
set -euo pipefail
# shellcheck source=tools/env.sh
. "$(dirname "$0")/env.sh"
cd "$REPO"

echo "==> $(ansible --version | head -n1), $(python --version)"
echo "==> unit, endpoint and integration tests"
python -m pytest -n 2 --dist load "$@"

echo "==> ansible-test sanity"
tools/ansible_test.sh "$VENV/bin/python" -- sanity --python 3.11 --venv --requirements

echo "==> lint: ruff, mypy, pre-commit hooks, ansible-lint (production profile, offline)"
tools/lint.sh

echo "==> ecosystem: generated docs, docs lint, changelog, execution environment"
tools/ecosystem_check.sh

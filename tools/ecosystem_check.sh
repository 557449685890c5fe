#!/usr/bin/env bash
# The collection's fit with the Ansible ecosystem, from a fresh clone, offline except for PyPI:
#
#   docs        tools/docs.sh --check   docs/reference/ is what antsibull-docs generates from the
#                                       code; docs/iam-policy.json allows exactly the CloudFront
#                                       calls of the code
#   antsibull-nox sessions (noxfile.py, antsibull-nox.toml), as the community collections run them:
#               docs-check              antsibull-docs lint-collection-docs: every page renders, every
#                                       reference resolves
#               extra-checks            plugins/ holds plugins only; the action group of meta/runtime.yml
#                                       and the modules' documentation of it agree
#               build-import-check      ansible-galaxy collection build, then Galaxy's importer
#   changelog   tools/changelog.sh      antsibull-changelog lint and lint-changelog-yaml;
#                                       CHANGELOG.md is generated from changelogs/changelog.yaml
#   EE          tools/ee_check.sh       ansible-builder introspect and create (offline)
#
# Usage: tools/ecosystem_check.sh (after tools/bootstrap.sh has built .venv-nox: tools/test.sh does)
# Every check runs, and the exit code is non-zero if any failed. The tools live in .venv-ecosystem
# (tests/ecosystem-requirements.txt), created on first use next to .venv (tools/env.sh).
set -uo pipefail
tools=$(cd "$(dirname "$0")" && pwd)

failed=()
run() {  # run NAME COMMAND...: one check, timed; a failure is remembered, not fatal
    local name=$1 start=$SECONDS
    shift
    echo "==> $name"
    if "$@"; then
        echo "==> $name: ok ($((SECONDS - start))s)"
    else
        echo "==> $name: FAILED ($((SECONDS - start))s)" >&2
        failed+=("$name")
    fi
}

run "docs are generated from the code" "$tools/docs.sh" --check
run "antsibull-nox sessions" "$tools/../.venv-nox/bin/nox" --non-interactive -f "$tools/../noxfile.py" \
    -s docs-check extra-checks build-import-check
run "changelog" "$tools/changelog.sh"
run "execution environment" "$tools/ee_check.sh"

if [ ${#failed[@]} -gt 0 ]; then
    echo "==> ecosystem checks failed: ${failed[*]}" >&2
    exit 1
fi
echo "==> ecosystem checks: all passed"

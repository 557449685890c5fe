#!/usr/bin/env bash
# The changelog, with antsibull-changelog (configuration: changelogs/config.yaml).
#
# Usage: tools/changelog.sh                 lint the fragments and changelogs/changelog.yaml, and
#                                           check that CHANGELOG.md is what changelog.yaml generates
#        tools/changelog.sh release [ARGS]  antsibull-changelog release: add the fragments to the
#                                           release of galaxy.yml's version, regenerate CHANGELOG.md
#        tools/changelog.sh generate        regenerate CHANGELOG.md from changelogs/changelog.yaml
#
# Every change goes with a fragment, changelogs/fragments/<name>.yml (sections: see config.yaml).
# `release` folds the fragments into changelogs/changelog.yaml and deletes them; run again for a
# version that already exists (0.1.0 before it is published), it adds the new fragments to it.
# New modules and plugins are listed from their version_added, found with the ansible-doc of .venv.
set -euo pipefail
# shellcheck source=tools/ecosystem_env.sh
. "$(dirname "$0")/ecosystem_env.sh"
cd "$REPO"

changelog=("$ECO_BIN/antsibull-changelog")

case "${1:-}" in
    "")
        echo "==> antsibull-changelog lint (changelogs/fragments)"
        "${changelog[@]}" lint </dev/null
        echo "==> antsibull-changelog lint-changelog-yaml"
        "${changelog[@]}" lint-changelog-yaml changelogs/changelog.yaml </dev/null
        mkdir -p "$WORK/changelog"
        "${changelog[@]}" generate --output "$WORK/changelog/CHANGELOG.md" --output-format md </dev/null
        if ! diff -u CHANGELOG.md "$WORK/changelog/CHANGELOG.md" >"$WORK/changelog/check.diff"; then
            head -n 40 "$WORK/changelog/check.diff" >&2
            echo "==> FAIL: CHANGELOG.md is not what changelogs/changelog.yaml generates; run tools/changelog.sh generate" >&2
            exit 1
        fi
        echo "==> CHANGELOG.md is up to date ($(find changelogs/fragments -name "*.y*ml" | wc -l) unreleased fragment(s))"
        ;;
    release)
        shift
        # From the collection's link in .work/collections (ansible_collections/edgeops/cloudfront):
        # there antsibull-changelog asks ansible-doc about the collection in place; from the
        # repository root it would first copy the whole tree, virtualenvs included.
        cd "$WORK/collections/ansible_collections/edgeops/cloudfront"
        "${changelog[@]}" release "$@" </dev/null
        ;;
    generate)
        "${changelog[@]}" generate </dev/null
        ;;
    *)
        sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//' >&2
        exit 2
        ;;
esac

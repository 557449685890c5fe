#!/usr/bin/env bash
# The benchmark suite (issue 5): our module and role against the tools users would pick instead,
# all against the local CloudFront endpoint. Sets up what it needs on first use: .venv (tools/env.sh),
# .venv-awscli (the AWS CLI v1, which pins its own botocore) and .venv-plot (matplotlib, for the chart).
#
# Usage: tools/bench.sh [--quick] [benchmarks/run.py options...]
#   tools/bench.sh            the full suite (about 25 minutes): docs/benchmarks.md,
#                             docs/benchmarks/results.json and the charts docs/benchmarks/*.png
#   tools/bench.sh --quick    a smoke of every part in about 80 s, for CI: writes benchmarks/output only
# Raw data and logs go to benchmarks/output/ (gitignored).
set -euo pipefail
# shellcheck source=tools/env.sh
. "$(dirname "$0")/env.sh"
cd "$REPO"

quick=false
for arg in "$@"; do
    [ "$arg" = "--quick" ] && quick=true
done
if ! $quick; then
    "$REPO/tools/bootstrap.sh" "$PYTHON" "$REPO/.venv-awscli" "$REPO/benchmarks/requirements-awscli.txt"
    "$REPO/tools/bootstrap.sh" "$PYTHON" "$REPO/.venv-plot" "$REPO/benchmarks/requirements-plot.txt"
fi
exec python benchmarks/run.py "$@"

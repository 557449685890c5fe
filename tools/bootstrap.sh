#!/usr/bin/env bash
# Create (or reuse) a virtualenv with the given requirement files installed.
# Usage: tools/bootstrap.sh PYTHON VENV_DIR REQUIREMENTS_FILE...
# The venv is rebuilt only when the requirement files change (a hash is kept in the venv).
set -euo pipefail
python=$1 venv=$2
shift 2
stamp="$venv/.edgeops-requirements.sha256"
want=$( { "$python" --version; cat "$@"; } | sha256sum | cut -d' ' -f1)
if [ -x "$venv/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    exit 0
fi
echo "==> creating $venv with $("$python" --version) (first run takes a minute or two)" >&2
rm -rf "$venv"
"$python" -m venv "$venv"
args=()
for req in "$@"; do args+=(-r "$req"); done
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${args[@]}" 2> >(grep -v "^WARNING: Location" >&2)
echo "$want" > "$stamp"

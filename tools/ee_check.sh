#!/usr/bin/env bash
# Execution environment check, offline: what ansible-builder makes of this collection.
#
# Usage: tools/ee_check.sh
#
#   1. builds the collection tarball (ansible-galaxy collection build) and checks that it carries
#      meta/execution-environment.yml and the two files it names, requirements.txt and bindep.txt;
#   2. installs the tarball into an empty collections path (--offline --no-deps) and runs
#      `ansible-builder introspect` on it: the requirements an image build gathers from this
#      collection are exactly those of requirements.txt (Python) and bindep.txt (system: none);
#   3. runs `ansible-builder create` on examples/execution-environment.yml (next to the tarball,
#      where the example expects it) in a network namespace without a network when one can be
#      made (unshare -n; Galaxy is never asked: `create` only writes files), and checks the build
#      context: context/Containerfile, context/_build/requirements.yml (amazon.aws and this
#      collection's tarball), the tarball copied into context/_build/collections/, and the build
#      steps that install the collections and gather their requirements.
# Everything is written under .work/ee/. No container engine is needed (nothing is built).
set -euo pipefail
# shellcheck source=tools/ecosystem_env.sh
. "$(dirname "$0")/ecosystem_env.sh"
cd "$REPO"

OUT=$WORK/ee
rm -rf "$OUT"
mkdir -p "$OUT/dist" "$OUT/collections" "$OUT/ee/examples"
version=$(python -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["version"])' galaxy.yml)
tarball=edgeops-cloudfront-$version.tar.gz

echo "==> ansible-galaxy collection build ($tarball)"
ansible-galaxy collection build --output-path "$OUT/dist" . >/dev/null </dev/null
tar -tzf "$OUT/dist/$tarball" >"$OUT/dist/members.txt"
for member in meta/execution-environment.yml requirements.txt bindep.txt; do
    grep -qx "$member" "$OUT/dist/members.txt" || { echo "FAIL: $tarball lacks $member" >&2; exit 1; }
done

echo "==> ansible-builder introspect (the installed collection's requirements)"
# --force: the source tree, linked into .work/collections, counts as installed already
ANSIBLE_COLLECTIONS_PATH="$OUT/collections" ansible-galaxy collection install --offline --no-deps --force -p "$OUT/collections" "$OUT/dist/$tarball" >/dev/null </dev/null
"$ECO_BIN/ansible-builder" introspect "$OUT/collections" >"$OUT/introspect.yml" </dev/null
python - "$OUT/introspect.yml" requirements.txt bindep.txt <<'PY'
import sys, yaml
found = yaml.safe_load(open(sys.argv[1]))
def entries(path):
    return sorted(l.strip() for l in open(path) if l.strip() and not l.lstrip().startswith("#"))
def gathered(kind):
    return sorted(l.split("  # from collection")[0].strip() for l in found.get(kind) or [] if "edgeops.cloudfront" in l)
python, system = gathered("python"), gathered("system")
if python != entries(sys.argv[2]) or system != entries(sys.argv[3]):
    sys.exit(f"FAIL: ansible-builder gathers python {python} and system {system} from edgeops.cloudfront;"
             f" requirements.txt says {entries(sys.argv[2])}, bindep.txt {entries(sys.argv[3])}")
print(f"    python: {', '.join(python) or 'none'}; system: {', '.join(system) or 'none'}")
PY

echo "==> ansible-builder create -f examples/execution-environment.yml (offline)"
cp examples/execution-environment.yml "$OUT/ee/examples/"
mkdir -p "$OUT/ee/dist"
cp "$OUT/dist/$tarball" "$OUT/ee/dist/"
create=("$ECO_BIN/ansible-builder" create -f "$OUT/ee/examples/execution-environment.yml"
        -c "$OUT/ee/context" --output-filename Containerfile -v1)
if unshare -n true 2>/dev/null; then
    unshare -n "${create[@]}" </dev/null
else
    echo "    (unshare -n is not permitted here: create runs with the network)"
    "${create[@]}" </dev/null
fi
python - "$OUT/ee/context" "$tarball" <<'PY'
import filecmp, os, sys, yaml
context, tarball = sys.argv[1], sys.argv[2]
problems = []
containerfile = open(os.path.join(context, "Containerfile")).read()
for step in ("ansible-galaxy collection install", "-r requirements.yml", "introspect.py introspect",
             "ansible-core>=2.19,<2.20"):
    if step not in containerfile:
        problems.append(f"Containerfile has no {step!r}")
requirements = yaml.safe_load(open(os.path.join(context, "_build", "requirements.yml")))
names = [c["name"] for c in requirements.get("collections", [])]
if "amazon.aws" not in names:
    problems.append(f"_build/requirements.yml does not install amazon.aws: {names}")
if f"/build/collections/{tarball}" not in names:
    problems.append(f"_build/requirements.yml does not install /build/collections/{tarball} (the version"
                    f" of galaxy.yml; update examples/execution-environment.yml): {names}")
copied = os.path.join(context, "_build", "collections", tarball)
if not os.path.isfile(copied) or not filecmp.cmp(copied, os.path.join(context, "..", "dist", tarball), shallow=False):
    problems.append(f"_build/collections/{tarball} is missing or not the built tarball")
if problems:
    sys.exit("FAIL: " + "; ".join(problems))
print(f"    {context}: Containerfile, _build/requirements.yml ({', '.join(names)}), _build/collections/{tarball}")
PY
echo "==> execution environment: OK"

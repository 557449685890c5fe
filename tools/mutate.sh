#!/usr/bin/env bash
# Mutation testing of plugins/ with cosmic-ray (`make mutate`; not part of `make test`).
#
# Usage: tools/mutate.sh [FILE...]      FILE: files of plugins/ to mutate (default: every file of
#                                       plugins/module_utils/_cloudfront/, the module and the action)
#
# The working tree is never mutated: the files git knows (tracked, as they are in the working tree,
# and new ones not ignored) are copied to .work/mutate/copy-N/, one copy per worker, each with its
# own collections path (copy-N/.work/collections/ansible_collections/edgeops/cloudfront -> copy-N,
# as tools/env.sh makes for the repository). cosmic-ray writes each mutant into a copy and runs that
# copy's unit tests (`pytest -x tests/unit`, in the virtualenv of the ansible-core 2.19 line); a
# mutant that makes a test fail, or the tests run past the timeout, is killed.
#
# Mutants in annotations and in `if TYPE_CHECKING:` blocks are skipped (never evaluated at run time:
# every file has `from __future__ import annotations`), and so are those that are not Python (a
# `*` of a signature made into another operator). Up to EDGEOPS_MUTATE_WORKERS workers (default 2,
# at most the number of cores) test mutants side by side: cosmic-ray's http distributor, each
# worker bound to the loopback interface and working in its own copy.
#
# Prints a table per file (mutants, killed, survived, timeouts, score) and every survivor, and
# writes to .work/mutate/: results.json (every mutant: file, line, operator, outcome, diff),
# survivors.txt, report.md, session.sqlite (cosmic-ray's session) and logs/.
# Fails when a file of plugins/module_utils/_cloudfront/ has less than 90 % of its mutants killed.
# Sets up .venv-mutate (tests/mutate-requirements.txt) on first use. docs/testing.md: the results.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
# shellcheck source=tools/lines.sh
. "$REPO/tools/lines.sh"

TARGET=90
MUTATE=$REPO/.work/mutate
started=$SECONDS
minutes() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

if [ $# -gt 0 ]; then
    files=("$@")
else
    files=(plugins/module_utils/_cloudfront/*.py plugins/modules/cloudfront_invalidation_info.py
        plugins/action/cloudfront_invalidation_wait.py)
fi
for file in "${files[@]}"; do
    case "$file" in
        plugins/*.py) [ -f "$file" ] || { echo "mutate.sh: no file $file" >&2; exit 2; } ;;
        *) echo "mutate.sh: $file: give files of plugins/, from the repository root" >&2; exit 2 ;;
    esac
done
cores=$(nproc 2>/dev/null || echo 2)
workers=${EDGEOPS_MUTATE_WORKERS:-2}
[ "$workers" -ge 1 ] 2>/dev/null || { echo "mutate.sh: EDGEOPS_MUTATE_WORKERS must be a number >= 1" >&2; exit 2; }
[ "$workers" -le "$cores" ] || workers=$cores

# --- the virtualenvs: cosmic-ray's, and the 2.19 line's for the tests -----------------------------
python=$(edgeops_line_python 2.19) || { echo "mutate.sh: no Python $(edgeops_line_python_version 2.19) here" >&2; exit 1; }
tools/bootstrap.sh "$python" "$REPO/.venv-mutate" "$REPO/tests/mutate-requirements.txt"
tools/bootstrap.sh "$python" "$REPO/$(edgeops_line_venv 2.19)" "$REPO/requirements.txt" \
    "$REPO/$(edgeops_line_requirements 2.19)"
cr=$REPO/.venv-mutate/bin
test_python=$REPO/$(edgeops_line_venv 2.19)/bin/python

# --- the copies ------------------------------------------------------------------------------------
rm -rf "$MUTATE"
mkdir -p "$MUTATE/logs"
copy1=$MUTATE/copy-1
mkdir -p "$copy1"
# the working tree's files that git knows or would add, less the deleted ones
git ls-files -z --cached --others --exclude-standard --deduplicate |
    "$cr/python" -c '
import os, sys
names = sys.stdin.buffer.read().split(b"\0")
sys.stdout.buffer.write(b"\0".join(n for n in names if n and os.path.isfile(n)))' |
    tar --null -T - -cf - | tar -xf - -C "$copy1"
for n in $(seq 2 "$workers"); do cp -a "$copy1" "$MUTATE/copy-$n"; done
for n in $(seq 1 "$workers"); do
    mkdir -p "$MUTATE/copy-$n/.work/collections/ansible_collections/edgeops"
    ln -sfn "$MUTATE/copy-$n" "$MUTATE/copy-$n/.work/collections/ansible_collections/edgeops/cloudfront"
done
echo "==> mutate: ${#files[@]} file(s), $workers worker(s), copies of the working tree in ${MUTATE#"$REPO"/}/copy-N"

# The test command, as each worker runs it (its copy as the working directory, its collections path).
test_command="$test_python -m pytest -x -q -p no:cacheprovider --no-header tests/unit"
export PYTHONDONTWRITEBYTECODE=1 PYTEST_DISABLE_PLUGIN_AUTOLOAD=1
unset EDGEOPS_LINE EDGEOPS_PYTHON EDGEOPS_VENV EDGEOPS_WORK

# --- the unmutated tests pass, on the copy (not on the repository), and how long they take ---------
where=$(cd "$copy1" && PYTHONPATH=$copy1/.work/collections "$test_python" -c \
    'import ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.api as m; print(m.__file__)')
case "$where" in
    "$copy1"/.work/collections/*) ;;
    *) echo "==> FAILED: the copy's tests would import $where, not the copy" >&2; exit 1 ;;
esac
begun=$(date +%s.%N)
# shellcheck disable=SC2086  # the test command is split into words, as cosmic-ray does
if ! (cd "$copy1" && PYTHONPATH=$copy1/.work/collections $test_command) >"$MUTATE/logs/baseline.log" 2>&1; then
    cat "$MUTATE/logs/baseline.log"
    echo "==> FAILED: the unit tests fail before any mutation (${MUTATE#"$REPO"/}/logs/baseline.log)" >&2
    exit 1
fi
baseline=$(echo "$(date +%s.%N) $begun" | awk '{ printf "%.2f", $1 - $2 }')
# a mutant that makes the tests loop (or sleep for real) is stopped, and counted killed, by this
timeout=$(echo "$baseline" | awk '{ t = 10 * $1; if (t < 15) t = 15; printf "%d", t }')
echo "==> unit tests unmutated: $(tail -n 1 "$MUTATE/logs/baseline.log") (${baseline}s); timeout per mutant ${timeout}s"

# --- the session -----------------------------------------------------------------------------------
config=$MUTATE/cosmic-ray.toml
session=$MUTATE/session.sqlite
{
    echo "[cosmic-ray]"
    printf 'module-path = ['
    printf '"%s", ' "${files[@]}"
    echo ']'
    echo "timeout = $timeout.0"
    echo "excluded-modules = []"
    echo "test-command = \"$test_command\""
    echo
    echo "[cosmic-ray.distributor]"
    echo 'name = "http"'
    echo
    echo "[cosmic-ray.distributor.http]"
    echo "worker-urls = []  # filled in below"
} >"$config"
(cd "$copy1" && "$cr/cosmic-ray" init "$config" "$session")

# Skip what is never evaluated or is not Python.
(cd "$copy1" && "$cr/python" - "$session") <<'PYTHON'
"""Marks as skipped the mutants that are not mutants of the code that runs."""
import ast
import sys

from cosmic_ray.mutating import mutate_code
from cosmic_ray.plugins import get_operator
from cosmic_ray.work_db import WorkDB, use_db
from cosmic_ray.work_item import WorkerOutcome, WorkResult

ANNOTATION = "skipped: in an annotation, never evaluated (from __future__ import annotations)"
TYPE_CHECKING = "skipped: in an `if TYPE_CHECKING:` block, never run"
NOT_PYTHON = "skipped: not Python (the mutated file does not compile)"


def spans(tree):
    """(start, end, reason) of every annotation and TYPE_CHECKING block: (line, column) pairs."""
    for node in ast.walk(tree):
        found = []
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            found.append((node, TYPE_CHECKING))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            args = node.args
            every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
            found += [(arg.annotation, ANNOTATION) for arg in every if arg is not None and arg.annotation]
            if node.returns is not None:
                found.append((node.returns, ANNOTATION))
        if isinstance(node, ast.AnnAssign):
            found.append((node.annotation, ANNOTATION))
        for part, reason in found:
            yield (part.lineno, part.col_offset), (part.end_lineno, part.end_col_offset), reason


sources, trees = {}, {}
skipped = {ANNOTATION: [], TYPE_CHECKING: [], NOT_PYTHON: []}
with use_db(sys.argv[1], WorkDB.Mode.open) as db:
    for item in db.work_items:
        (mutation,) = item.mutations
        path = str(mutation.module_path)
        if path not in sources:
            with open(path, encoding="utf-8") as f:
                sources[path] = f.read()
            trees[path] = list(spans(ast.parse(sources[path])))
        start = tuple(mutation.start_pos)
        reason = next((why for begin, end, why in trees[path] if begin <= start < end), None)
        if reason is None and "ReplaceBinaryOperator_" in mutation.operator_name:
            line = sources[path].splitlines()[start[0] - 1]
            if line[start[1] : start[1] + 1] == "*":  # a `*` or `**` of a signature is no operator
                code = mutate_code(sources[path], get_operator(mutation.operator_name)(), mutation.occurrence)
                try:
                    compile(code, path, "exec")
                except SyntaxError:
                    reason = NOT_PYTHON
        if reason is not None:
            skipped[reason].append(item.job_id)
    for reason, job_ids in skipped.items():
        if job_ids:
            db.set_multiple_results(job_ids, WorkResult(worker_outcome=WorkerOutcome.SKIPPED, output=reason))
    total = db.num_work_items
labels = {ANNOTATION: "in annotations", TYPE_CHECKING: "in TYPE_CHECKING blocks", NOT_PYTHON: "not Python"}
print(f"==> {total} mutants; skipped: " + ", ".join(f"{len(ids)} {labels[why]}" for why, ids in skipped.items()))
PYTHON

# --- the workers: cosmic-ray's http worker, on the loopback interface only --------------------------
worker_pids=()
progress_pid=
# shellcheck disable=SC2317  # run by the trap
cleanup() {
    [ -z "$progress_pid" ] || kill "$progress_pid" 2>/dev/null || true
    for pid in "${worker_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT
urls=()
for n in $(seq 1 "$workers"); do
    copy=$MUTATE/copy-$n
    (
        cd "$copy"
        export PYTHONPATH=$copy/.work/collections
        # a mutant that makes the tests allocate without end fails instead of filling the memory
        ulimit -v 4194304
        exec "$cr/python" - "$MUTATE/worker-$n.port" <<'PYTHON'
"""cosmic-ray's http worker (cosmic_ray.distribution.http), bound to 127.0.0.1 on a free port."""
import os
import socket
import sys

from aiohttp import web
from cosmic_ray.distribution.http import handle_mutate_and_test

sock = socket.socket()
sock.bind(("127.0.0.1", 0))
sock.listen(16)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(sock.getsockname()[1]))
os.replace(sys.argv[1] + ".tmp", sys.argv[1])
app = web.Application()
app.add_routes([web.post("/", handle_mutate_and_test)])
web.run_app(app, sock=sock, print=None)
PYTHON
    ) >"$MUTATE/logs/worker-$n.log" 2>&1 &
    worker_pids+=($!)
done
for n in $(seq 1 "$workers"); do
    for _ in $(seq 1 100); do
        [ -s "$MUTATE/worker-$n.port" ] && break
        sleep 0.1
    done
    [ -s "$MUTATE/worker-$n.port" ] || { cat "$MUTATE/logs/worker-$n.log"; echo "==> FAILED: worker $n did not start" >&2; exit 1; }
    urls+=("\"http://127.0.0.1:$(cat "$MUTATE/worker-$n.port")\"")
done
worker_urls=$(IFS=,; echo "${urls[*]}")
sed -i "s|^worker-urls = .*|worker-urls = [$worker_urls]|" "$config"

# --- the run, with a progress line a minute ----------------------------------------------------------
count_sql="select (select count(*) from work_results), (select count(*) from work_items)"
(
    nap=
    trap '[ -z "$nap" ] || kill "$nap" 2>/dev/null; exit 0' TERM
    while :; do
        sleep 60 &
        nap=$!
        wait "$nap" || true
        "$cr/python" -c 'import sqlite3, sys; print("%d of %d mutants done" % sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone())' \
            "$session" "$count_sql" 2>/dev/null | sed "s/^/==> /" || true
    done
) &
progress_pid=$!
echo "==> cosmic-ray exec: $workers worker(s) (logs in ${MUTATE#"$REPO"/}/logs/)"
begun=$SECONDS
"$cr/cosmic-ray" exec "$config" "$session" 2>"$MUTATE/logs/exec.log" || {
    tail -n 20 "$MUTATE/logs/exec.log"
    echo "==> FAILED: cosmic-ray exec (${MUTATE#"$REPO"/}/logs/exec.log)" >&2
    exit 1
}
ran=$((SECONDS - begun))
kill "$progress_pid" 2>/dev/null || true
progress_pid=

# --- the report --------------------------------------------------------------------------------------
status=0
"$cr/python" - "$session" "$MUTATE" "$TARGET" "$(minutes "$ran")" "$("$cr/cosmic-ray" --version)" <<'PYTHON' || status=$?
"""The table per file, the survivors, results.json, survivors.txt and report.md."""
import json
import sys
from collections import Counter, defaultdict

from cosmic_ray.work_db import WorkDB, use_db
from cosmic_ray.work_item import TestOutcome, WorkerOutcome

session, out, target, took, version = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4], sys.argv[5]
GATED = "plugins/module_utils/_cloudfront/"

rows = []
with use_db(session, WorkDB.Mode.open) as db:
    results = dict(db.results)
    for item in db.work_items:
        (mutation,) = item.mutations
        result = results.get(item.job_id)
        if result is None:
            outcome = "not run"
        elif result.worker_outcome == WorkerOutcome.SKIPPED:
            outcome = "skipped"
        elif result.worker_outcome != WorkerOutcome.NORMAL:
            outcome = "error"  # the worker failed (not the tests): neither killed nor survived
        elif result.test_outcome == TestOutcome.SURVIVED:
            outcome = "survived"
        elif result.output == "timeout":
            outcome = "timeout"
        else:
            outcome = "killed"  # a test failed (or the mutant could not be imported)
        diff = [line for line in (result.diff or "").splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]
        rows.append(
            {
                "file": str(mutation.module_path),
                "line": mutation.start_pos[0],
                "column": mutation.start_pos[1],
                "operator": mutation.operator_name.replace("core/", ""),
                "occurrence": mutation.occurrence,
                "function": mutation.definition_name,
                "outcome": outcome,
                "note": result.output if outcome == "skipped" else None,
                "diff": diff,
            }
        )
rows.sort(key=lambda r: (r["file"], r["line"], r["column"], r["operator"]))

counts = defaultdict(Counter)
for row in rows:
    counts[row["file"]][row["outcome"]] += 1
    counts["total"][row["outcome"]] += 1


def score(c):
    tested = c["killed"] + c["survived"] + c["timeout"] + c["error"]
    return 100.0 * (c["killed"] + c["timeout"]) / tested if tested else 100.0


header = "| file | mutants | killed | survived | timeouts | score | skipped |"
lines = [header, "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
below = []
for name in [*sorted(f for f in counts if f != "total"), "total"]:
    c = counts[name]
    tested = c["killed"] + c["survived"] + c["timeout"] + c["error"]
    extra = "".join(f", {c[k]} {k}" for k in ("error", "not run") if c[k])
    label = f"`{name}`" if name != "total" else "**total**"
    lines.append(
        f"| {label} | {tested} | {c['killed']} | {c['survived']} | {c['timeout']} | {score(c):.1f} % | {c['skipped']}{extra} |"
    )
    if name.startswith(GATED) and (score(c) < target or c["not run"] or c["error"]):
        below.append(name)
survivors = [r for r in rows if r["outcome"] == "survived"]
text = []
for r in survivors:
    text.append(f"{r['file']}:{r['line']} {r['operator']} (in {r['function']})")
    text += [f"    {line}" for line in r["diff"]]

with open(f"{out}/results.json", "w") as f:
    json.dump({"tool": version, "took": took, "mutants": rows}, f, indent=1)
with open(f"{out}/survivors.txt", "w") as f:
    f.write("\n".join(text) + "\n")
with open(f"{out}/report.md", "w") as f:
    f.write(f"{version}, {took}\n\n" + "\n".join(lines) + "\n\nSurvivors:\n\n```\n" + "\n".join(text) + "\n```\n")

print(f"==> {version}: mutants tested in {took}; score = killed (timeouts included) / mutants")
print("\n".join(lines))
print(f"==> {len(survivors)} survivor(s) ({out}/survivors.txt):")
print("\n".join(text[:400]))
if len(text) > 400:
    print(f"... ({out}/survivors.txt has them all)")
if below:
    print(f"==> FAILED: under {target:.0f} % killed (or not all tested): {', '.join(below)}", file=sys.stderr)
    sys.exit(1)
PYTHON
echo "==> mutate: $(minutes $((SECONDS - started))) in all; raw results in ${MUTATE#"$REPO"/}/ (results.json, survivors.txt, report.md)"
exit "$status"

#!/usr/bin/env bash
# Every test of the collection, on both ansible-core lines (tools/lines.sh), from a fresh clone:
# sets up its own virtualenvs (.venv, .venv-2.21, .venv-lint) and working areas (.work).
#
#   line 2.19: Python 3.11, `ansible` 12 (ansible-core 2.19, amazon.aws 10)
#   line 2.21: Python 3.13, `ansible` 14 (ansible-core 2.21, amazon.aws 11)
#
# On each line:
#   pytest                tests/unit, tests/support (the local CloudFront endpoint) and
#                         tests/integration: real ansible-playbook and ansible-runner runs against
#                         the local endpoint, and the collection built with ansible-galaxy,
#                         installed into a fresh collections path and run from there
#   ansible-test sanity   --python 3.11 on 2.19, --python 3.13 on 2.21
#   ansible-test units    the same Python
# and once: tools/lint.sh (ruff, mypy, the pre-commit hooks, ansible-lint with the production
# profile) and tools/ecosystem_check.sh (generated docs up to date, antsibull-docs lint,
# antsibull-changelog lint and CHANGELOG.md, ansible-builder create offline), and a smoke of the
# benchmark suite (tools/bench.sh --quick: every part runs, no figure is asserted).
#
# Which integration tests run on which line: every one on 2.19; on 2.21 all but those marked
# `storm` or `load` (pyproject.toml): the three fault bursts and the 20-second outage (minutes of
# real backoff each) and the twenty concurrent gates test the collection's own wait loop (backoff,
# jitter), the same code on both lines. Everything that goes through ansible-core or amazon.aws
# (module runs and their argument checks, errors and connection options, the role gate,
# ansible-runner jobs, ansible-doc and action groups, no secrets in the output, the installed
# collection) runs on both. Tests marked `long` (gates of over 300 progress rounds, five minutes
# asleep) run on both lines.
#
# Order, for the time on 2 cores:
#   1. the virtualenvs, built side by side
#   2. pytest on 2.19, then on 2.21, with a worker per core: most tests are short playbook runs
#      that keep a core busy, and some judge timings that a busier machine would stretch; beside
#      them, from the start, the sleepers of each line in a pytest run of their own, a worker
#      each: the 2.19 storms sleep through their backoff, the long gates of both lines through
#      their rounds (their logs are shown when they end)
#   3. ansible-test sanity and units for each line, and ansible-lint, side by side, each writing a
#      log in .work/logs that is shown when it ends
# and a summary of the times.
#
# Environment:
#   EDGEOPS_LINES               lines to run, default "2.19 2.21"; e.g. EDGEOPS_LINES=2.21 make test
#   EDGEOPS_REQUIRE_BOTH_LINES  1: a missing Python 3.13 is a failure (.ci/run sets it); otherwise
#                               the 2.21 line is skipped, saying so at the start and at the end
#   EDGEOPS_PYTEST_WORKERS      pytest-xdist workers for the tests other than the sleepers, default
#                               the number of cores
# Arguments are passed to each pytest run (with -k, a run that selects nothing is not a failure).
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
# shellcheck source=tools/lines.sh
. "$REPO/tools/lines.sh"
unset EDGEOPS_LINE  # each step below runs on its line (tools/line.sh)

workers=${EDGEOPS_PYTEST_WORKERS:-$(nproc 2>/dev/null || echo 2)}
# the sleepers' workers: about one per storm test and the long-gate test on 2.19; on 2.21, the long
# gate and the others (the long tests judge their deadlines: what runs beside them must mostly sleep)
sleeper_workers_219=6
sleeper_workers_221=2
read -r -a lines <<<"${EDGEOPS_LINES:-$(edgeops_lines)}"
if [ "${#lines[@]}" -gt 1 ] && [ -n "${EDGEOPS_PYTHON:-}${EDGEOPS_VENV:-}${EDGEOPS_WORK:-}" ]; then
    echo "test.sh: EDGEOPS_PYTHON, EDGEOPS_VENV and EDGEOPS_WORK are one line's; set EDGEOPS_LINES to that line" >&2
    exit 2
fi

started=$SECONDS
summary=()
failed=()
minutes() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }
# Record how step $1 went: exit status $2, begun at $3 (SECONDS).
record() {
    if [ "$2" -eq 0 ]; then
        summary+=("$(printf '%-20s passed  %s' "$1" "$(minutes $((SECONDS - $3)))")")
    else
        summary+=("$(printf '%-20s FAILED  %s (exit %s)' "$1" "$(minutes $((SECONDS - $3)))" "$2")")
        failed+=("$1")
    fi
}

# --- which lines can run here -------------------------------------------------------------------
run_lines=()
skipped=()
for line in "${lines[@]}"; do
    if ! version=$(edgeops_line_python_version "$line"); then
        echo "test.sh: there is no ansible-core line $line (lines: $(edgeops_lines))" >&2
        exit 2
    fi
    if edgeops_line_python "$line" >/dev/null; then
        run_lines+=("$line")
    elif [ "${EDGEOPS_REQUIRE_BOTH_LINES:-}" = 1 ]; then
        echo "==> FAILED: no Python $version here for the ansible-core $line line, and EDGEOPS_REQUIRE_BOTH_LINES=1" >&2
        exit 1
    else
        skipped+=("$line (no Python $version)")
        echo "==> NOTE: no Python $version here: the ansible-core $line line is SKIPPED" \
            "(install Python $version, with pyenv for example, to run it)"
    fi
done
if [ "${#run_lines[@]}" -eq 0 ]; then
    echo "==> FAILED: none of the lines ${lines[*]} can run here" >&2
    exit 1
fi
echo "==> ansible-core lines: ${run_lines[*]}"

# --- the virtualenvs, side by side ---------------------------------------------------------------
begun=$SECONDS
pids=()
for line in "${run_lines[@]}"; do
    tools/bootstrap.sh "$(edgeops_line_python "$line")" "$REPO/$(edgeops_line_venv "$line")" \
        "$REPO/requirements.txt" "$REPO/$(edgeops_line_requirements "$line")" &
    pids+=($!)
done
# tools/lint.sh's virtualenv, as lint.sh builds it (so that lint.sh finds it ready)
tools/bootstrap.sh "$(edgeops_line_python 2.19)" "$REPO/.venv-lint" "$REPO/tests/lint-requirements.txt" &
pids+=($!)
status=0
for pid in "${pids[@]}"; do wait "$pid" || status=$?; done
record virtualenvs "$status" "$begun"
[ "$status" -eq 0 ] || { echo "==> FAILED: could not build the virtualenvs" >&2; exit 1; }

# --- pytest ----------------------------------------------------------------------------------------
logs=$REPO/.work/logs
rm -rf "$logs"
mkdir -p "$logs"
# Exit status of pytest: 5 (no test selected) is fine when arguments narrowed the selection.
pytest_status() {
    if [ "$1" -eq 5 ] && [ "$2" -gt 0 ]; then echo 0; else echo "$1"; fi
}
# The sleepers, beside the rest from the start, in a pytest run of their own per line, a worker
# each: the storms (2.19 only) sleep through minutes of backoff, the long gates through five
# minutes of progress rounds.
sleepers=()
for line in "${run_lines[@]}"; do
    if [ "$line" = 2.19 ]; then markers="storm or long" workers_here=$sleeper_workers_219; else markers="long" workers_here=$sleeper_workers_221; fi
    echo "==> [$line] pytest -m '$markers': beside the other tests, log in ${logs#"$REPO"/}/pytest-$line-sleepers.log"
    (
        begun=$SECONDS
        status=0
        tools/line.sh "$line" python -m pytest -n "$workers_here" -m "$markers" "$@" || status=$?
        echo "$status $((SECONDS - begun))" >"$logs/pytest-$line-sleepers.steps"
    ) >"$logs/pytest-$line-sleepers.log" 2>&1 &
    sleepers+=("$line:$!")
done
for line in "${run_lines[@]}"; do
    begun=$SECONDS
    if [ "$line" = 2.19 ]; then select="not storm and not long"; else select="not storm and not load and not long"; fi
    echo "==> [$line] $(tools/line.sh "$line" ansible --version | sed -n 1p)," \
        "$(tools/line.sh "$line" python --version)"
    echo "==> [$line] pytest -m '$select': unit, endpoint and integration tests"
    status=0
    tools/line.sh "$line" python -m pytest -n "$workers" --dist load -m "$select" "$@" || status=$?
    record "pytest $line" "$(pytest_status "$status" $#)" "$begun"
done
for sleeper in "${sleepers[@]}"; do
    line=${sleeper%%:*}
    wait "${sleeper#*:}" || true
    echo "==> [$line] pytest, the sleepers (${logs#"$REPO"/}/pytest-$line-sleepers.log):"
    cat "$logs/pytest-$line-sleepers.log"
    status=1 took=0
    if [ -s "$logs/pytest-$line-sleepers.steps" ]; then read -r status took <"$logs/pytest-$line-sleepers.steps"; fi
    record "pytest $line sleepers" "$(pytest_status "$status" $#)" $((SECONDS - took))
done

# --- ansible-test on each line, and ansible-lint, side by side -------------------------------------
names=()
pids=()
for line in "${run_lines[@]}"; do
    version=$(edgeops_line_python_version "$line")
    (
        for command in sanity units; do
            echo "==> [$line] ansible-test $command --python $version"
            begun=$SECONDS
            status=0
            tools/line.sh "$line" tools/ansible_test.sh python -- "$command" --python "$version" \
                --venv --requirements || status=$?
            echo "$command $status $((SECONDS - begun))" >>"$logs/ansible-test-$line.steps"
        done
    ) >"$logs/ansible-test-$line.log" 2>&1 &
    names+=("ansible-test-$line")
    pids+=($!)
done
# beside NAME STEP COMMAND...: run COMMAND beside the others, its output in $logs/NAME.log and
# its outcome as one STEP line in $logs/NAME.steps
beside() {
    local name=$1 step=$2
    shift 2
    (
        begun=$SECONDS
        status=0
        "$@" || status=$?
        echo "$step $status $((SECONDS - begun))" >>"$logs/$name.steps"
    ) >"$logs/$name.log" 2>&1 &
    names+=("$name")
    pids+=($!)
}
beside ansible-lint lint tools/lint.sh
beside ecosystem ecosystem tools/ecosystem_check.sh
beside bench bench tools/bench.sh --quick
echo "==> side by side: ${names[*]} (logs in ${logs#"$REPO"/}/)"

for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || true
    echo "==> ${names[$i]}: ${logs#"$REPO"/}/${names[$i]}.log"
    cat "$logs/${names[$i]}.log"
    if [ ! -s "$logs/${names[$i]}.steps" ]; then
        record "${names[$i]}" 1 "$SECONDS"  # it ended before its first step did
        continue
    fi
    line=${names[$i]#ansible-test-}
    while read -r command status took; do
        case "$command" in
            lint) name="lint" ;;
            ecosystem) name="ecosystem" ;;
            bench) name="bench --quick" ;;
            *) name="$command $line" ;;
        esac
        record "$name" "$status" $((SECONDS - took))
    done <"$logs/${names[$i]}.steps"
done

echo "==> summary (wall times; the sleepers ran beside the other pytest runs; ansible-test and ansible-lint side by side)"
for entry in "${summary[@]}"; do echo "    $entry"; done
echo "    total                $(minutes $((SECONDS - started)))"
for entry in "${skipped[@]}"; do
    echo "==> NOTE: the ansible-core line $entry did NOT run here"
done
if [ "${#failed[@]}" -gt 0 ]; then
    echo "==> FAILED: ${failed[*]}" >&2
    exit 1
fi

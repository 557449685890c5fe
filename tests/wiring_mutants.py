# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Wiring mutants: one-line changes of what a Python mutation tool cannot change (the role's YAML,
the AWX job template's playbook, the action group, the gate action's module runs), each applied to
a copy of the tree, and the tests that should catch it run against the copy: every one must fail.

Usage: .venv-nox/bin/nox -s wiring-mutants -- [--test-python PATH] [--list] [ID...]
       (default: every mutant of tests/wiring_mutants.yml; the session runs this program in the
       ansible-core 2.19 line's virtualenv, where the collection is importable, for tools/tree.py)

The working tree is never changed: tools/tree.py copies the files git knows to .work/wiring/copy/
and makes the copy a collection of its own (its collections path, HOME in copy/.work/home); each
mutant is written into the copy, its tests run there with the Python of --test-python (default:
the one running this program, of the ansible-core 2.19 line's virtualenv) and its virtualenv's
commands first on PATH, and the file is put back. First the tests of every mutant run once on the
unmutated copy: they must pass, or a failure would prove nothing.

A mutant is caught when its tests fail (pytest's exit status 1) or run past their timeout (a
minute more than three times what they took unmutated: the gate hung, or waited far too long); it
survived when they pass; any other status (a test not found, a usage error) is an error of the
list, not a catch. Writes .work/wiring/results.json and report.md; exit status 1 when a mutant
survived or could not be tried. Run by `make mutate` after cosmic-ray; docs/testing.md has the
latest results.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import yaml

from ansible_collections.edgeops.cloudfront.tools.tree import collection_env, copy_tree

REPO = Path(__file__).resolve().parent.parent
MUTANTS = REPO / "tests" / "wiring_mutants.yml"
OUT = REPO / ".work" / "wiring"
COPY = OUT / "copy"
# a mutant's tests may take this many times what they took unmutated, and this many seconds more
SLOWER, MORE = 3, 60
FIELDS = ("id", "fear", "file", "find", "replace", "tests", "why")


def load(path: Path = MUTANTS) -> list[dict[str, Any]]:
    """The mutants, checked: every field, unique IDs, and each text to find exactly once in its file."""
    mutants: list[dict[str, Any]] = yaml.safe_load(path.read_text(encoding="utf-8"))
    problems = []
    seen: set[str] = set()
    for n, mutant in enumerate(mutants):
        name = mutant.get("id", f"#{n + 1}")
        missing = [field for field in FIELDS if field not in mutant]
        if missing:
            problems.append(f"{name}: missing {', '.join(missing)}")
            continue
        if name in seen:
            problems.append(f"{name}: a second mutant of this id")
        seen.add(name)
        if not mutant["tests"]:
            problems.append(f"{name}: no test to catch it")
        source = REPO / mutant["file"]
        count = source.read_text(encoding="utf-8").count(mutant["find"]) if source.is_file() else 0
        if count != 1:
            problems.append(f"{name}: its text is found {count} times in {mutant['file']} (it must be once)")
        if mutant["find"] == mutant["replace"]:
            problems.append(f"{name}: changes nothing")
    if problems:
        raise SystemExit("wiring_mutants: " + path.name + ": " + "; ".join(problems))
    return mutants


def run_tests(
    python: str, tests: list[str], log: Path, timeout: float | None = None, *options: str
) -> tuple[int | None, float]:
    """The tests in the copy, run by `python`: pytest's exit status (None: timed out)."""
    env = collection_env(COPY, python)
    command = [python, "-m", "pytest", "-x", "-q", "-p", "no:xdist", *options, *tests]
    begun = time.monotonic()
    # a session of its own: past the timeout, the tests and every process they started (a gate
    # that hangs, its ansible-playbook) are stopped, not left running
    options_of_run: dict[str, Any] = {"cwd": COPY, "env": env, "stderr": subprocess.STDOUT, "start_new_session": True}
    with log.open("w", encoding="utf-8") as out, subprocess.Popen(command, stdout=out, **options_of_run) as tests_run:
        try:
            status: int | None = tests_run.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(tests_run.pid, signal.SIGKILL)
            tests_run.wait()
            status = None
    return status, time.monotonic() - begun


def durations(junit: Path) -> dict[str, float]:
    """Seconds per test function of the unmutated run, from its JUnit XML (parameters summed)."""
    took: dict[str, float] = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        name = case.get("name", "").partition("[")[0]
        took[name] = took.get(name, 0.0) + float(case.get("time", 0))
    return took


def timeout_for(tests: list[str], took: dict[str, float]) -> float:
    return MORE + SLOWER * sum(took.get(test.rsplit("::", maxsplit=1)[-1].partition("[")[0], 0.0) for test in tests)


def first_failure(log: Path) -> str:
    """The first test that failed, as pytest's summary names it."""
    match = re.search(r"^(?:FAILED|ERROR) (\S+)", log.read_text(encoding="utf-8", errors="replace"), re.M)
    return match.group(1).rsplit("::", maxsplit=1)[-1] if match else ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("ids", nargs="*", metavar="ID", help="the mutants to try (default: all)")
    parser.add_argument("--list", action="store_true", help="list the mutants and exit")
    parser.add_argument(
        "--test-python",
        type=os.path.abspath,
        default=sys.executable,
        metavar="PATH",
        help="the Python of the virtualenv to run the tests in (default: this one)",
    )
    args = parser.parse_args()
    mutants = load()
    if args.ids:
        unknown = sorted(set(args.ids) - {m["id"] for m in mutants})
        if unknown:
            raise SystemExit(f"wiring_mutants: no mutant {', '.join(unknown)} (--list lists them)")
        mutants = [m for m in mutants if m["id"] in args.ids]
    if args.list:
        for mutant in mutants:
            print(f"{mutant['id']:40} {mutant['fear']:28} {mutant['file']}")
        return 0

    started = time.monotonic()
    if COPY.exists():
        shutil.rmtree(COPY)
    copy_tree(REPO, COPY)
    logs = OUT / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    tests = list(dict.fromkeys(test for mutant in mutants for test in mutant["tests"]))
    print(f"==> wiring mutants: {len(mutants)}, tests unmutated first ({len(tests)}), in {COPY.relative_to(REPO)}")
    junit = OUT / "unmutated.xml"
    status, took = run_tests(args.test_python, tests, logs / "unmutated.log", None, f"--junitxml={junit}")
    if status != 0:
        print((logs / "unmutated.log").read_text(encoding="utf-8", errors="replace")[-3000:])
        print(f"==> FAILED: the tests fail unmutated (exit {status}): a failure would prove nothing", file=sys.stderr)
        return 1
    print(f"==> unmutated: passed in {took:.0f}s")
    unmutated = durations(junit)

    results = []
    for mutant in mutants:
        path = COPY / mutant["file"]
        original = path.read_text(encoding="utf-8")
        path.write_text(original.replace(mutant["find"], mutant["replace"], 1), encoding="utf-8")
        try:
            timeout = timeout_for(mutant["tests"], unmutated)
            status, took = run_tests(args.test_python, mutant["tests"], logs / f"{mutant['id']}.log", timeout)
        finally:
            path.write_text(original, encoding="utf-8")
        if status == 1:
            outcome, by = "caught", first_failure(logs / f"{mutant['id']}.log")
        elif status is None:
            outcome, by = "caught", f"timed out after {timeout:.0f}s"
        elif status == 0:
            outcome, by = "SURVIVED", ""
        else:
            outcome, by = "ERROR", f"pytest exit {status}: see {logs.relative_to(REPO)}/{mutant['id']}.log"
        results.append({**mutant, "outcome": outcome, "by": by, "seconds": round(took)})
        print(f"{outcome:9} {mutant['id']:40} {took:5.0f}s  {by}", flush=True)

    caught = sum(r["outcome"] == "caught" for r in results)
    elapsed = time.monotonic() - started
    (OUT / "results.json").write_text(json.dumps({"seconds": round(elapsed), "mutants": results}, indent=1))
    rows = ["| mutant | fear | file | caught by |", "| --- | --- | --- | --- |"]
    rows += [
        f"| `{r['id']}` | {r['fear']} | `{r['file']}` | "
        + (f"`{r['by']}`" if r["outcome"] == "caught" else f"**{r['outcome']}** {r['by']}")
        + " |"
        for r in results
    ]
    summary = f"{caught} of {len(results)} wiring mutants caught in {elapsed / 60:.1f} min"
    (OUT / "report.md").write_text(summary + "\n\n" + "\n".join(rows) + "\n", encoding="utf-8")
    print(f"==> {summary} ({OUT.relative_to(REPO)}/report.md)")
    if caught != len(results):
        print("==> FAILED: " + ", ".join(r["id"] for r in results if r["outcome"] != "caught"), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

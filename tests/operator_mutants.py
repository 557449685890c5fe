# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Operator mutants: cosmic-ray's mutations of the Python of plugins/ (an operator, a number, a
keyword changed), each tested by the unit tests in a copy of the tree; a mutant that makes a test
fail, or the tests run past the timeout, is killed.

Usage: .venv-nox/bin/nox -s mutate -- [FILE...]   (`make mutate` runs it with the wiring mutants)
  The session runs `python tests/operator_mutants.py --test-python PATH [FILE...]` in one virtualenv
  with cosmic-ray (tests/mutate-requirements.txt) and the ansible-core 2.19 line's requirements, where
  the collection is importable (PYTHONPATH=.work/collections), for tools/tree.py. PATH: the Python that
  runs the tests (the session's own). FILE: files of plugins/ to mutate
  (default: module-path of tests/operator_mutants.toml, cosmic-ray's configuration).

The working tree is never mutated: tools/tree.py copies the files git knows to .work/mutate/copy-N/,
one copy per worker, each a collection of its own (copy-N/.work/collections/ansible_collections/
edgeops/cloudfront -> copy-N). The unit tests must pass on copy-1 first; the timeout per mutant is
ten times what they took (at least the configuration's). cosmic-ray writes each mutant into a copy
and runs that copy's unit tests (`pytest -x tests/unit`, the configuration's test-command).

Mutants in annotations and in `if TYPE_CHECKING:` blocks are skipped (never evaluated at run time:
every file has `from __future__ import annotations`), and so are those that are not Python (a `*`
of a signature made into another operator). The workers: cosmic-ray's http distributor; this
program starts up to EDGEOPS_MUTATE_WORKERS (default 2, at most the number of cores) http workers,
each this program again (`--worker FD`) in its copy, serving on a socket bound to 127.0.0.1 that
this program opened and passed on, with 4 GiB of address space (a mutant that allocates without
end fails instead of filling the memory); they are stopped at the end.

Prints a table per file (mutants, killed, survived, timeouts, score) and every survivor, and writes
to .work/mutate/: results.json (every mutant: file, line, operator, outcome, diff), survivors.txt,
report.md, cosmic-ray.toml (the run's configuration), session.sqlite (cosmic-ray's session) and
logs/. Exit status 1 when a file under [required] of the configuration has less of its mutants
killed than it requires, or a mutant untested. docs/testing.md has the results.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import glob
import json
import os
import resource
import shlex
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter, defaultdict
from importlib.metadata import version
from pathlib import Path
from typing import Any, Iterator

import toml
from cosmic_ray.mutating import mutate_code
from cosmic_ray.plugins import get_operator
from cosmic_ray.work_db import WorkDB, use_db
from cosmic_ray.work_item import TestOutcome, WorkerOutcome, WorkResult

from ansible_collections.edgeops.cloudfront.tools.tree import collection_env, copy_tree

REPO = Path(__file__).resolve().parent.parent
CONFIG = REPO / "tests" / "operator_mutants.toml"
OUT = REPO / ".work" / "mutate"
# the timeout per mutant: this many times what the unmutated tests took (or the configuration's)
SLOWER = 10
ANNOTATION = "skipped: in an annotation, never evaluated (from __future__ import annotations)"
TYPE_CHECKING = "skipped: in an `if TYPE_CHECKING:` block, never run"
NOT_PYTHON = "skipped: not Python (the mutated file does not compile)"
PROGRESS = "select (select count(*) from work_results), (select count(*) from work_items)"


def minutes(seconds: float) -> str:
    return f"{int(seconds) // 60}m{int(seconds) % 60:02d}s"


def files_to_mutate(parser: argparse.ArgumentParser, given: list[str], defaults: list[str]) -> list[str]:
    """The FILE arguments, checked, or the configuration's globs expanded."""
    for name in given:
        if not (name.startswith("plugins/") and name.endswith(".py")):
            parser.error(f"{name}: give files of plugins/, from the repository root")
        if not (REPO / name).is_file():
            parser.error(f"no file {name}")
    if given:
        return given
    return [
        str(Path(path).relative_to(REPO)) for pattern in defaults for path in sorted(glob.glob(str(REPO / pattern)))
    ]


def workers_wanted(parser: argparse.ArgumentParser) -> int:
    try:
        wanted = int(os.environ.get("EDGEOPS_MUTATE_WORKERS", "2"))
    except ValueError:
        wanted = 0
    if wanted < 1:
        parser.error("EDGEOPS_MUTATE_WORKERS must be a number >= 1")
    return min(wanted, len(os.sched_getaffinity(0)))


def unmutated(copy: Path, python: str, command: str, env: dict[str, str]) -> tuple[float, str]:
    """The unit tests on the unmutated copy, importing the copy: how long they took (seconds), and
    pytest's summary."""
    module = "ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.api"
    where = subprocess.run(
        [python, "-c", f"import {module} as m; print(m.__file__)"],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    if not where.startswith(f"{copy}/.work/collections/"):
        raise SystemExit(f"==> FAILED: the copy's tests would import {where}, not the copy")
    log = OUT / "logs" / "baseline.log"
    begun = time.monotonic()
    with log.open("w") as out:
        status = subprocess.run(
            shlex.split(command), cwd=copy, env=env, stdout=out, stderr=subprocess.STDOUT, check=False
        )
    took = round(time.monotonic() - begun, 2)
    summary = log.read_text(errors="replace")
    if status.returncode != 0:
        print(summary)
        raise SystemExit(f"==> FAILED: the unit tests fail before any mutation ({log.relative_to(REPO)})")
    return took, summary.splitlines()[-1]


def spans(tree: ast.AST) -> Iterator[tuple[tuple[int, int], tuple[int, int], str]]:
    """(start, end, reason) of every annotation and TYPE_CHECKING block: (line, column) pairs."""
    for node in ast.walk(tree):
        found: list[tuple[Any, str]] = []
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


def skip_what_never_runs(session: Path, copy: Path) -> None:
    """Marks as skipped the mutants that are not mutants of the code that runs."""
    sources: dict[str, str] = {}
    trees: dict[str, list[tuple[tuple[int, int], tuple[int, int], str]]] = {}
    skipped: dict[str, list[str]] = {ANNOTATION: [], TYPE_CHECKING: [], NOT_PYTHON: []}
    with use_db(str(session), WorkDB.Mode.open) as db:
        for item in db.work_items:
            (mutation,) = item.mutations
            path = str(mutation.module_path)
            if path not in sources:
                sources[path] = (copy / path).read_text(encoding="utf-8")
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


def start_worker(n: int, copy: Path, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    """An http worker in `copy`, on a socket of the loopback interface: the process and its URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        with (OUT / "logs" / f"worker-{n}.log").open("w") as log:
            worker = subprocess.Popen(
                [sys.executable, str(Path(__file__).resolve()), "--worker", str(sock.fileno())],
                cwd=copy,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                pass_fds=[sock.fileno()],
                start_new_session=True,
            )
    try:  # it answers (405: the worker takes POST only)
        urllib.request.urlopen(url, timeout=30).close()
    except urllib.error.HTTPError:
        pass
    except OSError:
        print((OUT / "logs" / f"worker-{n}.log").read_text(errors="replace"))
        worker.kill()
        raise SystemExit(f"==> FAILED: worker {n} did not start") from None
    return worker, url


def serve(fd: int) -> None:
    """cosmic-ray's http worker (cosmic_ray.distribution.http) on the listening socket `fd`."""
    from aiohttp import web
    from cosmic_ray.distribution.http import handle_mutate_and_test

    resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
    app = web.Application()
    app.add_routes([web.post("/", handle_mutate_and_test)])
    web.run_app(app, sock=socket.socket(fileno=fd), print=None)


def execute(config: Path, session: Path, copy: Path) -> None:
    """cosmic-ray exec, with a progress line a minute."""
    log = OUT / "logs" / "exec.log"
    with log.open("w") as err:
        run = subprocess.Popen(
            [str(Path(sys.executable).with_name("cosmic-ray")), "exec", str(config), str(session)], cwd=copy, stderr=err
        )
        while True:
            try:
                status = run.wait(timeout=60)
                break
            except subprocess.TimeoutExpired:
                with contextlib.suppress(sqlite3.Error), contextlib.closing(sqlite3.connect(session)) as db:
                    done, total = db.execute(PROGRESS).fetchone()
                    print(f"==> {done} of {total} mutants done", flush=True)
    if status != 0:
        print("\n".join(log.read_text(errors="replace").splitlines()[-20:]))
        raise SystemExit(f"==> FAILED: cosmic-ray exec ({log.relative_to(REPO)})")


def outcome_of(result: WorkResult | None) -> str:
    if result is None:
        return "not run"
    if result.worker_outcome == WorkerOutcome.SKIPPED:
        return "skipped"
    if result.worker_outcome != WorkerOutcome.NORMAL:
        return "error"  # the worker failed (not the tests): neither killed nor survived
    if result.test_outcome == TestOutcome.SURVIVED:
        return "survived"
    if result.output == "timeout":
        return "timeout"
    return "killed"  # a test failed (or the mutant could not be imported)


def report(session: Path, required: dict[str, Any], took: str, tool: str) -> bool:
    """The table per file, the survivors, results.json, survivors.txt and report.md: whether every
    file under required["under"] has its share of mutants killed."""
    rows = []
    with use_db(str(session), WorkDB.Mode.open) as db:
        results = dict(db.results)
        for item in db.work_items:
            (mutation,) = item.mutations
            result = results.get(item.job_id)
            outcome = outcome_of(result)
            diff = (result.diff or "") if result else ""
            rows.append(
                {
                    "file": str(mutation.module_path),
                    "line": mutation.start_pos[0],
                    "column": mutation.start_pos[1],
                    "operator": mutation.operator_name.replace("core/", ""),
                    "occurrence": mutation.occurrence,
                    "function": mutation.definition_name,
                    "outcome": outcome,
                    "note": result.output if result and outcome == "skipped" else None,
                    "diff": [line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")],
                }
            )
    rows.sort(key=lambda r: (r["file"], r["line"], r["column"], r["operator"]))
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for row in rows:
        counts[row["file"]][row["outcome"]] += 1
        counts["total"][row["outcome"]] += 1

    lines = [
        "| file | mutants | killed | survived | timeouts | score | skipped |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    below = []
    for name in [*sorted(f for f in counts if f != "total"), "total"]:
        c = counts[name]
        tested = c["killed"] + c["survived"] + c["timeout"] + c["error"]
        score = 100.0 * (c["killed"] + c["timeout"]) / tested if tested else 100.0
        extra = "".join(f", {c[k]} {k}" for k in ("error", "not run") if c[k])
        label = f"`{name}`" if name != "total" else "**total**"
        figures = [tested, c["killed"], c["survived"], c["timeout"], f"{score:.1f} %", f"{c['skipped']}{extra}"]
        lines.append(f"| {label} | " + " | ".join(map(str, figures)) + " |")
        if name.startswith(required["under"]) and (score < required["killed-percent"] or c["not run"] or c["error"]):
            below.append(name)
    text = []
    survivors = [r for r in rows if r["outcome"] == "survived"]
    for r in survivors:
        text.append(f"{r['file']}:{r['line']} {r['operator']} (in {r['function']})")
        text += [f"    {line}" for line in r["diff"]]

    (OUT / "results.json").write_text(json.dumps({"tool": tool, "took": took, "mutants": rows}, indent=1))
    (OUT / "survivors.txt").write_text("\n".join(text) + "\n")
    table, listed = "\n".join(lines), "\n".join(text)
    (OUT / "report.md").write_text(f"{tool}, {took}\n\n{table}\n\nSurvivors:\n\n```\n{listed}\n```\n")
    print(f"==> {tool}: mutants tested in {took}; score = killed (timeouts included) / mutants")
    print(table)
    print(f"==> {len(survivors)} survivor(s) ({OUT}/survivors.txt):")
    print("\n".join(text[:400]))
    if len(text) > 400:
        print(f"... ({OUT}/survivors.txt has them all)")
    if below:
        print(
            f"==> FAILED: under {required['killed-percent']:.0f} % killed (or not all tested): {', '.join(below)}",
            file=sys.stderr,
        )
    return not below


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument(
        "files", nargs="*", metavar="FILE", help="files of plugins/ to mutate (default: the configuration's)"
    )
    parser.add_argument("--test-python", type=os.path.abspath, metavar="PATH", help="the Python to run the tests with")
    parser.add_argument("--worker", type=int, metavar="FD", help=argparse.SUPPRESS)  # one of the http workers
    args = parser.parse_args()
    if args.worker is not None:
        serve(args.worker)
        return 0
    if args.test_python is None:
        parser.error("--test-python is required")
    started = time.monotonic()
    base = toml.load(CONFIG)
    files = files_to_mutate(parser, args.files, base["cosmic-ray"]["module-path"])
    workers = workers_wanted(parser)

    if OUT.exists():
        shutil.rmtree(OUT)
    (OUT / "logs").mkdir(parents=True)
    copies = [OUT / f"copy-{n}" for n in range(1, workers + 1)]
    copy_tree(REPO, copies[0])
    for copy in copies[1:]:
        shutil.copytree(copies[0], copy, symlinks=True)
    envs = [{**collection_env(copy, args.test_python), "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"} for copy in copies]
    out = OUT.relative_to(REPO)
    print(f"==> mutate: {len(files)} file(s), {workers} worker(s), copies of the working tree in {out}/copy-N")

    cosmic_ray = dict(base["cosmic-ray"])
    cosmic_ray["test-command"] = cosmic_ray["test-command"].replace("{python}", args.test_python)
    took, summary = unmutated(copies[0], args.test_python, cosmic_ray["test-command"], envs[0])
    cosmic_ray["timeout"] = float(int(max(float(cosmic_ray["timeout"]), SLOWER * took)))
    print(f"==> unit tests unmutated: {summary} ({took:.2f}s); timeout per mutant {cosmic_ray['timeout']:.0f}s")
    cosmic_ray["module-path"] = files

    config, session = OUT / "cosmic-ray.toml", OUT / "session.sqlite"
    running: list[subprocess.Popen[bytes]] = []
    try:
        urls = []
        for n, (copy, env) in enumerate(zip(copies, envs), start=1):
            worker, url = start_worker(n, copy, env)
            running.append(worker)
            urls.append(url)
        cosmic_ray["distributor"] = {**cosmic_ray["distributor"], "http": {"worker-urls": urls}}
        config.write_text(toml.dumps({"cosmic-ray": cosmic_ray}))
        subprocess.run(
            [str(Path(sys.executable).with_name("cosmic-ray")), "init", str(config), str(session)],
            cwd=copies[0],
            check=True,
        )
        skip_what_never_runs(session, copies[0])
        print(f"==> cosmic-ray exec: {workers} worker(s) (logs in {out}/logs/)", flush=True)
        begun = time.monotonic()
        execute(config, session, copies[0])
        ran = time.monotonic() - begun
    finally:
        for worker in running:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGTERM)
            worker.wait()
    passed = report(session, base["required"], minutes(ran), f"cosmic-ray, version {version('cosmic-ray')}")
    took_all = minutes(time.monotonic() - started)
    print(f"==> mutate: {took_all} in all; raw results in {out}/ (results.json, survivors.txt, report.md)")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())

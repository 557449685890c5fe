"""The benchmark suite of issue 5, in one command: ``make bench`` (the ``bench`` session of noxfile.py).

Parts: 1 detection overshoot and API calls (measured; also for a distribution tenant's invalidation,
beside the AWS CLI's tenant waiter), 2 long waits (simulated with a fake clock),
3 fan-in (measured), 4 per-task cost (measured) and where a task of ours spends its time (profiled),
5 many gates sharing one account's rate limit (simulated, and real gates measured), 6 create and
wait: our ``cloudfront_invalidation`` and the gate creating and holding beside community.aws and the
AWS CLI waiter, and a re-run with a caller reference on a long history (measured).
Everything runs against the local CloudFront endpoint (tests/support/local_cloudfront/) in this
process. Raw data goes to benchmarks/output/; the full suite also writes docs/benchmarks.md,
docs/benchmarks/results.json and the charts docs/benchmarks/overshoot_calls.png and
docs/benchmarks/many_gates_latency.png. ``--quick`` is a smoke of every part (about 80 s; the
bench-smoke session of ``make test``); it writes to benchmarks/output/ only.

Run it through nox: ``.venv-nox/bin/nox -s bench -- ARGS`` runs it in a virtualenv of the ansible-core
2.19 line's requirements, in the collection's environment (noxfile.py), and makes the AWS CLI's and
the charts' virtualenvs (.venv-awscli, .venv-plot) first. ``--from-results FILE`` renders the page
and the charts again from a results file, without measuring anything. ``--merge-results FILE``
measures the ``--parts`` only and renders them merged into FILE's results (the other parts and the
run they describe kept): a part measured again, or a new one, without running the whole suite.
"""

from __future__ import annotations

import argparse
import datetime
import json
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import create
import fanin
import gate_cost
import many_gates
import overshoot
import pertask
import profile_task
import report
import simulate
from harness import BENCH, REPO, CpuMonitor, LocalCloudFront, Tools, dumps, machine_info

DOCS = REPO / "docs"
DEFAULT_OUTPUT = BENCH / "output"
MANY_GATES_PNG = "many_gates_latency.png"  # beside overshoot_calls.png
PARTS = ("overshoot", "sim", "fanin", "pertask", "profile", "gate_cost", "many_gates", "create")
# the key of each part's results
RESULT_KEYS = {"sim": "simulation"}


def _floats(text: str) -> list[float]:
    return [float(x) for x in text.split(",") if x.strip()]


def _names(text: str) -> list[str]:
    return [x.strip() for x in text.split(",") if x.strip()]


def _ints(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip()]


def _span(text: str) -> tuple[float, float]:
    low, high = _floats(text)
    return low, high


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="a smoke of every part (< 60 s), output to --out only")
    p.add_argument("--parts", type=_names, default=list(PARTS), help=f"comma-separated, of {', '.join(PARTS)}")
    p.add_argument("--out", type=Path, default=DEFAULT_OUTPUT, help="raw data and logs (default benchmarks/output)")
    p.add_argument("--no-docs", action="store_true", help="do not write docs/ (the full suite writes it)")
    p.add_argument("--from-results", type=Path, help="render docs and chart from this results.json, measure nothing")
    p.add_argument(
        "--merge-results",
        type=Path,
        help="measure the --parts, then render them merged into this results.json (its other parts kept)",
    )
    g = p.add_argument_group("1. detection overshoot")
    g.add_argument("--rounds", type=int, help="interleaved rounds (default 4; quick 1)")
    g.add_argument("--T", dest="Ts", type=_floats, help="completion times, s (default 2,5,15,45; quick 2)")
    g.add_argument(
        "--contestants",
        type=_names,
        help="default module,cli,boto3,until,tenant_module,tenant_cli; quick module,until,tenant_module",
    )
    g.add_argument(
        "--tenant-T",
        dest="tenant_Ts",
        type=_floats,
        help="completion times of the tenant contestants, s (default 5,45; quick 2)",
    )
    g.add_argument("--max-live", type=int, default=4, help="runs in progress at once (1: strictly serial)")
    g.add_argument("--stagger", type=float, default=3.0, help="seconds between two starts")
    g.add_argument("--reference-rounds", type=int, help="serial reference rounds (default 2; quick 0)")
    g.add_argument("--reference-contestants", type=_names, default=["module", "until"])
    g.add_argument("--reference-T", type=_floats, default=[2.0, 5.0])
    g = p.add_argument_group("2. long waits (simulation)")
    g.add_argument("--sim-T", type=_floats, default=[60.0, 300.0, 900.0, 1800.0, 2400.0])
    g.add_argument("--sim-seeds", type=int, help="samples per T (default 1001; quick 101)")
    g = p.add_argument_group("3. fan-in")
    g.add_argument("--fanin-rounds", type=int, help="default 2; quick 1")
    g.add_argument("--fanin-contestants", type=_names, help="default role,cli_loop,module_loop; quick role,module_loop")
    g.add_argument("--fanin-distributions", type=int, help="default 5; quick 2")
    g.add_argument("--fanin-per-distribution", type=int, help="default 20; quick 2")
    g.add_argument("--fanin-spread", type=float, help="completions spread over 0..S s (default 30; quick 4)")
    g = p.add_argument_group("4. per-task cost")
    g.add_argument("--pertask-rounds", type=int, help="default 4; quick 1")
    g.add_argument("--pertask-tasks", type=int, help="tasks per playbook (default 20; quick 3)")
    g.add_argument("--profile-repeats", type=int, help="runs of each payload (default 5; quick 1)")
    g = p.add_argument_group("4. cost per gate")
    g.add_argument("--cost-duration", type=float, help="how long the single gates wait, s (default 1800; quick 12)")
    g.add_argument("--cost-intervals", type=_ints, help="their progress intervals (default 1,5,50; quick 5)")
    g.add_argument("--cost-many", type=int, help="gates started together (default 50; quick 2)")
    g.add_argument("--cost-many-duration", type=float, help="how long those wait, s (default 300; quick 8)")
    g.add_argument("--cost-before", type=_yes_no, help="the design before issue 18 beside ours (default yes; quick no)")
    g = p.add_argument_group("5. many gates, one rate limit")
    g.add_argument("--gates-N", dest="gates_N", type=_ints, help="gates started together (default 10,100; quick 10)")
    g.add_argument("--gates-R", dest="gates_R", type=_floats, help="the bucket's requests/s (default 2,10; quick 2)")
    g.add_argument("--gates-seeds", type=int, help="runs per (N, R), a quarter from N = 1000 (default 20; quick 2)")
    g.add_argument("--gates-spread", type=_span, default=(30.0, 300.0), help="completions uniform in LOW,HIGH s")
    g.add_argument("--gates-real", type=int, help="real gates started together (default 20; quick 3; 0: none)")
    g.add_argument(
        "--gates-real-spread",
        type=_span,
        help="their completions, LOW,HIGH s after each one's first request (default 10,60; quick 0.5,2)",
    )
    g.add_argument("--gates-real-rate", type=float, default=2.0, help="the endpoint's bucket, requests/s (default 2)")
    g.add_argument("--gates-boto3", type=_yes_no, help="boto3 waiters beside the real gates (default yes; quick no)")
    g = p.add_argument_group("6. create and wait")
    g.add_argument("--create-rounds", type=int, help="default 3; quick 1")
    g.add_argument(
        "--create-T", dest="create_T", type=_floats, help="completion after the creation, s (default 20,30; quick 2)"
    )
    g.add_argument("--create-contestants", type=_names, help=f"of {','.join(create.CONTESTANTS)} (quick: module,role)")
    g.add_argument("--create-history", type=int, help="invalidations before the re-run (default 1000; quick 50)")
    g.add_argument("--create-rerun-rounds", type=int, help="default 3; quick 1")
    args = p.parse_args(argv)
    # option: (full suite, --quick)
    defaults = {
        "rounds": (4, 1),
        "Ts": ([2.0, 5.0, 15.0, 45.0], [2.0]),
        "contestants": (
            ["module", "cli", "boto3", "until", "tenant_module", "tenant_cli"],
            ["module", "until", "tenant_module"],
        ),
        "tenant_Ts": ([5.0, 45.0], [2.0]),
        "reference_rounds": (2, 0),
        "sim_seeds": (1001, 101),
        "fanin_rounds": (2, 1),
        "fanin_contestants": (["role", "cli_loop", "module_loop"], ["role", "module_loop"]),
        "fanin_distributions": (5, 2),
        "fanin_per_distribution": (20, 2),
        "fanin_spread": (30.0, 4.0),
        "pertask_rounds": (4, 1),
        "pertask_tasks": (20, 3),
        "profile_repeats": (5, 1),
        **{f"cost_{key}": (gate_cost.FULL[key], gate_cost.QUICK[key]) for key in gate_cost.FULL},
        "gates_N": ([10, 100], [10]),
        "gates_R": ([2.0, 10.0], [2.0]),
        "gates_seeds": (20, 2),
        "gates_real": (20, 3),
        "gates_real_spread": ((10.0, 60.0), (0.5, 2.0)),
        "gates_boto3": (True, False),
        **{f"create_{key}": (create.FULL[key], create.QUICK[key]) for key in create.FULL},
    }
    for name, (full_value, quick_value) in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, quick_value if args.quick else full_value)
    unknown = set(args.parts) - set(PARTS)
    if unknown:
        p.error(f"unknown parts: {', '.join(sorted(unknown))}")
    if args.merge_results and args.from_results:
        p.error("--merge-results measures; --from-results does not: give one of them")
    return args


def _yes_no(text: str) -> bool:
    return text.strip().lower() in ("yes", "true", "1")


def log(line: str) -> None:
    print(line, flush=True)


def measure(args: argparse.Namespace, tools: Tools) -> dict[str, Any]:
    started = time.time()
    work = args.out
    work.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {
        "suite": {
            "quick": args.quick,
            "command": " ".join(["benchmarks/run.py", *sys.argv[1:]]),
            "started": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        },
        "machine": machine_info(tools),
    }
    log(f"==> machine: {results['machine']['cpu_model']}, {results['machine']['cores']} cores")
    with LocalCloudFront(default_delay=5.0) as cloudfront, CpuMonitor() as monitor:
        if "overshoot" in args.parts:
            log(
                f"==> 1. detection overshoot: T = {args.Ts} s (tenants: {args.tenant_Ts} s), {args.rounds} rounds,"
                f" {', '.join(args.contestants)}"
            )
            if not args.quick:
                overshoot.warm_up(cloudfront, args.contestants, tools, work, log)
            results["overshoot"] = overshoot.measure(
                cloudfront,
                tools,
                work,
                args.contestants,
                args.Ts,
                args.rounds,
                args.max_live,
                args.stagger,
                [c for c in args.reference_contestants if c in args.contestants],
                args.reference_T,
                args.reference_rounds,
                monitor,
                log,
                tenant_Ts=args.tenant_Ts,
            )
            cloudfront.reset()
        if "sim" in args.parts:
            log(f"==> 2. long waits, simulated: T = {args.sim_T} s, {args.sim_seeds} samples each")
            t0 = time.time()
            results["simulation"] = simulate.simulate(args.sim_T, args.sim_seeds)
            measured = (results.get("overshoot") or {}).get("samples", [])
            first_polls = [
                s["request_times"][0] for s in measured if s["contestant"] == "module" and s["request_times"]
            ]
            results["simulation"]["alternatives"] = simulate.alternatives(
                sorted({*args.Ts, 15.0, 45.0}), [t for t in args.sim_T if t >= 300][:2], args.sim_seeds, first_polls
            )
            results["simulation"]["duration"] = round(time.time() - t0, 1)
        if "fanin" in args.parts:
            log(
                f"==> 3. fan-in: {args.fanin_distributions} distributions x {args.fanin_per_distribution}"
                f" invalidations over 0-{args.fanin_spread:g} s, {args.fanin_rounds} round(s)"
            )
            results["fanin"] = fanin.measure(
                cloudfront,
                tools,
                work,
                args.fanin_contestants,
                args.fanin_rounds,
                args.fanin_distributions,
                args.fanin_per_distribution,
                args.fanin_spread,
                monitor,
                log,
            )
            cloudfront.reset()
        if "pertask" in args.parts:
            log(f"==> 4. per-task cost: {args.pertask_tasks} tasks, {args.pertask_rounds} rounds")
            results["pertask"] = pertask.measure(
                cloudfront,
                tools,
                work,
                list(pertask.CONTESTANTS),
                args.pertask_rounds,
                args.pertask_tasks,
                monitor,
                log,
            )
            cloudfront.reset()
        if "profile" in args.parts:
            log("==> 4. profile of one task of ours")
            t0 = time.time()
            names = ("module",) if args.quick else ("module", "community", "ping")
            results["profile"] = profile_task.profile(cloudfront, tools, work, args.profile_repeats, names)
            results["profile"]["duration"] = round(time.time() - t0, 1)
        if "gate_cost" in args.parts:
            log(
                f"==> 4. cost per gate: {args.cost_duration:g} s at progress intervals {args.cost_intervals},"
                f" {args.cost_many} gates of {args.cost_many_duration:g} s"
            )
            results["gate_cost"] = gate_cost.measure(
                cloudfront,
                tools,
                work,
                args.cost_duration,
                args.cost_intervals,
                args.cost_many,
                args.cost_many_duration,
                args.cost_before,
                log,
            )
            cloudfront.reset()
        if "many_gates" in args.parts:
            log(
                f"==> 5. many gates, one rate limit: N = {args.gates_N}, R = {args.gates_R}/s simulated;"
                f" {args.gates_real} real gates at {args.gates_real_rate:g}/s"
            )
            results["many_gates"] = many_gates.measure(
                cloudfront,
                tools,
                work,
                args.gates_N,
                args.gates_R,
                args.gates_seeds,
                args.gates_spread,
                args.gates_real,
                args.gates_real_rate,
                args.gates_real_spread,
                args.gates_boto3,
                log,
            )
            cloudfront.reset()
        if "create" in args.parts:
            log(
                f"==> 6. create and wait: T = {args.create_T} s, {args.create_rounds} round(s),"
                f" {', '.join(args.create_contestants)}; re-run on {args.create_history} invalidations,"
                f" {args.create_rerun_rounds} round(s)"
            )
            results["create"] = create.measure(
                cloudfront,
                tools,
                work,
                args.create_contestants,
                args.create_T,
                args.create_rounds,
                args.create_history,
                args.create_rerun_rounds,
                monitor,
                log,
            )
            cloudfront.reset()
        results["suite"]["busy_median"] = monitor.busy(started, time.time())
    results["machine"]["load_average_end"] = [round(x, 2) for x in __import__("os").getloadavg()]
    results["suite"]["duration"] = round(time.time() - started, 1)
    results["targets"] = report.targets(results)
    return results


def merged(base: dict[str, Any], measured: dict[str, Any], parts: Sequence[str]) -> dict[str, Any]:
    """``base`` (a results file) with the results of ``parts`` replaced by those ``measured``, each
    saying which run it comes from (``separate_run``); the run ``base`` describes is kept."""
    out = dict(base)
    m, s = measured["machine"], measured["suite"]
    for part in parts:
        key = RESULT_KEYS.get(part, part)
        if key not in measured:
            continue
        out[key] = {
            **measured[key],
            "separate_run": {
                "date": m["date"],
                "commit": m["commit"],
                "tree_modified": m["tree_modified"],
                "command": s["command"],
                "load_average": m["load_average"],
                "load_average_end": m.get("load_average_end"),
                "busy_median": s.get("busy_median"),
                "cpu_model": m["cpu_model"],
                "cores": m["cores"],
            },
        }
    out["targets"] = report.targets(out)
    return out


def chart(results_file: Path, png: Path, many_gates_png: Path, tools: Tools) -> bool:
    """Both charts (the second only with part 5's results), drawn in .venv-plot."""
    if not tools.plot_python:
        log("  (no chart: .venv-plot is missing; the bench session of noxfile.py makes it)")
        return False
    proc = subprocess.run(
        [tools.plot_python, str(BENCH / "chart.py"), str(results_file), str(png), str(many_gates_png)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"the chart failed:\n{proc.stderr}")
    return True


def publish(results: dict[str, Any], results_file: Path, page: Path, png: Path, tools: Tools) -> None:
    results_file.parent.mkdir(parents=True, exist_ok=True)
    results_file.write_text(dumps(results))
    many_gates_png = png.with_name(MANY_GATES_PNG)
    has_chart = chart(results_file, png, many_gates_png, tools)
    has_gates_chart = has_chart and bool(results.get("many_gates"))
    page.write_text(
        report.render(
            results,
            png_link=_relative(png, page.parent) if has_chart else None,
            many_gates_png_link=_relative(many_gates_png, page.parent) if has_gates_chart else None,
        )
    )
    charts = [_shown(p) for p, drawn in ((png, has_chart), (many_gates_png, has_gates_chart)) if drawn]
    log(f"==> wrote {', '.join([_shown(results_file), _shown(page), *charts])}")


def _relative(path: Path, start: Path) -> str:
    import os

    return os.path.relpath(path, start)


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(REPO))
    except ValueError:
        return str(path)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    tools = Tools.find()
    if args.from_results:
        results = json.loads(args.from_results.read_text())
        results["targets"] = report.targets(results)
    else:
        results = measure(args, tools)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        raw = args.out / f"results-{stamp}.json"
        raw.write_text(dumps(results))
        log(f"==> raw results: {_shown(raw)} (suite took {results['suite']['duration']:.0f} s)")
        if args.merge_results:
            results = merged(json.loads(args.merge_results.read_text()), results, args.parts)
            log(f"==> merged into {_shown(args.merge_results)}'s results: {', '.join(args.parts)}")
    docs = not args.quick and not args.no_docs
    if docs:
        publish(
            results,
            DOCS / "benchmarks" / "results.json",
            DOCS / "benchmarks.md",
            DOCS / "benchmarks" / "overshoot_calls.png",
            tools,
        )
    else:
        publish(results, args.out / "results.json", args.out / "benchmarks.md", args.out / "overshoot_calls.png", tools)
    log("==> targets")
    for target in results["targets"]:
        verdict = {True: "met", False: "MISSED", None: "not measured"}[target["met"]]
        log(f"  [{verdict}] {target['target']}: {target['measured']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

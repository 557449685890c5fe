"""From results to the page: the targets (targets.py) judged on the data, and docs/benchmarks.md.

The page's prose lives in the Jinja2 template benchmarks/templates/benchmarks.md.j2, written by hand;
this module renders it with tables and sentences made from the results, and with what the page says of
the collection's code (the poll schedule, the default timeouts) and of the benchmarks' own settings (the
AWS CLI waiter's delay, the other caller's pace...) asked of that code. Nothing here measures anything.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import create
import gate_cost
import jinja2
import many_gates
import simulate
import yaml
from targets import (
    FANIN_CALLS_FACTOR,
    FANIN_GATE_LAG,
    GATES_P95_FACTOR,
    GATES_RECOVERY_LAG,
    GATES_THROTTLED_AT_MOST,
    GATES_WORST_VS_MEDIAN,
    LONG_WAIT_CALLS_FACTOR,
    LONG_WAIT_FROM,
    LONG_WAIT_OVERSHOOT_TOLERANCE,
    OVERSHOOT_LIMITS,
    PERTASK_VS_COMMUNITY,
    PERTASK_VS_PING,
)

from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront import api, waiter
from ansible_collections.edgeops.cloudfront.plugins.modules import cloudfront_invalidation_info

TEMPLATE = Path(__file__).resolve().parent / "templates" / "benchmarks.md.j2"

NAMES = {
    "module": "ours: module `wait: true`",
    "role": "ours: role (gate)",
    "cli": "AWS CLI waiter",
    "boto3": "boto3 waiter",
    "until": "`until:` loop, community.aws",
    "cli_loop": "loop of AWS CLI waiters",
    "module_loop": "loop of module waits",
    "community": "community.aws `cloudfront_distribution_info`",
    "ping": "`ansible.builtin.ping` (floor)",
    "tenant_module": "ours, a tenant's invalidation: module `wait: true`",
    "tenant_cli": "AWS CLI tenant waiter",
}


def contestant_name(name: str) -> str:
    """A contestant's name on the page; the fixed-interval pollers' from their intervals (simulate.py)."""
    fixed = {
        "cli_pace": f"{simulate.CLI_DELAY:g} s polls, no attempt limit",
        "terraform": f"fixed {simulate.TERRAFORM_INTERVAL:g} s poll (Terraform)",
    }
    return fixed.get(name) or NAMES.get(name, name)


def _T(value: float | str) -> str:
    return f"{float(value):g}"


def fmt(stat: dict[str, Any] | None, unit: str = "", digits: int = 2) -> str:
    """``median (min–max)``; just the median when min = max; ``–`` without data."""
    if not stat or stat.get("median") is None:
        return "–"

    def one(x: float) -> str:
        return f"{x:.{digits}f}".rstrip("0").rstrip(".") if digits else f"{x:.0f}"

    text = one(stat["median"])
    if stat["min"] != stat["max"]:
        text += f" ({one(stat['min'])}–{one(stat['max'])})"
    return text + unit


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join([" --- "] * len(headers)) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


# --------------------------------------------------------------------------------------
# Targets
# --------------------------------------------------------------------------------------


def _target(part: str, text: str, measured: str, met: bool | None) -> dict[str, Any]:
    return {"part": part, "target": text, "measured": measured, "met": met}


def _cli_failures(cli: dict[str, Any]) -> str:
    return f"; the CLI waiter: {cli['failed']} failed, at {cli['failed_at']['median']:g} s"


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    ov = (results.get("overshoot") or {}).get("summary", {})
    cli_note = ""
    if "cli" in ov:
        cli_medians = [v["overshoot"]["median"] for v in ov["cli"].values() if v["overshoot"]["median"] is not None]
        if cli_medians:
            cli_note = f"; the CLI waiter: {min(cli_medians):.1f}–{max(cli_medians):.1f} s"
    for T, limit in OVERSHOOT_LIMITS.items():
        stat = ov.get("module", {}).get(_T(T))
        median = stat["overshoot"]["median"] if stat else None
        out.append(
            _target(
                "1",
                f"overshoot median at most {limit:g} s at T = {T:g} s",
                f"{fmt(stat['overshoot'], ' s')}{cli_note}" if stat else "not measured",
                None if median is None else median <= limit,
            )
        )
    sim = (results.get("simulation") or {}).get("summary", {})
    for name in ("module", "role"):
        for T, stat in sim.get(name, {}).items():
            if float(T) < LONG_WAIT_FROM:
                continue
            cli, pace = sim["cli"][T], sim["cli_pace"][T]
            yardstick = cli if not cli["failed"] else pace
            label = contestant_name(name) + (" (model)" if name == "role" else "")
            ours_o, theirs_o = stat["overshoot"]["median"], yardstick["overshoot"]["median"]
            out.append(
                _target(
                    "2",
                    f"T = {T} s, {label}: median overshoot no worse than the CLI waiter's"
                    f" (up to {LONG_WAIT_OVERSHOOT_TOLERANCE:g} s of sampling error)",
                    f"{ours_o} s vs {theirs_o} s"
                    + (f" (its {simulate.CLI_DELAY:g} s pace: the CLI itself gave up)" if cli["failed"] else ""),
                    None if ours_o is None or theirs_o is None else ours_o <= theirs_o + LONG_WAIT_OVERSHOOT_TOLERANCE,
                )
            )
            ours_c, theirs_c = stat["calls"]["median"], pace["calls"]["median"]
            out.append(
                _target(
                    "2",
                    f"T = {T} s, {label}: at most {LONG_WAIT_CALLS_FACTOR:g}x the CLI waiter's calls in the same time",
                    f"{ours_c:g} vs {theirs_c:g} ({ours_c / theirs_c:.2f}x)",
                    ours_c <= LONG_WAIT_CALLS_FACTOR * theirs_c,
                )
            )
            out.append(
                _target(
                    "2",
                    f"T = {T} s, {label}: no failure before wait_timeout",
                    f"{stat['failed']} of {stat['calls']['n']} failed"
                    + (
                        f"; the CLI waiter: {cli['failed']} failed, at {cli['failed_at']['median']:g} s"
                        if cli["failed"]
                        else ""
                    ),
                    stat["failed"] == 0,
                )
            )
    fan = (results.get("fanin") or {}).get("summary", {})
    if "role" in fan:
        role = fan["role"]
        others = {n: s for n, s in fan.items() if n != "role" and s["calls"]["median"]}
        if others and role["calls"]["median"]:
            fewest = min(others, key=lambda n: others[n]["calls"]["median"])
            ratio = others[fewest]["calls"]["median"] / role["calls"]["median"]
            out.append(
                _target(
                    "3",
                    f"fan-in: at least {FANIN_CALLS_FACTOR:g}x fewer API calls than per-invalidation polling",
                    f"{role['calls']['median']:g} calls vs {others[fewest]['calls']['median']:g}"
                    f" ({contestant_name(fewest)}): {ratio:.2f}x fewer",
                    ratio >= FANIN_CALLS_FACTOR,
                )
            )
        lag = role["gate_open_after_last_flip"]
        out.append(
            _target(
                "3",
                f"fan-in: the gate opens within {FANIN_GATE_LAG:g} s of the last completion",
                fmt(lag, " s"),
                None if lag["median"] is None else lag["median"] <= FANIN_GATE_LAG,
            )
        )
    ratios = ((results.get("pertask") or {}).get("summary") or {}).get("ratios", {})
    for key, limit, text in (
        ("module/community wall", PERTASK_VS_COMMUNITY, "per-task: at most {:g}x the wall time of community.aws"),
        ("module/ping wall", PERTASK_VS_PING, "per-task: within {:g}x the ping floor"),
    ):
        stat = ratios.get(key)
        if stat:
            out.append(
                _target(
                    "4",
                    text.format(limit),
                    fmt(stat, "x", 3),
                    None if stat["median"] is None else stat["median"] <= limit,
                )
            )
    out += many_gates_targets(results)
    cost = results.get("gate_cost") or {}
    out += [_target("4", text, measured, met) for text, measured, met in (gate_cost.targets(cost) if cost else [])]
    out += [_target("6", text, measured, met) for text, measured, met in create.targets(results.get("create"))]
    return out


# --------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------


def machine_table(results: dict[str, Any]) -> str:
    m, s = results["machine"], results["suite"]
    rows = [
        ("date", m["date"]),
        ("CPU", f"{m['cpu_model']}, {m['cores']} cores"),
        ("load average at the start / end", f"{m['load_average']} / {m.get('load_average_end', '–')}"),
        (
            "machine busy (all cores, median over the run)",
            f"{s['busy_median']:.0%}" if s.get("busy_median") is not None else "–",
        ),
        ("platform", m["platform"]),
        ("Python", m["python"]),
        ("ansible-core", m["ansible_core"]),
        ("amazon.aws / community.aws", f"{m['amazon.aws']} / {m['community.aws']}"),
        ("boto3 / botocore", f"{m['boto3']} / {m['botocore']}"),
        ("AWS CLI", m["awscli"] or "–"),
        ("moto (the local endpoint)", m["moto"]),
        ("commit", f"`{m['commit']}`" + (" (with uncommitted changes)" if m.get("tree_modified") else "")),
        ("command", f"`{s['command']}`"),
        ("duration of the suite", f"{s['duration']:.0f} s ({s['duration'] / 60:.1f} min)"),
    ]
    return table(("", ""), rows)


def targets_table(results: dict[str, Any]) -> str:
    verdicts = {True: "**met**", False: "**missed**", None: "not measured"}
    return table(
        ("part", "target", "measured", "verdict"),
        ((t["part"], t["target"], t["measured"], verdicts[t["met"]]) for t in results["targets"]),
    )


def overshoot_table(results: dict[str, Any]) -> str:
    part = results.get("overshoot")
    if not part:
        return "_not run_"
    rows = []
    order = list(part["method"]["contestants"])
    for name, by_T in sorted(part["summary"].items(), key=lambda item: _order(order, item[0])):
        for T in sorted(by_T, key=float):
            s = by_T[T]
            rows.append(
                (
                    contestant_name(name),
                    T,
                    fmt(s["overshoot"]),
                    fmt(s["detection"]),
                    fmt(s["exit_after_detection"]),
                    fmt(s["calls"], digits=0),
                    f"{s['overshoot']['n']}" + (f" ({s['failed']} failed)" if s["failed"] else ""),
                )
            )
    return table(
        ("contestant", "T (s)", "overshoot (s)", "detection (s)", "exit after detection (s)", "API calls", "runs"),
        rows,
    )


def _order(order: Sequence[str], name: str) -> int:
    """Where ``name`` comes in ``order`` (the contestants as the method lists them); unknown ones last."""
    return order.index(name) if name in order else len(order)


def tenant_text(results: dict[str, Any]) -> str:
    """The tenant rows (issue 13) in sentences made from the figures: ours against the AWS CLI's tenant
    waiter at each T, and against ours for a distribution's invalidation where both ran."""
    part = results.get("overshoot")
    summary = (part or {}).get("summary", {})
    ours = summary.get("tenant_module")
    if not ours:
        return "_no tenant runs in this run_"
    cli = summary.get("tenant_cli", {})
    plain = summary.get("module", {})
    sentences = []
    for T in sorted(ours, key=float):
        stat = ours[T]
        if stat["overshoot"]["median"] is None:
            sentences.append(f"At T = {T} s every tenant run of ours failed ({stat['failed']}).")
            continue
        text = (
            f"At T = {T} s, ours for a tenant's invalidation ends {stat['overshoot']['median']:g} s after the"
            f" completion (median of {stat['overshoot']['n']}) with {stat['calls']['median']:g} API calls"
        )
        theirs = cli.get(T)
        if theirs and theirs["overshoot"]["median"] is not None:
            text += (
                f", the AWS CLI's tenant waiter {theirs['overshoot']['median']:g} s with"
                f" {theirs['calls']['median']:g} calls"
            )
        same = plain.get(T)
        if same and same["overshoot"]["median"] is not None:
            text += (
                f"; ours for a distribution's invalidation at the same T: {same['overshoot']['median']:g} s,"
                f" {same['calls']['median']:g} calls"
            )
        failures = [
            f"{contestant_name(name)}: {by_T[T]['failed']}"
            for name, by_T in (("tenant_module", ours), ("tenant_cli", cli))
            if T in by_T and by_T[T]["failed"]
        ]
        if failures:
            text += f" (failed runs: {', '.join(failures)})"
        sentences.append(text + ".")
    sentences.append("The tenant rows are not in the [chart](#chart).")
    return " ".join(sentences)


def reference_table(results: dict[str, Any]) -> str:
    part = results.get("overshoot")
    if not part or not part.get("reference_samples"):
        return "_no serial reference in this run_"
    rows = []
    for name, by_T in part["reference_summary"].items():
        for T in sorted(by_T, key=float):
            ref = by_T[T]
            live = part["summary"].get(name, {}).get(T)
            if not live:
                continue
            diff = (
                live["overshoot"]["median"] - ref["overshoot"]["median"]
                if live["overshoot"]["median"] is not None and ref["overshoot"]["median"] is not None
                else None
            )
            rows.append(
                (
                    contestant_name(name),
                    T,
                    fmt(live["overshoot"]),
                    fmt(ref["overshoot"]),
                    "–" if diff is None else f"{diff:+.2f}",
                    fmt(live.get("first_request")),
                    fmt(ref.get("first_request")),
                    fmt(live["calls"], digits=0),
                    fmt(ref["calls"], digits=0),
                )
            )
    return table(
        (
            "contestant",
            "T (s)",
            "overshoot, side by side (s)",
            "overshoot, alone (s)",
            "difference (s)",
            "first request after the start, side by side (s)",
            "first request, alone (s)",
            "calls, side by side",
            "calls, alone",
        ),
        rows,
    )


def overshoot_method(results: dict[str, Any]) -> str:
    part = results.get("overshoot")
    if not part:
        return "_not run_"
    m = part["method"]
    busy = [s["machine_busy_flip_to_exit"] for s in part["samples"] if s.get("machine_busy_flip_to_exit") is not None]
    busy_text = f"{sorted(busy)[len(busy) // 2]:.0%}" if busy else "–"
    tenant_T = m.get("tenant_T")
    tenants = (
        f" The tenant contestants run at T = {', '.join(f'{t:g}' for t in tenant_T)} s, after the others in each round."
        if tenant_T and any(name.startswith("tenant_") for name in m["contestants"])
        else ""
    )
    return (
        f"{m['rounds']} rounds; in each, the completion times in turn and, for each, the contestants in an order"
        f" rotated by the round.{tenants} Schedule: `{m['schedule']}`: a run starts every {m['stagger']:g} s while"
        f" fewer than {m['max_live']} are in progress. The part took {part['duration']:.0f} s. Median machine load"
        f" (all cores) between a run's flip and its exit: {busy_text}."
    )


def sim_table(results: dict[str, Any]) -> str:
    part = results.get("simulation")
    if not part:
        return "_not run_"
    rows = []
    for name, by_T in part["summary"].items():
        for T in sorted(by_T, key=float):
            s = by_T[T]
            failed = f"{s['failed']} (at {fmt(s['failed_at'], ' s', 0)})" if s["failed"] else "0"
            rows.append((contestant_name(name), T, fmt(s["overshoot"], digits=1), fmt(s["calls"], digits=0), failed))
    return table(("contestant", "T (s)", "overshoot (s)", "API calls", "failed"), rows)


def sim_default_timeout(results: dict[str, Any]) -> str:
    part = results.get("simulation")
    if not part:
        return "_not run_"
    rows = []
    for T, s in part["module_with_default_wait_timeout"].items():
        n = part["method"]["seeds"]
        rows.append((T, f"{s['failed']} of {n}" + (f", at {fmt(s['failed_at'], ' s', 0)}" if s["failed"] else "")))
    return table(("T (s)", f"ours with the default wait_timeout ({default_wait_timeout():g} s): failed"), rows)


def alternatives_table(results: dict[str, Any]) -> str:
    alt = (results.get("simulation") or {}).get("alternatives")
    if not alt:
        return "_not run_"
    short, long_ = [f"{t:g}" for t in alt["short_T"]], [f"{t:g}" for t in alt["long_T"]]
    headers = (
        ["schedule"]
        + [f"detection at T ≈ {t} s (s)" for t in short]
        + [f"calls at T = {t} s" for t in short[-1:]]
        + [f"T = {t} s: overshoot (s), calls vs {simulate.CLI_DELAY:g} s pace" for t in long_]
    )
    rows = []
    for label, row in alt["schedules"].items():
        cells = [label]
        cells += [fmt(row["detection"][t], digits=1) for t in short]
        cells += [fmt(row["calls"][t], digits=0) for t in short[-1:]]
        cells += [f"{row['overshoot'][t]['median']:.1f}, {row['calls_vs_cli_pace'][t]['median']:.2f}x" for t in long_]
        rows.append(cells)
    first = alt["first_polls"]
    return (
        f"The module's first poll {fmt(first, ' s')} after the command's start (measured in part 1, drawn"
        f" in turn); {alt['seeds']} samples each. Short waits complete at T ± {simulate.NEAR * 100:g} % (uniform),"
        " so that no schedule is judged by where one exact T falls between its polls; detection is from the flip to the"
        " first poll after it.\n\n" + table(headers, rows)
    )


def deadline_table(results: dict[str, Any]) -> str:
    part = (results.get("profile") or {}).get("deadline_clients")
    if not part:
        return "_not run_"
    rows = [
        (f"wait_timeout: {t}", fmt(s["wall"]), fmt(s["cpu"]), fmt(s["calls"], digits=0))
        for t, s in part["summary"].items()
    ]
    return table((f"ours, an invalidation completing after {part['T']:g} s", "wall (s)", "CPU (s)", "API calls"), rows)


def fanin_table(results: dict[str, Any]) -> str:
    part = results.get("fanin")
    if not part:
        return "_not run_"
    rows = []
    for name, s in part["summary"].items():
        ops: dict[str, list[int]] = {}
        for sample in part["samples"]:
            if sample["contestant"] == name and sample["ok"]:
                for op, count in sample["calls_by_operation"].items():
                    ops.setdefault(op, []).append(count)
        by_op = ", ".join(f"{op} {sorted(v)[len(v) // 2]}" for op, v in sorted(ops.items()))
        rows.append(
            (
                contestant_name(name),
                fmt(s["gate_open_after_last_flip"], digits=1),
                fmt(s.get("detection_after_last_flip"), digits=1),
                fmt(s["calls"], digits=0),
                by_op or "–",
                fmt(s["wall"], digits=1),
                fmt(s["cpu"], digits=1),
                f"{s['calls']['n']}" + (f" ({s['failed']} failed)" if s["failed"] else ""),
            )
        )
    return table(
        (
            "contestant",
            "gate open after the last completion (s)",
            "of which: to the first call after it (s)",
            "API calls",
            "calls by operation (median)",
            "wall (s)",
            "CPU (s)",
            "runs",
        ),
        rows,
    )


def fanin_method(results: dict[str, Any]) -> str:
    part = results.get("fanin")
    if not part:
        return "_not run_"
    m = part["method"]
    n = m["distributions"] * m["invalidations_per_distribution"]
    return (
        f"{m['distributions']} distributions x {m['invalidations_per_distribution']} invalidations = {n}, completing"
        f" evenly spread over 0–{m['spread']:g} s after the start; {m['rounds']} round(s), the contestants in an"
        f" order rotated by the round. The part took {part['duration']:.0f} s."
    )


TASK_NAMES = {
    "module": "ours: `cloudfront_invalidation_info` (no wait)",
    "community": NAMES["community"],
    "ping": NAMES["ping"],
}


def pertask_table(results: dict[str, Any]) -> str:
    part = results.get("pertask")
    if not part:
        return "_not run_"
    s, tasks = part["summary"], part["method"]["tasks"]
    rows = []
    for name in part["method"]["contestants"]:
        x = s[name]
        above = s["wall_per_task_above_ping"].get(name)
        rows.append(
            (
                TASK_NAMES.get(name, name),
                fmt(x["wall"]),
                fmt(x["cpu"]),
                fmt(x["wall_per_task"], digits=3),
                fmt(above, digits=3) if above else "–",
                fmt(x["calls"], digits=0),
            )
        )
    return table(
        (
            f"playbook of {tasks} tasks",
            "wall (s)",
            "CPU (s)",
            "wall per task (s)",
            "per task above ping (s)",
            "API calls",
        ),
        rows,
    )


def ratios_table(results: dict[str, Any]) -> str:
    part = results.get("pertask")
    if not part:
        return "_not run_"
    ratios = part["summary"]["ratios"]
    rows = [(key.replace("module", "ours"), fmt(stat, "x", 3)) for key, stat in ratios.items() if stat["n"]]
    return table(("ratio, within each round", "median (min–max)"), rows) + (
        f"\n\n{part['method']['rounds']} rounds, {part['summary']['rounds_complete']} complete;"
        f" the part took {part['duration']:.0f} s."
    )


def profile_tables(results: dict[str, Any]) -> str:
    part = results.get("profile")
    if not part:
        return "_not run_"
    runs = part["payload_runs"]
    blocks = []
    rows = []
    for name, r in runs.items():
        contents = r.get("contents") or {}
        groups = contents.get("bytes_by_group", {})
        rows.append(
            (
                TASK_NAMES.get(name, name),
                f"{r['wall_median']:.2f}",
                f"{r['cpu_median']:.2f}",
                f"{contents.get('files', '–')}",
                f"{contents.get('bytes', 0) / 1024:.0f}",
                ", ".join(f"{g} {b / 1024:.0f}" for g, b in sorted(groups.items(), key=lambda kv: -kv[1])),
            )
        )
    blocks.append(
        "The module process alone (its AnsiballZ payload run by hand, median of"
        f" {len(next(iter(runs.values()))['samples'])}; the bare interpreter starts in"
        f" {part['python_startup']:.3f} s):\n\n"
        + table(
            ("module", "wall (s)", "CPU (s)", "files in payload", "source (KiB)", "source by origin (KiB)"),
            rows,
        )
    )
    imports = part["imports"]
    blocks.append(
        f"Imports of our payload (`python -X importtime`), {imports['total']:.3f} s in all, by origin"
        " (self time, compiling from the zip included):\n\n"
        + table(("origin", "seconds"), ((g, f"{s:.3f}") for g, s in imports["by_group"].items()))
    )
    prof = part["cprofile"]
    blocks.append(
        f"Phases of one run of our module under cProfile ({prof['profiled_total']:.3f} s profiled; cumulative"
        " times, which nest: the profiler inflates them, so the shares say more than the seconds):\n\n"
        + table(
            ("phase", "seconds", "share", "calls"),
            ((p["phase"], f"{p['seconds']:.3f}", f"{p['share']:.0%}", p["calls"] or "–") for p in prof["phases"]),
        )
    )
    blocks.append(
        "Functions with the most own time:\n\n"
        + table(
            ("function", "own (s)", "cumulative (s)"),
            ((f"`{f['function']}`", f"{f['own']:.3f}", f"{f['cumulative']:.3f}") for f in prof["top_own_time"][:10]),
        )
    )
    return "\n\n".join(blocks)


def render(
    results: dict[str, Any], png_link: str | None, many_gates_png_link: str | None = None, template: Path = TEMPLATE
) -> str:
    """The page: ``template`` rendered with the results' tables and sentences and with what it says of the
    code, asked of the code. Refuses results whose runs polled on another schedule than the code's, or ran
    with other settings than the benchmarks' code has."""
    check_schedule(results)
    check_settings(results)
    values = {
        "machine_table": machine_table(results),
        "targets_table": targets_table(results),
        "overshoot_method": overshoot_method(results),
        "overshoot_table": overshoot_table(results),
        "reference_table": reference_table(results),
        "tenant_text": tenant_text(results),
        "sim_table": sim_table(results),
        "sim_default_timeout": sim_default_timeout(results),
        "sim_seeds": str((results.get("simulation") or {}).get("method", {}).get("seeds", "–")),
        "sim_longest_min": _longest_simulated_wait(results),
        "sim_wait_timeout": _method_figure(results, "simulation", "wait_timeout"),
        "alternatives_table": alternatives_table(results),
        "deadline_table": deadline_table(results),
        "fanin_method": fanin_method(results),
        "fanin_table": fanin_table(results),
        "pertask_table": pertask_table(results),
        "ratios_table": ratios_table(results),
        "profile_tables": profile_tables(results),
        "chart": f"![Overshoot and API calls against the completion time T]({png_link})"
        if png_link
        else "_no chart in this run_",
        "many_gates_method": many_gates_method(results),
        "many_gates_table": many_gates_table(results),
        "many_gates_single": many_gates_single(results),
        "gates_timeout": _method_figure(results, "many_gates", "gate_timeout"),
        "gates_progress_interval": _method_figure(results, "many_gates", "progress_interval"),
        "gates_p95_factor": f"{GATES_P95_FACTOR:g}",
        "gate_cost": gate_cost_section(results),
        "create_section": create.section(results.get("create")),
        "many_gates_real_table": many_gates_real_table(results),
        "many_gates_findings": many_gates_findings(results),
        "many_gates_chart": f"![p95 latency against N/R, many gates sharing one rate limit]({many_gates_png_link})"
        if many_gates_png_link
        else "_no chart in this run_",
        "duration_min": f"{results['suite']['duration'] / 60:.0f}",
        "date": results["machine"]["date"][:10],
        **run_figures(results),
        **code_figures(),
        **bench_settings(),
    }
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(template.parent),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
    return environment.get_template(template.name).render(values)


def _method_figure(results: dict[str, Any], part: str, key: str) -> str:
    """A setting of a part's run (its ``method``), as the page gives it; ``–`` without the part."""
    value = ((results.get(part) or {}).get("method") or {}).get(key)
    return "–" if value is None else f"{value:g}"


_WORDS = {
    **dict(enumerate(("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"))),
    20: "twenty",
}
_ORDINALS = ("zeroth", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")


def _count(n: int) -> str:
    """``four``, ``twenty``; digits where the page would not write the word."""
    return _WORDS.get(n, str(n))


def _ordinal(n: int) -> str:
    """``second``; ``12th``."""
    return _ORDINALS[n] if 0 <= n < len(_ORDINALS) else f"{n}th"


def run_figures(results: dict[str, Any]) -> dict[str, str]:
    """What the page's prose says of this run's set-up (completion times, runs at once, the real gates'
    start), from the results; ``–`` for a part not run."""
    overshoot = (results.get("overshoot") or {}).get("method") or {}
    max_live = overshoot.get("max_live")
    return {
        "overshoot_Ts": ", ".join(f"{T:g}" for T in overshoot.get("T", [])) or "–",
        "overshoot_max_live": "–" if max_live is None else _count(max_live),
        "real_gates_start": real_gates_start(results),
        "create_completions": create_completions(results),
    }


def _longest_simulated_wait(results: dict[str, Any]) -> str:
    """The longest completion time of part 2, in minutes."""
    Ts = ((results.get("simulation") or {}).get("method") or {}).get("T")
    return f"{max(Ts) / 60:g}" if Ts else "–"


def _real_first_requests(real: dict[str, Any]) -> list[float]:
    """When each real gate made its first request, from the first gate's start (s)."""
    gates = [g for g in real["samples"].get("ours", []) if g.get("request_times")]
    if not gates:
        return []
    started = min(g["start"] for g in gates)
    return [g["request_times"][0] - started for g in gates]


def real_gates_start(results: dict[str, Any]) -> str:
    """How long the real gates of part 5 took to start, on the machine they ran on."""
    part = results.get("many_gates") or {}
    real = part.get("real")
    firsts = _real_first_requests(real) if real else []
    if not firsts:
        return "`ansible-playbook` starts take a while"
    cores = (part.get("separate_run") or results["machine"])["cores"]
    return (
        f"on a machine of {_count(cores)} cores {_count(real['method']['gates'])} `ansible-playbook` starts take"
        f" {_span_of(firsts, '{:.0f}'.format)} s"
    )


def create_completions(results: dict[str, Any]) -> str:
    """Where part 6's completion times fall in the AWS CLI waiter's period, its first poll just after the
    create."""
    Ts = (((results.get("create") or {}).get("method") or {}).get("T")) or []
    if not Ts:
        return "_not run_"
    delay = simulate.CLI_DELAY
    cases = []
    for n, T in enumerate(Ts):
        phase = T % delay
        if phase == 0:
            where = f"falls just before its {_ordinal(int(T // delay) + 1)} poll, its best case"
        elif phase == delay / 2:
            where = "in the middle of a period, its usual case"
        else:
            where = f"{phase:g} s into a period"
        cases.append(f"a completion {T:g} s after the create {where}" if n == 0 else f"one {T:g} s after it {where}")
    said = cases[0] if len(cases) == 1 else ", ".join(cases[:-1]) + ", and " + cases[-1]
    return f"{said}; hence {_count(len(Ts))} completion time{'s' if len(Ts) > 1 else ''}"


# --------------------------------------------------------------------------------------
# What the page says of the benchmarks' own settings, asked of their code
# --------------------------------------------------------------------------------------

# the module whose settings() each part records (in its ``method``), and the part's name for --parts
RECORDED_SETTINGS = {"simulation": (simulate, "sim"), "many_gates": (many_gates, "many_gates")}


def bench_settings() -> dict[str, str]:
    """What the page says of the benchmarks' settings (benchmarks/simulate.py, benchmarks/many_gates.py):
    the AWS CLI waiter's schedule, the completion window of part 2, part 5's other caller and its models of
    the retries."""
    legacy, standard = many_gates.LEGACY, many_gates.STANDARD
    return {
        "cli_delay": f"{simulate.CLI_DELAY:g}",
        "cli_max_attempts": f"{simulate.CLI_MAX_ATTEMPTS:g}",
        "terraform_interval": f"{simulate.TERRAFORM_INTERVAL:g}",
        "flip_window": f"{simulate.FLIP_WINDOW:g}",
        "flip_half_window": f"{simulate.FLIP_WINDOW / 2:g}",
        "other_caller_interval": f"{many_gates.OTHER_CALLER_INTERVAL:g}",
        "until_delay": f"{many_gates.UNTIL_DELAY:g}",
        "until_module_start": f"{many_gates.MODULE_START:g}",
        "legacy_attempts": f"{legacy.max_attempts:g}",
        "standard_attempts": f"{standard.max_attempts:g}",
        "standard_max_backoff": f"{standard.max_backoff:g}",
        "awsretry_attempts": f"{many_gates.AWSRETRY_ATTEMPTS:g}",
        "awsretry_delay": f"{many_gates.AWSRETRY_DELAY:g}",
        "awsretry_max_delay": f"{many_gates.AWSRETRY_MAX_DELAY:g}",
    }


def check_settings(results: dict[str, Any]) -> None:
    """The page states the benchmarks' settings from their code: refuse results of a part whose run
    recorded others."""
    for part, (module, name) in RECORDED_SETTINGS.items():
        recorded = (results.get(part) or {}).get("method")
        changed = _changed(recorded, module.settings()) if recorded is not None else []
        if changed:
            raise ValueError(
                f"the results' {part} ran with other settings than {module.__name__}.settings()"
                f" ({', '.join(changed)}): {_measure_again(name)}"
            )


def _changed(recorded: dict[str, Any], code: dict[str, Any], prefix: str = "") -> list[str]:
    """Where a part's recorded settings differ from the code's: ``field recorded (now code's)``."""
    out = []
    for key, value in code.items():
        was = recorded.get(key)
        if isinstance(was, dict) and isinstance(value, dict):
            out += _changed(was, value, f"{prefix}{key}.")
        elif was != value:
            out.append(f"{prefix}{key} {was} (now {value})")
    return out


def _measure_again(name: str) -> str:
    return f"measure it again (.venv-nox/bin/nox -s bench -- --merge-results RESULTS --parts {name})"


# --------------------------------------------------------------------------------------
# What the page says of the collection's code, asked of the code
# --------------------------------------------------------------------------------------

# The elapsed times (s) at which the page gives the schedule's interval, up to where it stops growing;
# how far (s) and how finely the page looks for that.
SCHEDULE_PROBES = (0.0, 10.0, 30.0, 60.0)
SCHEDULE_HORIZON = 3600
SCHEDULE_STEPS_PER_SECOND = 10
# The budget (s) at which the page asks api.timeouts_for for a client's timeouts, as shares of it: within
# its bounds (at least 1 and 2 s, at most the defaults).
CLIENT_PROBE_BUDGET = 100.0
# the schedule recorded by each part that runs the module's default one, and the part's name for --parts
RECORDED_SCHEDULES = {"simulation": ("schedule", "sim"), "many_gates": ("poll_schedule", "many_gates")}


def code_figures() -> dict[str, str]:
    """What the page says of the collection's code outside the results, for the template."""
    connect, read = api.timeouts_for(CLIENT_PROBE_BUDGET)
    return {
        "schedule": schedule_text(),
        "default_wait_timeout": f"{default_wait_timeout():g}",
        "last_stretch": f"{api.LAST_STRETCH:g}",
        "client_timeout_shares": f"{_share(connect / CLIENT_PROBE_BUDGET)} and {_share(read / CLIENT_PROBE_BUDGET)}",
    }


def schedule_text() -> str:
    """The module's default schedule in words: ``waiter.PollSchedule()`` asked for its intervals at a few
    elapsed times, for where they stop growing and for its jitter."""
    schedule = waiter.PollSchedule()
    grid = [k / SCHEDULE_STEPS_PER_SECOND for k in range(SCHEDULE_HORIZON * SCHEDULE_STEPS_PER_SECOND + 1)]
    intervals = [schedule.interval(elapsed) for elapsed in grid]
    longest = max(intervals)
    longest_from = grid[intervals.index(longest)]
    said: list[str] = []
    for elapsed in (e for e in SCHEDULE_PROBES if e < longest_from):
        interval = schedule.interval(elapsed)
        if not said:
            said.append(f"{interval:g} s between polls")
        else:
            said.append(f"{interval:g} s after {elapsed:g} s" + (" of waiting" if len(said) == 1 else ""))
    if not said:
        said.append(f"{longest:g} s between polls")
    elif longest_from < grid[-1]:
        said.append(f"{longest:g} s, the longest, from {longest_from:g} s on")
    else:  # still growing at the horizon
        said.append(f"{longest:g} s after {longest_from:g} s")
    shortened = 1 - schedule.next_delay(longest_from, 0, 1.0) / schedule.next_delay(longest_from, 0, 0.0)
    return f"first poll at once, then {_listing(said)}; each interval shortened at random by up to {shortened:.0%}"


def check_schedule(results: dict[str, Any]) -> None:
    """The page describes the code's schedule: refuse results of a part whose run recorded another."""
    code = dataclasses.asdict(waiter.PollSchedule())
    for part, (key, name) in RECORDED_SCHEDULES.items():
        recorded = ((results.get(part) or {}).get("method") or {}).get(key)
        if recorded is not None and recorded != code:
            changed = _changed(recorded, code)
            raise ValueError(
                f"the results' {part} ran with another poll schedule than waiter.PollSchedule()'s"
                f" ({', '.join(changed)}): {_measure_again(name)}"
            )


def pace_after_streak() -> tuple[float, float]:
    """The pace after a streak of throttled answers: how many times the streak's length, and at most (s)."""
    schedule = waiter.PollSchedule()
    return schedule.paced(0.0, False, took=1.0), schedule.paced(0.0, False, took=float(SCHEDULE_HORIZON))


def throttle_window_growth() -> float:
    """How many times the retry window of a throttled answer is that of the answer before it, in a streak."""
    schedule = waiter.PollSchedule()
    return schedule.next_delay(0.0, 0, 0.0, throttles=2) / schedule.next_delay(0.0, 0, 0.0, throttles=1)


def default_wait_timeout() -> float:
    """The module's default ``wait_timeout``, as its documentation gives it (ansible-test's
    validate-modules holds the documentation to the argument spec)."""
    options = yaml.safe_load(cloudfront_invalidation_info.DOCUMENTATION)["options"]
    return float(options["wait_timeout"]["default"])


_SHARES = {2: "a half", 3: "a third", 4: "a quarter", 5: "a fifth", 10: "a tenth", 20: "a twentieth"}


def _share(fraction: float) -> str:
    """``a tenth``; ``1/12``; ``15%``."""
    whole = round(1 / fraction)
    if abs(fraction * whole - 1) > 1e-9:
        return f"{fraction:.0%}"
    return _SHARES.get(whole, f"1/{whole}")


def _times(factor: float) -> str:
    """``twice``, ``3 times``."""
    return "twice" if factor == 2 else f"{factor:g} times"


def _growing(factor: float) -> str:
    """``doubling``, ``3-fold growing``."""
    return "doubling" if factor == 2 else f"{factor:g}-fold growing"


# --------------------------------------------------------------------------------------
# Part 5: many gates, one rate limit (issue 12)
# --------------------------------------------------------------------------------------

GATES_NAMES = {
    "ours": "ours: the role's gate",
    "cli": "AWS CLI waiter",
    "until": "`until:` loop",
    "boto3": "boto3 waiters (threads)",
    "model": "ours, simulated (this set-up)",
}


def gate_cost_section(results: dict[str, Any]) -> str:
    part = results.get("gate_cost")
    return gate_cost.section(part) if part else "_not run_"


def _rate_key(R: str) -> float:
    return float("inf") if R == "inf" else float(R)


def _rate_text(R: str) -> str:
    return "∞" if R == "inf" else f"{float(R):g}"


def _gate_cells(part: dict[str, Any]) -> list[tuple[int, str, dict[str, Any]]]:
    """(N, R, the contestants' figures), N ascending, R = ∞ first, then ascending."""
    rows = []
    for N in sorted(part["simulation"], key=int):
        by_rate = part["simulation"][N]["by_rate"]
        for R in sorted(by_rate, key=lambda r: (r != "inf", _rate_key(r))):
            rows.append((int(N), R, by_rate[R]))
    return rows


def _pct(fraction: float | None) -> str:
    return "–" if fraction is None else f"{fraction:.1%}"


def _failures(stat: dict[str, Any]) -> str:
    """``0``, or ``378 of 2000 (timed out 378; median at 60 s)``."""
    if not stat["failed"]:
        return "0"
    reasons = ", ".join(f"{reason} {count}" for reason, count in sorted(stat["failed_reasons"].items()))
    at = stat.get("failed_at") or {}
    when = f"; median at {at['median']:g} s" if at.get("median") is not None else ""
    return f"{stat['failed']} of {stat['gates']} ({reasons}{when})"


def _others_note(cells: dict[str, Any], key: str) -> str:
    """The others' figure beside ours (the CLI waiter's and the until loop's, the boto3 waiters'),
    for a target's measured column."""
    notes = []
    for name, stat in cells.items():
        if name == "ours":
            continue
        if key == "other":
            other = stat.get("other_caller") or {}
            value = _pct(other.get("throttled_fraction"))
        else:
            value = f"{stat['failed']} of {stat['gates']} failed"
        notes.append(f"{GATES_NAMES[name]}: {value}")
    return f"; beside {', '.join(notes)}" if notes else ""


def _room(N: int, rate: float) -> str:
    """Why N gates at R/s cannot leave another caller its room and open within ``GATES_P95_FACTOR`` × N/R
    as well."""
    return (
        f" N gates need N/R = {N / rate:g} s of the whole bucket for their first requests alone, and an"
        f" answer each every {GATES_P95_FACTOR:g} × N/R = {GATES_P95_FACTOR * N / rate:g} s asks for"
        f" {1 / GATES_P95_FACTOR:.0%} of it after that: the gates and another caller cannot both have what the"
        " targets ask"
    )


def _gate_targets(
    label: str,
    N: int,
    rate: float,
    stat: dict[str, Any],
    unthrottled_p95: float | None,
    others: dict[str, Any],
) -> list[dict[str, Any]]:
    """The targets of a (N, R) for our gates: p95, the other caller's room, failures and the worst gate."""
    per_gate = N / rate
    latency = stat["latency"]
    limit = max(unthrottled_p95 or 0.0, GATES_P95_FACTOR * per_gate)
    # over every gate: one that failed never opens
    p95 = latency.get("p95_all") if stat["failed"] else latency["p95"]
    if not latency["n"]:
        shown = "none opened"
    elif p95 is None:
        shown = f"never: {stat['failed']} of {stat['gates']} gates failed (p95 of the others: {latency['p95']:g} s)"
    else:
        shown = f"{p95:g} s" + (f", {stat['failed']} of {stat['gates']} gates failing" if stat["failed"] else "")
    p95_met = None if not latency["n"] else p95 is not None and p95 <= limit
    out = [
        _target(
            "5",
            f"{label} (N/R = {per_gate:g} s): p95 latency after completion at most the larger of the unthrottled"
            f" p95 and {GATES_P95_FACTOR:g} × N/R",
            f"{shown}; at most {limit:g} s (unthrottled p95 {unthrottled_p95} s,"
            f" {GATES_P95_FACTOR:g} × N/R = {GATES_P95_FACTOR * per_gate:g} s)",
            p95_met,
        )
    ]
    other = stat.get("other_caller") or {}
    fraction = other.get("throttled_fraction")
    measured = (
        f"{_pct(fraction)} of its {other.get('requests', 0)} requests (worst run {_pct(other.get('worst_run'))});"
        f" of the gates' own requests {_pct(stat['throttled_fraction'])}" + _others_note(others, "other")
    )
    other_met = None if fraction is None else fraction <= GATES_THROTTLED_AT_MOST
    if other_met is False and p95_met is False:
        measured += ";" + _room(N, rate)
    out.append(
        _target(
            "5",
            f"{label}: another caller (a request every {many_gates.OTHER_CALLER_INTERVAL:g} s, same bucket) throttled"
            f" on at most"
            f" {GATES_THROTTLED_AT_MOST:.0%} of its requests",
            measured,
            other_met,
        )
    )
    median, worst = latency["median"], latency["max"]
    ratio = worst / median if median else None
    spread = f"; worst {worst:g} s = {ratio:.2f} × the median ({median:g} s)" if ratio is not None else "; none opened"
    out.append(
        _target(
            "5",
            f"{label}: no gate fails before its wait_timeout; the worst latency at most"
            f" {GATES_WORST_VS_MEDIAN:g} × the median",
            f"failed: {_failures(stat)}{spread}" + _others_note(others, "failed"),
            None if ratio is None else stat["failed"] == 0 and ratio <= GATES_WORST_VS_MEDIAN,
        )
    )
    return out


def _single_targets(single: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    streak = single["streak"]
    mean, worst = streak["botocore_standard"]
    by_start = streak["by_start"]
    out.append(
        _target(
            "5",
            f"one gate rides through {streak['throttles']} throttled answers in a row at least as fast as botocore's"
            f" standard retry mode ({mean:g} s on average, {worst:g} s at most)",
            "; ".join(
                f"{'from the first poll' if float(at) == 0 else f'{float(at):g} s into the wait'}: {row['mean']:g} s"
                f" on average, {row['max']:g} s at most"
                for at, row in by_start.items()
            )
            + f" ({single['seeds']} runs each)",
            all(row["mean"] <= mean and row["max"] <= worst for row in by_start.values()),
        )
    )
    recovery = single["recovery"]["by_burst"]
    worst_p95 = max(row["p95"] for row in recovery.values())
    took, most = pace_after_streak()
    out.append(
        _target(
            "5",
            f"after a burst of throttling, a gate opens at most {GATES_RECOVERY_LAG:g} s later than without it (p95)",
            "; ".join(
                f"a burst of {float(B):g} s: median {row['median']:g} s, p95 {row['p95']:g} s, worst {row['max']:g} s"
                for B, row in recovery.items()
            )
            + "; the retry window of the burst's last throttled answer (it grows with the time the streak has"
            f" lasted) and the pace after it ({_times(took)} the streak, {most:g} s at most) are what the herd's"
            " spread rests on",
            worst_p95 <= GATES_RECOVERY_LAG,
        )
    )
    return out


def many_gates_targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    part = results.get("many_gates")
    if not part:
        return []
    out: list[dict[str, Any]] = []
    for N, R, cells in _gate_cells(part):
        if R == "inf":
            continue
        unthrottled = part["simulation"][str(N)]["by_rate"]["inf"]["ours"]["latency"]["p95"]
        out += _gate_targets(f"N = {N}, R = {_rate_text(R)}/s", N, float(R), cells["ours"], unthrottled, cells)
    if part.get("single"):
        out += _single_targets(part["single"])
    real = part.get("real")
    if real:
        m = real["method"]
        ours = real["summary"]["ours"]
        model = real.get("model") or {}
        unthrottled = (model.get("unthrottled") or {}).get("latency", {}).get("p95")
        out += [
            target
            for target in _gate_targets(
                f"{m['gates']} real gates, R = {m['rate']:g}/s",
                m["gates"],
                m["rate"],
                ours,
                unthrottled,
                real["summary"],
            )
            if "another caller" not in target["target"]  # the real run has none
        ]
    return out


def many_gates_method(results: dict[str, Any]) -> str:
    part = results.get("many_gates")
    if not part:
        return "_not run_"
    m = part["method"]
    seeds = ", ".join(f"{s} for N = {N}" for N, s in m["seeds"].items())
    bursts = ", ".join(f"{b:g} at R = {R}/s" for R, b in m["burst"].items())
    Ns = ", ".join(str(N) for N in m["N"])
    Rs = " and ".join(f"{R:g}" for R in m["R"])
    return (
        f"N = {Ns} gates; R = {Rs} requests a second, and no limit (R = ∞); the bucket holds {bursts}"
        f" (a second's worth, at least one), full at the start. Completions uniform in"
        f" [{m['spread'][0]:g}, {m['spread'][1]:g}] s after t = 0, drawn per run (seed): {seeds}; every"
        f" contestant sees the same ones. Latencies are over every gate of every run of a row. The simulation"
        f" took {part['simulation_duration']:g} s."
    )


def many_gates_table(results: dict[str, Any]) -> str:
    part = results.get("many_gates")
    if not part:
        return "_not run_"
    rows = []
    for N, R, cells in _gate_cells(part):
        for name, s in cells.items():
            latency = s["latency"]
            first = s.get("first_answer") or {}
            other = s.get("other_caller") or {}
            rows.append(
                (
                    GATES_NAMES.get(name, name),
                    N,
                    _rate_text(R),
                    "–" if R == "inf" else f"{N / float(R):g}",
                    "–" if latency["median"] is None else f"{latency['median']:g}",
                    "–" if latency["p95"] is None else f"{latency['p95']:g}",
                    "–" if latency["max"] is None else f"{latency['max']:g}",
                    f"{s['requests_per_gate']:g}",
                    _pct(s["throttled_fraction"]),
                    _pct(other.get("throttled_fraction")),
                    "–" if first.get("median") is None else f"{first['median']:g} / {first['max']:g}",
                    _failures(s),
                )
            )
    return table(
        (
            "contestant",
            "N",
            "R (/s)",
            "N/R (s)",
            "latency median (s)",
            "p95 (s)",
            "worst (s)",
            "requests per gate",
            "throttled",
            "another caller throttled",
            "first answer, median / worst (s)",
            "failed",
        ),
        rows,
    )


def many_gates_single(results: dict[str, Any]) -> str:
    single = (results.get("many_gates") or {}).get("single")
    if not single:
        return "_not run_"
    streak, recovery = single["streak"], single["recovery"]
    rows = [
        (
            f"{streak['throttles']} throttled answers in a row, "
            + ("from the first poll" if float(at) == 0 else f"{float(at):g} s into the wait"),
            f"{row['mean']:g}",
            f"{row['max']:g}",
            f"{streak['botocore_standard'][0]:g} / {streak['botocore_standard'][1]:g}",
        )
        for at, row in streak["by_start"].items()
    ]
    rows += [
        (
            f"a burst of {float(B):g} s from {recovery['burst_at']:g} s: opens later by, median / p95",
            f"{row['median']:g} / {row['p95']:g}",
            f"{row['max']:g}",
            f"{GATES_RECOVERY_LAG:g} (p95)",
        )
        for B, row in recovery["by_burst"].items()
    ]
    return (
        f"One gate, the same code on a fake clock, {single['seeds']} runs each (jitter seeds). A streak: the time"
        " from the first throttled answer to the answer after the streak. A burst: every request throttled for"
        f" the burst's length, the invalidation completing {recovery['completion_after_burst'][0]:g}–"
        f"{recovery['completion_after_burst'][1]:g} s after it; how much later the gate opens than the same gate"
        " without the burst.\n\n"
        + table(("case", "mean or median (s)", "worst (s)", "botocore standard / target (s)"), rows)
    )


def many_gates_real_table(results: dict[str, Any]) -> str:
    real = (results.get("many_gates") or {}).get("real")
    if not real:
        return "_not run_"
    m = real["method"]
    rows = []
    summaries = dict(real["summary"])
    model = real.get("model")
    if model:
        runs = model.get("runs", 1)
        summaries["model"] = {
            **model["throttled"],
            "requests": model["throttled"]["requests_per_run"],
            "gates": f"{model['throttled']['gates'] // runs} (× {runs} runs)",
        }
    for name, s in summaries.items():
        latency = s["latency"]
        rows.append(
            (
                GATES_NAMES.get(name, name),
                s["gates"],
                "–" if latency["median"] is None else f"{latency['median']:g}",
                "–" if latency["p95"] is None else f"{latency['p95']:g}",
                "–" if latency["max"] is None else f"{latency['max']:g}",
                f"{s['gate_open']['median']:g} / {s['gate_open']['p95']:g}" if s.get("gate_open") else "–",
                f"{s['requests']:g}",
                f"{s['requests_per_gate']:g}",
                _pct(s["throttled_fraction"]),
                _failures(s) if "failed_reasons" in s else str(s["failed"]),
            )
        )
    unthrottled = (model or {}).get("unthrottled", {}).get("latency", {}).get("p95")
    who = f"{m['gates']} gates" + (f", then {m['gates']} boto3 waiters" if "boto3" in real["summary"] else "")
    gates = [g for g in real["samples"].get("ours", []) if g.get("request_times")]
    if gates:
        started = min(g["start"] for g in gates)
        firsts = [g["request_times"][0] - started for g in gates]
        who += f" (the gates' first requests came {min(firsts):.0f}–{max(firsts):.0f} s after they were started)"
    return (
        f"{who}, each lot under a fresh bucket of {m['rate']:g} requests/s (burst {m['burst']:g}); completions"
        f" uniform in [{m['spread'][0]:g}, {m['spread'][1]:g}] s after {m.get('spread_from', 'the start')}; the"
        f" part took {real['duration']:.0f} s. The simulated row: {MODEL_RUNS_TEXT},"
        f" {(model or {}).get('runs', '–')} runs (without a limit, its p95 is {unthrottled} s).\n\n"
        + table(
            (
                "contestant",
                "gates",
                "latency median (s)",
                "p95 (s)",
                "worst (s)",
                "gate open: exit after completion, median / p95 (s)",
                "requests",
                "per gate",
                "throttled",
                "failed",
            ),
            rows,
        )
    )


MODEL_RUNS_TEXT = (
    "the simulation of this run, each simulated gate starting when a real one made its first request,"
    " with the completion time it had"
)


def _cell_label(N: int, R: str) -> str:
    return f"N = {N}, R = {_rate_text(R)}/s"


def _listing(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _span_of(values: Sequence[float], text: Callable[[float], str]) -> str:
    """``a`` or ``a–b``: the range of ``values``."""
    low, high = text(min(values)), text(max(values))
    return low if low == high else f"{low}–{high}"


def _tail_row(label: str, stat: dict[str, Any]) -> tuple[str, ...]:
    """A row of the findings' table of the slowest gates: ``stat``'s tail (see ``many_gates._tail``)."""
    tail, latency = stat["tail"], stat["latency"]

    def spread(figures: dict[str, Any], unit: str = "") -> str:
        return "–" if figures.get("median") is None else f"{figures['median']:g}{unit} ({figures['max']:g}{unit})"

    return (
        label,
        f"{latency['p95']:g} / {latency['max']:g} / {latency['median']:g}",
        f"{tail['opened_at_first_answer']} of {tail['gates']}",
        spread(tail["throttled_after_completion"]),
        spread(tail["longest_gap"]),
    )


def many_gates_findings(results: dict[str, Any]) -> str:
    """The part's findings, in sentences made from the figures: what each target's verdict rests on.
    The rule they describe is ``waiter.PollSchedule``'s; its docstring says it in words."""
    part = results.get("many_gates")
    if not part:
        return "_not run_"
    limited = [(N, R, c) for N, R, c in _gate_cells(part) if R != "inf"]
    bitten = [(N, R, c) for N, R, c in limited if c["ours"]["throttled"]]
    free = [c["ours"] for _N, R, c in _gate_cells(part) if R == "inf"]
    percent = "{:.0%}".format
    number = "{:g}".format
    targets = many_gates_targets(results)
    sentences = []
    if free:
        sentences.append(
            f"Without a limit our gates open {_span_of([c['latency']['p95'] for c in free], number)} s"
            f" (p95) after completion, with {_span_of([c['requests_per_gate'] for c in free], number)}"
            " requests each."
        )

    def verdicts_of(kind: str) -> str:
        """``met at A and B; missed at C``, for the simulated (N, R) targets whose text has ``kind``."""
        verdicts: dict[bool, list[str]] = {True: [], False: []}
        for target in targets:
            if target["met"] is not None and target["target"].startswith("N = ") and kind in target["target"]:
                verdicts[target["met"]].append(target["target"].split(" (")[0].split(":")[0])
        said = [f"{'met' if met else 'missed'} at {_listing(labels)}" for met, labels in verdicts.items() if labels]
        return "; ".join(said)

    for kind, what in (
        ("p95 latency", "the p95 target"),
        ("another caller", "another caller's room"),
        ("worst latency", f"no failure and the worst gate within {GATES_WORST_VS_MEDIAN:g} × the median"),
    ):
        said = verdicts_of(kind)
        if said:
            sentences.append(f"Under a limit, {what}: {said}.")
    if bitten:
        ours = [c["ours"] for _N, _R, c in bitten]
        first = [o["throttled_before_first_answer"] / o["throttled"] for o in ours]
        sentences.append(
            f"Where the limit bites, {_span_of([o['throttled_fraction'] for o in ours], percent)} of our gates'"
            f" requests are throttled, {_span_of(first, percent)} of them before a gate's first answer (its lookup):"
            " N gates starting together find a bucket of R, and their first streak spreads them over its"
            f" {_growing(throttle_window_growth())} windows; then each gate keeps the pace the streak gave it"
            f" ({_times(pace_after_streak()[0])} its length)."
        )
        contradictions = [
            _cell_label(N, R)
            for N, R, c in bitten
            if (c["ours"].get("other_caller") or {}).get("throttled_fraction", 0) > GATES_THROTTLED_AT_MOST
            and float(N) / float(R) * GATES_P95_FACTOR < (c["ours"]["latency"]["p95"] or 0)
        ]
        if contradictions:
            sentences.append(
                f"At {_listing(contradictions)} both the p95 and the other caller's targets are missed, and cannot"
                " both be met: N/R seconds of the whole bucket go to the gates' first requests alone, and an answer"
                f" for each gate every {GATES_P95_FACTOR:g} × N/R seconds takes {1 / GATES_P95_FACTOR:.0%} of the"
                " bucket after that, while the invalidations complete within the first minutes."
            )
    cli_attempts = (part["method"]["cli"].get("retries") or {}).get("max_attempts")
    for name, what in (
        (
            "cli",
            f"{cli_attempts} throttled attempts of one poll end it"
            if cli_attempts
            else "a poll throttled through its retries ends it",
        ),
        ("until", "a module run whose attempts are all throttled fails the loop"),
    ):
        failing = [c[name]["failed"] / c[name]["gates"] for _N, _R, c in limited if c[name]["failed"]]
        if failing:
            sentences.append(
                f"The {GATES_NAMES[name]} fails on throttling ({what}) at {len(failing)} of {len(limited)} (N, R),"
                f" {_span_of(failing, percent)} of its waiters."
            )
    real = part.get("real")
    tail_rows = [_tail_row(_cell_label(N, R), c["ours"]) for N, R, c in bitten if c["ours"]["tail"]["gates"]]
    if real:
        ours, m = real["summary"]["ours"], real["method"]
        text = (
            f"The {m['gates']} real gates at {m['rate']:g}/s: p95 {ours['latency']['p95']:g} s, worst"
            f" {ours['latency']['max']:g} s, {_pct(ours['throttled_fraction'])} of {ours['requests']} requests"
            f" throttled ({ours['throttled_before_first_answer']} before the gate's first answer), {ours['failed']}"
            " failed"
        )
        simulated = (real.get("model") or {}).get("throttled")
        if simulated:
            text += (
                f". The simulation of the same run gives p95 {simulated['latency']['p95']:g} s and"
                f" {_pct(simulated['throttled_fraction'])} throttled"
            )
            if simulated["tail"]["gates"]:
                tail_rows.append(_tail_row(f"the {m['gates']} real gates' set-up, simulated", simulated))
        boto3 = real["summary"].get("boto3")
        if boto3:
            text += f". {boto3['failed']} of {boto3['gates']} boto3 waiters under the same bucket failed"
        sentences.append(text + ".")
    tail_table = ""
    if tail_rows:
        tail_table = "\n\n" + table(
            (
                "the slowest gates (p95 and worse) of",
                "latency p95 / worst / median (s)",
                "opened with their first answer",
                "throttled after the completion, median (max)",
                "longest time between two requests after the first answer, median (max) (s)",
            ),
            tail_rows,
        )
    return "\n".join(f"- {sentence}" for sentence in sentences) + tail_table

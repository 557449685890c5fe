"""The charts of docs/benchmarks.md: overshoot and API calls against the completion time T (parts 1
and 2), and many gates' p95 latency against N/R (part 5).

Usage: python benchmarks/chart.py RESULTS_JSON OUTPUT_PNG [MANY_GATES_PNG] (run by benchmarks/run.py
in .venv-plot, which has matplotlib; this file needs nothing else of the suite but targets.py).
Measured T's (part 1) are drawn with solid lines and filled markers, medians with min–max bars;
simulated T's (part 2) with dashed lines and open markers. A simulated wait that gives up (the CLI
waiter past its last attempt) is drawn as an x at the time it gave up / the calls it had made. The second chart
is drawn when the results have part 5 and its file is given.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from targets import GATES_P95_FACTOR

STYLE = {
    # name: (label, colour, marker); the fixed-interval pollers' labels with their intervals from the results (styles)
    "module": ("ours: module wait", "#1b7837", "o"),
    "role": ("ours: role rounds (model)", "#5aae61", "D"),
    "cli": ("AWS CLI waiter", "#2166ac", "s"),
    "boto3": ("boto3 waiter", "#67a9cf", "^"),
    "until": ("until: loop, community.aws", "#b2182b", "v"),
    "cli_pace": ("the CLI's polls, no attempt limit", "#999999", "."),
    "terraform": ("fixed poll (Terraform)", "#e08214", "P"),
}


def styles(results: dict[str, Any]) -> dict[str, tuple[str, str, str]]:
    """STYLE with the fixed-interval pollers' labels from the intervals the simulation ran with (its
    ``method``, recorded from benchmarks/simulate.py's settings)."""
    method = (results.get("simulation") or {}).get("method") or {}
    if "cli_delay" not in method:  # results of an older suite: the page refuses them, the chart says less
        return STYLE
    labels = {
        "cli_pace": f"{method['cli_delay']:g} s polls, no attempt limit",
        "terraform": f"fixed {method['terraform_interval']:g} s poll (Terraform)",
    }
    return {name: (labels.get(name, label), colour, marker) for name, (label, colour, marker) in STYLE.items()}


def _series(by_T: dict[str, Any], key: str) -> tuple[list[float], list[float], list[float], list[float]]:
    xs, med, lo, hi = [], [], [], []
    for T in sorted(by_T, key=float):
        stat = by_T[T][key]
        if stat["median"] is None:
            continue
        xs.append(float(T))
        med.append(stat["median"])
        lo.append(stat["median"] - stat["min"])
        hi.append(stat["max"] - stat["median"])
    return xs, med, lo, hi


def draw(results: dict[str, Any], png: Path) -> None:
    fig, (ax_o, ax_c) = plt.subplots(1, 2, figsize=(13, 5.2))
    measured = (results.get("overshoot") or {}).get("summary", {})
    simulated = (results.get("simulation") or {}).get("summary", {})
    style = styles(results)
    # the T's of each part, as run: the simulated span is shaded
    measured_T = [float(T) for by_T in measured.values() for T in by_T] or [1.0]
    simulated_T = [float(T) for by_T in simulated.values() for T in by_T] or [max(measured_T)]
    for name, by_T in measured.items():
        if name.startswith("tenant_"):  # the tenant rows (issue 13): the same schedules, in the table only
            continue
        label, colour, marker = style.get(name, (name, "black", "o"))
        for ax, key in ((ax_o, "overshoot"), (ax_c, "calls")):
            xs, med, lo, hi = _series(by_T, key)
            ax.errorbar(
                xs,
                med,
                yerr=[lo, hi],
                color=colour,
                marker=marker,
                linestyle="-",
                capsize=3,
                label=f"{label} (measured)",
            )
    for name, by_T in simulated.items():
        label, colour, marker = style.get(name, (name, "black", "o"))
        for ax, key in ((ax_o, "overshoot"), (ax_c, "calls")):
            xs, med, lo, hi = _series(by_T, key)
            if not xs:
                continue
            # a simulated overshoot spans the whole poll interval (min 0, max one interval): medians only
            bars = [lo, hi] if key == "calls" else None
            ax.errorbar(
                xs,
                med,
                yerr=bars,
                color=colour,
                marker=marker,
                markerfacecolor="white",
                linestyle="--",
                capsize=2,
                label=f"{label} (simulated)",
            )
        failed = sorted((float(T), s) for T, s in by_T.items() if s["failed"])
        if failed:
            xs = [T for T, _stat in failed]
            ax_c.scatter(xs, [s["calls"]["median"] for _T, s in failed], marker="x", s=70, color=colour, zorder=5)
            ax_o.scatter(xs, [0.0] * len(failed), marker="x", s=70, color=colour, zorder=5, clip_on=False)
            ax_o.annotate(
                f"x: {style.get(name, (name,))[0]} gives up (at {failed[0][1]['failed_at']['median']:.0f} s)",
                (xs[0], 0.0),
                textcoords="offset points",
                xytext=(-60, 10),
                fontsize=7,
                color=colour,
            )
    ax_o.set_xscale("log")
    ax_o.set_xlabel("completion time T (s)")
    ax_o.set_ylabel("overshoot: from Completed to the command's exit (s)")
    ax_o.set_title("Detection overshoot (measured: median, min–max; simulated: median)")
    ax_o.set_ylim(bottom=0)
    ax_c.set_xscale("log")
    ax_c.set_yscale("log")
    ax_c.set_xlabel("completion time T (s)")
    ax_c.set_ylabel("API calls")
    ax_c.set_title("API calls (median, min–max); x: gave up")
    for ax in (ax_o, ax_c):
        ax.grid(True, which="both", alpha=0.3)
    span_from = (max(measured_T) * min(simulated_T)) ** 0.5  # halfway between the parts, on the log axis
    for ax in (ax_o, ax_c):
        ax.axvspan(span_from, max(simulated_T) * 1.25, color="#f0f0f0", zorder=0)
        ax.text(span_from * 1.1, 0.04, "simulated", transform=ax.get_xaxis_transform(), fontsize=8, color="#666666")
    handles, labels = ax_o.get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=3, fontsize=8, frameon=False)
    machine = results.get("machine", {})
    fig.suptitle(
        f"edgeops.cloudfront benchmarks, {machine.get('date', '')[:10]}: {machine.get('cpu_model', '')},"
        f" {machine.get('cores', '?')} cores (measured: T ≤ {max(measured_T):g} s;"
        f" simulated with a fake clock: T ≥ {min(simulated_T):g} s)",
        fontsize=10,
    )
    fig.tight_layout(rect=(0, 0.14, 1, 0.95))
    png.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(png, dpi=110)


GATES_STYLE = {
    # name: (label, colour, marker)
    "ours": ("ours: the role's gate (simulated)", "#1b7837", "o"),
    "cli": ("AWS CLI waiter (simulated)", "#2166ac", "s"),
    "until": ("until: loop (simulated)", "#b2182b", "v"),
}


def draw_many_gates(results: dict[str, Any], png: Path) -> None:
    """p95 latency after completion against N/R, log-log: each contestant's simulated (N, R), the
    real gates, the line of the p95 target (``GATES_P95_FACTOR`` × N/R) and the unthrottled p95 of
    ours (the largest over N shades where the target is met). Where some gates did not open, the
    marker is open and says the share that failed: the p95 is that of the gates that opened."""
    part = results["many_gates"]
    fig, ax = plt.subplots(figsize=(9, 6))
    unthrottled = []
    for cell in part["simulation"].values():
        by_rate = cell["by_rate"]
        if "inf" in by_rate and by_rate["inf"]["ours"]["latency"]["p95"] is not None:
            unthrottled.append(by_rate["inf"]["ours"]["latency"]["p95"])
    points: dict[str, list[tuple[float, float, float]]] = {name: [] for name in GATES_STYLE}
    for N, cell in part["simulation"].items():
        for R, by_name in cell["by_rate"].items():
            if R == "inf":
                continue
            for name, stat in by_name.items():
                p95 = stat["latency"]["p95"]
                if name in points and p95 is not None:
                    points[name].append((int(N) / float(R), p95, stat["failed"] / stat["gates"]))
    xs_all = [x for series in points.values() for x, _p95, _failed in series] or [1.0]
    low, high = min(xs_all) / 2, max(xs_all) * 2
    for name, series in points.items():
        label, colour, marker = GATES_STYLE[name]
        series.sort()
        if not series:
            continue
        ax.plot([x for x, _y, _f in series], [y for _x, y, _f in series], color=colour, linestyle=":", alpha=0.6)
        for x, y, failed in series:
            ax.scatter([x], [y], color=colour, marker=marker, s=55, zorder=4, facecolors="white" if failed else colour)
            if failed:
                ax.annotate(
                    f"{failed:.0%} failed",
                    (x, y),
                    textcoords="offset points",
                    xytext=(6, -12),
                    fontsize=7,
                    color=colour,
                )
        ax.scatter([], [], color=colour, marker=marker, label=label)
    if any(failed for series in points.values() for _x, _y, failed in series):
        ax.scatter(
            [],
            [],
            color="grey",
            marker="o",
            facecolors="white",
            label="open marker: some gates failed (the p95 of those that opened)",
        )
    real = part.get("real")
    if real:
        m = real["method"]
        for name, colour in (("ours", "#1b7837"), ("boto3", "#67a9cf")):
            stat = real["summary"].get(name)
            if stat and stat["latency"]["p95"] is not None:
                what = "real gates" if name == "ours" else "boto3 waiters, real"
                failed = stat["failed"] / stat["gates"] if stat["gates"] else 0.0
                ax.scatter(
                    [m["gates"] / m["rate"]],
                    [stat["latency"]["p95"]],
                    marker="*",
                    s=160,
                    color=colour,
                    facecolors="white" if failed else colour,
                    zorder=5,
                    label=f"{m['gates']} {what} (R = {m['rate']:g}/s)" + (f", {failed:.0%} failed" if failed else ""),
                )
    line = [low, high]
    ax.plot(
        line, [GATES_P95_FACTOR * x for x in line], color="black", linestyle="--", label=f"{GATES_P95_FACTOR:g} × N/R"
    )
    if unthrottled:
        floor = max(unthrottled)
        floors = f"{min(unthrottled):g}–{floor:g}" if min(unthrottled) != floor else f"{floor:g}"
        ax.axhline(floor, color="#1b7837", linestyle="-.", alpha=0.6, label=f"ours without a limit: p95 {floors} s")
        grid = [low * (high / low) ** (k / 100) for k in range(101)]
        ax.fill_between(
            grid, [max(floor, GATES_P95_FACTOR * x) for x in grid], 0.1, color="#d9f0d3", alpha=0.5, zorder=0
        )
        ax.text(low * 1.1, floor * 0.6, "target met below", fontsize=8, color="#1b7837")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(low, high)
    ax.set_ylim(bottom=1)
    ax.set_xlabel("N/R: the seconds between two polls of a gate, at best (N gates, R requests/s)")
    ax.set_ylabel("p95 latency from completion to the gate opening (s)")
    ax.set_title("Many gates sharing one account's rate limit: p95 latency against N/R")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    png.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(png, dpi=110)


if __name__ == "__main__":
    data = json.loads(Path(sys.argv[1]).read_text())
    draw(data, Path(sys.argv[2]))
    if len(sys.argv) > 3 and data.get("many_gates"):
        draw_many_gates(data, Path(sys.argv[3]))

"""The chart of docs/benchmarks.md: overshoot and API calls against the completion time T.

Usage: python benchmarks/chart.py RESULTS_JSON OUTPUT_PNG (run by benchmarks/run.py in .venv-plot,
which has matplotlib; this file needs nothing else). Measured T's (part 1) are drawn with solid
lines and filled markers, medians with min–max bars; simulated T's (part 2) with dashed lines and
open markers. A simulated wait that gives up (the CLI waiter past 580 s) is drawn as an x at the
time it gave up / the calls it had made.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

STYLE = {
    # name: (label, colour, marker)
    "module": ("ours: module wait", "#1b7837", "o"),
    "role": ("ours: role rounds (model)", "#5aae61", "D"),
    "cli": ("AWS CLI waiter", "#2166ac", "s"),
    "boto3": ("boto3 waiter", "#67a9cf", "^"),
    "until": ("until: loop, community.aws", "#b2182b", "v"),
    "cli_pace": ("20 s polls, no attempt limit", "#999999", "."),
    "terraform": ("fixed 30 s poll (Terraform)", "#e08214", "P"),
}


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
    for name, by_T in measured.items():
        label, colour, marker = STYLE.get(name, (name, "black", "o"))
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
        label, colour, marker = STYLE.get(name, (name, "black", "o"))
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
                f"x: {STYLE.get(name, (name,))[0]} gives up (at {failed[0][1]['failed_at']['median']:.0f} s)",
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
        ax.axvspan(50, 3000, color="#f0f0f0", zorder=0)
    for ax in (ax_o, ax_c):
        ax.text(55, 0.04, "simulated", transform=ax.get_xaxis_transform(), fontsize=8, color="#666666")
    handles, labels = ax_o.get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=3, fontsize=8, frameon=False)
    machine = results.get("machine", {})
    fig.suptitle(
        f"edgeops.cloudfront benchmarks, {machine.get('date', '')[:10]}: {machine.get('cpu_model', '')},"
        f" {machine.get('cores', '?')} cores (measured: T ≤ 45 s; simulated with a fake clock: T ≥ 60 s)",
        fontsize=10,
    )
    fig.tight_layout(rect=(0, 0.14, 1, 0.95))
    png.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(png, dpi=110)


if __name__ == "__main__":
    draw(json.loads(Path(sys.argv[1]).read_text()), Path(sys.argv[2]))

"""Part 6: cost per gate (issue 18). Controller CPU and CloudFront requests of a gate that waits.

A gate is one ``ansible-playbook`` run of the role ``edgeops.cloudfront.wait_for_invalidation``
(benchmarks/playbooks/gate_cost.yml) against the local endpoint, for one invalidation of its own
that stays InProgress until ``duration`` seconds after the gate's first request (as the endpoint
logged it), then completes; the gate's timeout is ``duration`` + 120 s. Its CPU seconds are the
user + system time of ``ansible-playbook`` and of everything it waited for (``os.wait4``); its
wall time runs from the process's start to its exit, start-up included; CPU per gate-hour is
CPU / wall × 3600. Its requests are those the endpoint logged for the run's own access key id.

Two designs run the same playbook: **ours**, this working tree (the gate's action polls CloudFront
itself, in one process), and **before**, commit d584a52, whose action ran the info module
``cloudfront_invalidation_info`` once for the lookup and once per slice of the wait (the progress
interval, at least 20 s). The before collection is ``git archive`` of that commit, under
``work``, first on the collections path of its runs (``ANSIBLE_COLLECTIONS_PATH``), so that its
edgeops.cloudfront is the one found.

Beside them, the **floor**: ansible-core alone, a playbook of one task that sleeps as long
(``ansible.builtin.pause``), what any task that lasts costs the controller whatever it does (the
controller's main process polls its worker every ``internal_poll_interval`` of ansible.cfg's
``[defaults]``, 1 ms by default).

The single runs, one gate per design and progress interval (``wait_for_invalidation_progress_interval``)
and the floor, all start together. While they wait, one design after the other, ``many`` gates
start together, each for an invalidation of its own that completes ``many_duration`` s after its
first request, at the role's default progress interval; then, per design, one gate whose
invalidation completed before it started, and a floor of 1 s: what a run costs that does not wait
(start-up, lookup, verdict), the part of the cost that an hour of waiting does not add.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from harness import (
    BENCH,
    REPO,
    CompletesAfterFirstRequest,
    LocalCloudFront,
    Run,
    Tools,
    calls_by_operation,
    contestant_env,
    flip_time,
    launch,
    requests_of,
    run_key,
    summary,
)
from targets import CPU_PER_GATE_HOUR_TARGET, MIN_JUDGED_DURATION, ROUNDS_TOLERANCE

PLAYBOOK = BENCH / "playbooks" / "gate_cost.yml"
BEFORE_COMMIT = "d584a52"  # the action ran the info module once per slice of the wait
DESIGNS = {
    "ours": "this working tree: the gate's action polls CloudFront itself, in one process",
    "before": f"commit {BEFORE_COMMIT}: the gate's action ran the info module for the lookup and once per slice"
    " of the wait (the progress interval, at least 20 s)",
    "floor": "ansible-core alone, no gate: a playbook of one task that sleeps as long (`ansible.builtin.pause`,"
    " at least 1 s), what any task that lasts costs the controller",
    "ours-tuned": "ours, with `internal_poll_interval = 0.05` in ansible.cfg (ansible-core's main process checks"
    " on its workers every 50 ms instead of every millisecond)",
    "floor-tuned": "the floor, with the same ansible.cfg",
}
FLOOR = "floor"
TUNED_POLL_INTERVAL = 0.05  # internal_poll_interval of the tuned runs (ansible-core's default: 0.001)
TIMEOUT_MARGIN = 120  # a gate's timeout: its wait and this
WAIT_MARGIN = 300.0  # how much longer than a gate's timeout the part waits for its process
# the role's default progress interval (the many gates' interval)
DEFAULT_PROGRESS_INTERVAL = int(
    yaml.safe_load((REPO / "roles" / "wait_for_invalidation" / "defaults" / "main.yml").read_text())[
        "wait_for_invalidation_progress_interval"
    ]
)
# the settings of the full suite and of --quick; the quick one leaves the before design out: making
# its collection takes a tenth of a second, but its batch of many gates runs after ours, which
# makes the part about 23 s instead of 15
FULL: dict[str, Any] = {"duration": 1800.0, "intervals": [1, 5, 50], "many": 50, "many_duration": 300.0, "before": True}
QUICK: dict[str, Any] = {"duration": 12.0, "intervals": [5], "many": 2, "many_duration": 8.0, "before": False}


# --------------------------------------------------------------------------------------
# The before design's collection
# --------------------------------------------------------------------------------------


def before_collection(work: Path, commit: str = BEFORE_COMMIT) -> Path:
    """A collections directory holding edgeops.cloudfront as of ``commit`` (``git archive`` of this
    repository), made under ``work`` once and reused while it is of the same commit."""
    full = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--verify", f"{commit}^{{commit}}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    root = work / "gate-cost-before"
    stamp = root / "COMMIT"
    if stamp.exists() and stamp.read_text().strip() == full:
        return root
    if root.exists():
        shutil.rmtree(root)
    work.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="gate-cost-before-", dir=work))
    try:
        target = staging / "ansible_collections" / "edgeops" / "cloudfront"
        target.mkdir(parents=True)
        archive = subprocess.run(["git", "-C", str(REPO), "archive", full], capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive, capture_output=True, check=True)
        (staging / "COMMIT").write_text(full + "\n")
        staging.rename(root)
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # gone already once renamed
    return root


def collections_path(first: Path) -> str:
    """The collections path of this environment (as ansible-playbook would read it), ``first`` first:
    its collections win, and the others (amazon.aws) are still found."""
    from ansible import constants

    return os.pathsep.join([str(first), *(str(p) for p in constants.COLLECTIONS_PATHS if Path(p) != first)])


# --------------------------------------------------------------------------------------
# Gates
# --------------------------------------------------------------------------------------


@dataclass
class Gate:
    """A run of one design: a gate, or the floor (no invalidation)."""

    design: str
    case: str
    interval: int | None
    wait: float
    key: str
    invalidation: str | None
    run: Run


@dataclass(frozen=True)
class Setting:
    """What the gates of one part share."""

    cloudfront: LocalCloudFront
    tools: Tools
    work: Path
    distribution_id: str
    flips: CompletesAfterFirstRequest
    envs: dict[str, dict[str, str]]  # per design: what to add to a contestant's environment


def start_gate(setting: Setting, design: str, case: str, label: str, interval: int, wait: float | None) -> Gate:
    """One gate of ``design``, whose invalidation completes ``wait`` s after the gate's first
    request (None: it has completed before the gate starts)."""
    cloudfront = setting.cloudfront
    timeout = int((wait or 0.0) + TIMEOUT_MARGIN)
    invalidation = cloudfront.create_invalidation(
        setting.distribution_id, [f"/gate-cost/{label}"], complete_in=0 if wait is None else timeout + 3600
    )
    key = run_key(f"P6{label}", cloudfront)
    if wait is not None:
        setting.flips.add(key, invalidation, wait)
    extra = {
        "bench_endpoint_url": cloudfront.url,
        "bench_distribution_id": setting.distribution_id,
        "bench_invalidation_id": invalidation,
        "bench_wait_timeout": timeout,
        "bench_progress_interval": interval,
    }
    cmd = [setting.tools.ansible_playbook, str(PLAYBOOK), "-e", json.dumps(extra)]
    env = contestant_env(key, setting.work, **setting.envs[design])
    run = launch(key, cmd, env, setting.work / "logs" / f"gate-cost-{label}.log")
    return Gate(design, case, interval, wait or 0.0, key, invalidation, run)


def floor_playbook() -> list[dict[str, Any]]:
    return [
        {
            "name": "ansible-core alone: one task that lasts (no gate)",
            "hosts": "localhost",
            "gather_facts": False,
            "tasks": [{"name": "Sleep", "ansible.builtin.pause": {"seconds": "{{ bench_seconds }}"}}],
        }
    ]


def start_floor(setting: Setting, case: str, label: str, wait: float | None, tuned: str | None = None) -> Gate:
    """The floor: ``ansible.builtin.pause`` for ``wait`` s (None: the shortest pause, 1 s); ``tuned``:
    with that ansible.cfg."""
    book = setting.work / "playbooks" / "gate-cost-floor.yml"
    book.parent.mkdir(parents=True, exist_ok=True)
    book.write_text(yaml.safe_dump(floor_playbook(), sort_keys=False))
    key = run_key(f"P6{label}", setting.cloudfront)
    cmd = [setting.tools.ansible_playbook, str(book), "-e", json.dumps({"bench_seconds": max(1, round(wait or 0))})]
    env = contestant_env(key, setting.work, **({"ANSIBLE_CONFIG": tuned} if tuned else {}))
    run = launch(key, cmd, env, setting.work / "logs" / f"gate-cost-{label}.log")
    return Gate("floor-tuned" if tuned else FLOOR, case, None, wait or 0.0, key, None, run)


def wait_for(gates: Iterable[Gate]) -> None:
    for gate in gates:
        gate.run.wait(timeout=gate.wait + TIMEOUT_MARGIN + WAIT_MARGIN)


def _per_hour(cpu: float, wall: float) -> float | None:
    return round(cpu / wall * 3600, 2) if wall > 0 else None


def _since(later: float, earlier: float) -> float:
    return round(later - earlier, 3) + 0.0  # never -0.0


def gate_record(cloudfront: LocalCloudFront, gate: Gate) -> dict[str, Any]:
    """One gate's figures."""
    run = gate.run
    assert run.end is not None
    requests = requests_of(cloudfront, gate.key)
    flip = flip_time(gate.invalidation) if gate.invalidation else None
    ok = run.rc == 0
    return {
        "design": gate.design,
        "case": gate.case,
        "progress_interval": gate.interval,
        "wait": gate.wait,
        "gates": 1,
        "access_key_id": gate.key,
        "ok": ok,
        "rc": run.rc,
        "error": None if ok else run.tail(),
        "wall": round(run.wall, 3),
        "cpu": round(run.cpu, 3),
        "cpu_user": round(run.cpu_user, 3),
        "cpu_sys": round(run.cpu_sys, 3),
        "cpu_per_gate_hour": _per_hour(run.cpu, run.wall),
        "requests": len(requests),
        "calls_by_operation": calls_by_operation(requests),
        # the client's connections (ports): each process that calls opens its own
        "connections": len({r["connection"] for r in requests if r["connection"] is not None}),
        "first_request": _since(requests[0]["time"], run.start) if requests else None,
        "completed": _since(flip, run.start) if flip is not None else None,
        "open_after_completion": _since(run.end, flip) if flip is not None else None,
    }


def _stats(values: Sequence[float], digits: int = 2) -> dict[str, Any]:
    return {**summary(values, digits), "sum": round(sum(values), digits)}


def batch_record(cloudfront: LocalCloudFront, gates: Sequence[Gate]) -> dict[str, Any]:
    """The figures of gates started together: the batch's, and per gate."""
    each = [gate_record(cloudfront, gate) for gate in gates]
    starts = [gate.run.start for gate in gates]
    ends = [gate.run.end or gate.run.start for gate in gates]
    cpu = sum(g["cpu"] for g in each)
    walls = sum(g["wall"] for g in each)
    operations: dict[str, int] = {}
    for g in each:
        for name, count in g["calls_by_operation"].items():
            operations[name] = operations.get(name, 0) + count
    return {
        "design": gates[0].design,
        "case": gates[0].case,
        "progress_interval": gates[0].interval,
        "wait": gates[0].wait,
        "gates": len(gates),
        "ok": all(g["ok"] for g in each),
        "failed": sum(1 for g in each if not g["ok"]),
        "errors": [g["error"] for g in each if not g["ok"]][:3],
        "wall": round(max(ends) - min(starts), 3),
        "cpu": round(cpu, 3),
        "cpu_per_gate_hour": _per_hour(cpu, walls),
        "requests": sum(g["requests"] for g in each),
        "calls_by_operation": operations,
        "per_gate": {
            "wall": _stats([g["wall"] for g in each]),
            "cpu": _stats([g["cpu"] for g in each], 3),
            "cpu_per_gate_hour": _stats([g["cpu_per_gate_hour"] or 0.0 for g in each]),
            "requests": _stats([g["requests"] for g in each], 0),
            "connections": _stats([g["connections"] for g in each], 0),
            "first_request": summary(g["first_request"] for g in each),
            "open_after_completion": summary(g["open_after_completion"] for g in each),
        },
        "samples": each,
    }


def _said(record: dict[str, Any]) -> str:
    gates = record["gates"]
    text = (
        f"wall {record['wall']:7.1f} s, cpu {record['cpu']:7.2f} s"
        f" ({record['cpu_per_gate_hour'] or 0:7.1f} s per gate-hour), {record['requests']:4} requests"
    )
    if gates > 1:
        per = record["per_gate"]
        text += f"; per gate cpu median {per['cpu']['median']} s, max {per['cpu']['max']} s"
    if not record["ok"]:
        text += f"  FAILED ({record.get('failed', 1)} of {gates})"
    return text


def _above_no_wait(runs: Sequence[dict[str, Any]]) -> None:
    """Each run's CPU per gate-hour above what its design's run that does not wait cost."""
    fixed = {r["design"]: r["cpu"] for r in runs if r["case"] == "no wait" and r["ok"]}
    for r in runs:
        if r["case"] == "no wait" or r["design"] not in fixed:
            continue
        gates = r["gates"]
        walls = r["per_gate"]["wall"]["sum"] if gates > 1 else r["wall"]
        r["cpu_above_no_wait_per_gate_hour"] = _per_hour(r["cpu"] - gates * fixed[r["design"]], walls)


# --------------------------------------------------------------------------------------
# The part
# --------------------------------------------------------------------------------------


def measure(
    cloudfront: LocalCloudFront,
    tools: Tools,
    work: Path,
    duration: float,
    intervals: Sequence[int],
    many: int,
    many_duration: float,
    before: bool,
    log: Callable[[str], None],
) -> dict[str, Any]:
    """Single gates (each design x interval) together, and meanwhile ``many`` gates of one design then
    of the other, then a gate that does not wait per design; ``before``: the before design too."""
    started = time.time()
    method: dict[str, Any] = {
        "duration": duration,
        "intervals": list(intervals),
        "many": many,
        "many_duration": many_duration,
        "many_interval": DEFAULT_PROGRESS_INTERVAL,
        "timeout_margin": TIMEOUT_MARGIN,
        "before_commit": BEFORE_COMMIT,
        "designs": {},
    }
    envs: dict[str, dict[str, str]] = {"ours": {}}
    if before:
        t0 = time.time()
        try:
            root = before_collection(work)
        except (OSError, subprocess.CalledProcessError) as e:
            detail = e.stderr.strip() if isinstance(e, subprocess.CalledProcessError) and e.stderr else str(e)
            method["before_skipped"] = f"the collection of {BEFORE_COMMIT} could not be made: {detail}"
            log(f"  (no before design: {method['before_skipped']})")
        else:
            envs["before"] = {"ANSIBLE_COLLECTIONS_PATH": collections_path(root)}
            method["before_collection"] = str(root)
            log(f"  before: edgeops.cloudfront of {BEFORE_COMMIT} in {root} ({time.time() - t0:.1f} s)")
    designs = list(envs)
    tuned_cfg = work / "gate-cost-tuned.cfg"
    tuned_cfg.write_text(f"[defaults]\ninternal_poll_interval = {TUNED_POLL_INTERVAL}\n")
    envs["ours-tuned"] = {"ANSIBLE_CONFIG": str(tuned_cfg)}
    method["designs"] = {d: DESIGNS[d] for d in [*designs, FLOOR, "ours-tuned", "floor-tuned"]}
    method["tuned_poll_interval"] = TUNED_POLL_INTERVAL
    dist = cloudfront.create_distribution(comment="bench gate cost")["id"]
    runs: list[dict[str, Any]] = []
    with CompletesAfterFirstRequest(cloudfront) as flips:
        setting = Setting(cloudfront, tools, work, dist, flips, envs)
        singles = [
            start_gate(setting, design, "single", f"{design}single{interval}", interval, duration)
            for interval in intervals
            for design in designs
        ]
        singles.append(start_floor(setting, "single", "floorsingle", duration))
        singles.append(start_gate(setting, "ours-tuned", "single", "tunedsingle", DEFAULT_PROGRESS_INTERVAL, duration))
        singles.append(start_floor(setting, "single", "floortunedsingle", duration, tuned=str(tuned_cfg)))
        log(f"  {len(singles)} single runs of {duration:g} s started: {', '.join(g.key for g in singles)}")
        for design in designs:
            if many < 1:
                break
            batch = [
                start_gate(setting, design, "many", f"{design}many{n}", DEFAULT_PROGRESS_INTERVAL, many_duration)
                for n in range(many)
            ]
            wait_for(batch)
            runs.append(batch_record(cloudfront, batch))
            log(f"  {design:6} {many} gates together, {many_duration:g} s: {_said(runs[-1])}")
        no_wait = [
            start_gate(setting, design, "no wait", f"{design}nowait", DEFAULT_PROGRESS_INTERVAL, None)
            for design in designs
        ]
        no_wait.append(start_floor(setting, "no wait", "floornowait", None))
        wait_for(no_wait)
        wait_for(singles)
    for gate in [*singles, *no_wait]:
        runs.append(gate_record(cloudfront, gate))
        interval = "–" if gate.interval is None else f"{gate.interval}"
        log(f"  {gate.design:6} {gate.case:7} at {interval:>2} s: {_said(runs[-1])}")
    _above_no_wait(runs)
    order = {"single": 0, "many": 1, "no wait": 2}
    ranks = [*designs, FLOOR, "ours-tuned", "floor-tuned"]
    runs.sort(key=lambda r: (ranks.index(r["design"]), order[r["case"]], r["progress_interval"] or 0))
    return {"method": method, "runs": runs, "duration": round(time.time() - started, 1)}


# --------------------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------------------


def _num(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _per_gate(total: str, stat: dict[str, Any], digits: int) -> str:
    return f"{total} (per gate {_num(stat['median'], digits)}, max {_num(stat['max'], digits)})"


CASES = {
    "single": "one gate",
    "many": "{gates} gates together",
    "no wait": "one gate that does not wait",
}
FLOOR_CASES = {"single": "one task that sleeps as long", "no wait": "one task that sleeps 1 s"}


def _row(r: dict[str, Any]) -> tuple[str, ...]:
    gates = r["gates"]
    floor = r["design"].startswith(FLOOR)
    case = (FLOOR_CASES if floor else CASES)[r["case"]].format(gates=gates)
    if not r["ok"]:
        case += f" (**failed**{': ' + str(r['failed']) + ' of ' + str(gates) if gates > 1 else ''})"
    design = {FLOOR: "floor: ansible-core alone", "floor-tuned": "floor, tuned"}.get(r["design"], r["design"])
    interval = "–" if r["progress_interval"] is None else str(r["progress_interval"])
    above = _num(r.get("cpu_above_no_wait_per_gate_hour"))
    if gates > 1:
        per = r["per_gate"]
        return (
            design,
            case,
            interval,
            _per_gate(_num(r["wall"], 0), per["wall"], 0),
            _per_gate(_num(r["cpu"]), per["cpu"], 2),
            _per_gate(_num(r["cpu_per_gate_hour"]), per["cpu_per_gate_hour"], 1),
            above,
            _per_gate(str(r["requests"]), per["requests"], 0),
        )
    return (
        design,
        case,
        interval,
        _num(r["wall"], 0),
        _num(r["cpu"], 2),
        _num(r["cpu_per_gate_hour"]) if r["case"] != "no wait" else "–",
        above,
        "–" if floor else str(r["requests"]),
    )


def section(part: dict[str, Any]) -> str:
    """The method, then a table of the runs."""
    if not part:
        return "_not run_"
    m = part["method"]
    designs = "; ".join(
        f"**{name}**, {text}"
        for name, text in m["designs"].items()
        if not name.startswith(FLOOR) and not name.endswith("-tuned")
    )
    skipped = f" (No before design: {m['before_skipped']}.)" if m.get("before_skipped") else ""
    intervals = ", ".join(f"{i}" for i in m["intervals"])
    method = (
        "A gate is one `ansible-playbook` run of the role `edgeops.cloudfront.wait_for_invalidation` against the"
        " local endpoint, for an invalidation of its own that completes a set time after the gate's first request,"
        f" with a timeout of that time and {m['timeout_margin']} s. CPU is the user + system time of"
        " `ansible-playbook` and of everything it waited for (`os.wait4`); CPU per gate-hour is CPU / wall × 3600,"
        " the wall from the process's start to its exit, start-up included; requests are those the endpoint logged"
        f" for the run's own access key id. Designs: {designs}.{skipped} Beside them, the **floor**:"
        f" {m['designs'][FLOOR]}. The single gates wait {m['duration']:g} s, at progress intervals {intervals} s,"
        " all started together with the floor; meanwhile, one design after the other,"
        f" {m['many']} gates start together and wait {m['many_duration']:g} s each, at the role's default interval"
        f" ({m['many_interval']} s); then, per design, one gate whose invalidation completed before it started"
        " (start-up, lookup, verdict), and a floor of 1 s: the next to last column is the CPU per gate-hour above"
        " that, what the waiting itself costs. Rows of many gates give the batch's total (wall: first start to last"
        f" exit), and the median and the largest per gate. With the single gates, **ours-tuned** (at the role's"
        f" default interval) and **floor-tuned**: {m['designs'].get('ours-tuned', '–')}. The part took"
        f" {part['duration']:.0f} s."
    )
    headers = (
        "design",
        "case",
        "progress interval (s)",
        "wall (s)",
        "CPU (s)",
        "CPU per gate-hour (s)",
        "above a run that does not wait (s per gate-hour)",
        "requests",
    )
    rows = [_row(r) for r in part["runs"]]
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join([" --- "] * len(headers)) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return method + "\n\n" + "\n".join(lines)


def targets(part: dict[str, Any]) -> list[tuple[str, str, bool | None]]:
    """At most 5 s of controller CPU per gate-hour for one gate of ours, at every progress interval,
    and not growing with the number of progress rounds. The gate's own CPU is what it costs above the
    floor (ansible-core alone, a task that lasts as long, in the same run): ansible-core's main
    process checks on a running task every ``internal_poll_interval`` (1 ms by default), which costs
    any task that lasts, gate or not, far more than 5 s an hour. Not judged on gates too short to tell."""
    if not part:
        return []
    m = part["method"]
    singles = [r for r in part["runs"] if r["case"] == "single"]
    ours = sorted((r for r in singles if r["design"] == "ours"), key=lambda r: r["progress_interval"])
    before = sorted((r for r in singles if r["design"] == "before" and r["ok"]), key=lambda r: r["progress_interval"])
    floor = next((r for r in singles if r["design"] == FLOOR and r["ok"]), None)
    tuned = next((r for r in singles if r["design"] == "ours-tuned" and r["ok"]), None)
    tuned_floor = next((r for r in singles if r["design"] == "floor-tuned" and r["ok"]), None)
    judged = m["duration"] >= MIN_JUDGED_DURATION and floor is not None
    short = f" (gates of {m['duration']:g} s, mostly their start-up: not judged)" if not judged else ""
    all_ok = bool(ours) and all(r["ok"] for r in ours)

    def own(r: dict[str, Any], base: dict[str, Any] | None = floor) -> float:
        return r["cpu_per_gate_hour"] - (base["cpu_per_gate_hour"] if base else 0.0)

    def listed(runs: Iterable[dict[str, Any]]) -> str:
        return ", ".join(
            f"{r['progress_interval']} s: {_num(own(r))} ({_num(r['cpu_per_gate_hour'])} in all)" for r in runs
        )

    measured = (listed(ours) or "no gate") + " s per gate-hour above the floor"
    if floor:
        measured += (
            f"; the floor (ansible-core alone, a task that lasts as long): {_num(floor['cpu_per_gate_hour'])},"
            " nearly all of it ansible-core's main process checking on the task every millisecond"
            " (`internal_poll_interval`)"
        )
    if tuned and tuned_floor:
        measured += (
            f"; with `internal_poll_interval = {m.get('tuned_poll_interval', TUNED_POLL_INTERVAL):g}`:"
            f" {_num(tuned['cpu_per_gate_hour'])} in all, the floor {_num(tuned_floor['cpu_per_gate_hour'])}"
        )
    if before:
        in_all = ", ".join(f"{r['progress_interval']} s: {_num(r['cpu_per_gate_hour'])}" for r in before)
        measured += f"; before (in all): {in_all}"
    if not all_ok:
        measured += "; a gate failed"
    first = (
        f"One gate of ours: at most {CPU_PER_GATE_HOUR_TARGET:g} s of controller CPU per gate-hour of its own (above"
        f" ansible-core's for a task as long), at every progress interval ({m['duration']:g}-s gates)",
        measured + short,
        (all_ok and all(own(r) <= CPU_PER_GATE_HOUR_TARGET for r in ours)) if judged else None,
    )
    text = (
        "One gate of ours: the CPU per gate-hour does not grow with the number of progress rounds (the shortest"
        f" interval against the longest, within {ROUNDS_TOLERANCE:g} s per gate-hour)"
    )
    if len(ours) < 2:
        return [first, (text, "one interval", None)]
    if not all_ok:
        return [first, (text, "a gate failed", False if judged else None)]
    low, high = ours[0], ours[-1]

    def rounds(r: dict[str, Any]) -> str:
        interval = r["progress_interval"]
        return f"{interval} s ({m['duration'] / interval:.0f} rounds): {_num(r['cpu_per_gate_hour'])}"

    growth = low["cpu_per_gate_hour"] - high["cpu_per_gate_hour"]
    second = (
        text,
        f"{rounds(low)} against {rounds(high)} s per gate-hour ({growth:+.1f}){short}",
        growth <= ROUNDS_TOLERANCE if judged else None,
    )
    return [first, second]

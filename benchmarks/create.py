"""Part 6: create and wait (issue 19). ``cloudfront_invalidation`` against community.aws and the AWS CLI.

**Create and wait.** Each run gets a distribution of its own (no earlier invalidation: community.aws
lists a distribution's invalidations before every create) and an access key id of its own, and
creates one invalidation of ``PATHS``, which the endpoint completes ``T`` seconds after creating it
(its default delay, set to T for the run). Contestants: ours, one task of
``edgeops.cloudfront.cloudfront_invalidation`` with ``wait: true`` (playbooks/create_wait.yml);
community.aws ``cloudfront_invalidation``, which cannot wait, then a ``command`` task running
``aws cloudfront wait invalidation-completed`` with the endpoint URL (playbooks/create_community_cli.yml);
ours as the gate creating and holding, the role ``edgeops.cloudfront.wait_for_invalidation`` with
``wait_for_invalidation_paths`` (playbooks/create_role.yml). The play goes on when the command exits
(nothing follows the wait in these playbooks): the figures are the time from the completion to that
exit, the wall time from the start to it, and the requests the endpoint logged with the run's key.

**Re-run with a caller reference.** One distribution with a history of ``history`` completed
invalidations (``LocalCloudFront.add_invalidations``, made in process), each with a caller reference
of its own. Each run creates again the batch of one of them, with its caller reference and its
paths: the newest of the history (a re-run straight after the first run) or the oldest (a re-run
after every other invalidation of the history). Ours (``cloudfront_invalidation``, no wait) makes one
CreateInvalidation, which CloudFront answers with the earlier invalidation; community.aws lists the
whole history and reads invalidation after invalidation, newest first, to find the caller reference,
then creates (playbooks/create_community.yml). A run succeeds when it exits 0 and creates nothing;
whether it reported a change is recorded (community.aws 10.0.0 looks for the caller reference at the
top of GetInvalidation's answer, not under ``Invalidation``, so it never finds it: it reads every
invalidation and reports a change).

Rounds rotate the completion times and the contestants, as the other measured parts do.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from harness import (
    BENCH,
    CpuMonitor,
    LocalCloudFront,
    Run,
    Tools,
    calls_by_operation,
    contestant_env,
    flip_time,
    launch,
    requests_of,
    rotated,
    run_key,
    summary,
)
from targets import REFERENCE_TARGET_CALLS

PLAYBOOKS = BENCH / "playbooks"
WAIT_TIMEOUT = 600  # the contestants' own timeout; far past every T measured
RUN_MARGIN = 300.0  # how much longer than that the part waits for a command
PATHS = ["/index.html", "/assets/*"]

CONTESTANTS = {
    "module": "ours: one task, `edgeops.cloudfront.cloudfront_invalidation` with `wait: true`",
    "community_cli": "community.aws `cloudfront_invalidation`, then `aws cloudfront wait invalidation-completed`"
    " (a `command` task)",
    "role": "ours, the gate creating and holding: the role `edgeops.cloudfront.wait_for_invalidation` with"
    " `wait_for_invalidation_paths`",
}
RERUN_CONTESTANTS = {
    "module": "ours: `cloudfront_invalidation` with the caller reference (no wait)",
    "community": "community.aws `cloudfront_invalidation` with the same `caller_reference`",
}
POSITIONS = {
    "newest": "the newest of the history (a re-run straight after the first run)",
    "oldest": "the oldest of the history (a re-run after every other invalidation of the history)",
}
# The full suite's settings and --quick's: one round at a short completion time, a short history,
# no AWS CLI (its waiter polls every 20 s, and the bench-smoke session does not install it)
FULL: dict[str, Any] = {
    "rounds": 3,
    "T": [20.0, 30.0],
    "contestants": list(CONTESTANTS),
    "history": 1000,
    "rerun_rounds": 3,
}
QUICK: dict[str, Any] = {
    "rounds": 1,
    "T": [2.0],
    "contestants": ["module", "role"],
    "history": 50,
    "rerun_rounds": 1,
}

NAMES = {
    "module": "ours: module `wait: true`",
    "community_cli": "community.aws, then the AWS CLI waiter",
    "role": "ours: role (gate) with paths",
    "community": "community.aws `cloudfront_invalidation`",
}
RERUN_NAMES = {"module": "ours: module, caller reference", "community": "community.aws, caller_reference"}


# --------------------------------------------------------------------------------------
# Commands
# --------------------------------------------------------------------------------------


def _playbook(tools: Tools, name: str, extra: dict[str, Any]) -> list[str]:
    return [tools.ansible_playbook, str(PLAYBOOKS / name), "-e", json.dumps(extra)]


def create_command(name: str, tools: Tools, url: str, distribution_id: str) -> list[str]:
    extra: dict[str, Any] = {
        "bench_endpoint_url": url,
        "bench_distribution_id": distribution_id,
        "bench_paths": PATHS,
        "bench_wait_timeout": WAIT_TIMEOUT,
    }
    if name == "module":
        return _playbook(tools, "create_wait.yml", {**extra, "bench_wait": True})
    if name == "role":
        return _playbook(tools, "create_role.yml", extra)
    if name == "community_cli":
        return _playbook(tools, "create_community_cli.yml", {**extra, "bench_aws": tools.aws_cli()})
    raise ValueError(f"unknown create contestant {name}")


def rerun_command(
    name: str, tools: Tools, url: str, distribution_id: str, caller_reference: str, paths: Sequence[str]
) -> list[str]:
    extra: dict[str, Any] = {
        "bench_endpoint_url": url,
        "bench_distribution_id": distribution_id,
        "bench_paths": list(paths),
        "bench_caller_reference": caller_reference,
    }
    if name == "module":
        return _playbook(tools, "create_wait.yml", {**extra, "bench_wait": False, "bench_wait_timeout": WAIT_TIMEOUT})
    if name == "community":
        return _playbook(tools, "create_community.yml", extra)
    raise ValueError(f"unknown re-run contestant {name}")


# --------------------------------------------------------------------------------------
# The endpoint's side, read with its own client (a key id of no run's)
# --------------------------------------------------------------------------------------


def invalidation_ids(client: Any, distribution_id: str) -> list[str]:
    """Every invalidation of the distribution, newest first."""
    ids: list[str] = []
    for page in client.get_paginator("list_invalidations").paginate(DistributionId=distribution_id):
        ids += [item["Id"] for item in page["InvalidationList"].get("Items") or []]
    return ids


def _changed(run: Run) -> int | None:
    """``changed=`` of the play recap."""
    match = re.search(r"^localhost\s*:\s*ok=\d+\s+changed=(\d+)", run.tail(10), re.M)
    return int(match.group(1)) if match else None


def _launch(label: str, cmd: list[str], key: str, work: Path, log: str) -> Run:
    run = launch(label, cmd, contestant_env(key, work), work / "logs" / log)
    run.wait(timeout=WAIT_TIMEOUT + RUN_MARGIN)
    assert run.end is not None
    return run


# --------------------------------------------------------------------------------------
# Create and wait
# --------------------------------------------------------------------------------------


def create_run(
    cloudfront: LocalCloudFront,
    client: Any,
    tools: Tools,
    work: Path,
    name: str,
    T: float,
    round_: int,
    monitor: CpuMonitor | None,
) -> dict[str, Any]:
    tag = f"r{round_}-T{T:g}-{name}"
    key = run_key(f"P6{name}T{T:g}R{round_}", cloudfront)
    distribution_id = cloudfront.create_distribution(comment=f"bench create {tag}")["id"]
    cloudfront.set_default_delay(T)  # the invalidation the run creates completes T s after its creation
    run = _launch(key, create_command(name, tools, cloudfront.url, distribution_id), key, work, f"create-{tag}.log")
    assert run.end is not None
    made = invalidation_ids(client, distribution_id)
    requests = requests_of(cloudfront, key)
    creates = [r["time"] for r in requests if r["operation"] == "CreateInvalidation"]
    flip = flip_time(made[0]) if len(made) == 1 else None
    after = [r["time"] for r in requests if flip is not None and r["time"] >= flip]
    # the play must not go on before the completion, nor without a request that saw it
    ok = run.rc == 0 and flip is not None and run.end >= flip and bool(after)
    error = None
    if not ok:
        error = run.tail() if run.rc != 0 else f"invalidations made: {made}; completion {flip}, exit {run.end}"
    return {
        "contestant": name,
        "T": T,
        "round": round_,
        "ok": ok,
        "rc": run.rc,
        "error": error,
        "access_key_id": key,
        "distribution_id": distribution_id,
        "invalidations_made": made,
        "start": round(run.start, 3),
        "create_after_start": round(creates[0] - run.start, 3) if creates else None,
        "completion_after_start": round(flip - run.start, 3) if flip is not None else None,
        # the play goes on when the command exits: latency past completion = detection + exit after it
        "after_completion": round(run.end - flip, 3) if flip is not None else None,
        "detection": round(after[0] - flip, 3) if after and flip is not None else None,
        "exit_after_detection": round(run.end - after[0], 3) if after else None,
        "wall": round(run.wall, 3),
        "cpu": round(run.cpu, 3),
        "calls": len(requests),
        "calls_by_operation": calls_by_operation(requests),
        "calls_after_completion": len(after),
        "request_times": [round(r["time"] - run.start, 3) for r in requests],
        "machine_busy": monitor.busy(run.start, run.end) if monitor else None,
    }


def summarize_create(samples: Sequence[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per contestant and T."""
    groups: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for sample in samples:
        groups.setdefault(sample["contestant"], {}).setdefault(f"{sample['T']:g}", []).append(sample)
    out: dict[str, dict[str, Any]] = {}
    for name, by_T in groups.items():
        out[name] = {}
        for T, group in by_T.items():
            good = [s for s in group if s["ok"]]
            out[name][T] = {
                "after_completion": summary(s["after_completion"] for s in good),
                "detection": summary(s["detection"] for s in good),
                "exit_after_detection": summary(s["exit_after_detection"] for s in good),
                "wall": summary(s["wall"] for s in good),
                "create_after_start": summary(s["create_after_start"] for s in good),
                "calls": summary((s["calls"] for s in good), digits=1),
                "calls_by_operation": _median_by_operation(good),
                "cpu": summary(s["cpu"] for s in good),
                "failed": len(group) - len(good),
            }
    return out


def _median_by_operation(samples: Iterable[dict[str, Any]]) -> dict[str, float]:
    samples = list(samples)
    operations = sorted({op for s in samples for op in s["calls_by_operation"]})
    return {op: summary((s["calls_by_operation"].get(op, 0) for s in samples), digits=1)["median"] for op in operations}


# --------------------------------------------------------------------------------------
# Re-run with a caller reference
# --------------------------------------------------------------------------------------


def rerun_run(
    cloudfront: LocalCloudFront,
    client: Any,
    tools: Tools,
    work: Path,
    name: str,
    position: str,
    round_: int,
    distribution_id: str,
    earlier: dict[str, Any],
    history: int,
) -> dict[str, Any]:
    tag = f"r{round_}-{position}-{name}"
    key = run_key(f"P6RERUN{name}{position}R{round_}", cloudfront)
    cmd = rerun_command(name, tools, cloudfront.url, distribution_id, earlier["caller_reference"], earlier["paths"])
    run = _launch(key, cmd, key, work, f"create-rerun-{tag}.log")
    made = len(invalidation_ids(client, distribution_id)) - history
    requests = requests_of(cloudfront, key)
    changed = _changed(run)
    ok = run.rc == 0 and made == 0
    return {
        "contestant": name,
        "position": position,
        "round": round_,
        "ok": ok,
        "rc": run.rc,
        "error": None if ok else f"made {made}, changed {changed}:\n{run.tail()}",
        "access_key_id": key,
        "earlier_invalidation": earlier["id"],
        "made": made,
        "changed": changed,
        "wall": round(run.wall, 3),
        "cpu": round(run.cpu, 3),
        "calls": len(requests),
        "calls_by_operation": calls_by_operation(requests),
        "requests_span": round(requests[-1]["time"] - requests[0]["time"], 3) if requests else None,
    }


def summarize_rerun(samples: Sequence[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per position and contestant."""
    out: dict[str, dict[str, Any]] = {}
    for position in POSITIONS:
        for name in RERUN_CONTESTANTS:
            group = [s for s in samples if s["position"] == position and s["contestant"] == name]
            if not group:
                continue
            good = [s for s in group if s["ok"]]
            out.setdefault(position, {})[name] = {
                "calls": summary((s["calls"] for s in good), digits=1),
                "calls_by_operation": _median_by_operation(good),
                "wall": summary(s["wall"] for s in good),
                "requests_span": summary(s["requests_span"] for s in good),
                "cpu": summary(s["cpu"] for s in good),
                "changed": sum(1 for s in good if s["changed"]),
                "failed": len(group) - len(good),
            }
    return out


# --------------------------------------------------------------------------------------
# The part
# --------------------------------------------------------------------------------------


def measure(
    cloudfront: LocalCloudFront,
    tools: Tools,
    work: Path,
    contestants: Sequence[str],
    Ts: Sequence[float],
    rounds: int,
    history: int,
    rerun_rounds: int,
    monitor: CpuMonitor | None,
    log: Any,
) -> dict[str, Any]:
    started = time.time()
    unknown = set(contestants) - set(CONTESTANTS)
    if unknown:
        raise ValueError(f"unknown create contestants: {', '.join(sorted(unknown))}")
    client = cloudfront.client()
    samples = []
    for r in range(rounds):
        for T in rotated(Ts, r):
            for name in rotated(contestants, r):
                sample = create_run(cloudfront, client, tools, work, name, T, r, monitor)
                samples.append(sample)
                log(
                    f"  create r{r} T={T:>4g}s {name:13} goes on {sample['after_completion'] or 0:6.2f}s after the"
                    f" completion, wall {sample['wall']:6.2f}s, calls {sample['calls']:3}"
                    f"{'' if sample['ok'] else '  FAILED rc=' + str(sample['rc'])}"
                )
    create_duration = round(time.time() - started, 1)

    rerun_started = time.time()
    distribution_id = cloudfront.create_distribution(comment="bench create, re-run with a caller reference")["id"]
    ids = cloudfront.add_invalidations(distribution_id, history)  # oldest first, all completed
    earlier = {}
    for position, invalidation_id in (("newest", ids[-1]), ("oldest", ids[0])):
        batch = client.get_invalidation(DistributionId=distribution_id, Id=invalidation_id)["Invalidation"][
            "InvalidationBatch"
        ]
        earlier[position] = {
            "id": invalidation_id,
            "caller_reference": batch["CallerReference"],
            "paths": list(batch["Paths"].get("Items") or []),
        }
    reruns = []
    for r in range(rerun_rounds):
        for position in rotated(list(POSITIONS), r):
            for name in rotated(list(RERUN_CONTESTANTS), r):
                sample = rerun_run(
                    cloudfront, client, tools, work, name, position, r, distribution_id, earlier[position], history
                )
                reruns.append(sample)
                log(
                    f"  re-run r{r} {position:6} {name:9} calls {sample['calls']:5}, wall {sample['wall']:6.2f}s"
                    f"{'' if sample['ok'] else '  FAILED rc=' + str(sample['rc'])}"
                )
    return {
        "method": {
            "contestants": {name: CONTESTANTS[name] for name in contestants},
            "T": list(Ts),
            "rounds": rounds,
            "paths": PATHS,
            "wait_timeout": WAIT_TIMEOUT,
            "rerun_contestants": dict(RERUN_CONTESTANTS),
            "history": history,
            "positions": dict(POSITIONS),
            "rerun_rounds": rerun_rounds,
        },
        "samples": samples,
        "summary": summarize_create(samples),
        "rerun_samples": reruns,
        "rerun_summary": summarize_rerun(reruns),
        "create_duration": create_duration,
        "rerun_duration": round(time.time() - rerun_started, 1),
        "duration": round(time.time() - started, 1),
    }


# --------------------------------------------------------------------------------------
# The page
# --------------------------------------------------------------------------------------


def _fmt(stat: dict[str, Any] | None, digits: int = 2) -> str:
    """``median (min–max)``, as the other tables write it."""
    if not stat or stat.get("median") is None:
        return "–"

    def one(x: float) -> str:
        return f"{x:.{digits}f}".rstrip("0").rstrip(".") if digits else f"{x:.0f}"

    text = one(stat["median"])
    return text + (f" ({one(stat['min'])}–{one(stat['max'])})" if stat["min"] != stat["max"] else "")


def _ops(by_operation: dict[str, float]) -> str:
    return ", ".join(f"{op} {count:g}" for op, count in by_operation.items()) or "–"


def _runs(stat: dict[str, Any]) -> str:
    n = stat["calls"]["n"]
    return f"{n}" + (f" ({stat['failed']} failed)" if stat["failed"] else "")


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join([" --- "] * len(headers)) + "|"]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


def create_table(part: dict[str, Any]) -> str:
    order = list(part["method"]["contestants"])
    rows = []
    for T in sorted({T for by_T in part["summary"].values() for T in by_T}, key=float):
        for name in order:
            s = part["summary"].get(name, {}).get(T)
            if not s:
                continue
            rows.append(
                (
                    NAMES.get(name, name),
                    T,
                    _fmt(s["after_completion"]),
                    _fmt(s["detection"]),
                    _fmt(s["exit_after_detection"]),
                    _fmt(s["wall"], 1),
                    _fmt(s["create_after_start"]),
                    _fmt(s["calls"], 0),
                    _ops(s["calls_by_operation"]),
                    _fmt(s["cpu"], 1),
                    _runs(s),
                )
            )
    return _table(
        (
            "contestant",
            "completes after (s)",
            "play goes on after the completion (s)",
            "of which: to the first request after it (s)",
            "the exit after that request (s)",
            "wall, start to the play going on (s)",
            "CreateInvalidation after the start (s)",
            "requests",
            "requests by operation (median)",
            "CPU (s)",
            "runs",
        ),
        rows,
    )


def rerun_table(part: dict[str, Any]) -> str:
    m = part["method"]
    rows = []
    for position, by_name in part["rerun_summary"].items():
        for name, s in by_name.items():
            rows.append(
                (
                    RERUN_NAMES.get(name, name),
                    f"{position} of {m['history']:,}",
                    _fmt(s["calls"], 0),
                    _ops(s["calls_by_operation"]),
                    _fmt(s["requests_span"]),
                    _fmt(s["wall"]),
                    _fmt(s["cpu"], 1),
                    f"{s['changed']} of {s['calls']['n']}",
                    _runs(s),
                )
            )
    return _table(
        (
            "re-run",
            "the earlier invalidation",
            "requests",
            "requests by operation (median)",
            "from the first request to the last (s)",
            "wall (s)",
            "CPU (s)",
            "reported a change",
            "runs",
        ),
        rows,
    )


def findings(part: dict[str, Any]) -> str:
    """Sentences made from the figures."""
    sentences = []
    summary_ = part["summary"]
    for T in sorted({T for by_T in summary_.values() for T in by_T}, key=float):
        said = []
        for name in part["method"]["contestants"]:
            s = summary_.get(name, {}).get(T)
            if s and s["after_completion"]["median"] is not None:
                said.append(
                    f"{NAMES.get(name, name)}, {s['after_completion']['median']:g} s after the completion"
                    f" ({s['calls']['median']:g} requests)"
                )
        if said:
            sentences.append(
                f"An invalidation completing {T} s after its creation: the play goes on with " + "; ".join(said)
            )
    for position, by_name in part["rerun_summary"].items():
        said = [
            f"{RERUN_NAMES.get(name, name)}, {s['calls']['median']:g} request(s) in {s['wall']['median']:g} s"
            + (f", reporting a change in {s['changed']} of {s['calls']['n']} runs" if s["changed"] else "")
            for name, s in by_name.items()
            if s["calls"]["median"] is not None
        ]
        if said:
            sentences.append(
                f"A re-run for the {position} of {part['method']['history']:,} invalidations: " + "; ".join(said)
            )
    return ". ".join(sentences) + "." if sentences else ""


def section(part: dict[str, Any] | None) -> str:
    if not part:
        return "_not run_"
    m = part["method"]
    separate = part.get("separate_run")
    apart = ""
    if separate:
        commit = (separate.get("commit") or "?")[:7]
        apart = (
            f" This part was measured on its own, on {separate['date'][:10]} (commit `{commit}`"
            f"{' with uncommitted changes' if separate.get('tree_modified') else ''}, `{separate['command']}`,"
            f" load average {separate['load_average']} at its start), and merged into the results of the run"
            " the rest of this page describes."
        )
    method = (
        f"Paths: {', '.join(f'`{p}`' for p in m['paths'])}; completion"
        f" {', '.join(f'{t:g}' for t in m['T'])} s after the creation; {m['rounds']} round(s), the completion"
        f" times and the contestants in an order rotated by the round. The create and wait took"
        f" {part['create_duration']:.0f} s, the re-runs {part['rerun_duration']:.0f} s ({m['rerun_rounds']} round(s)"
        f" of each contestant for each earlier invalidation).{apart}"
    )
    return "\n\n".join(
        [
            method,
            "**Create and wait.**",
            create_table(part),
            f"**Re-run with a caller reference**, on a distribution with {m['history']:,} invalidations:",
            rerun_table(part),
            findings(part),
        ]
    )


def targets(part: dict[str, Any] | None) -> list[tuple[str, str, bool | None]]:
    """The module's documentation: a re-run with a caller reference costs one request, whatever the
    length of the history."""
    if not part:
        return []
    m = part["method"]
    ours = {p: by_name["module"] for p, by_name in part["rerun_summary"].items() if "module" in by_name}
    theirs = {p: by_name["community"] for p, by_name in part["rerun_summary"].items() if "community" in by_name}
    text = (
        f"re-run with a caller reference, {m['history']:,} invalidations on the distribution: one request,"
        " wherever the earlier invalidation is in the history"
    )
    if not ours:
        return [(text, "not measured", None)]
    measured = "; ".join(f"{p}: {_fmt(s['calls'], 0)}" for p, s in ours.items())
    if theirs:
        measured += "; community.aws: " + ", ".join(f"{p} {_fmt(s['calls'], 0)}" for p, s in theirs.items())
    failed = sum(s["failed"] for s in ours.values())
    if failed:
        measured += f"; {failed} run(s) of ours failed"
    met = not failed and all(s["calls"]["max"] == REFERENCE_TARGET_CALLS for s in ours.values())
    return [(text, measured, met)]

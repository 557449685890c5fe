"""Part 4, second half: where one task of ours spends its time.

Ansible runs a module as an AnsiballZ payload: a Python script with the module, its module_utils
and its arguments inside. With ``ANSIBLE_KEEP_REMOTE_FILES=1`` the payload of one real task stays on
disk; this script then runs that very payload by itself (against the live local endpoint):

* plainly, several times: the wall and CPU seconds of the module process alone, for ours, for
  community.aws ``cloudfront_distribution_info`` and for ``ansible.builtin.ping``; what a task costs
  beyond that is the controller's work (templating, forking, the connection plugin, the callback);
* with ``python -X importtime``: the import cost, by package;
* under ``cProfile``: the cumulative time of the phases (arguments, client creation, endpoint
  resolution, the request, the result), by the functions that do them.

cProfile's own overhead inflates what it times, so the phases are reported as shares of the profiled
run as well as in seconds.
"""

from __future__ import annotations

import base64
import io
import json
import os
import pstats
import re
import shutil
import statistics
import subprocess
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from harness import BENCH, LocalCloudFront, Tools, contestant_env, run_key, run_to_end, summary

# (phase, file path fragment, function name): the cumulative time of the first match.
PHASES = (
    ("module run, imports included", "_ansiballz/_loader.py", "run_module"),
    ("our main()", "modules/cloudfront_invalidation_info.py", "main"),
    ("AnsibleAWSModule(): argument spec, validation", "amazon/aws/plugins/module_utils/modules.py", "__init__"),
    ("module.client(): boto3 session + client", "amazon/aws/plugins/module_utils/modules.py", "client"),
    ("boto3 Session()", "boto3/session.py", "__init__"),
    ("botocore create_client()", "botocore/session.py", "create_client"),
    ("service model loading (JSON)", "botocore/loaders.py", "load_service_model"),
    ("endpoint resolution (rule set)", "botocore/regions.py", "construct_endpoint"),
    ("the request(s): _make_api_call", "botocore/client.py", "_make_api_call"),
    ("HTTP send (urllib3)", "botocore/endpoint.py", "_send"),
    ("request signing", "botocore/auth.py", "add_auth"),
    ("our report(): fetch + shape", "_cloudfront/report.py", "report"),
    ("exit_json(): the result", "ansible/module_utils/basic.py", "exit_json"),
)

IMPORT_GROUPS = (
    ("ours (edgeops.cloudfront)", ("ansible_collections.edgeops",)),
    ("amazon.aws module_utils", ("ansible_collections.amazon",)),
    ("community.aws", ("ansible_collections.community",)),
    ("boto3 (and s3transfer)", ("boto3", "s3transfer")),
    ("botocore", ("botocore",)),
    ("urllib3", ("urllib3",)),
    ("ansible.module_utils", ("ansible",)),
)
OTHER_IMPORTS = "standard library and others"


def capture_payloads(
    cloudfront: LocalCloudFront,
    tools: Tools,
    work: Path,
    distribution_id: str,
    invalidation_id: str,
    names: Sequence[str] = ("module", "community", "ping"),
) -> dict[str, Path]:
    """Run one task of each kind with ANSIBLE_KEEP_REMOTE_FILES=1; return {name: payload path}."""
    tasks = {
        "module": (
            "edgeops.cloudfront.cloudfront_invalidation_info",
            {"distribution_id": distribution_id, "invalidation_id": invalidation_id},
        ),
        "community": (
            "community.aws.cloudfront_distribution_info",
            {
                "invalidation": True,
                "distribution_id": distribution_id,
                "invalidation_id": invalidation_id,
                "endpoint_url": cloudfront.url,
            },
        ),
        "ping": ("ansible.builtin.ping", {}),
    }
    payloads = {}
    for name, (module, args) in tasks.items():
        if name not in names:
            continue
        remote = work / "profile" / f"remote-{name}"
        shutil.rmtree(remote, ignore_errors=True)
        remote.mkdir(parents=True)
        play = {
            "name": f"Keep the payload of {module}",
            "hosts": "localhost",
            "gather_facts": False,
            "module_defaults": {"group/edgeops.cloudfront.aws": {"endpoint_url": cloudfront.url}},
            "tasks": [{"name": "The task", module: args}],
        }
        book = work / "profile" / f"keep-{name}.yml"
        book.write_text(yaml.safe_dump([play], sort_keys=False))
        key = run_key(f"PROFKEEP{name}", cloudfront)
        env = contestant_env(key, work, ANSIBLE_KEEP_REMOTE_FILES="1", ANSIBLE_REMOTE_TMP=str(remote))
        run = run_to_end(key, [tools.ansible_playbook, str(book)], env, work / "logs" / f"profile-keep-{name}.log")
        if run.rc != 0:
            raise RuntimeError(f"could not keep the payload of {module}:\n{run.tail()}")
        found = sorted(remote.rglob("AnsiballZ_*.py"))
        if not found:
            raise RuntimeError(f"no AnsiballZ payload under {remote}")
        payloads[name] = found[0]
    return payloads


def payload_contents(payload: Path) -> dict[str, Any]:
    """What the payload carries: uncompressed bytes of Python source by group (the module's own
    file counts as ours). All of it is compiled from source on every run: a zip holds no .pyc."""
    text = payload.read_text()
    match = re.search(r"zip_data=(['\"])([A-Za-z0-9+/=]+)\1", text)
    if not match:
        return {}
    archive = zipfile.ZipFile(io.BytesIO(base64.b64decode(match.group(2))))
    groups: dict[str, int] = {}
    for info in archive.infolist():
        group = _import_group(info.filename[: -len(".py")].replace("/", ".").removesuffix(".__init__"))
        if info.file_size:
            groups[group] = groups.get(group, 0) + info.file_size
    return {"files": len(archive.infolist()), "bytes": sum(groups.values()), "bytes_by_group": groups}


def _payload_env(key: str, work: Path) -> dict[str, str]:
    env = contestant_env(key, work)
    env.pop("PYTHONPATH", None)  # the payload brings its own module_utils, as on a managed node
    return env


def time_payloads(
    cloudfront: LocalCloudFront, payloads: dict[str, Path], tools: Tools, work: Path, repeats: int
) -> dict[str, Any]:
    """The module process alone: each payload run ``repeats`` times, interleaved."""
    samples: dict[str, list[dict[str, float]]] = {name: [] for name in payloads}
    for r in range(repeats):
        for name, payload in payloads.items():
            key = run_key(f"PROFRUN{name}", cloudfront)
            log = work / "logs" / f"profile-run-{name}-{r}.log"
            run = run_to_end(key, [tools.python, str(payload)], _payload_env(key, work), log)
            if run.rc != 0:
                raise RuntimeError(f"payload {payload} failed:\n{run.tail()}")
            samples[name].append({"wall": round(run.wall, 3), "cpu": round(run.cpu, 3)})
    return {
        name: {
            "wall_median": round(statistics.median(s["wall"] for s in runs), 3),
            "cpu_median": round(statistics.median(s["cpu"] for s in runs), 3),
            "payload_bytes": payloads[name].stat().st_size,
            "contents": payload_contents(payloads[name]),
            "samples": runs,
        }
        for name, runs in samples.items()
    }


_IMPORT_LINE = re.compile(r"^import time:\s+(\d+)\s+\|\s+(\d+)\s+\|(\s*)(\S+)")


def _import_group(module: str) -> str:
    for group, packages in IMPORT_GROUPS:
        if any(module == p or module.startswith(p + ".") for p in packages):
            return group
    return OTHER_IMPORTS


def import_times(cloudfront: LocalCloudFront, payload: Path, tools: Tools, work: Path) -> dict[str, Any]:
    """``python -X importtime``: the total, and self time summed by package group."""
    key = run_key("PROFIMPORT", cloudfront)
    env = _payload_env(key, work)
    proc = subprocess.run(
        [tools.python, "-X", "importtime", str(payload)], env=env, capture_output=True, text=True, check=False
    )
    total_us = 0
    groups: dict[str, int] = {}
    top: list[tuple[int, str]] = []
    for line in proc.stderr.splitlines():
        match = _IMPORT_LINE.match(line)
        if not match:
            continue
        self_us, cumulative_us, indent, name = int(match[1]), int(match[2]), match[3], match[4]
        total_us += self_us
        group = _import_group(name)
        groups[group] = groups.get(group, 0) + self_us
        if len(indent) <= 1:
            top.append((cumulative_us, name))
    return {
        "total": round(total_us / 1e6, 3),
        "by_group": {g: round(us / 1e6, 3) for g, us in sorted(groups.items(), key=lambda kv: -kv[1])},
        "top_level": [
            {"module": name, "cumulative": round(us / 1e6, 3)} for us, name in sorted(top, reverse=True)[:12]
        ],
    }


# ``python -m cProfile payload`` would not do: the payload takes the directory of ``__main__.__file__``
# (cProfile's own, the standard library's) off sys.path. runpy.run_path gives it a __main__ of its own.
_PROFILE_DRIVER = """
import cProfile, runpy, sys
payload, out = sys.argv[1], sys.argv[2]
sys.argv = [payload]
profiler = cProfile.Profile()
profiler.enable()
try:
    runpy.run_path(payload, run_name="__main__")
except SystemExit:
    pass
finally:
    profiler.disable()
    profiler.dump_stats(out)
"""


def cprofile(cloudfront: LocalCloudFront, payload: Path, tools: Tools, work: Path) -> dict[str, Any]:
    out = work / "profile" / "module.pstats"
    key = run_key("PROFCPROFILE", cloudfront)
    proc = subprocess.run(
        [tools.python, "-c", _PROFILE_DRIVER, str(payload), str(out)],
        env=_payload_env(key, work),
        capture_output=True,
        text=True,
        check=False,
    )
    if not out.exists():
        raise RuntimeError(f"cProfile wrote no profile: {proc.stderr[-2000:]}")
    stats = pstats.Stats(str(out))
    entries = stats.stats  # type: ignore[attr-defined]
    total = max(row[3] for row in entries.values())
    phases = []
    for label, path_part, function in PHASES:
        matches = [
            (ct, nc)
            for (filename, _line, name), (_cc, nc, _tt, ct, _callers) in entries.items()
            if name == function and path_part in filename.replace(os.sep, "/")
        ]
        if matches:
            ct, nc = max(matches)
            phases.append({"phase": label, "seconds": round(ct, 3), "share": round(ct / total, 3), "calls": nc})
    imports = [
        ct
        for (filename, _line, name), (_cc, _nc, _tt, ct, _callers) in entries.items()
        if name == "_find_and_load" and "importlib._bootstrap" in filename
    ]
    if imports:
        ct = max(imports)
        phases.insert(
            1, {"phase": "imports (all)", "seconds": round(ct, 3), "share": round(ct / total, 3), "calls": None}
        )
    top = sorted(
        (
            {"function": f"{Path(filename).name}:{line}:{name}", "cumulative": round(ct, 3), "own": round(tt, 3)}
            for (filename, line, name), (_cc, _nc, tt, ct, _callers) in entries.items()
        ),
        key=lambda row: -row["own"],
    )[:15]
    return {"profiled_total": round(total, 3), "phases": phases, "top_own_time": top}


def deadline_clients(cloudfront: LocalCloudFront, tools: Tools, work: Path, repeats: int, T: float = 15.0) -> dict:
    """The same wait (an invalidation completing after ``T`` s) with a wait_timeout under and over
    40 s: within 40 s of its deadline the module's requests have short timeouts (``api.Clients``: a
    client for that stretch, made once). The CPU seconds show what a wait costs either way."""
    dist = cloudfront.create_distribution(comment="bench deadline clients")["id"]
    timeouts = (30, 120)
    samples: list[dict[str, Any]] = []
    for r in range(repeats):
        for wait_timeout in timeouts if r % 2 == 0 else timeouts[::-1]:
            invalidation = cloudfront.create_invalidation(dist, complete_in=3600)
            extra = {
                "bench_endpoint_url": cloudfront.url,
                "bench_distribution_id": dist,
                "bench_invalidation_id": invalidation,
                "bench_wait_timeout": wait_timeout,
            }
            key = run_key(f"PROFDEADLINE{wait_timeout}R{r}", cloudfront)
            cmd = [tools.ansible_playbook, str(BENCH / "playbooks" / "module_wait.yml"), "-e", json.dumps(extra)]
            cloudfront.complete_in(invalidation, T)
            run = run_to_end(
                key, cmd, contestant_env(key, work), work / "logs" / f"profile-deadline-{wait_timeout}-{r}.log"
            )
            if run.rc != 0:
                raise RuntimeError(f"the wait with wait_timeout={wait_timeout} failed:\n{run.tail()}")
            calls = len([q for q in cloudfront.requests() if q["access_key_id"] == key])
            samples.append(
                {"wait_timeout": wait_timeout, "wall": round(run.wall, 3), "cpu": round(run.cpu, 3), "calls": calls}
            )
    by = {
        str(t): {
            "wall": summary(s["wall"] for s in samples if s["wait_timeout"] == t),
            "cpu": summary(s["cpu"] for s in samples if s["wait_timeout"] == t),
            "calls": summary((s["calls"] for s in samples if s["wait_timeout"] == t), digits=1),
        }
        for t in timeouts
    }
    return {"T": T, "samples": samples, "summary": by}


def profile(
    cloudfront: LocalCloudFront,
    tools: Tools,
    work: Path,
    repeats: int,
    names: Sequence[str] = ("module", "community", "ping"),
) -> dict[str, Any]:
    dist = cloudfront.create_distribution(comment="bench profile")["id"]
    inv = cloudfront.create_invalidation(dist, complete_in=0)
    payloads = capture_payloads(cloudfront, tools, work, dist, inv, names)
    return {
        "deadline_clients": deadline_clients(cloudfront, tools, work, 2) if repeats > 1 else None,
        "payload_runs": time_payloads(cloudfront, payloads, tools, work, repeats),
        "imports": import_times(cloudfront, payloads["module"], tools, work),
        "cprofile": cprofile(cloudfront, payloads["module"], tools, work),
        "python_startup": _python_startup(tools, work, repeats),
    }


def _python_startup(tools: Tools, work: Path, repeats: int) -> float:
    """The bare interpreter (python -c pass): the floor of any module process."""
    walls = []
    for _n in range(repeats):
        run = run_to_end("python-startup", [tools.python, "-c", "pass"], dict(os.environ), work / "logs" / "python.log")
        walls.append(run.wall)
    return round(statistics.median(walls), 3)


if __name__ == "__main__":  # a quick look by hand: python benchmarks/profile_task.py
    import json

    here = Path(__file__).resolve().parent / "output"
    here.mkdir(parents=True, exist_ok=True)
    with LocalCloudFront(default_delay=0) as endpoint:
        print(json.dumps(profile(endpoint, Tools.find(), here, 3), indent=1))
    sys.exit(0)

"""What every part of the benchmark suite shares: paths, the local endpoint, running contestants.

A contestant is a real command (``ansible-playbook``, ``aws``, ``python``) run against the local
CloudFront endpoint of ``tests/support/local_cloudfront/``, which runs in this process. Each run
signs its requests with an access key id of its own, so the endpoint's request log tells how many
calls that run made. A run's wall time ends when its process exits (``os.wait4``), which also gives
the CPU seconds of the process and of every descendant it waited for.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import re
import secrets
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ansible_collections.edgeops.cloudfront.tests.support.local_cloudfront import (
    LocalCloudFront,
    completion_time,
    find_invalidation,
)

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "benchmarks"

# Dummy credentials, which the local endpoint accepts once registered (run_key() registers each key
# id). The secret is long and recognisable so that it could be found in any output; the key id is
# per run.
SECRET_KEY = "edgeops-bench-dummy-secret-Vb7Qm2Xc9LrT4nKp8Zs3"
REGION = "us-east-1"


def run_key(label: str, cloudfront: LocalCloudFront) -> str:
    """A long, distinctive access key id for one run (upper-case letters and digits only), which
    ``cloudfront`` accepts signed with SECRET_KEY (it refuses keys it does not know, as AWS does)."""
    clean = re.sub(r"[^A-Z0-9]", "", label.upper())
    key = f"AKIABENCH{clean}{secrets.token_hex(4).upper()}"
    cloudfront.register_credentials(key, SECRET_KEY)
    return key


@dataclass(frozen=True)
class Tools:
    """The commands the contestants run."""

    python: str
    ansible_playbook: str
    aws: str | None
    plot_python: str | None

    @classmethod
    def find(cls, aws: str | None = None, plot_python: str | None = None) -> Tools:
        bindir = Path(sys.executable).parent
        playbook = bindir / "ansible-playbook"
        aws_default = REPO / ".venv-awscli" / "bin" / "aws"
        plot_default = REPO / ".venv-plot" / "bin" / "python"
        return cls(
            python=sys.executable,
            ansible_playbook=str(playbook),
            aws=aws or (str(aws_default) if aws_default.exists() else None),
            plot_python=plot_python or (str(plot_default) if plot_default.exists() else None),
        )

    def aws_cli(self) -> str:
        """The AWS CLI, for the contestants that run it."""
        if not self.aws:
            raise RuntimeError(
                "the AWS CLI is not installed (.venv-awscli, which the bench session of noxfile.py makes)"
            )
        return self.aws


def contestant_env(key: str, work: Path, **extra: str) -> dict[str, str]:
    """The environment of a contestant run: ours, without any AWS_* variable, plus dummy
    credentials with the run's key id, the region, and no shared AWS config files."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID=key,
        AWS_SECRET_ACCESS_KEY=SECRET_KEY,
        AWS_DEFAULT_REGION=REGION,
        AWS_CONFIG_FILE=str(work / "no-aws-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(work / "no-aws-credentials"),
        AWS_EC2_METADATA_DISABLED="true",
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORCE_COLOR="0",
        ANSIBLE_RETRY_FILES_ENABLED="0",
        ANSIBLE_LOCALHOST_WARNING="0",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="0",
        # the modules' payloads go under the suite's output, not under the real home directory
        ANSIBLE_REMOTE_TMP=str(work / "ansible-remote-tmp"),
    )
    env.update(extra)
    return env


class CompletesAfterFirstRequest:
    """Completes a caller's invalidation ``after`` seconds after the first request signed with the
    caller's key id, as the endpoint logged it: the wait is measured from the moment the caller asks,
    whatever its start took (twenty ``ansible-playbook`` processes starting together on a small
    machine take tens of seconds to make their first request). A thread reads the request log while
    some caller has not asked yet, and sleeps otherwise."""

    def __init__(self, cloudfront: LocalCloudFront, poll: float = 0.25) -> None:
        self.cloudfront = cloudfront
        self.poll = poll  # how often the log is read while some caller has not asked yet
        self._pending: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="flips-after-first-request", daemon=True)

    def __enter__(self) -> CompletesAfterFirstRequest:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=10)

    def add(self, key: str, invalidation: str, after: float) -> None:
        with self._lock:
            self._pending[key] = (invalidation, after)
        self._wake.set()

    def _watch(self) -> None:
        seen = 0  # the log only grows: entries before this one were read
        while not self._stop.is_set():
            self._wake.clear()
            with self._lock:
                idle = not self._pending
            if idle:
                self._wake.wait()
                continue
            entries = self.cloudfront.requests()
            with self._lock:
                for request in entries[seen:]:
                    pending = self._pending.pop(request["access_key_id"], None)
                    if pending is not None:
                        invalidation, after = pending
                        self.cloudfront.complete_in(invalidation, max(0.0, request["time"] + after - time.time()))
            seen = len(entries)
            self._stop.wait(self.poll)


# --------------------------------------------------------------------------------------
# Running processes
# --------------------------------------------------------------------------------------


@dataclass
class Run:
    """One process: started at ``start`` (time.time()), exited at ``end``."""

    label: str
    cmd: list[str]
    log: Path
    start: float = 0.0
    end: float | None = None
    rc: int | None = None
    cpu_user: float = 0.0
    cpu_sys: float = 0.0
    _done: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def wall(self) -> float:
        return (self.end or time.time()) - self.start

    @property
    def cpu(self) -> float:
        return self.cpu_user + self.cpu_sys

    def wait(self, timeout: float | None = None) -> Run:
        if not self._done.wait(timeout):
            raise TimeoutError(f"{self.label} still running after {timeout}s: see {self.log}")
        return self

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def launch(label: str, cmd: Sequence[str], env: dict[str, str], log: Path, cwd: Path = REPO) -> Run:
    """Start ``cmd`` (output to ``log``); a thread reaps it with os.wait4 the moment it exits."""
    log.parent.mkdir(parents=True, exist_ok=True)
    run = Run(label, list(cmd), log)
    out = log.open("wb")
    run.start = time.time()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)

    def reap() -> None:
        _pid, status, usage = os.wait4(proc.pid, 0)
        run.end = time.time()
        proc.returncode = run.rc = os.waitstatus_to_exitcode(status)
        run.cpu_user, run.cpu_sys = usage.ru_utime, usage.ru_stime
        out.close()
        run._done.set()

    threading.Thread(target=reap, name=f"reap-{label}", daemon=True).start()
    return run


def run_to_end(label: str, cmd: Sequence[str], env: dict[str, str], log: Path, timeout: float = 900) -> Run:
    return launch(label, cmd, env, log).wait(timeout)


# --------------------------------------------------------------------------------------
# CPU load, sampled while the suite runs (to show what else used the machine)
# --------------------------------------------------------------------------------------


def _cpu_times() -> tuple[float, float]:
    with open("/proc/stat") as stat:
        fields = [float(x) for x in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


class CpuMonitor:
    """Samples the machine's CPU busy fraction (0..1, all cores) every ``interval`` seconds."""

    def __init__(self, interval: float = 0.25) -> None:
        self.interval = interval
        self.samples: list[tuple[float, float]] = []  # (end time of the interval, busy fraction)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="cpu-monitor", daemon=True)

    def __enter__(self) -> CpuMonitor:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _loop(self) -> None:
        busy0, total0 = _cpu_times()
        while not self._stop.wait(self.interval):
            busy1, total1 = _cpu_times()
            if total1 > total0:
                self.samples.append((time.time(), (busy1 - busy0) / (total1 - total0)))
            busy0, total0 = busy1, total1

    def busy(self, start: float, end: float) -> float | None:
        """Mean busy fraction of the machine between ``start`` and ``end`` (None: no sample)."""
        values = [v for t, v in list(self.samples) if start <= t <= end + self.interval]
        return round(statistics.fmean(values), 3) if values else None


# --------------------------------------------------------------------------------------
# The endpoint's request log, per run
# --------------------------------------------------------------------------------------


def requests_of(cloudfront: LocalCloudFront, key: str) -> list[dict[str, Any]]:
    return [r for r in cloudfront.requests() if r["access_key_id"] == key]


def calls_by_operation(requests: Iterable[dict[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for request in requests:
        name = request["operation"] or "?"
        counts[name] = counts.get(name, 0) + 1
    return counts


def flip_time(invalidation_id: str) -> float:
    """When the endpoint turns the invalidation Completed (time.time())."""
    return completion_time(find_invalidation(invalidation_id))


# --------------------------------------------------------------------------------------
# Summaries
# --------------------------------------------------------------------------------------


def summary(values: Iterable[float | None], digits: int = 2) -> dict[str, Any]:
    """Median, min, max and count of the values that are not None."""
    data = [v for v in values if v is not None]
    if not data:
        return {"median": None, "min": None, "max": None, "n": 0}
    return {
        "median": round(statistics.median(data), digits),
        "min": round(min(data), digits),
        "max": round(max(data), digits),
        "n": len(data),
    }


def dumps(data: Any) -> str:
    """JSON, indented, with every list of plain values on one line (the samples stay readable and small)."""
    text = json.dumps(data, indent=1)
    return (
        re.sub(
            r"\[\s*((?:[-+0-9.eE]+|true|false|null|\"[^\"\n]*\")(?:,\s*(?:[-+0-9.eE]+|true|false|null|\"[^\"\n]*\"))*)\s*\]",
            lambda m: "[" + ", ".join(x.strip() for x in m.group(1).split(",\n")) + "]",
            text,
        )
        + "\n"
    )


def rotated(items: Sequence[Any], n: int) -> list[Any]:
    """``items`` rotated left by ``n``: round n of an interleaved comparison starts with item n."""
    if not items:
        return []
    n %= len(items)
    return list(items[n:]) + list(items[:n])


# --------------------------------------------------------------------------------------
# The machine and the software
# --------------------------------------------------------------------------------------


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _collection_version(name: str) -> str | None:
    import importlib.util

    namespace, collection = name.split(".")
    spec = importlib.util.find_spec(f"ansible_collections.{namespace}.{collection}")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        for meta in ("MANIFEST.json", "galaxy.yml"):
            path = Path(location) / meta
            if path.exists():
                text = path.read_text()
                if meta.endswith(".json"):
                    return str(json.loads(text)["collection_info"]["version"])
                match = re.search(r"^version:\s*(\S+)", text, re.M)
                return match.group(1) if match else None
    return None


def _version_of(cmd: Sequence[str]) -> str | None:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)
    except OSError:
        return None
    return (out.stdout or out.stderr).strip().splitlines()[0] if (out.stdout or out.stderr).strip() else None


def machine_info(tools: Tools) -> dict[str, Any]:
    import ansible.release
    import boto3
    import botocore
    import moto

    git = subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, text=True, check=False)
    dirty = subprocess.run(
        ["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
        capture_output=True,
        text=True,
        check=False,
    )
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "cpu_model": _cpu_model(),
        "cores": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "platform": platform.platform(),
        "python": platform.python_version(),
        "ansible_core": ansible.release.__version__,
        "amazon.aws": _collection_version("amazon.aws"),
        "community.aws": _collection_version("community.aws"),
        "boto3": boto3.__version__,
        "botocore": botocore.__version__,
        "moto": moto.__version__,
        "awscli": _version_of([tools.aws, "--version"]) if tools.aws else None,
        "commit": git.stdout.strip() or None,
        "tree_modified": bool(dirty.stdout.strip()),
    }

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The gate's place in its job: the strategies that would run it per host, and the ticker, which
prints the lines that fall due, sleeps until the next one is, and stops the gate when the process
that started it is gone. The ticker is a thread with real time; these tests take a second or two."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.gate import Progress
from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.waiter import Clock
from ansible_collections.edgeops.cloudfront.plugins.plugin_utils._cloudfront import job
from ansible_collections.edgeops.cloudfront.plugins.plugin_utils._cloudfront.job import Ticker, once_per_play_error


@pytest.mark.parametrize(
    "strategy, hosts, refused",
    [
        ("free", 3, True),
        ("ansible.builtin.free", 2, True),
        ("host_pinned", 2, True),
        ("mitogen_free", 2, True),
        ("free", 1, False),
        ("linear", 200, False),
        ("ansible.builtin.linear", 2, False),
        ("debug", 2, False),
        (None, 2, False),
    ],
)
def test_strategies_that_run_each_host_on_its_own_are_refused_with_more_than_one_host(strategy, hosts, refused):
    assert (once_per_play_error(strategy, hosts) is not None) is refused


class CountingProgress(Progress):
    """A real Progress that counts the ticker's wake-ups (each ends in a tick, but the last)."""

    def __init__(self, interval: float) -> None:
        self.lines: list[str] = []
        super().__init__(interval, Clock(), self.lines.append)
        self.ticks = 0

    def tick(self) -> None:
        self.ticks += 1
        super().tick()


def test_the_ticker_says_each_line_when_due_and_sleeps_in_between():
    progress = CountingProgress(0.1)
    progress.looking_up("distribution E1: those in progress", 60)
    started = time.monotonic()
    assert Ticker(progress, on_orphaned=pytest.fail).run(lambda: time.sleep(0.55) or "outcome") == "outcome"
    took = time.monotonic() - started  # 0.55 s, or more on a loaded machine (0.6 in CI's units: six lines)
    still = [line for line in progress.lines if line.startswith("Still looking up")]
    # a line for each interval that passed while the call lasted, no more
    assert 4 <= len(still) <= int(took / 0.1), (took, progress.lines)
    # it woke for each line and to stop, not every few milliseconds
    assert progress.ticks <= len(still) + 1, progress.ticks


def test_a_line_due_with_nothing_to_say_does_not_make_the_ticker_spin():
    progress = CountingProgress(0.05)  # no lookup, no wait begun: nothing to say
    started = time.monotonic()
    Ticker(progress, on_orphaned=pytest.fail).run(lambda: time.sleep(0.3))
    took = time.monotonic() - started  # 0.3 s, or more on a loaded machine (eight ticks in CI's units)
    # a wake-up for each interval that passed while the call lasted, and one to stop
    assert progress.lines == [] and progress.ticks <= int(took / 0.05) + 1, (took, progress.ticks)


def test_the_ticker_closes_what_it_opened():
    before = set(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else set()
    Ticker(CountingProgress(5), on_orphaned=pytest.fail).run(lambda: None)
    after = set(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else set()
    assert after <= before


# A job: this script's process (ansible-playbook) forks a gate (an ansible-core worker) that runs a
# Ticker around a long call; the test kills the job's process, as a cancel kills ansible-playbook.
JOB = textwrap.dedent(
    """
    import os, sys, time
    from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.gate import Progress
    from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.waiter import Clock
    from ansible_collections.edgeops.cloudfront.plugins.plugin_utils._cloudfront import job

    marker, watch = sys.argv[1], sys.argv[2]
    if watch == "poll":
        job._pidfd = lambda pid: None  # a system without pidfd: the ticker looks every second
    gate = os.fork()
    if gate == 0:
        def stopped():
            with open(marker, "w") as f:
                f.write(str(time.time()))
            os._exit(0)
        progress = Progress(3600, Clock(), lambda line: None)
        job.Ticker(progress, on_orphaned=stopped).run(lambda: time.sleep(60))
        os._exit(1)
    print(gate, flush=True)
    time.sleep(60)
    """
)


@pytest.mark.parametrize("watch", ["pidfd", "poll"])
def test_the_gate_stops_when_the_job_that_started_it_is_killed(tmp_path: Path, watch: str):
    """With a progress interval of an hour, the gate still stops within a second of the kill."""
    if watch == "pidfd" and job._pidfd(os.getpid()) is None:
        pytest.skip("no pidfd here")
    marker = tmp_path / "stopped"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    parent = subprocess.Popen(
        [sys.executable, "-c", JOB, str(marker), watch], stdout=subprocess.PIPE, text=True, env=env
    )
    gate = None
    try:
        assert parent.stdout is not None
        gate = int(parent.stdout.readline())
        time.sleep(0.3)  # the ticker is running
        assert not marker.exists()
        parent.send_signal(signal.SIGKILL)
        killed = time.time()
        parent.wait()
        while not marker.exists() and time.time() < killed + 5:
            time.sleep(0.05)
        assert marker.exists(), "the gate did not notice that its job was gone"
        took = float(marker.read_text() or killed) - killed
        assert took < (0.5 if watch == "pidfd" else 1.5), took
    finally:
        parent.kill()
        if gate is not None:
            with contextlib.suppress(OSError):
                os.kill(gate, signal.SIGKILL)

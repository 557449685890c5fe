# -*- coding: utf-8 -*-

# Copyright: Contributors to the edgeops.cloudfront collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The gate's place in its job, on the controller: the play it runs in, and the job around it.

- The gate runs once per play (``run_once``), which the ``free`` strategies do not honour: under
  them every host would run a gate of its own (:func:`once_per_play_error`).
- While the gate works, a ticker thread prints the progress lines that fall due, sleeping until
  the next one is, and watches the job: when the process that started the gate (the
  ``ansible-playbook`` of an AWX job) is gone, killed with its process group by a cancel or a
  job timeout, the gate stops with its module runs instead of polling on for nobody
  (ansible-core's workers run in sessions of their own, which that kill does not reach).
"""

from __future__ import annotations

import math
import os
import select
import signal
import threading
from typing import TYPE_CHECKING, Any, Callable, Mapping, TypeVar

if TYPE_CHECKING:
    from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.gate import Progress

T = TypeVar("T")

# Strategies that run each host's tasks on their own, ignoring run_once (ansible.builtin and mitogen).
PER_HOST_STRATEGIES = ("free", "host_pinned")
# Where the parent's exit cannot be waited for (no pidfd), the ticker looks every this many seconds.
PARENT_CHECK_SECONDS = 1.0


def once_per_play_error(strategy: str | None, hosts: int) -> str | None:
    """Why the gate cannot run once in a play of ``hosts`` hosts under ``strategy``, or None."""
    name = (strategy or "linear").rsplit(".", 1)[-1]
    if hosts > 1 and name.endswith(PER_HOST_STRATEGIES):
        return (
            f"The CloudFront gate runs once per play, and this play's strategy ({strategy}) would run it once"
            f" for each of its {hosts} hosts (it ignores run_once): give the play strategy: linear, or put"
            " the gate in a play of its own (hosts: localhost)"
        )
    return None


def play_strategy(task: Any) -> str | None:
    """The strategy of the play ``task`` (an ansible-core Task) belongs to."""
    play = task.get_play()
    return str(play.strategy) if play is not None and play.strategy else None


def play_hosts(task_vars: Mapping[str, Any]) -> int:
    return len(task_vars.get("ansible_play_hosts_all") or ())


def stop_this_process() -> None:
    """Stop the gate's process, and its module runs: SIGTERM to the process group it leads (an
    ansible-core worker, in a session of its own), or to itself."""
    if os.getpgrp() == os.getpid():
        os.killpg(os.getpid(), signal.SIGTERM)
    else:
        os.kill(os.getpid(), signal.SIGTERM)


class Ticker:
    """Runs a call while a thread prints the progress lines that fall due meanwhile (sleeping until
    the next one is), and calls ``on_orphaned`` if the process that started this one goes away."""

    def __init__(self, progress: Progress, on_orphaned: Callable[[], None] = stop_this_process) -> None:
        self.progress = progress
        self.on_orphaned = on_orphaned
        self.parent = os.getppid()
        self._wake_r, self._wake_w = os.pipe()
        self._parent_fd = _pidfd(self.parent)

    def orphaned(self) -> bool:
        return os.getppid() != self.parent

    def run(self, call: Callable[[], T]) -> T:
        thread = threading.Thread(target=self._tick, name="cloudfront-gate-progress", daemon=True)
        thread.start()
        try:
            return call()
        finally:
            os.write(self._wake_w, b"x")
            thread.join()
            for fd in (self._wake_r, self._wake_w, self._parent_fd):
                if fd is not None:
                    os.close(fd)

    def _tick(self) -> None:
        poller = select.poll()
        poller.register(self._wake_r, select.POLLIN)
        if self._parent_fd is not None:
            poller.register(self._parent_fd, select.POLLIN)
        while True:
            seconds = self.progress.seconds_until_due()
            if self._parent_fd is None:
                seconds = min(seconds, PARENT_CHECK_SECONDS)
            events = poller.poll(math.ceil(seconds * 1000))
            if any(fd == self._wake_r for fd, _event in events):
                return
            if self.orphaned():
                self.on_orphaned()
                return
            self.progress.tick()


def _pidfd(pid: int) -> int | None:
    """A file descriptor that becomes readable when process ``pid`` exits (Linux 5.3+), or None."""
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Acting on the local endpoint while the code under test runs: when it has sent a request, not
after a guessed delay, so that a test does not depend on how long ansible-playbook takes to start.

Loud, never a fallback: a trigger that never fires, or an action that raises, fails the test."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

import pytest

from ansible_collections.edgeops.cloudfront.tests.support.local_cloudfront import LocalCloudFront


@contextlib.contextmanager
def triggers(cloudfront: LocalCloudFront) -> Iterator[Callable[..., None]]:
    """Gives ``schedule(action, operation="GetInvalidation", count=1)``: run ``action()`` in a
    thread as soon as the endpoint has answered the ``count``-th ``operation`` request. On leaving,
    fails the test (``pytest.fail``) when a trigger has not fired, an action raised, or an action is
    still running (it could still raise, or act on an endpoint the next test uses: a test waits for
    what its actions do)."""
    threads: list[tuple[str, threading.Thread]] = []
    problems: list[str] = []
    over = threading.Event()

    def schedule(action: Callable[[], object], operation: str = "GetInvalidation", count: int = 1) -> None:
        def answered() -> int:
            # answered: the status set (a reset's too); the log has a request from its arrival, and an
            # action taken then (a throttle) could still change the answer a loaded endpoint has not made
            return sum(1 for r in cloudfront.requests(operation) if r["status"] is not None)

        def wait_then_act() -> None:
            while answered() < count:
                if over.wait(0.02):
                    problems.append(f"the trigger never fired: {answered()} {operation} answer(s), not {count}")
                    return
            try:
                action()
            except Exception as error:  # reported on leaving: a thread's exception would vanish
                problems.append(f"the action after {operation} #{count} raised {error!r}")

        thread = threading.Thread(target=wait_then_act, daemon=True)
        thread.start()
        threads.append((f"{operation} #{count}", thread))

    try:
        yield schedule
    finally:
        over.set()
        for name, thread in threads:
            thread.join(timeout=1)  # a trigger that never fired sees `over` within 20 ms
            if thread.is_alive():
                problems.append(f"the action after {name} was still running when the test ended")
    if problems:
        pytest.fail("after_first_poll: " + "; ".join(problems))


@dataclass
class Completions:
    """When the invalidations complete (wall times, ``time.time()``), set when the trigger fires."""

    at: dict[str, float] = field(default_factory=dict)

    @property
    def last(self) -> float:
        assert self.at, "the invalidations were not completed: the trigger has not fired"
        return max(self.at.values())


def complete_after(
    cloudfront: LocalCloudFront,
    schedule: Callable[..., None],
    seconds: Mapping[str, float],
    operation: str = "GetInvalidation",
    count: int = 1,
) -> Completions:
    """Each invalidation of ``seconds`` completes that many seconds after the ``count``-th
    ``operation`` request (``schedule``: of :func:`triggers`). Returns when each completes, as the
    endpoint set it, for bounds measured from there."""
    completions = Completions()

    def complete() -> None:
        for invalidation_id, delay in seconds.items():
            completions.at[invalidation_id] = cloudfront.complete_in(invalidation_id, delay)

    schedule(complete, operation, count)
    return completions

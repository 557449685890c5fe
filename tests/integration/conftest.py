# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Fixtures of the integration tests."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# ---------------------------------------------------------------------------------------
# Order: the storms first, each on a worker of its own
# ---------------------------------------------------------------------------------------


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Put the ``storm`` tests (minutes of real backoff each) at the front, each followed by one
    other test. pytest-xdist's ``--dist load --maxschedchunk 1`` (tools/test.sh) first hands every
    worker two consecutive tests, then one at a time: so each storm starts at once on a worker of
    its own, and the short tests go to whichever worker is free, instead of queueing behind a storm
    and making the run as long as the storms one after the other. Without xdist: the same tests,
    storms first."""
    storms = [item for item in items if item.get_closest_marker("storm")]
    if not storms:
        return
    others = [item for item in items if not item.get_closest_marker("storm")]
    ordered: list[pytest.Item] = []
    for storm in storms:
        ordered.append(storm)
        if others:
            ordered.append(others.pop(0))
    items[:] = ordered + others


# ---------------------------------------------------------------------------------------
# Local CloudFront endpoint (tests/support/local_cloudfront.py)
# ---------------------------------------------------------------------------------------

SUPPORT_DIR = Path(__file__).resolve().parent.parent / "support"
if str(SUPPORT_DIR) not in sys.path:
    sys.path.insert(0, str(SUPPORT_DIR))

from local_cloudfront import LocalCloudFront  # noqa: E402


@pytest.fixture(scope="session")
def local_cloudfront_server() -> Iterator[LocalCloudFront]:
    """One local CloudFront endpoint for the whole session (invalidations complete after 5 s)."""
    with LocalCloudFront(default_delay=5.0) as server:
        yield server


@pytest.fixture
def cloudfront(local_cloudfront_server: LocalCloudFront) -> Iterator[LocalCloudFront]:
    """The local CloudFront endpoint, reset: no distributions, no invalidations, empty log."""
    local_cloudfront_server.reset()
    yield local_cloudfront_server


# ---------------------------------------------------------------------------------------
# Acting on the endpoint while a playbook runs
# ---------------------------------------------------------------------------------------


@pytest.fixture
def after_first_poll(cloudfront: LocalCloudFront) -> Iterator[Callable[..., None]]:
    """``after_first_poll(action, operation=...)``: run ``action()`` in a thread as soon as the
    endpoint has answered the first ``operation`` request of the code under test, so that a test
    does not depend on how long ansible-playbook takes to start."""
    threads: list[threading.Thread] = []

    def schedule(action: Callable[[], object], operation: str = "GetInvalidation") -> None:
        def wait_then_act() -> None:
            deadline = time.monotonic() + 60
            while not cloudfront.requests(operation) and time.monotonic() < deadline:
                time.sleep(0.02)
            action()

        thread = threading.Thread(target=wait_then_act, daemon=True)
        thread.start()
        threads.append(thread)

    yield schedule
    for thread in threads:
        thread.join(timeout=60)

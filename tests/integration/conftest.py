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
    """``after_first_poll(action, operation=..., count=1)``: run ``action()`` in a thread as soon as
    the endpoint has answered the first (or the ``count``-th) ``operation`` request of the code
    under test, so that a test does not depend on how long ansible-playbook takes to start."""
    threads: list[threading.Thread] = []

    def schedule(action: Callable[[], object], operation: str = "GetInvalidation", count: int = 1) -> None:
        def wait_then_act() -> None:
            deadline = time.monotonic() + 60
            while len(cloudfront.requests(operation)) < count and time.monotonic() < deadline:
                time.sleep(0.02)
            action()

        thread = threading.Thread(target=wait_then_act, daemon=True)
        thread.start()
        threads.append(thread)

    yield schedule
    for thread in threads:
        thread.join(timeout=60)

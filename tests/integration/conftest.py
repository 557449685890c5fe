# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Fixtures of the integration tests."""

from __future__ import annotations

import os
import sys
import threading
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
from playbook_runner import ACCESS_KEY, CREDENTIALS, SECRET_KEY, SESSION_TOKEN  # noqa: E402


@pytest.fixture(scope="session")
def local_cloudfront_server() -> Iterator[LocalCloudFront]:
    """One local CloudFront endpoint for the whole session (invalidations complete after 5 s),
    which checks the signatures of the tests' credentials."""
    with LocalCloudFront(default_delay=5.0) as server:
        for key, (secret, token) in CREDENTIALS.items():
            server.register_credentials(key, secret, token)
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
    under test, so that a test does not depend on how long ansible-playbook takes to start.

    Loud, never a fallback: when the test ends with the trigger not yet seen, or the action
    raised, the test fails (at teardown) saying so."""
    threads: list[threading.Thread] = []
    problems: list[str] = []
    test_over = threading.Event()

    def schedule(action: Callable[[], object], operation: str = "GetInvalidation", count: int = 1) -> None:
        def wait_then_act() -> None:
            while len(cloudfront.requests(operation)) < count:
                if test_over.wait(0.02):
                    seen = len(cloudfront.requests(operation))
                    problems.append(f"the trigger never fired: {seen} {operation} request(s), not {count}")
                    return
            try:
                action()
            except Exception as error:  # reported at teardown: a thread's exception would vanish
                problems.append(f"the action after {operation} #{count} raised {error!r}")

        thread = threading.Thread(target=wait_then_act, daemon=True)
        thread.start()
        threads.append(thread)

    yield schedule
    test_over.set()
    for thread in threads:
        thread.join(timeout=10)
    if problems:
        pytest.fail("after_first_poll: " + "; ".join(problems))


@pytest.fixture
def awx_env(cloudfront) -> dict[str, str]:
    """What AWX's AWS credential injects, the endpoint as an administrator's credential would
    inject it, and what the runner needs to find the collection."""
    return {
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_SECURITY_TOKEN": SESSION_TOKEN,
        "AWS_SESSION_TOKEN": SESSION_TOKEN,
        "AWS_ENDPOINT_URL_CLOUDFRONT": cloudfront.url,
        "ANSIBLE_COLLECTIONS_PATH": os.environ["ANSIBLE_COLLECTIONS_PATH"],
    }

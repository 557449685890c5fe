# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Fixtures of the integration tests."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# ---------------------------------------------------------------------------------------
# Local CloudFront endpoint (tests/support/local_cloudfront.py)
# ---------------------------------------------------------------------------------------

SUPPORT_DIR = Path(__file__).resolve().parent.parent / "support"
if str(SUPPORT_DIR) not in sys.path:
    sys.path.insert(0, str(SUPPORT_DIR))

from endpoint_triggers import Completions, complete_after, triggers  # noqa: E402
from local_cloudfront import LocalCloudFront  # noqa: E402
from playbook_runner import ACCESS_KEY, SECRET_KEY, SESSION_TOKEN, accept_test_credentials  # noqa: E402


@pytest.fixture(scope="session")
def local_cloudfront_server() -> Iterator[LocalCloudFront]:
    """One local CloudFront endpoint for the whole session (invalidations complete after 5 s),
    which checks the signatures of the tests' credentials."""
    with LocalCloudFront(default_delay=5.0) as server:
        accept_test_credentials(server)
        yield server


@pytest.fixture
def cloudfront(local_cloudfront_server: LocalCloudFront) -> Iterator[LocalCloudFront]:
    """The local CloudFront endpoint, reset: no distributions, no invalidations, empty log."""
    local_cloudfront_server.reset()
    yield local_cloudfront_server


# ---------------------------------------------------------------------------------------
# Acting on the endpoint while a playbook runs (endpoint_triggers.py)
# ---------------------------------------------------------------------------------------


@pytest.fixture
def after_first_poll(cloudfront: LocalCloudFront) -> Iterator[Callable[..., None]]:
    """``after_first_poll(action, operation=..., count=1)``: see endpoint_triggers.triggers; the
    test fails at teardown when a trigger never fired or an action raised."""
    with triggers(cloudfront) as schedule:
        yield schedule


@pytest.fixture
def complete_after_first_poll(
    cloudfront: LocalCloudFront, after_first_poll: Callable[..., None]
) -> Callable[..., Completions]:
    """``complete_after_first_poll({invalidation_id: seconds, ...}, operation=..., count=1)``: see
    endpoint_triggers.complete_after."""
    return functools.partial(complete_after, cloudfront, after_first_poll)


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

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Fixtures of the integration tests.

What the tests share is imported by the collection's package path
(``ansible_collections.edgeops.cloudfront.tests.integration.playbook_runner``, ``...tests.support.local_cloudfront``):
one name, one module. Test files import no test file: what several of them use is in a helper module
(playbook_runner, endpoint_triggers, gate_plays, awx_jobs)."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator

import pytest

from ansible_collections.edgeops.cloudfront.tests.integration.endpoint_triggers import (
    Completions,
    complete_after,
    triggers,
)
from ansible_collections.edgeops.cloudfront.tests.integration.playbook_runner import (
    ACCESS_KEY,
    SECRET_KEY,
    SESSION_TOKEN,
    accept_test_credentials,
)
from ansible_collections.edgeops.cloudfront.tests.support.local_cloudfront import LocalCloudFront

# ---------------------------------------------------------------------------------------
# Local CloudFront endpoint (tests/support/local_cloudfront)
# ---------------------------------------------------------------------------------------


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

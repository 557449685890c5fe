# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the tests of the local endpoint share: timings, an impatient client configuration, and helpers
that read errors, wait, run a call in a thread and talk to the control API."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionClosedError, EndpointConnectionError, ReadTimeoutError

from local_cloudfront import LocalCloudFront

SHORT = 0.3  # seconds: a delay a test can wait out
LONG = 3600.0  # seconds: a delay no test waits out
# One attempt: a network fault shows as the client's exception, at once. The timeouts leave room for
# a loaded machine's answers (CI runs these tests beside twenty playbooks): a 1-second read timeout
# failed an answer there. A test of the read timeout itself makes its own client (READ_TIMEOUT).
IMPATIENT = Config(retries={"total_max_attempts": 1}, read_timeout=20, connect_timeout=20)
READ_TIMEOUT = 1.0  # seconds: the client of the stall test gives up after this


def error_of(call: Any, **kwargs: Any) -> tuple[str, int]:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    response = caught.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def status_of(client: Any, dist_id: str, invalidation_id: str) -> str:
    status: str = client.get_invalidation(DistributionId=dist_id, Id=invalidation_id)["Invalidation"]["Status"]
    return status


def wait_for(predicate: Callable[[], object], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def in_thread(call: Callable[[], Any]) -> tuple[threading.Thread, dict[str, Any]]:
    """Run ``call()`` in a thread; the dict gets its "result" or its "error"."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["result"] = call()
        except (ClientError, ConnectionClosedError, EndpointConnectionError, ReadTimeoutError) as error:
            outcome["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def control(cf: LocalCloudFront, method: str, path: str, body: Any = None) -> tuple[int, dict[str, Any]]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{cf.url}/_local_cloudfront/{path}", data=data, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def batch(paths: list[str], reference: str | None = None) -> dict[str, Any]:
    return {"Paths": {"Quantity": len(paths), "Items": paths}, "CallerReference": reference or f"ref-{time.time_ns()}"}


def refusal(call: Any, **kwargs: Any) -> tuple[str, int, str]:
    """The error code, HTTP status and message of a refused call."""
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    response = caught.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Message"]

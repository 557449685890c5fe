"""The gate's own loop, simulated: the real code on a simulated clock and a simulated CloudFront.

``run_gate`` (module_utils/_cloudfront/gate.py) with ``GateRequests`` (watch.py), ``CloudFrontApi``
and ``Clients`` (api.py) and the waiting core (waiter.py), exactly as the
``cloudfront_invalidation_wait`` action builds them, except for two injected parts: the clock
(``monotonic()`` and ``sleep()``: a fake one, or :class:`simclock.SimClock` for many gates at once)
and the botocore client, replaced by :class:`OneInvalidation`, which answers GetInvalidation for one
invalidation, or raises botocore's ``ClientError`` with CloudFront's ``Throttling`` code, as the
simulation decides. Everything between the two is the collection's code, unchanged.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import botocore.exceptions

from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront import gate
from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.api import Clients, CloudFrontApi
from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.waiter import Clock
from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.watch import GateRequests

DISTRIBUTION_ID = "E2SIMULATED"
INVALIDATION_ID = "I2SIMULATED"
CREATED = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
DEFAULT_PROGRESS_INTERVAL = 50  # the role's wait_for_invalidation_progress_interval


def throttling_error(operation: str = "GetInvalidation") -> botocore.exceptions.ClientError:
    """What botocore raises for CloudFront's Throttling answer (HTTP 400)."""
    return botocore.exceptions.ClientError(
        {"Error": {"Code": "Throttling", "Message": "Rate exceeded"}, "ResponseMetadata": {"HTTPStatusCode": 400}},
        operation,
    )


class OneInvalidation:
    """A CloudFront client that knows one invalidation. ``answer()`` decides each GetInvalidation:
    (throttled, completed) for a request made now."""

    def __init__(self, answer: Callable[[], tuple[bool, bool]]) -> None:
        self.answer = answer

    def get_invalidation(self, *, DistributionId: str, Id: str) -> dict[str, Any]:
        throttled, completed = self.answer()
        if throttled:
            raise throttling_error()
        return {
            "Invalidation": {
                "Id": Id,
                "Status": "Completed" if completed else "InProgress",
                "CreateTime": CREATED,
                "InvalidationBatch": {"Paths": {"Quantity": 1, "Items": ["/*"]}, "CallerReference": "simulated"},
            }
        }


def run_simulated_gate(
    client: OneInvalidation,
    clock: Clock,
    timeout: float,
    progress_interval: int = DEFAULT_PROGRESS_INTERVAL,
    rand: Callable[[], float] | None = None,
) -> gate.GateOutcome:
    """One gate for the invalidation ``client`` knows, from the action's arguments to its verdict."""
    settings = gate.gate_settings(
        {
            "distribution_id": DISTRIBUTION_ID,
            "invalidation_ids": [INVALIDATION_ID],
            "wait_timeout": int(timeout),
            "progress_interval": progress_interval,
        }
    )
    api = CloudFrontApi(Clients(lambda **_timeouts: client, timeout), clock=clock)  # type: ignore[arg-type,return-value]
    progress = gate.Progress(progress_interval, clock, lambda _line: None)
    return gate.run_gate(settings, GateRequests(api), progress, rand=rand)

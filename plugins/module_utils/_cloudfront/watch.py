# -*- coding: utf-8 -*-

# Copyright: Contributors to the edgeops.cloudfront collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The gate's requests to CloudFront: looking up its targets and polling what is pending, through
one :class:`CloudFrontApi` (its clients made once, for the whole gate).

The lookup retries a passing failure itself, for a minute at most and never past the gate's
deadline, and throttling up to that deadline (many gates that start together share the account's
rate limit). The polls do not: the gate's wait (waiter.py) retries them on its schedule, slowing
down when throttled. A failure that a retry cannot mend ends the gate, naming what failed.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING, Callable, Iterator

from .api import RETRY_SECONDS, CloudFrontApi
from .create import Creator, derived_reference, generated_reference
from .errors import CloudFrontError, TransientCloudFrontError
from .gate import GateError
from .report import InvalidationTracker, Selection, TargetsTracker
from .results import Owner

if TYPE_CHECKING:
    from .gate import Target
    from .results import Invalidation


@contextmanager
def gate_errors(transient_too: bool) -> Iterator[None]:
    """CloudFront's failures as the gate's: a GateError with the message and the AWS code; a
    passing failure stays one for the wait to retry, unless ``transient_too``."""
    try:
        yield
    except TransientCloudFrontError as e:
        if not transient_too:
            raise
        raise GateError(e.msg, e.code) from e
    except CloudFrontError as e:
        raise GateError(e.msg, e.code) from e


class GateRequests:
    """What the gate asks of CloudFront (``gate.Runner``), on one API object for the whole gate.

    A target with paths has its invalidation created (create.py), with its caller reference or one made
    for this gate's run, room among the invalidations in progress waited for until the gate's deadline;
    ``check_mode``: nothing is created, and an earlier invalidation with the target's caller reference
    is waited for, as a run would."""

    def __init__(self, api: CloudFrontApi, check_mode: bool = False) -> None:
        self.api = api
        self.check_mode = check_mode
        self.created = 0
        self._reference: str | None = None

    @property
    def changed(self) -> bool:
        return self.created > 0

    def _create(self, target: Target, owner: Owner, deadline: float) -> list[Invalidation]:
        creator = Creator(
            self.api,
            headroom_timeout=max(0.0, deadline - self.api.clock.monotonic()),
            all_tenants_hint=False,
            timeout_option=None,  # the gate's timeout: its verdict says so
        )
        if self._reference is None:
            self._reference = generated_reference()
        if self.check_mode:
            found = creator.find(owner, target.paths, target.caller_reference) if target.caller_reference else None
            if found is None:
                self.created += 1  # would be
                return []
            return [found.invalidation]
        # a reference made for the run: one per target, so that two targets never share one
        reference = target.caller_reference or derived_reference(self._reference, target.label)
        created = creator.create(owner, target.paths, reference)
        self.created += int(created.changed)
        return [created.invalidation]

    @property
    def pace(self) -> float:
        return self.api.pace

    def owner_of(self, target: Target) -> Owner:
        if target.distribution_id:
            return Owner(target.distribution_id)
        if target.distribution_tenant_id:
            return Owner(target.distribution_tenant_id, tenant=True)
        return self.api.find_owner(target.alias or "")

    def resolve(self, target: Target, deadline: float) -> list[Invalidation]:
        """The target's invalidations: those given (a page, or a GetInvalidation for one), or those
        in progress (what GetDistribution says is in progress, and not the history)."""
        api = self.api
        api.retry = True
        api.deadline = deadline
        api.throttled_until = deadline
        api.retry_seconds = min(RETRY_SECONDS, max(0.0, deadline - api.clock.monotonic()))
        with gate_errors(transient_too=True):
            owner = self.owner_of(target)
            if target.paths:
                return self._create(target, owner, deadline)
            selection = Selection(
                owner=owner, invalidation_ids=list(target.ids) or None, in_progress_only=not target.ids
            )
            return InvalidationTracker(api, selection).fetch()

    def watch(self, pending: list[Invalidation]) -> Callable[[], list[Invalidation]]:
        """Polls of ``pending``, one distribution or tenant at a time (the first with invalidations in
        progress: the gate needs them all), each request made once (the wait retries)."""
        self.api.retry = False
        by_owner: dict[Owner, dict[str, str]] = {}
        for invalidation in pending:
            by_owner.setdefault(Owner.of(invalidation), {})[invalidation["id"]] = str(invalidation["status"])
        selections = [
            Selection(owner=o, invalidation_ids=list(known), known_status=known) for o, known in by_owner.items()
        ]
        tracker = TargetsTracker([InvalidationTracker(self.api, s, s.known(), read=False) for s in selections])

        def poll() -> list[Invalidation]:
            with gate_errors(transient_too=False):
                return tracker.poll()

        return poll

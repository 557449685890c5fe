# -*- coding: utf-8 -*-

# Copyright: Contributors to the edgeops.cloudfront collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Creating invalidations: idempotent by caller reference, waiting for headroom, telling a re-run
from a new create by the server's clock.

CloudFront does the idempotency itself: CreateInvalidation with a caller reference already used
*with the same paths* answers the earlier invalidation and creates nothing; with other paths it
answers ``InvalidationBatchAlreadyExists`` (``InvalidArgument`` is reported there too). So a create
costs one request whether it is new or a re-run, and every retry of it (a lost answer, throttling)
sends the same reference. Whether the answer is new is decided by comparing its ``CreateTime`` with
the server's clock (the answer's ``Date`` header) when the first attempt was sent: the controller's
clock may be off by any amount.

``TooManyInvalidationsInProgress`` (at most 3,000 file paths and tags and 15 wildcards in progress per
distribution or tenant) is waited out: the oldest of the invalidations then in progress is polled until it
completes, and the create is tried again, for at most ``headroom_timeout`` seconds.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import uuid
from dataclasses import dataclass, field
from typing import Sequence, cast

from .api import CloudFrontApi
from .errors import TOO_MANY_IN_PROGRESS, CloudFrontError
from .messages import timed_out
from .results import Invalidation, Owner, is_completed, shape_invalidation
from .validation import (
    BATCH_PATHS_MAX,
    BATCH_WILDCARDS_MAX,
    CALLER_REFERENCE_MAX,
    is_cache_tag,
    is_wildcard,
)
from .waiter import Clock, PollSchedule, wait_for

# What CloudFront answers a caller reference used before with other paths (InvalidArgument is reported
# by users there too, with the reference in its message).
REUSED_REFERENCE_CODES = ("InvalidationBatchAlreadyExists",)
# The invalidations in progress a refusal's message names, at most (the newest).
LISTED = 20
MENTIONS_REFERENCE = re.compile(r"caller\s*ref", re.IGNORECASE)
# How many of the newest invalidations are read to name the one that holds a reused reference (a
# failure path), or, in check mode, to find whether a create would be a re-run.
EARLIER_SEARCH = 20
# A fresh invalidation was created after the first attempt was sent, and the answer's Date (to the
# second, rounded down) is no later than its true time: Date less the controller's measure of the create
# (which includes the network) is no later than the server's clock at the send. The slack is for the
# clocks of CloudFront's own machines. So an earlier invalidation is told from a new one when it is older
# than about a second and the create's own duration; a re-run closer than that is reported as changed.
CLOCK_SLACK = 0.25


def generated_reference() -> str:
    """A caller reference for one task run: every retry of its create sends it."""
    return f"edgeops-{uuid.uuid4()}"


def derived_reference(caller_reference: str, suffix: str) -> str:
    """The caller reference of one of several invalidations made from one reference (each tenant of
    ``all_tenants``, each target of a gate): ``<reference>@<suffix>`` (a tenant's ID, a target's
    distribution or alias), with digests in place of what would pass 128 characters. The same on a re-run."""
    derived = f"{caller_reference}@{suffix}"
    if len(derived) <= CALLER_REFERENCE_MAX:
        return derived
    shortened = f"{hashlib.sha256(caller_reference.encode('utf-8')).hexdigest()[:40]}@{suffix}"
    if len(shortened) <= CALLER_REFERENCE_MAX:
        return shortened
    return hashlib.sha256(derived.encode("utf-8")).hexdigest()


def batch_paths(paths: Sequence[str]) -> list[str]:
    """The batch to send: each path once, in the order given (CloudFront's caller-reference rule
    compares the batch: a re-run lists the same paths in the same order)."""
    return list(dict.fromkeys(paths))


def describe_batch(paths: Sequence[str]) -> str:
    """``2 file paths, 1 wildcard, 1 cache tag``."""
    tags = sum(1 for p in paths if is_cache_tag(p))
    wildcards = sum(1 for p in paths if is_wildcard(p))
    files = len(paths) - tags - wildcards
    parts = [
        (files, "file path", "file paths"),
        (wildcards, "wildcard", "wildcards"),
        (tags, "cache tag", "cache tags"),
    ]
    return ", ".join(f"{n} {one if n == 1 else many}" for n, one, many in parts if n)


def _epoch(value: object) -> float | None:
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        return value.timestamp()
    return None


def is_new(create_time: object, answered_at: float | None, took: float) -> bool:
    """Whether an invalidation CloudFront answered a create with was made by this create: its
    ``CreateTime`` is no earlier than the server's clock when the first attempt was sent (the answer's
    ``Date``, ``answered_at``, less the ``took`` seconds the create took, retries included). Without a
    ``Date`` or a ``CreateTime``, it is taken as new (``changed`` then errs on the side of a change)."""
    created = _epoch(create_time)
    if created is None or answered_at is None:
        return True
    return created >= answered_at - took - CLOCK_SLACK


@dataclass
class Created:
    """One create's outcome: the invalidation, whether this run made it, and the seconds spent waiting
    for room among the invalidations in progress."""

    invalidation: Invalidation
    changed: bool
    headroom_waited: float = 0.0
    # the earlier invalidation's paths, when the create found one (a re-run): the diff's "before"
    before: list[str] = field(default_factory=list)


class Creator:
    """Creates invalidations with ``api``; ``headroom_timeout``: how long to wait for room when CloudFront
    answers ``TooManyInvalidationsInProgress`` (0: fail at once); ``schedule``: how often the
    invalidations in progress are polled meanwhile."""

    def __init__(
        self,
        api: CloudFrontApi,
        headroom_timeout: float = 600,
        schedule: PollSchedule | None = None,
        clock: Clock | None = None,
        all_tenants_hint: bool = True,
        timeout_option: str | None = "headroom_timeout",
    ) -> None:
        self.api = api
        # whether the caller takes all_tenants (the module does, the gate does not)
        self.all_tenants_hint = all_tenants_hint
        # how the caller names the headroom's timeout (None: the caller words its own timeout, as the
        # gate does, whose timeout is its own wait_timeout)
        self.timeout_option = timeout_option
        self.headroom_timeout = headroom_timeout
        self.schedule = schedule or PollSchedule()
        self.clock = clock or api.clock

    def create(self, owner: Owner, paths: Sequence[str], caller_reference: str) -> Created:
        """Create the batch on ``owner`` (or find the earlier one with this reference and these paths)."""
        batch = batch_paths(paths)
        started = self.clock.monotonic()
        deadline = started + self.headroom_timeout
        while True:
            sent = self.clock.monotonic()
            try:
                raw, answered_at = self.api.create_invalidation(owner, batch, caller_reference)
            except CloudFrontError as e:
                if e.code == TOO_MANY_IN_PROGRESS:
                    self._wait_for_headroom(owner, batch, e, started, deadline)
                    continue
                raise self._explained(owner, batch, caller_reference, e) from None
            took = self.clock.monotonic() - sent
            new = is_new(raw.get("CreateTime"), answered_at, took)
            invalidation = shape_invalidation(raw, owner)
            before = [] if new else list(invalidation.get("paths") or [])
            waited = round(sent - started, 3)
            return Created(invalidation, changed=new, headroom_waited=waited, before=before)

    def find(self, owner: Owner, paths: Sequence[str], caller_reference: str) -> Created | None:
        """Check mode: the earlier invalidation a create with this reference would answer (among the
        ``EARLIER_SEARCH`` newest), or None when it would create one; other paths fail as a create would."""
        raw, _examined = self.api.with_caller_reference(owner, caller_reference, EARLIER_SEARCH)
        if raw is None:
            return None
        earlier = shape_invalidation(raw, owner)
        if list(earlier.get("paths") or []) != batch_paths(paths):
            raise reused_reference_error(owner, caller_reference, earlier)
        return Created(earlier, changed=False, before=list(earlier.get("paths") or []))

    def _wait_for_headroom(
        self, owner: Owner, batch: Sequence[str], refusal: CloudFrontError, started: float, deadline: float
    ) -> None:
        """Until the oldest of the invalidations in progress now completes (they complete about in the
        order made; one request a poll, however many there are); fails at ``deadline``, naming the limit
        and what is in progress."""
        in_progress = [s["Id"] for s in self.api.in_progress(owner)]  # newest first

        def refused(waited: float) -> CloudFrontError:
            limit = (
                f"CloudFront {owner} has too many invalidations in progress to take this one ({describe_batch(batch)}):"
                f" at most {BATCH_PATHS_MAX:,} file paths and cache tags and {BATCH_WILDCARDS_MAX} wildcards may be"
                " in progress per distribution or tenant"
            )
            pending = ", ".join(in_progress[:LISTED]) if in_progress else "none listed (they completed as it refused)"
            if len(in_progress) > LISTED:
                pending += f" and {len(in_progress) - LISTED} more"
            left = f"{limit}; in progress: {pending} ({len(in_progress)})"
            if self.timeout_option:
                left = timed_out(round(waited, 1), self.timeout_option, self.headroom_timeout, left)
            return CloudFrontError(left, refusal.code, refusal.request_id)

        remaining = deadline - self.clock.monotonic()
        if remaining <= 0:
            raise refused(self.clock.monotonic() - started)
        if not in_progress:
            # they completed between the refusal and the listing: try again after the shortest interval
            self.clock.sleep(min(remaining, self.schedule.min_interval))
            return

        oldest = in_progress[-1:]

        def poll() -> dict[str, str | None]:
            return self.api.statuses(owner, oldest)

        def some_completed(statuses: dict[str, str | None]) -> bool:
            return any(is_completed(status) for status in statuses.values())

        retry, self.api.retry = self.api.retry, False  # the waiter retries the polls, inside its deadline
        try:
            # the first poll an interval from now: the refusal was just answered
            outcome = wait_for(
                poll, some_completed, remaining, schedule=self.schedule, clock=self.clock, since_last_poll=0.0
            )
        finally:
            self.api.retry = retry
        if not outcome.done:
            raise refused(self.clock.monotonic() - started)

    def _explained(
        self, owner: Owner, batch: Sequence[str], caller_reference: str, error: CloudFrontError
    ) -> CloudFrontError:
        """The failure of a create, said in the user's terms where CloudFront's answer is terse."""
        if error.code in REUSED_REFERENCE_CODES or (
            error.code == "InvalidArgument" and MENTIONS_REFERENCE.search(error.msg)
        ):
            return reused_reference_error(owner, caller_reference, self._earlier(owner, caller_reference), error)
        if error.code == "InvalidArgument" and any(is_cache_tag(p) for p in batch):
            missing = self._without_cache_tags(owner)
            if missing:
                error.msg = f"{missing}: {error.msg}"
        if error.code == "NoSuchDistribution" and not owner.tenant:
            try:
                self.api.explain_multi_tenant(owner)
            except CloudFrontError as multi:
                if self.all_tenants_hint:
                    multi.msg += ", or all_tenants=true to invalidate the same paths on every tenant"
                # AWS's answer, for AWS Support
                multi.code, multi.request_id = error.code, error.request_id
                return multi
        return error

    def _earlier(self, owner: Owner, caller_reference: str) -> Invalidation | str:
        """The invalidation that holds the reference, among the newest; or why it is not named."""
        try:
            raw, _examined = self.api.with_caller_reference(owner, caller_reference, EARLIER_SEARCH)
        except CloudFrontError as e:
            return f"which could not be read: {e.msg}"
        if raw is None:
            return f"older than the {EARLIER_SEARCH} newest"
        return shape_invalidation(raw, owner)

    def _without_cache_tags(self, owner: Owner) -> str | None:
        """What to say when the distribution (a tenant's) has no ``CacheTagConfig`` (best effort)."""
        try:
            distribution_id = owner.id
            if owner.tenant:
                distribution_id = self.api.get_distribution_tenant(owner.id)["DistributionId"]
            config = self.api.get_distribution(distribution_id).get("DistributionConfig") or {}
        except CloudFrontError:
            return None
        if cast("dict[str, object]", config).get("CacheTagConfig"):
            return None
        return (
            f"CloudFront distribution {distribution_id} has no CacheTagConfig: cache tags (paths that start with #)"
            " can be invalidated only on a distribution whose configuration names the header its origin tags"
            " responses with (DistributionConfig.CacheTagConfig.HeaderName)"
        )


def reused_reference_error(
    owner: Owner, caller_reference: str, earlier: Invalidation | str, error: CloudFrontError | None = None
) -> CloudFrontError:
    """caller_reference used before with other paths: name the reference and the earlier invalidation
    (``earlier``: it, or why it is not named)."""
    if isinstance(earlier, str):
        held = f" (by an invalidation {earlier})"
    else:
        held = (
            f" by invalidation {earlier['id']} ({', '.join(earlier.get('paths') or [])},"
            f" created {earlier.get('create_time')})"
        )
    msg = (
        f"caller_reference {caller_reference!r} was used on CloudFront {owner} with other paths{held}:"
        " give the same paths to get that invalidation again, or another caller_reference"
    )
    if error is not None:
        return CloudFrontError(f"{msg} ({error.code}: {error.msg})", error.code, error.request_id)
    return CloudFrontError(msg, "InvalidationBatchAlreadyExists")

# -*- coding: utf-8 -*-

# Copyright: Contributors to the edgeops.cloudfront collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What ``cloudfront_invalidation_info`` reports: selecting the invalidations, and waiting for them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping, Sequence, cast

from .api import CloudFrontApi
from .errors import CloudFrontError, TransientCloudFrontError
from .messages import last_poll_cause, still_in_progress, timed_out
from .results import Invalidation, Owner, all_completed, pending_ids, shape_invalidation, with_status
from .validation import target_ids
from .waiter import Clock, PollSchedule, WaitOutcome, wait_for

if TYPE_CHECKING:
    from typing import TypedDict

    from mypy_boto3_cloudfront.type_defs import InvalidationSummaryTypeDef, InvalidationTypeDef

    class Facts(TypedDict, total=False):
        """The module's results (RETURN): the invalidation or the list, and what a wait saw."""

        # not with several distributions (targets): the one whose invalidations these are
        distribution_id: str
        distribution_tenant_id: str
        # not when a wait never read it (no poll succeeded)
        invalidation: Invalidation
        invalidations: list[Invalidation]
        waited: float
        completed: bool
        timed_out: bool
        api_calls: int


@dataclass
class Selection:
    """Which invalidations of ``owner`` (a distribution or a distribution tenant) to report (at most
    one of the three; none: list)."""

    owner: Owner
    invalidation_id: str | None = None
    invalidation_ids: list[str] | None = None
    caller_reference: str | None = None
    max_items: int = 100
    in_progress_only: bool = False
    # the status of each of invalidation_ids as the caller last saw it (targets given with it)
    known_status: dict[str, str] | None = None
    # the invalidations as this run read them already (a create's answer): the wait's first poll
    seen: list[Invalidation] | None = None

    @property
    def single(self) -> bool:
        return bool(self.invalidation_id or self.caller_reference)

    def known(self) -> list[Invalidation] | None:
        """The invalidations as the caller last saw them, if it said for each one."""
        ids = self.invalidation_ids or []
        if self.known_status is None or not ids or any(i not in self.known_status for i in ids):
            return None
        summaries = [cast("InvalidationSummaryTypeDef", {"Id": i, "Status": self.known_status[i]}) for i in ids]
        return [shape_invalidation(summary, self.owner) for summary in summaries]


def selections_of(api: CloudFrontApi, targets: Sequence[Mapping[str, Any]]) -> list[Selection]:
    """The selections of ``targets`` (the module option, checked by validation.check_targets): one
    per distribution or tenant named by ID or found by alias, in order, with the IDs of every target
    that names it; a target without IDs selects what it has in progress. An item of an earlier run's
    ``invalidations`` can be a target as it is: it names its owner and its ``id``."""
    selections: dict[tuple[Owner, bool], Selection] = {}
    for target in targets:
        tenant = target.get("distribution_tenant_id")
        if tenant:
            owner = Owner(tenant, tenant=True)
        elif target.get("distribution_id"):
            owner = Owner(target["distribution_id"])
        else:
            owner = api.find_owner(target["alias"])
        ids = target_ids(target)
        key = (owner, not ids)
        if key not in selections:
            selections[key] = Selection(owner=owner, invalidation_ids=[] if ids else None, in_progress_only=not ids)
        selected = selections[key].invalidation_ids
        if selected is not None:
            selected.extend(ids)
    return list(selections.values())


@dataclass
class Report:
    """The module's facts, and the failure message if the wait did not end in completion."""

    facts: Facts
    failure: str | None = None


class InvalidationTracker:
    """Fetches the selection once, then refreshes only the invalidations still in progress.

    A later poll never adds invalidations: in list mode, the ones created after the first
    fetch do not move the gate.
    """

    def __init__(
        self, api: CloudFrontApi, selection: Selection, known: list[Invalidation] | None = None, read: bool = True
    ) -> None:
        """``known``: the state before the first poll. ``read``: it was read by this run (a caller
        reference looked up), and counts as the first poll; else the caller said it (seeded)."""
        self.api = api
        self.selection = selection
        self.snapshot: list[Invalidation] | None = known
        self._unreported = known is not None and read

    def fetch(self) -> list[Invalidation]:
        """The selection as CloudFront has it now. A multi-tenant distribution given as a distribution
        (an invalidation it does not know, an empty list) fails saying how to name its tenants."""
        sel = self.selection
        owner = sel.owner
        raw: list[InvalidationTypeDef | InvalidationSummaryTypeDef]
        try:
            if sel.invalidation_id:
                raw = [self.api.get_invalidation(owner, sel.invalidation_id)]
            elif sel.invalidation_ids:
                found = self.api.summaries(owner, sel.invalidation_ids)
                raw = [found[i] for i in sel.invalidation_ids]
            elif sel.in_progress_only:
                raw = list(self.api.in_progress(owner))
            else:
                raw = list(self.api.invalidations(owner, sel.max_items))
                if not raw:
                    self.api.explain_multi_tenant(owner)
        except CloudFrontError as e:
            if e.code == "NoSuchInvalidation":
                self.api.explain_multi_tenant(owner)
            raise
        return [shape_invalidation(r, owner) for r in raw]

    def poll(self) -> list[Invalidation]:
        if self.snapshot is None:
            self.snapshot = self.fetch()
            return self.snapshot
        if self._unreported:
            self._unreported = False
            return self.snapshot
        pending = pending_ids(self.snapshot)
        if pending:
            statuses = self.api.statuses(self.selection.owner, pending)
            self.snapshot = [with_status(i, statuses[i["id"]]) if i["id"] in statuses else i for i in self.snapshot]
        return self.snapshot


class TargetsTracker:
    """The invalidations of several distributions, each followed by its own tracker.

    The first poll reads every distribution whose state the caller did not give (all of them,
    when none was given).  The other polls refresh one distribution at a time, the first one
    with invalidations in progress, and go on to the next only when that one is done: the
    gate needs them all, so watching the others meanwhile would cost calls without opening it
    any sooner.  A distribution is only ever reported completed from a poll of its own.
    """

    def __init__(self, trackers: list[InvalidationTracker]) -> None:
        self.trackers = trackers

    def poll(self) -> list[Invalidation]:
        unread = [tracker for tracker in self.trackers if tracker.snapshot is None]
        for tracker in unread:
            tracker.poll()
        if not unread:
            for tracker in self.trackers:
                if tracker.snapshot is not None and not pending_ids(tracker.snapshot):
                    continue
                if pending_ids(tracker.poll()):
                    break
        return self.state() or []

    def state(self) -> list[Invalidation] | None:
        """What is known now (None: nothing yet)."""
        if any(tracker.snapshot is None for tracker in self.trackers):
            return None
        return [i for tracker in self.trackers for i in tracker.snapshot or []]


def select(api: CloudFrontApi, selection: Selection) -> InvalidationTracker:
    """A tracker for the selection; a caller reference is looked up here, once."""
    known = selection.seen
    if selection.caller_reference:
        found = api.find_by_caller_reference(selection.owner, selection.caller_reference, selection.max_items)
        selection.invalidation_id = found["Id"]
        known = [shape_invalidation(found, selection.owner)]
    return InvalidationTracker(api, selection, known)


def _facts(selection: Selection | None, invalidations: list[Invalidation]) -> Facts:
    """``invalidations``, or ``invalidation`` once read (a wait in which no poll succeeded never read it)."""
    if selection is None:  # several distributions
        return {"invalidations": invalidations}
    facts = cast("Facts", {selection.owner.key: selection.owner.id})
    if not selection.single:
        facts["invalidations"] = invalidations
    elif invalidations:
        facts["invalidation"] = invalidations[0]
    return facts


def _timeout_message(subject: str, outcome: WaitOutcome[list[Invalidation]], timeout: float) -> str:
    """The module's timeout: what is still in progress, or that no poll succeeded reading ``subject``."""
    waited = round(outcome.elapsed)
    cause = last_poll_cause(outcome.last_error if isinstance(outcome.last_error, TransientCloudFrontError) else None)
    if outcome.state is None:
        left = f"no poll succeeded reading CloudFront {subject}"
    else:
        left = still_in_progress(outcome.state)
    return timed_out(waited, "wait_timeout", timeout, left + cause)


def _subject(selection: Selection | list[Selection]) -> str:
    """What a wait in which no poll succeeded tried to read: ``distribution E1 (I1, I2)``."""
    selections = selection if isinstance(selection, list) else [selection]
    named = []
    for s in selections:
        ids = s.invalidation_id or ", ".join(s.invalidation_ids or []) or "its invalidations"
        named.append(f"{s.owner} ({ids})")
    return "; ".join(named)


def report(
    api: CloudFrontApi,
    selection: Selection | list[Selection],
    wait: bool = False,
    wait_timeout: float = 1800,
    schedule: PollSchedule | None = None,
    clock: Clock | None = None,
) -> Report:
    """Fetch the selected invalidations and, with ``wait``, poll until they are completed.

    ``selection``: one selection, or a list of them (several distributions and tenants, the module's
    ``targets``), reported as one flat list of invalidations.
    """
    tracker: InvalidationTracker | TargetsTracker
    if isinstance(selection, list):
        tracker = TargetsTracker([InvalidationTracker(api, s, s.seen) for s in selection])
        single: Selection | None = None
    else:
        tracker = select(api, selection)
        single = selection
    if not wait:
        return Report(_facts(single, tracker.poll()))
    api.retry = False  # from here on the waiter retries, inside its deadline
    clock = clock or api.clock
    api.deadline = clock.monotonic() + wait_timeout  # the clients for the last seconds have short timeouts
    outcome = wait_for(tracker.poll, all_completed, wait_timeout, schedule=schedule, clock=clock)
    state = outcome.state
    facts = _facts(single, state or [])
    facts["waited"] = round(outcome.elapsed, 3)
    facts["completed"] = state is not None and all_completed(state)
    facts["timed_out"] = not outcome.done
    if outcome.done:
        return Report(facts)
    return Report(facts, _timeout_message(_subject(selection), outcome, wait_timeout))

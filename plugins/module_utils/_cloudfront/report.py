# -*- coding: utf-8 -*-

# Copyright: Contributors to the edgeops.cloudfront collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What ``cloudfront_invalidation_info`` reports: selecting the invalidations, and waiting for them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence, cast

from .api import CloudFrontApi
from .errors import CloudFrontError, TransientCloudFrontError
from .results import Invalidation, Owner, all_completed, pending_ids, shape_invalidation, with_status
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
        pace: float
        last_poll: float
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


def selections_of(targets: Sequence[Mapping[str, Any]]) -> list[Selection]:
    """One selection per distribution named in ``targets`` (the module option), in order.

    A target given with its ``status`` (an item of an earlier run's ``invalidations``, as it is)
    tells the state the caller last saw: the wait goes on from there, without reading it again.
    """
    selections: dict[Owner, Selection] = {}
    for target in targets:
        ids = [target["invalidation_id"]] if target.get("invalidation_id") else list(target["invalidation_ids"])
        tenant = target.get("distribution_tenant_id")
        owner = Owner(tenant, tenant=True) if tenant else Owner(target["distribution_id"])
        if owner not in selections:
            selections[owner] = Selection(owner=owner, invalidation_ids=[], known_status={})
        selected, known = selections[owner].invalidation_ids, selections[owner].known_status
        if selected is not None:
            selected.extend(ids)
        if target.get("status") is not None and known is not None:
            known.update((i, str(target["status"])) for i in ids)
    return list(selections.values())


@dataclass
class Report:
    """The module's facts, and the failure message if the wait did not end in completion."""

    facts: Facts
    failure: str | None = None
    # seconds from the wait's last poll to its end (None: no wait, or no poll)
    last_poll_age: float | None = None


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
    known = None
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


def _pending_text(invalidations: list[Invalidation]) -> str:
    """``distribution E1: I1, I2; distribution tenant dt_x: I3``: what is still in progress, by owner."""
    by_owner: dict[Owner, list[str]] = {}
    for invalidation in invalidations:
        if not invalidation["completed"]:
            by_owner.setdefault(Owner.of(invalidation), []).append(invalidation["id"])
    return "; ".join(f"{owner}: {', '.join(ids)}" for owner, ids in by_owner.items())


def _timeout_message(selection: Selection, outcome: WaitOutcome[list[Invalidation]], timeout: float) -> str:
    owner = selection.owner
    waited = f"{outcome.elapsed:.0f}s"
    cause = _cause(outcome)
    if outcome.state is None:
        subject = selection.invalidation_id or ", ".join(selection.invalidation_ids or []) or "its invalidations"
        return (
            f"Gave up after {waited} (wait_timeout={timeout:.0f}) reading CloudFront {owner}"
            f" ({subject}): no poll succeeded{cause}"
        )
    pending = pending_ids(outcome.state)
    return (
        f"Timed out after {waited} (wait_timeout={timeout:.0f}) waiting for CloudFront {owner}:"
        f" {len(pending)} invalidation(s) still in progress: {', '.join(pending)}{cause}"
    )


def _targets_timeout_message(
    selections: list[Selection], outcome: WaitOutcome[list[Invalidation]], timeout: float
) -> str:
    waited = f"{outcome.elapsed:.0f}s"
    cause = _cause(outcome)
    if outcome.state is None:
        subject = "; ".join(f"{s.owner}: {', '.join(s.invalidation_ids or [])}" for s in selections)
        return (
            f"Gave up after {waited} (wait_timeout={timeout:.0f}) reading CloudFront invalidations ({subject}):"
            f" no poll succeeded{cause}"
        )
    pending = pending_ids(outcome.state)
    return (
        f"Timed out after {waited} (wait_timeout={timeout:.0f}) waiting for CloudFront invalidations:"
        f" {len(pending)} still in progress ({_pending_text(outcome.state)}){cause}"
    )


def _cause(outcome: WaitOutcome[list[Invalidation]]) -> str:
    """What the last poll failed with, if it failed."""
    if isinstance(outcome.last_error, TransientCloudFrontError):
        return f"; the last poll failed ({outcome.last_error.cause}): {outcome.last_error.msg}"
    return ""


def _progressed(known: list[Invalidation] | None) -> Callable[[list[Invalidation]], bool]:
    """The end of a slice's wait: every invalidation completed, or more of them than the caller
    said (``known``), or, when it did not say, than the slice's first poll saw (so that the
    caller can say so at once)."""
    first: list[int] = [] if known is None else [sum(1 for i in known if i["completed"])]

    def done(invalidations: list[Invalidation]) -> bool:
        count = sum(1 for i in invalidations if i["completed"])
        if not first:
            first.append(count)
        return count == len(invalidations) or count > first[0]

    return done


def report(
    api: CloudFrontApi,
    selection: Selection | list[Selection],
    wait: bool = False,
    wait_timeout: float = 1800,
    schedule: PollSchedule | None = None,
    clock: Clock | None = None,
    waited_before: float = 0.0,
    wait_slice: float | None = None,
    since_last_poll: float | None = None,
    pace: float = 1.0,
) -> Report:
    """Fetch the selected invalidations and, with ``wait``, poll until they are completed.

    ``selection``: one selection, or a list of them (several distributions, by invalidation
    IDs), reported as one flat list of invalidations.  ``wait_slice``: return after this many
    seconds, without failing, when the wait is not over (see :func:`wait_for`), or as soon as a
    poll sees more invalidations completed than the caller said, or than the slice's first poll
    saw. ``waited_before``, ``since_last_poll``, ``pace``: where an earlier run left the wait.
    """
    tracker: InvalidationTracker | TargetsTracker
    known: list[Invalidation] | None = None
    if isinstance(selection, list):
        seeds = [s.known() for s in selection]
        tracker = TargetsTracker([InvalidationTracker(api, s, seed, read=False) for s, seed in zip(selection, seeds)])
        if all(seed is not None for seed in seeds):
            known = [i for seed in seeds for i in seed or []]
        single: Selection | None = None
    else:
        tracker = select(api, selection)
        single = selection
    if not wait:
        return Report(_facts(single, tracker.poll()))
    api.retry = False  # from here on the waiter retries, inside its deadline
    clock = clock or api.clock
    api.deadline = clock.monotonic() + wait_timeout  # the clients for the last seconds have short timeouts
    outcome = wait_for(
        tracker.poll,
        all_completed if wait_slice is None else _progressed(known),
        wait_timeout,
        schedule=schedule,
        clock=clock,
        waited_before=waited_before,
        slice_seconds=wait_slice,
        since_last_poll=since_last_poll,
        pace=pace,
    )
    # a slice in which no poll succeeded (throttled, say) returns what the caller said
    state = outcome.state if outcome.state is not None else known
    facts = _facts(single, state or [])
    facts["waited"] = round(outcome.elapsed, 3)
    facts["completed"] = state is not None and all_completed(state)
    facts["timed_out"] = not outcome.done and not outcome.sliced
    facts["pace"] = round(outcome.pace, 3)
    age = None if outcome.last_poll is None else outcome.elapsed - outcome.last_poll
    if outcome.done or outcome.sliced:
        return Report(facts, last_poll_age=age)
    if isinstance(selection, list):
        return Report(facts, _targets_timeout_message(selection, outcome, wait_timeout), age)
    return Report(facts, _timeout_message(selection, outcome, wait_timeout), age)

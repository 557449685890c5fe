# -*- coding: utf-8 -*-

# Copyright: Contributors to the edgeops.cloudfront collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What ``cloudfront_invalidation_info`` reports: selecting the invalidations, and waiting for them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .api import CloudFrontApi
from .errors import TransientCloudFrontError
from .results import Invalidation, all_completed, pending_ids, shape_invalidation, with_status
from .waiter import Clock, PollSchedule, WaitOutcome, wait_for

if TYPE_CHECKING:
    from typing import TypedDict

    from mypy_boto3_cloudfront.type_defs import InvalidationSummaryTypeDef, InvalidationTypeDef
    from typing_extensions import Never, Required

    class Facts(TypedDict, total=False):
        """The module's results (RETURN): the invalidation or the list, and what a wait saw."""

        distribution_id: Required[str]
        # {} when the wait never read it (no poll succeeded)
        invalidation: Invalidation | dict[str, Never]
        invalidations: list[Invalidation]
        waited: float
        timed_out: bool
        api_calls: int


@dataclass
class Selection:
    """Which invalidations of ``distribution_id`` to report (at most one of the three; none: list)."""

    distribution_id: str
    invalidation_id: str | None = None
    invalidation_ids: list[str] | None = None
    caller_reference: str | None = None
    max_items: int = 100

    @property
    def single(self) -> bool:
        return bool(self.invalidation_id or self.caller_reference)


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

    def __init__(self, api: CloudFrontApi, selection: Selection, known: list[Invalidation] | None = None) -> None:
        self.api = api
        self.selection = selection
        self.snapshot: list[Invalidation] | None = known
        self._unreported = known is not None  # a state already read counts as the first poll

    def fetch(self) -> list[Invalidation]:
        sel = self.selection
        dist = sel.distribution_id
        if sel.invalidation_id:
            raw: list[InvalidationTypeDef | InvalidationSummaryTypeDef] = [
                self.api.get_invalidation(dist, sel.invalidation_id)
            ]
        elif sel.invalidation_ids:
            raw = [self.api.get_invalidation(dist, i) for i in sel.invalidation_ids]
        else:
            raw = list(self.api.invalidations(dist, sel.max_items))
        return [shape_invalidation(r, dist) for r in raw]

    def poll(self) -> list[Invalidation]:
        if self.snapshot is None:
            self.snapshot = self.fetch()
            return self.snapshot
        if self._unreported:
            self._unreported = False
            return self.snapshot
        pending = pending_ids(self.snapshot)
        if pending:
            statuses = self.api.statuses(self.selection.distribution_id, pending)
            self.snapshot = [with_status(i, statuses[i["id"]]) if i["id"] in statuses else i for i in self.snapshot]
        return self.snapshot


def select(api: CloudFrontApi, selection: Selection) -> InvalidationTracker:
    """A tracker for the selection; a caller reference is looked up here, once."""
    known = None
    if selection.caller_reference:
        found = api.find_by_caller_reference(selection.distribution_id, selection.caller_reference, selection.max_items)
        selection.invalidation_id = found["Id"]
        known = [shape_invalidation(found, selection.distribution_id)]
    return InvalidationTracker(api, selection, known)


def _facts(selection: Selection, invalidations: list[Invalidation]) -> Facts:
    facts: Facts = {"distribution_id": selection.distribution_id}
    if selection.single:
        facts["invalidation"] = invalidations[0] if invalidations else {}
    else:
        facts["invalidations"] = invalidations
    return facts


def _timeout_message(selection: Selection, outcome: WaitOutcome[list[Invalidation]], timeout: int) -> str:
    dist = selection.distribution_id
    waited = f"{outcome.elapsed:.0f}s"
    cause = ""
    if isinstance(outcome.last_error, TransientCloudFrontError):
        cause = f"; the last poll failed ({outcome.last_error.cause}): {outcome.last_error.msg}"
    if outcome.state is None:
        subject = selection.invalidation_id or ", ".join(selection.invalidation_ids or []) or "its invalidations"
        return (
            f"Gave up after {waited} (wait_timeout={timeout}) reading CloudFront distribution {dist}"
            f" ({subject}): no poll succeeded{cause}"
        )
    pending = pending_ids(outcome.state)
    return (
        f"Timed out after {waited} (wait_timeout={timeout}) waiting for CloudFront distribution {dist}:"
        f" {len(pending)} invalidation(s) still in progress: {', '.join(pending)}{cause}"
    )


def report(
    api: CloudFrontApi,
    selection: Selection,
    wait: bool = False,
    wait_timeout: int = 1800,
    schedule: PollSchedule | None = None,
    clock: Clock | None = None,
    waited_before: float = 0.0,
) -> Report:
    """Fetch the selected invalidations and, with ``wait``, poll until they are completed."""
    tracker = select(api, selection)
    if not wait:
        return Report(_facts(selection, tracker.poll()))
    api.retry = False  # from here on the waiter retries, inside its deadline
    clock = clock or Clock()
    deadline = clock.monotonic() + wait_timeout
    api.remaining = lambda: deadline - clock.monotonic()  # no request outlives the deadline by much
    outcome = wait_for(
        tracker.poll, all_completed, wait_timeout, schedule=schedule, clock=clock, waited_before=waited_before
    )
    facts = _facts(selection, outcome.state or [])
    facts["waited"] = round(outcome.elapsed, 3)
    facts["timed_out"] = not outcome.done
    if outcome.done:
        return Report(facts)
    return Report(facts, _timeout_message(selection, outcome, wait_timeout))

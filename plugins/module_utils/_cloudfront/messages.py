# -*- coding: utf-8 -*-

# Copyright: Contributors to the edgeops.cloudfront collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The words of a wait that did not end in completion: what is still in progress, and the timeout.

One builder per message, for the info module's wait and the gate alike."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Mapping

from .results import Owner

if TYPE_CHECKING:
    from .errors import TransientCloudFrontError


def pending_text(invalidations: Iterable[Mapping[str, object]]) -> str:
    """``distribution E1: I1, I2; distribution tenant dt_x: I3``: the invalidations not completed, by owner."""
    by_owner: dict[Owner, list[str]] = {}
    for invalidation in invalidations:
        if not invalidation["completed"]:
            by_owner.setdefault(Owner.of(invalidation), []).append(str(invalidation["id"]))  # type: ignore[arg-type]
    return "; ".join(f"{owner}: {', '.join(ids)}" for owner, ids in by_owner.items())


def still_in_progress(invalidations: Iterable[Mapping[str, object]]) -> str:
    """``2 CloudFront invalidation(s) still in progress: distribution E1: I1, I2``."""
    listed = list(invalidations)
    count = sum(1 for invalidation in listed if not invalidation["completed"])
    return f"{count} CloudFront invalidation(s) still in progress: {pending_text(listed)}"


def last_poll_cause(error: TransientCloudFrontError | None) -> str:
    """What the last poll failed with, if it failed: ``; the last poll failed (throttled): ...``."""
    return f"; the last poll failed ({error.cause}): {error.msg}" if error is not None else ""


def timed_out(elapsed: float, option: str, timeout: float, left: str, soft: bool = False) -> str:
    """``Timed out after 1803.5s (wait_for_invalidation_timeout=1800): <left>``; for a soft gate,
    ``Soft gate open after ... with <left>``."""
    limit = f"({option}={timeout:g})"
    if soft:
        return f"Soft gate open after {elapsed}s {limit} with {left}"
    return f"Timed out after {elapsed}s {limit}: {left}"

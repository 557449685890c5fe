# -*- coding: utf-8 -*-

# Copyright: Contributors to the edgeops.cloudfront collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What ``cloudfront_invalidation`` does: whose invalidations (a distribution, a tenant, every tenant of
a distribution), the creates (create.py), check mode, the wait (report.py) and the result."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

from .api import CloudFrontApi, is_multi_tenant
from .create import Created, Creator, batch_paths, derived_reference, generated_reference
from .errors import CloudFrontError
from .report import Report, Selection, report
from .results import Invalidation, Owner
from .waiter import PollSchedule


@dataclass
class Request:
    """The module's parameters that say what to create (checked by validation.check_create_params)."""

    paths: Sequence[str]
    caller_reference: str | None = None
    all_tenants: bool = False
    wait: bool = False
    wait_timeout: float = 1800
    check_mode: bool = False

    @property
    def reference(self) -> str:
        """The caller reference of this run: the one given, or one made for the run (once)."""
        if not self.caller_reference:
            self.caller_reference = generated_reference()
        return self.caller_reference


@dataclass
class Outcome:
    """The facts to return, whether anything changed, the diff, and the failure (a wait's timeout)."""

    facts: dict[str, Any]
    changed: bool
    diff: dict[str, Any] = field(default_factory=dict)
    failure: str | None = None


def tenants_of(api: CloudFrontApi, distribution_id: str) -> list[Owner]:
    """Every tenant of a multi-tenant distribution (ListDistributionTenants); fails naming the
    distribution when it has none."""
    tenants = [Owner(t["Id"], tenant=True) for t in api.distribution_tenants(distribution_id)]
    if not tenants:
        distribution = api.get_distribution(distribution_id)
        kind = "multi-tenant distribution" if is_multi_tenant(distribution) else "distribution (not a multi-tenant one)"
        raise CloudFrontError(
            f"CloudFront {kind} {distribution_id} has no distribution tenants: all_tenants=true invalidates"
            " the tenants of a multi-tenant distribution; without it, the distribution's own invalidation is made"
        )
    return tenants


def _checked(creator: Creator, owner: Owner, request: Request, reference: str | None) -> Created | None:
    """Check mode: the earlier invalidation a create would answer (a caller reference given), else None
    (it would create). A distribution is read, so that a multi-tenant one fails as a create would."""
    if not owner.tenant and not request.all_tenants and is_multi_tenant(creator.api.get_distribution(owner.id)):
        creator.api.explain_multi_tenant(owner)
    if reference is None:
        return None
    return creator.find(owner, request.paths, reference)


def _diff(paths: list[str], created: list[Created | None]) -> dict[str, Any]:
    """The paths before (an earlier invalidation found) and after."""
    before = list(dict.fromkeys(p for c in created if c is not None for p in c.before))
    return {"before": {"paths": before}, "after": {"paths": paths}}


def invalidate(
    api: CloudFrontApi,
    creator: Creator,
    owner: Owner,
    request: Request,
    schedule: PollSchedule | None = None,
) -> Outcome:
    """Create the batch on ``owner`` (on each of its tenants, ``all_tenants``), or in check mode say
    whether it would; then, with ``wait``, wait until the invalidations are completed."""
    owners = tenants_of(api, owner.id) if request.all_tenants else [owner]
    paths = batch_paths(request.paths)

    def reference_for(target: Owner) -> str:
        return derived_reference(request.reference, target.id) if request.all_tenants else request.reference

    created: list[Created | None] = []
    for target in owners:
        try:
            if request.check_mode:
                # a reference made for this run was never used: nothing to find
                given = reference_for(target) if request.caller_reference else None
                created.append(_checked(creator, target, request, given))
            else:
                created.append(creator.create(target, paths, reference_for(target)))
        except CloudFrontError as e:
            # a failure after some tenants' creates: they stay made, and the failure says so
            made = [c.invalidation for c in created if c is not None and c.changed]
            if made:
                e.msg += f" (after creating {len(made)} of {len(owners)}: {', '.join(i['id'] for i in made)})"
                e.changed = True
            raise
    changed = any(c is None or c.changed for c in created)
    diff = _diff(paths, created)
    found = [c for c in created if c is not None]
    facts: dict[str, Any] = {"headroom_waited": round(sum(c.headroom_waited for c in found), 3)}
    if not request.check_mode or request.caller_reference:
        facts["caller_reference"] = request.reference
    invalidations = [c.invalidation for c in found]
    if request.wait and not request.check_mode:
        waited = _waited(api, owners, invalidations, request, schedule)
        facts.update(waited.facts)
        return Outcome(facts, changed, diff, waited.failure)
    if request.all_tenants:
        facts["invalidations"] = invalidations
        return Outcome(facts, changed, diff)
    facts[owner.key] = owner.id
    if invalidations:
        (facts["invalidation"],) = invalidations
    return Outcome(facts, changed, diff)


def _waited(
    api: CloudFrontApi,
    owners: list[Owner],
    invalidations: list[Invalidation],
    request: Request,
    schedule: PollSchedule | None,
) -> Report:
    """Wait as the info module waits, from the invalidations as the creates answered them."""
    selections = [Selection(owner=o, invalidation_id=i["id"], seen=[i]) for o, i in zip(owners, invalidations)]
    selection: Selection | list[Selection] = selections
    if not request.all_tenants:
        (selection,) = selections
    return report(api, selection, wait=True, wait_timeout=request.wait_timeout, schedule=schedule)

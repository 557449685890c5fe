# -*- coding: utf-8 -*-

# Copyright: Contributors to the edgeops.cloudfront collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Shaping CloudFront's answers into the collection's results: snake_case, one copy of each fact."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, TypedDict, cast

if TYPE_CHECKING:
    from mypy_boto3_cloudfront.type_defs import (
        InvalidationBatchOutputTypeDef,
        InvalidationSummaryTypeDef,
        InvalidationTypeDef,
    )


class _InvalidationSummary(TypedDict):
    id: str
    status: str | None
    completed: bool
    create_time: str | None


class Invalidation(_InvalidationSummary, total=False):
    """One invalidation as the module returns it (RETURN ``invalidation``, ``invalidations[]``).

    ``distribution_id`` or ``distribution_tenant_id``: whose invalidation it is (see :class:`Owner`).
    The last three keys are there when the invalidation was read with GetInvalidation.
    """

    distribution_id: str
    distribution_tenant_id: str
    caller_reference: str
    paths: list[str]
    path_count: int


@dataclass(frozen=True)
class Owner:
    """Whose invalidations: a distribution (``E2QWRUHAPOMQZL``) or a distribution tenant of a
    multi-tenant distribution (``dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB``)."""

    id: str
    tenant: bool = False

    @property
    def key(self) -> str:
        """The key that names it in a result."""
        return "distribution_tenant_id" if self.tenant else "distribution_id"

    @property
    def kind(self) -> str:
        return "distribution tenant" if self.tenant else "distribution"

    def __str__(self) -> str:
        """``distribution E2QWRUHAPOMQZL``, ``distribution tenant dt_2wjD...``."""
        return f"{self.kind} {self.id}"

    @classmethod
    def of(cls, invalidation: Invalidation) -> Owner:
        """Whose invalidation it is, from its result keys."""
        tenant = invalidation.get("distribution_tenant_id")
        return cls(tenant, True) if tenant else cls(invalidation.get("distribution_id") or "")


COMPLETED = "completed"


def is_completed(status: str | None) -> bool:
    """CloudFront says ``Completed``; compare without regard to case (some tools say COMPLETED)."""
    return (status or "").strip().lower() == COMPLETED


def iso8601(value: datetime.datetime | str | None) -> str | None:
    """An ISO 8601 timestamp with a UTC offset, from botocore's datetime (or a string)."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        return value.astimezone(datetime.timezone.utc).isoformat()
    return str(value)


def shape_invalidation(raw: InvalidationTypeDef | InvalidationSummaryTypeDef, owner: Owner) -> Invalidation:
    """One invalidation of ``owner``, from a GetInvalidation ``Invalidation`` or a ListInvalidations
    summary (or their ...ForDistributionTenant twins, which answer the same shapes).

    A summary carries ``Id``, ``CreateTime`` and ``Status``; GetInvalidation adds the batch,
    which becomes ``caller_reference``, ``paths`` and ``path_count``.
    """
    status = raw.get("Status")
    shaped = cast("Invalidation", {"id": raw.get("Id"), owner.key: owner.id})
    shaped["status"] = status
    shaped["completed"] = is_completed(status)
    shaped["create_time"] = iso8601(raw.get("CreateTime"))
    # None for a ListInvalidations summary, which has no batch
    batch = cast("InvalidationBatchOutputTypeDef | None", raw.get("InvalidationBatch"))
    if batch is not None:
        paths = batch.get("Paths") or {}
        shaped["caller_reference"] = batch.get("CallerReference")
        shaped["paths"] = list(paths.get("Items") or [])
        shaped["path_count"] = int(paths.get("Quantity", len(shaped["paths"])))
    return shaped


def with_status(invalidation: Invalidation, status: str | None) -> Invalidation:
    """A copy of ``invalidation`` with a newer status."""
    updated = cast("Invalidation", dict(invalidation))
    updated["status"] = status
    updated["completed"] = is_completed(status)
    return updated


def pending_ids(invalidations: Iterable[Invalidation]) -> list[str]:
    """The IDs of the invalidations not yet completed, in order."""
    return [i["id"] for i in invalidations if not i["completed"]]


def all_completed(invalidations: Iterable[Invalidation]) -> bool:
    return all(i["completed"] for i in invalidations)

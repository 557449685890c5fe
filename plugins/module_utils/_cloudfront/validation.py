# -*- coding: utf-8 -*-

# Copyright: Contributors to the edgeops.cloudfront collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Checks of user input that need no API call.

Each check returns an error message naming the option, or ``None`` when the value is fine.
"""

from __future__ import annotations

import re
from typing import Any, Mapping, Sequence

# CloudFront distribution and invalidation IDs: upper-case letters and digits
# (E2QWRUHAPOMQZL, I2J0I21PCUYOIK, IDFDVBD632BHDS5).
CLOUDFRONT_ID = re.compile(r"[A-Z0-9]{1,64}")
CLOUDFRONT_ID_MAX = 64
# Distribution tenants of multi-tenant distributions: dt_ and letters and digits
# (dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB).
TENANT_ID = re.compile(r"dt_[A-Za-z0-9]{1,64}")
TENANT_ID_MAX = 67
# An alternate domain name (CNAME), a wildcard alias, or a d111111abcdef8.cloudfront.net name.
DOMAIN_NAME = re.compile(
    r"(\*\.)?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?"
)
DOMAIN_NAME_MAX = 253
CALLER_REFERENCE_MAX = 128


def check_id(option: str, value: str | None) -> str | None:
    """A CloudFront ID given in ``option``."""
    if value is None:
        return None
    if not value.strip():
        return f"{option} must not be empty"
    if len(value) > CLOUDFRONT_ID_MAX:
        return f"{option} is {len(value)} characters long: CloudFront IDs are at most {CLOUDFRONT_ID_MAX}"
    if not CLOUDFRONT_ID.fullmatch(value):
        if TENANT_ID.fullmatch(value):
            return f"{option} {value!r} is the ID of a distribution tenant: give it as distribution_tenant_id"
        return (
            f"{option} {value!r} is not a CloudFront ID: IDs are upper-case letters and digits"
            " (for example E2QWRUHAPOMQZL)"
        )
    return None


def check_tenant_id(option: str, value: str | None) -> str | None:
    """A distribution tenant ID given in ``option``."""
    if value is None:
        return None
    if not value.strip():
        return f"{option} must not be empty"
    if len(value) > TENANT_ID_MAX or not TENANT_ID.fullmatch(value):
        return (
            f"{option} {value!r} is not a CloudFront distribution tenant ID: tenant IDs are dt_ and letters and"
            " digits (for example dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB)"
        )
    return None


def check_ids(option: str, values: Sequence[str] | None) -> str | None:
    """A list of CloudFront IDs given in ``option``: not empty, each valid, none twice."""
    if values is None:
        return None
    if not values:
        return f"{option} must list at least one invalidation ID"
    seen: set[str] = set()
    for index, value in enumerate(values):
        error = check_id(f"{option}[{index}]", value)
        if error:
            return error
        if value in seen:
            return f"{option} lists {value} more than once"
        seen.add(value)
    return None


def check_alias(option: str, value: str | None) -> str | None:
    if value is None:
        return None
    if not value.strip():
        return f"{option} must not be empty"
    if len(value) > DOMAIN_NAME_MAX or not DOMAIN_NAME.fullmatch(value):
        return (
            f"{option} {value!r} is not a domain name: give a distribution's alternate domain name"
            " (www.example.com) or its CloudFront domain name (d111111abcdef8.cloudfront.net)"
        )
    return None


def check_caller_reference(option: str, value: str | None) -> str | None:
    if value is None:
        return None
    if not value.strip():
        return f"{option} must not be empty"
    if len(value) > CALLER_REFERENCE_MAX:
        return (
            f"{option} is {len(value)} characters long: CloudFront caller references are at most {CALLER_REFERENCE_MAX}"
        )
    return None


def check_at_least(option: str, value: int | None, minimum: int) -> str | None:
    if value is None or value >= minimum:
        return None
    return f"{option} must be at least {minimum}, got {value}"


def check_module_params(params: Mapping[str, Any]) -> list[str]:
    """All errors in the parameters of ``cloudfront_invalidation_info``, options named."""
    checks = (
        check_id("distribution_id", params.get("distribution_id")),
        check_tenant_id("distribution_tenant_id", params.get("distribution_tenant_id")),
        check_alias("alias", params.get("alias")),
        check_id("invalidation_id", params.get("invalidation_id")),
        check_ids("invalidation_ids", params.get("invalidation_ids")),
        check_caller_reference("caller_reference", params.get("caller_reference")),
        check_at_least("max_items", params.get("max_items"), 0),
        check_at_least("wait_timeout", params.get("wait_timeout"), 1),
        check_at_least("max_poll_interval", params.get("max_poll_interval"), 1),
        check_at_least("wait_slice", params.get("wait_slice"), 1),
        check_wait_slice(params),
        check_in_progress_only(params),
        *check_targets(params.get("targets")),
    )
    return [error for error in checks if error]


def check_wait_slice(params: Mapping[str, Any]) -> str | None:
    """A slice is a slice of a wait: ``wait_slice`` goes with ``wait=true``."""
    if params.get("wait_slice") is not None and not params.get("wait"):
        return "wait_slice needs wait=true"
    return None


def check_in_progress_only(params: Mapping[str, Any]) -> str | None:
    """``in_progress_only`` is a kind of list mode: not with a selection of invalidations."""
    if not params.get("in_progress_only"):
        return None
    given = [o for o in ("invalidation_id", "invalidation_ids", "caller_reference", "targets") if params.get(o)]
    if given:
        return f"in_progress_only lists a distribution's invalidations in progress: not with {', '.join(given)}"
    return None


def check_targets(targets: Sequence[Mapping[str, Any]] | None) -> list[str | None]:
    """``targets``: each names a distribution and its invalidations; none named twice."""
    if targets is None:
        return []
    if not targets:
        return ["targets must list at least one invalidation"]
    errors: list[str | None] = []
    seen: set[tuple[str, str]] = set()
    for index, target in enumerate(targets):
        option = f"targets[{index}]"
        errors.append(check_id(f"{option}.distribution_id", target.get("distribution_id")))
        errors.append(check_tenant_id(f"{option}.distribution_tenant_id", target.get("distribution_tenant_id")))
        errors.append(check_id(f"{option}.invalidation_id", target.get("invalidation_id")))
        errors.append(check_ids(f"{option}.invalidation_ids", target.get("invalidation_ids")))
        ids = [target["invalidation_id"]] if target.get("invalidation_id") else target.get("invalidation_ids") or []
        owner = target.get("distribution_tenant_id") or target.get("distribution_id") or ""
        kind = "distribution tenant" if target.get("distribution_tenant_id") else "distribution"
        for invalidation_id in ids:
            key = (owner, invalidation_id)
            if key in seen:
                errors.append(f"targets name invalidation {invalidation_id} of {kind} {owner} more than once")
            seen.add(key)
    return errors

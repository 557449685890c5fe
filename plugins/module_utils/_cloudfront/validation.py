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
# What one invalidation batch may hold (CloudFront's limits on what is in progress per distribution or
# tenant: a batch past them could never be created).
BATCH_PATHS_MAX = 3000
BATCH_WILDCARDS_MAX = 15
# A cache tag (``#product-42``): at most this many characters after the ``#``.
CACHE_TAG_MAX = 256


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
    if any(ord(char) < 32 or ord(char) == 127 for char in value):
        return f"{option} {value!r} contains a control character, which CloudFront refuses in a caller reference"
    return None


def is_cache_tag(path: str) -> bool:
    """``#product-42``: a cache tag, not a file path."""
    return path.startswith("#")


def is_wildcard(path: str) -> bool:
    """``/assets/*``: a wildcard path."""
    return not is_cache_tag(path) and path.endswith("*")


def check_path(option: str, path: Any) -> str | None:
    """One item of ``paths``, at ``option`` (``paths[2]``): a file path, a wildcard or a cache tag."""
    if not isinstance(path, str) or not path.strip():
        return f"{option} must be a file path (/index.html), a wildcard (/assets/*) or a cache tag (#product-42)"
    if path != path.strip():
        return f"{option} {path!r} has spaces around it"
    if is_cache_tag(path):
        tag = path[1:]
        if not tag:
            return f"{option} '#' names no cache tag"
        if "*" in tag:
            return f"{option} {path!r} is a cache tag with a wildcard: cache tags are matched whole"
        if len(tag) > CACHE_TAG_MAX:
            return f"{option} is a cache tag of {len(tag)} characters: at most {CACHE_TAG_MAX}"
        return None
    if not path.startswith("/"):
        suggestion = f"/{path}"
        fixed = f" ({suggestion}?)" if check_path(option, suggestion) is None else ""
        return f"{option} {path!r} must start with / (a file path or a wildcard{fixed}) or # (a cache tag)"
    if "*" in path[:-1]:
        return f"{option} {path!r} has a * that is not its last character: a wildcard must end the path"
    return None


def check_paths(option: str, paths: Any) -> str | None:
    """``paths``: one invalidation batch, each item valid, within what CloudFront lets be in progress."""
    if paths is None:
        return None
    if isinstance(paths, (str, Mapping)) or not isinstance(paths, Sequence):
        return f"{option} must be a list of paths"
    if not paths:
        return f"{option} must list at least one path"
    for index, path in enumerate(paths):
        error = check_path(f"{option}[{index}]", path)
        if error:
            return error
    unique = set(paths)
    if len(unique) > BATCH_PATHS_MAX:
        return (
            f"{option} lists {len(unique)} paths: CloudFront takes at most {BATCH_PATHS_MAX:,} in one"
            " invalidation (and in progress per distribution); split them"
        )
    wildcards = sorted(path for path in unique if is_wildcard(path))
    if len(wildcards) > BATCH_WILDCARDS_MAX:
        return (
            f"{option} lists {len(wildcards)} wildcard paths ({', '.join(wildcards[:3])}, ...): CloudFront lets at"
            f" most {BATCH_WILDCARDS_MAX} be in progress per distribution; use fewer, wider wildcards"
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
        check_in_progress_only(params),
        *check_targets("targets", params.get("targets")),
    )
    return [error for error in checks if error]


def check_in_progress_only(params: Mapping[str, Any]) -> str | None:
    """``in_progress_only`` is a kind of list mode: not with a selection of invalidations."""
    if not params.get("in_progress_only"):
        return None
    given = [o for o in ("invalidation_id", "invalidation_ids", "caller_reference", "targets") if params.get(o)]
    if given:
        return f"in_progress_only lists a distribution's invalidations in progress: not with {', '.join(given)}"
    return None


# A target: whose invalidations (exactly one of these)...
TARGET_OWNERS = ("distribution_id", "distribution_tenant_id", "alias")
OWNER_KINDS = {"distribution_id": "distribution", "distribution_tenant_id": "distribution tenant", "alias": "alias"}
# ... and which (none: those in progress); ``id`` and ``ids`` as an earlier run's result and the
# role name them
TARGET_IDS = ("invalidation_ids", "ids", "invalidation_id", "id")
# The other keys of an item of an earlier run's ``invalidations``, which can be given as it is: they
# say what that run saw, not what to wait for, and are not read.
RESULT_KEYS = ("status", "completed", "create_time", "caller_reference", "paths", "path_count")


def target_ids(target: Mapping[str, Any]) -> list[str]:
    """The invalidation IDs a target names, under whichever of its keys (none: those in progress)."""
    for key in ("invalidation_id", "id"):
        if target.get(key):
            return [target[key]]
    return list(target.get("invalidation_ids") or target.get("ids") or [])


def check_target(option: str, target: Any, creates: bool = False) -> str | None:
    """One target of ``targets``, at ``option`` (``targets[1]``): a mapping with exactly one owner
    key, IDs under one key at most, and no key of its own besides those and an earlier result's.
    Without IDs, ``paths`` (and ``caller_reference``) ask for an invalidation to be created: the gate's
    targets (``creates``) take them, checked as the create module checks them; the info module's not."""
    if not isinstance(target, Mapping):
        return f"{option} must be a mapping (distribution_id, distribution_tenant_id or alias, and invalidation_ids)"
    unknown = sorted(str(key) for key in target if key not in (*TARGET_OWNERS, *TARGET_IDS, *RESULT_KEYS))
    if unknown:
        return (
            f"{option} has unsupported key(s) {', '.join(unknown)}: a target takes one of"
            f" {', '.join(TARGET_OWNERS)}, and {' or '.join(TARGET_IDS[:2])}"
        )
    owners = [key for key in TARGET_OWNERS if target.get(key) not in (None, "")]
    if len(owners) != 1:
        return f"{option}: give exactly one of {', '.join(TARGET_OWNERS)}"
    given_ids = [key for key in TARGET_IDS if target.get(key) not in (None, "", [])]
    if len(given_ids) > 1:
        return f"{option}: give the invalidations under one key, not {' and '.join(given_ids)}"
    (owner,) = owners
    check = {"distribution_id": check_id, "distribution_tenant_id": check_tenant_id, "alias": check_alias}[owner]
    error = check(f"{option}.{owner}", target[owner])
    if error:
        return error
    if not given_ids and target.get("paths") not in (None, []):
        if not creates:
            return (
                f"{option} has paths and no invalidation IDs: invalidations are created by"
                " edgeops.cloudfront.cloudfront_invalidation and by the gate, not by this module"
            )
        return check_paths(f"{option}.paths", target["paths"]) or check_caller_reference(
            f"{option}.caller_reference", target.get("caller_reference")
        )
    if not given_ids:
        return None
    (key,) = given_ids
    value = target[key]
    if key in ("invalidation_id", "id"):
        return check_id(f"{option}.{key}", value)
    if isinstance(value, str) or not isinstance(value, Sequence):
        return f"{option}.{key} must be a list of invalidation IDs"
    return check_ids(f"{option}.{key}", value)


def check_targets(option: str, targets: Any) -> list[str]:
    """``targets``: a list of targets (:func:`check_target`), none naming an invalidation twice."""
    if targets is None:
        return []
    if isinstance(targets, (str, Mapping)) or not isinstance(targets, Sequence):
        return [f"{option} must be a list of targets"]
    if not targets:
        return [f"{option} must list at least one target"]
    errors: list[str] = []
    seen: set[tuple[str, str]] = set()
    for index, target in enumerate(targets):
        error = check_target(f"{option}[{index}]", target)
        if error:
            errors.append(error)
            continue
        owner = next(f"{OWNER_KINDS[key]} {target[key]}" for key in TARGET_OWNERS if target.get(key))
        for invalidation_id in target_ids(target):
            if (owner, invalidation_id) in seen:
                errors.append(f"{option} name invalidation {invalidation_id} of {owner} more than once")
            seen.add((owner, invalidation_id))
    return errors


def check_create_params(params: Mapping[str, Any]) -> list[str]:
    """All errors in the parameters of ``cloudfront_invalidation``, options named."""
    checks = (
        check_id("distribution_id", params.get("distribution_id")),
        check_tenant_id("distribution_tenant_id", params.get("distribution_tenant_id")),
        check_alias("alias", params.get("alias")),
        check_paths("paths", params.get("paths")),
        check_caller_reference("caller_reference", params.get("caller_reference")),
        check_at_least("wait_timeout", params.get("wait_timeout"), 1),
        check_at_least("max_poll_interval", params.get("max_poll_interval"), 1),
        check_at_least("headroom_timeout", params.get("headroom_timeout"), 0),
        check_all_tenants(params),
    )
    return [error for error in checks if error]


def check_all_tenants(params: Mapping[str, Any]) -> str | None:
    """``all_tenants`` invalidates the tenants of the distribution named by ``distribution_id``."""
    if not params.get("all_tenants") or params.get("distribution_id"):
        return None
    given = [o for o in ("distribution_tenant_id", "alias") if params.get(o)]
    instead = f", not {' or '.join(given)}" if given else ""
    return f"all_tenants invalidates every tenant of a multi-tenant distribution: give its distribution_id{instead}"

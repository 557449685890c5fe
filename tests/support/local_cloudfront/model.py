"""CloudFront's invalidations on moto's model, where moto differs from CloudFront: the status, from a
completion time; the batch's items, the caller reference, cache tags and the in-progress limits
(``create_checked()``); newest first and paging; a multi-tenant distribution's invalidations; the
process-wide settings (the default delay, the server's clock, the limits). ``patch_invalidations()``
puts them into moto's classes (``patches.patch_moto()`` calls it)."""

from __future__ import annotations

import datetime
import functools
import math
import threading
import time
import uuid
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from moto.cloudfront.exceptions import CloudFrontException, NoSuchDistribution
from moto.cloudfront.models import CloudFrontBackend, Distribution, Invalidation, cloudfront_backends
from moto.cloudfront.responses import CloudFrontResponse
from moto.core.responses import ActionResult

from .request_log import is_setup_request

DEFAULT_DELAY = 5.0
# CloudFront's in-progress limits of invalidations, per distribution and per distribution tenant
# (InvalidationLimits); a cache tag (``#tag``) may have CACHE_TAG_MAX characters after its ``#``.
DEFAULT_PATH_LIMIT = 3000
DEFAULT_WILDCARD_LIMIT = 15
CACHE_TAG_MAX = 256


class InvalidArgument(CloudFrontException):
    def __init__(self, message: str) -> None:
        super().__init__("InvalidArgument", message)


# CloudFront's messages of TooManyInvalidationsInProgress (file paths, then wildcard paths)
TOO_MANY_FILE_PATHS = (
    "Processing your request will cause you to exceed the maximum number of in-progress invalidations."
)
TOO_MANY_WILDCARDS = (
    "Processing your request will cause you to exceed the maximum number of in-progress wildcard invalidations."
)
# This endpoint's message (AWS's text is not known) for a cache tag on a distribution without CacheTagConfig
CACHE_TAG_CONFIG_REQUIRED = "Cache tag invalidations require a CacheTagConfig on the distribution."


class InvalidationBatchAlreadyExists(CloudFrontException):
    def __init__(self, caller_reference: str) -> None:
        super().__init__(
            "InvalidationBatchAlreadyExists",
            f"CallerReference {caller_reference} was used before with different paths.",
        )


@dataclass(frozen=True)
class InvalidationLimits:
    """What the invalidations still InProgress of one distribution (or one distribution tenant) may
    hold at most, as CloudFront counts: file paths (items not ending in ``*``; cache tags, ``#...``,
    count as file paths) and wildcard paths (ending in ``*``). A batch of more than ``paths`` items is
    BatchTooLarge, whatever is in progress."""

    paths: int = DEFAULT_PATH_LIMIT
    wildcards: int = DEFAULT_WILDCARD_LIMIT


class EndpointSettings:
    """Process-wide settings: the default delay before a new invalidation is ``Completed``, the
    server's clock (an offset from time.time()) and the in-progress limits of invalidations."""

    def __init__(self, default_delay: float) -> None:
        self._lock = threading.Lock()
        self._default_delay = default_delay
        self._clock_offset = 0.0
        self._limits = InvalidationLimits()

    @property
    def default_delay(self) -> float:
        with self._lock:
            return self._default_delay

    @default_delay.setter
    def default_delay(self, seconds: float) -> None:
        with self._lock:
            self._default_delay = seconds

    @property
    def clock_offset(self) -> float:
        with self._lock:
            return self._clock_offset

    @clock_offset.setter
    def clock_offset(self, seconds: float) -> None:
        with self._lock:
            self._clock_offset = seconds

    @property
    def limits(self) -> InvalidationLimits:
        with self._lock:
            return self._limits

    @limits.setter
    def limits(self, limits: InvalidationLimits) -> None:
        with self._lock:
            self._limits = limits


# The settings live on moto's class, so that two imports of this package (as ``local_cloudfront``
# and as ``ansible_collections.edgeops.cloudfront.tests.support.local_cloudfront``) still share one set.
_SETTINGS_ATTR = "_local_cloudfront_settings"
_settings_lock = threading.Lock()


def endpoint_settings() -> EndpointSettings:
    with _settings_lock:
        settings: EndpointSettings | None = Invalidation.__dict__.get(_SETTINGS_ATTR)
        if settings is None:
            settings = EndpointSettings(DEFAULT_DELAY)
            setattr(Invalidation, _SETTINGS_ATTR, settings)
        return settings


def server_time() -> float:
    """The server's clock: time.time() shifted by the clock offset (``set_clock_offset()``). It dates
    new invalidations (CreateTime) and tenants, and every answer (the HTTP ``Date`` header); the
    completion delays run on time.time()."""
    return time.time() + endpoint_settings().clock_offset


def utc_from_epoch(seconds: float) -> datetime.datetime:
    """A UTC datetime truncated to milliseconds, as CloudFront reports times."""
    stamp = datetime.datetime.fromtimestamp(seconds, tz=datetime.UTC)
    return stamp.replace(microsecond=stamp.microsecond // 1000 * 1000)


def completion_time(invalidation: Invalidation) -> float:
    """Wall time (time.time()) at which the invalidation is Completed."""
    when: float = vars(invalidation).get("complete_at", 0.0)
    return when


def set_completion_time(invalidation: Invalidation, when: float) -> None:
    vars(invalidation)["complete_at"] = when


def _status_get(self: Invalidation) -> str:
    return "Completed" if time.time() >= completion_time(self) else "InProgress"


def _status_set(self: Invalidation, value: str) -> None:
    # moto's __init__ assigns "COMPLETED"; any assignment moves the completion time.
    if value.lower() == "completed":
        set_completion_time(self, time.time())
    elif value.lower() == "inprogress":
        set_completion_time(self, math.inf)
    else:
        raise ValueError(f"not an invalidation status: {value!r}")


def _wrap_invalidation_init(original: Callable[..., None]) -> Callable[..., None]:
    @functools.wraps(original)
    def __init__(self: Invalidation, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        settings = endpoint_settings()
        now = time.time()
        self.create_time = utc_from_epoch(now + settings.clock_offset)
        set_completion_time(self, now + settings.default_delay)

    return __init__


def _backend_list_invalidations(self: CloudFrontBackend, dist_id: str) -> list[Invalidation]:
    """Newest first, and NoSuchDistribution for an unknown distribution; none of its own for a
    multi-tenant distribution."""
    if dist_id not in self.distributions:
        raise NoSuchDistribution
    if is_multi_tenant(self.distributions[dist_id]):
        return []
    return list(reversed(self.invalidations.get(dist_id, [])))


def is_wildcard(path: str) -> bool:
    """A wildcard path (ends in ``*``); every other item, cache tags included, is a file path."""
    return path.endswith("*")


def _invalid_path(path: str, why: str) -> InvalidArgument:
    return InvalidArgument(f"Your request contains one or more invalid invalidation paths: {path} ({why}).")


def check_batch(paths: Sequence[str]) -> None:
    """CloudFront's rules for the items of an invalidation batch, before anything else: at least one
    item (InvalidArgument), at most the file-path limit of items (BatchTooLarge, 413), and each item
    a path (``/...``, with ``*`` only as its last character) or a cache tag (``#`` and 1 to
    CACHE_TAG_MAX characters, no ``*``: at most 257 characters with its ``#``), else InvalidArgument
    naming the item."""
    if not paths:
        raise InvalidArgument("Your request contains no invalidation paths: a batch needs at least one.")
    if len(paths) > endpoint_settings().limits.paths:
        raise CloudFrontException("BatchTooLarge", "Invalidation batch specified is too large.")
    for path in paths:
        if path.startswith("#"):
            if "*" in path:
                raise _invalid_path(path, "a cache tag cannot contain *")
            if not 1 <= len(path) - 1 <= CACHE_TAG_MAX:
                raise _invalid_path(path, f"a cache tag has 1 to {CACHE_TAG_MAX} characters after its #")
        elif not path.startswith("/"):
            raise _invalid_path(path, "a path starts with / and a cache tag with #")
        elif "*" in path[:-1]:
            raise _invalid_path(path, "* may only be the last character of a path")


def cache_tag_header(distribution: Distribution) -> str | None:
    """The HeaderName of the distribution's CacheTagConfig (None: it has none)."""
    config = vars(distribution.distribution_config).get("CacheTagConfig")
    header = config.get("HeaderName") if isinstance(config, dict) else None
    return str(header) if header else None


def check_cache_tags(distribution: Distribution, paths: Sequence[str]) -> None:
    """Cache tags invalidate only on a distribution with a CacheTagConfig (a tenant: its
    distribution's). The message is this endpoint's: AWS's text is not known."""
    if any(path.startswith("#") for path in paths) and cache_tag_header(distribution) is None:
        raise InvalidArgument(CACHE_TAG_CONFIG_REQUIRED)


def check_in_progress(invalidations: Iterable[Invalidation], paths: Sequence[str]) -> None:
    """TooManyInvalidationsInProgress if the batch, with the invalidations still InProgress, would
    pass a limit (InvalidationLimits), with CloudFront's messages."""
    limits = endpoint_settings().limits
    running = [
        path for invalidation in invalidations if invalidation.status == "InProgress" for path in invalidation.paths
    ]
    wildcards = sum(map(is_wildcard, running)) + sum(map(is_wildcard, paths))
    files = len(running) + len(paths) - wildcards
    if files > limits.paths:
        raise CloudFrontException("TooManyInvalidationsInProgress", TOO_MANY_FILE_PATHS)
    if wildcards > limits.wildcards:
        raise CloudFrontException("TooManyInvalidationsInProgress", TOO_MANY_WILDCARDS)


def create_checked(
    existing: Sequence[Invalidation],
    distribution: Distribution,
    paths: list[str],
    caller_ref: str,
    make: Callable[[], Invalidation],
    enforce_limits: bool = True,
) -> Invalidation:
    """CreateInvalidation's rules, for a distribution's or a tenant's ``existing`` invalidations, in
    this order: the batch's items (check_batch); the caller reference (the same list of paths: the
    earlier invalidation, whatever is in progress; other paths: InvalidationBatchAlreadyExists); cache
    tags; the in-progress limits (unless not ``enforce_limits``). Then ``make()``."""
    check_batch(paths)
    for invalidation in existing:
        if invalidation.caller_ref == caller_ref:
            if list(invalidation.paths) != list(paths):
                raise InvalidationBatchAlreadyExists(caller_ref)
            return invalidation
    check_cache_tags(distribution, paths)
    if enforce_limits:
        check_in_progress(existing, paths)
    return make()


def _wrap_backend_create_invalidation(original: Callable[..., Invalidation]) -> Callable[..., Invalidation]:
    @functools.wraps(original)
    def create_invalidation(
        self: CloudFrontBackend, dist_id: str, paths: list[str], caller_ref: str, enforce_limits: bool = True
    ) -> Invalidation:
        distribution = self.distributions.get(dist_id)
        if distribution is None or is_multi_tenant(distribution):  # its invalidations are its tenants'
            raise NoSuchDistribution
        return create_checked(
            self.invalidations.get(dist_id, []),
            distribution,
            paths,
            caller_ref,
            lambda: original(self, dist_id, paths, caller_ref),
            enforce_limits,
        )

    return create_invalidation


def _response_create_invalidation(self: CloudFrontResponse) -> ActionResult:
    invalidation = self.backend.create_invalidation(  # type: ignore[call-arg]
        self._get_param("DistributionId"),
        self._get_param("InvalidationBatch.Paths.Items", []),
        self._get_param("InvalidationBatch.CallerReference"),
        enforce_limits=not is_setup_request(self),
    )
    return ActionResult({"Invalidation": invalidation, "Location": invalidation.location})


def _max_items(raw: str | int | None) -> int:
    if raw in (None, ""):
        return 100
    try:
        value = int(raw)
    except ValueError:
        raise InvalidArgument(f"MaxItems must be an integer, not {raw!r}.") from None
    if value < 1:
        raise InvalidArgument(f"MaxItems must be at least 1, not {value}.")
    return value


@dataclass(frozen=True)
class Page:
    items: list[Any]
    marker: str
    max_items: int
    next_marker: str | None

    def as_list(self) -> dict[str, Any]:
        return {
            "Marker": self.marker,
            "NextMarker": self.next_marker,
            "MaxItems": self.max_items,
            "IsTruncated": self.next_marker is not None,
            "Quantity": len(self.items),
            "Items": self.items or None,
        }


def paginate(items: Sequence[Any], marker: str, max_items: int) -> Page:
    """CloudFront paging: Marker is the id of the last item of the previous page."""
    ids = [item.id for item in items]
    start = 0
    if marker:
        if marker not in ids:
            raise InvalidArgument(f"Marker {marker} does not match any item of this list.")
        start = ids.index(marker) + 1
    page = list(items[start : start + max_items])
    truncated = start + max_items < len(items)
    return Page(page, marker, max_items, page[-1].id if truncated else None)


def page_from_request(response: CloudFrontResponse, items: Sequence[Any]) -> Page:
    marker = response._get_param("Marker") or ""
    return paginate(items, marker, _max_items(response._get_param("MaxItems")))


def _response_list_invalidations(self: CloudFrontResponse) -> ActionResult:
    invalidations = self.backend.list_invalidations(self._get_param("DistributionId"))
    return ActionResult({"InvalidationList": page_from_request(self, invalidations).as_list()})


def _response_list_distributions(self: CloudFrontResponse) -> ActionResult:
    distributions = self.backend.list_distributions()
    return ActionResult({"DistributionList": page_from_request(self, distributions).as_list()})


_SUMMARY_FROM_CONFIG = (
    ("aliases", "Aliases"),
    ("comment", "Comment"),
    ("enabled", "Enabled"),
    ("price_class", "PriceClass"),
    ("http_version", "HttpVersion"),
)


def _config_value(distribution: Distribution, key: str) -> Any:
    return getattr(distribution.distribution_config, key, None)


def _in_progress_get(self: Distribution) -> int:
    """GetDistribution's InProgressInvalidationBatches: counted, not moto's constant 0."""
    for backend in backends():
        if backend.distributions.get(self.distribution_id) is self:
            return sum(1 for i in backend.invalidations.get(self.distribution_id, []) if i.status == "InProgress")
    return 0


def _in_progress_set(self: Distribution, value: int) -> None:
    """moto's __init__ assigns 0: the count is always derived."""


def set_multi_tenant(distribution_id: str) -> None:
    """Make the distribution a multi-tenant one (ConnectionMode tenant-only): its invalidations are
    its tenants'."""
    for backend in backends():
        distribution = backend.distributions.get(distribution_id)
        if distribution is not None:
            distribution.distribution_config.connection_mode = "tenant-only"
            return
    raise NoSuchDistribution


def is_multi_tenant(distribution: Distribution) -> bool:
    return getattr(distribution.distribution_config, "connection_mode", None) == "tenant-only"


def backends() -> Iterable[CloudFrontBackend]:
    for account in list(cloudfront_backends.values()):
        yield from list(account.values())


def reset_moto_cloudfront() -> None:
    for account in list(cloudfront_backends.values()):
        account.reset()


class UnknownInvalidation(LookupError):
    def __init__(self, invalidation_id: str) -> None:
        super().__init__(f"invalidation {invalidation_id} does not exist")
        self.invalidation_id = invalidation_id


def add_history(distribution_id: str, count: int, completed: bool = True) -> list[str]:
    """``count`` invalidations of the distribution, older than those it has, made at once in
    process (thousands take a fraction of a second, not thousands of requests). Oldest first."""
    for backend in backends():
        distribution = backend.distributions.get(distribution_id)
        if distribution is None:
            continue
        now = server_time()
        made = []
        for n in range(count):
            invalidation = Invalidation(distribution, ["/*"], f"local-cloudfront-history-{uuid.uuid4()}")
            invalidation.create_time = utc_from_epoch(now - 60 * (count - n))
            set_completion_time(invalidation, 0.0 if completed else math.inf)
            made.append(invalidation)
        backend.invalidations[distribution_id] = made + backend.invalidations.get(distribution_id, [])
        return [invalidation.id for invalidation in made]
    raise NoSuchDistribution


def patch_invalidations() -> None:
    """Put these rules into moto's classes (once: ``patches.patch_moto()`` guards it)."""
    Invalidation.__init__ = _wrap_invalidation_init(Invalidation.__init__)  # type: ignore[method-assign]
    Invalidation.status = property(_status_get, _status_set)  # type: ignore[assignment]
    CloudFrontBackend.list_invalidations = _backend_list_invalidations  # type: ignore[method-assign]
    CloudFrontBackend.create_invalidation = _wrap_backend_create_invalidation(  # type: ignore[method-assign]
        CloudFrontBackend.create_invalidation
    )
    CloudFrontResponse.create_invalidation = _response_create_invalidation  # type: ignore[method-assign]
    CloudFrontResponse.list_invalidations = _response_list_invalidations  # type: ignore[method-assign]
    CloudFrontResponse.list_distributions = _response_list_distributions  # type: ignore[method-assign]
    Distribution.in_progress_invalidation_batches = property(  # type: ignore[assignment]
        _in_progress_get, _in_progress_set
    )
    # CloudFront's DistributionSummary carries these; moto keeps them only in the config.
    for attribute, key in _SUMMARY_FROM_CONFIG:
        setattr(Distribution, attribute, property(functools.partial(_config_value, key=key)))
    # Real CloudFront has this error; botocore's model does not, and moto warns.
    warnings.filterwarnings("ignore", message=r"Exception\(InvalidationBatchAlreadyExists\)", category=UserWarning)

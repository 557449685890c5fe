"""A local CloudFront endpoint for tests and the demo, built on moto's server.

moto is patched (``patch_moto()``, applied at import) where it differs from CloudFront
in the places the collection depends on:

* invalidations are born ``InProgress`` and become ``Completed`` after a delay
  (server-wide default, overridable per invalidation);
* ListInvalidations lists newest first and pages with ``MaxItems``/``Marker``;
  ListDistributions pages too (creation order);
* ListInvalidations on an unknown distribution answers ``NoSuchDistribution`` (404);
* CreateInvalidation and CreateInvalidationForDistributionTenant check, in this order (``create_checked()``):
  - the batch's items: at least one, else ``InvalidArgument``; at most the file-path limit (3000),
    else ``BatchTooLarge`` (413); each a path (starts with ``/``; ``*`` only as its last character:
    a wildcard path) or a cache tag (``#`` then 1 to 256 characters, so at most 257 with the ``#``;
    no ``*``), else ``InvalidArgument`` ("Your request contains one or more invalid invalidation
    paths: ITEM (why).", CloudFront's words, then the item and the reason);
  - ``CallerReference``: idempotent (the same list of paths: the existing invalidation, 201, even
    with the limits full; other paths: ``InvalidationBatchAlreadyExists``);
  - cache tags need a ``CacheTagConfig`` on the distribution (for a tenant: its distribution's;
    ``create_distribution(cache_tag_header=...)``), else ``InvalidArgument`` with this endpoint's
    message (AWS's text is not known), CACHE_TAG_CONFIG_REQUIRED;
  - the in-progress limits, per distribution and, apart, per distribution tenant: the invalidations
    still InProgress, with the batch, may hold at most 3000 file paths (cache tags count as file
    paths) and 15 wildcard paths, else ``TooManyInvalidationsInProgress`` (400, CloudFront's
    messages: TOO_MANY_FILE_PATHS, TOO_MANY_WILDCARDS) and nothing is created. The limits are
    ``set_invalidation_limits()`` (or ``POST /_local_cloudfront/config``
    ``{"invalidation_limits": {"paths": N, "wildcards": N}}``) until ``reset()``. The set-up helpers
    (``create_invalidation()``, ``create_tenant_invalidation()``) are not held to them: they may
    arrange any state, and what they make counts;
* CreateInvalidation on a multi-tenant distribution answers ``NoSuchDistribution`` (404), as
  CloudFront does;
* ``CreateTime`` is a UTC timestamp with millisecond precision, on the server's clock: time.time()
  shifted by ``set_clock_offset()`` (``POST /_local_cloudfront/config`` ``{"clock_offset": S}``;
  0 after ``reset()``), which also gives every answer's HTTP ``Date`` header (errors too) and the
  tenants' times, but not the completion delays;
* GetDistribution returns the ``CacheTagConfig`` a distribution was made with;
* GetDistribution's ``InProgressInvalidationBatches`` counts the invalidations in progress;
* a temporary access key (``ASIA...``) signed without a session token is refused
  (``InvalidClientTokenId``, 403), as AWS refuses it;
* STS (moto's) answers AssumeRole, and the credentials it hands out are registered at once, so that
  a role profile works as on AWS; each request's log record names the service it was signed for;
* every request must be signed (SigV4) with a registered access key (``register_credentials()``),
  with its secret key, and carry its session token if one was registered: ``MissingAuthenticationToken``
  (unsigned), ``InvalidClientTokenId`` (a key not registered, or a token missing) or
  ``SignatureDoesNotMatch`` (403) otherwise, as AWS answers, so that a secret, a token or a key lost
  on the way fails here as it would there;
* distribution tenants of multi-tenant distributions (CloudFront SaaS Manager), which moto has not:
  GetDistributionTenant, GetDistributionTenantByDomain, CreateDistributionTenant,
  ListDistributionTenants (creation order, paged with ``MaxItems``/``Marker``, filtered by the
  ``AssociationFilter``; ``EntityNotFound`` for an unknown distribution there), and their
  invalidations (CreateInvalidationForDistributionTenant, GetInvalidationForDistributionTenant,
  ListInvalidationsForDistributionTenant), born ``InProgress`` like the others, newest first, paged,
  ``EntityNotFound`` for an unknown tenant or domain; a multi-tenant distribution
  (``create_distribution(multi_tenant=True)``: ``ConnectionMode`` ``tenant-only``) has no
  invalidations of its own;
* connections are kept alive (HTTP/1.1), as CloudFront's are, so that a client's requests share
  one connection; each request's log record names its connection (``connection``: the client's
  port), and ``down()``/an outage closes the open ones.

``add_invalidations()`` makes a long history (thousands of invalidations) at once, in process.

The WSGI middleware in front of moto logs every AWS request (except the set-up calls
of ``create_distribution``/``create_invalidation``), serves a JSON control
API under ``/_local_cloudfront/`` and runs ``dispatch_hooks``, where the faults plug in:

* HTTP errors: ``throttle()``, ``deny()``, ``controller.errors.set()``;
* the account's rate limits: ``rate_limit()``, a token bucket per operation (or one for several),
  shared by every caller, which answers ``Throttling`` when it is empty;
* network faults: ``reset_connections()`` (TCP reset, no HTTP answer, before the request is
  carried out), ``lose_answers()`` (the request carried out, e.g. the invalidation created, then the
  TCP reset instead of the answer; logged with status NO_ANSWER and ``lost_answer``: the status not
  sent), ``stall()``
  (answer held for a while, e.g. past the client's read timeout) and ``outage()`` /
  ``down()`` / ``up()`` (the listening socket closed: connection refused; then served
  again on the same port, with the state kept).

``reset()`` (or ``clear_faults()``) ends them all. Other processes use
``POST /_local_cloudfront/faults`` (``{"kind": "reset"|"lose"|"stall"|"outage"|"throttle"|"error"|"rate",
...}``) and ``DELETE /_local_cloudfront/faults``; ``GET``/``POST /_local_cloudfront/config`` read and set
``default_delay``, ``clock_offset`` and ``invalidation_limits``.

moto keeps its state in process-global backends, so the CloudFront state, the
default delay, the clock offset and the limits are process-wide: run one ``LocalCloudFront`` per process.

CLI: ``python local_cloudfront.py [--host H] [--port P] [--delay S] [--verbose]`` prints
its URL on one line, then serves until SIGINT/SIGTERM.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import functools
import io
import json
import math
import random
import re
import selectors
import signal
import socket
import string
import struct
import sys
import threading
import time
import urllib.parse
import uuid
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from types import TracebackType
from typing import Any, Generic, Protocol, TypeVar
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

import boto3
import botocore.config
import botocore.session
import werkzeug.serving
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from moto.cloudfront import urls as cloudfront_urls
from moto.cloudfront.exceptions import CloudFrontException, NoSuchDistribution, NoSuchInvalidation
from moto.cloudfront.models import CloudFrontBackend, Distribution, Invalidation, cloudfront_backends, random_id
from moto.cloudfront.responses import CloudFrontResponse
from moto.core.responses import ActionResult
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from moto.sts.models import AssumedRole, STSBackend
from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler
from werkzeug.wsgi import LimitedStream

DEFAULT_DELAY = 5.0
# CloudFront's in-progress limits of invalidations, per distribution and per distribution tenant
# (InvalidationLimits); a cache tag (``#tag``) may have CACHE_TAG_MAX characters after its ``#``.
DEFAULT_PATH_LIMIT = 3000
DEFAULT_WILDCARD_LIMIT = 15
CACHE_TAG_MAX = 256
CONTROL_PREFIX = "/_local_cloudfront/"
REGION = "us-east-1"
# Dummy credentials. The secret never reaches the request log (only the key id does).
DUMMY_ACCESS_KEY_ID = "AKIALOCALCLOUDFRONT"
DUMMY_SECRET_ACCESS_KEY = "local-cloudfront-dummy-secret"
# create_distribution()/create_invalidation() sign with this key id; the request log and
# the dispatch hooks ignore it, so a test sees only the calls of the code under test.
SETUP_ACCESS_KEY_ID = "AKIALOCALSETUP"
# The operations a wait makes (rate_limit's default).
POLLED = ("GetInvalidation", "ListInvalidations", "GetDistribution", "ListDistributions")
# Status logged for a request that got no HTTP answer (its connection was reset).
NO_ANSWER = 0
# How often the serving loop checks for a stop: bounds how long stop()/down() take.
POLL_INTERVAL = 0.05

# --------------------------------------------------------------------------------------
# moto patches
# --------------------------------------------------------------------------------------


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


# The settings live on moto's class, so that two imports of this file (as a script and
# as a module) still share one set.
_SETTINGS_ATTR = "_local_cloudfront_settings"


def endpoint_settings() -> EndpointSettings:
    patch_moto()
    settings: EndpointSettings = getattr(Invalidation, _SETTINGS_ATTR)
    return settings


def server_time() -> float:
    """The server's clock: time.time() shifted by the clock offset (``set_clock_offset()``). It dates
    new invalidations (CreateTime) and tenants, and every answer (the HTTP ``Date`` header); the
    completion delays run on time.time()."""
    return time.time() + endpoint_settings().clock_offset


def _utc_from_epoch(seconds: float) -> datetime.datetime:
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
        self.create_time = _utc_from_epoch(now + settings.clock_offset)
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


def is_setup_request(response: CloudFrontResponse) -> bool:
    """Whether the request comes from the set-up helpers (signed with SETUP_ACCESS_KEY_ID)."""
    match = _CREDENTIAL.search(str(response.headers.get("Authorization", "")))
    return bool(match and match.group(1) == SETUP_ACCESS_KEY_ID)


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


def _page_from_request(response: CloudFrontResponse, items: Sequence[Any]) -> Page:
    marker = response._get_param("Marker") or ""
    return paginate(items, marker, _max_items(response._get_param("MaxItems")))


def _response_list_invalidations(self: CloudFrontResponse) -> ActionResult:
    invalidations = self.backend.list_invalidations(self._get_param("DistributionId"))
    return ActionResult({"InvalidationList": _page_from_request(self, invalidations).as_list()})


def _response_list_distributions(self: CloudFrontResponse) -> ActionResult:
    distributions = self.backend.list_distributions()
    return ActionResult({"DistributionList": _page_from_request(self, distributions).as_list()})


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
    for backend in _backends():
        if backend.distributions.get(self.distribution_id) is self:
            return sum(1 for i in backend.invalidations.get(self.distribution_id, []) if i.status == "InProgress")
    return 0


def _in_progress_set(self: Distribution, value: int) -> None:
    """moto's __init__ assigns 0: the count is always derived."""


# --------------------------------------------------------------------------------------
# Distribution tenants (moto has none)
# --------------------------------------------------------------------------------------

_BASE62 = string.ascii_letters + string.digits


class EntityNotFound(CloudFrontException):
    def __init__(self, what: str = "distribution tenant") -> None:
        super().__init__("EntityNotFound", f"The specified {what} does not exist.")


class DistributionTenant:
    """A tenant of a multi-tenant distribution, with its domains (attributes as moto serializes them)."""

    def __init__(self, distribution: Distribution, name: str, domains: Sequence[str], account_id: str) -> None:
        self.id = "dt_" + "".join(random.choice(_BASE62) for _n in range(27))
        self.distribution_id = distribution.distribution_id
        self.distribution = distribution
        self.name = name
        self.arn = f"arn:aws:cloudfront::{account_id}:distribution-tenant/{self.id}"
        self.domains = [{"Domain": domain.lower(), "Status": "active"} for domain in domains]
        self.connection_group_id = None
        self.tags = None
        self.customizations = None
        self.parameters = None
        self.created_time = self.last_modified_time = _utc_from_epoch(server_time())
        self.enabled = True
        self.status = "Deployed"
        self.etag = random_id()
        self.invalidations: list[TenantInvalidation] = []

    @property
    def e_tag(self) -> str:
        """ListDistributionTenants' summaries carry the ETag (as moto names the attribute)."""
        return self.etag


class TenantInvalidation(Invalidation):
    """An invalidation of a distribution tenant: born InProgress, like a distribution's."""

    # moto's model registry files a model under the service its module names
    __module__ = "moto.cloudfront.models"

    def __init__(self, tenant: DistributionTenant, paths: list[str], caller_ref: str) -> None:
        super().__init__(tenant.distribution, paths, caller_ref)
        self.tenant = tenant

    @property
    def location(self) -> str:
        return (
            f"https://cloudfront.amazonaws.com/2020-05-31/distribution-tenant/{self.tenant.id}/invalidation/{self.id}"
        )


def _tenants(backend: CloudFrontBackend) -> dict[str, DistributionTenant]:
    tenants: dict[str, DistributionTenant] = vars(backend).setdefault("_local_tenants", {})
    return tenants


def _tenant(backend: CloudFrontBackend, identifier: str) -> DistributionTenant:
    """By ID, ARN or name, as GetDistributionTenant takes it."""
    for tenant in _tenants(backend).values():
        if identifier in (tenant.id, tenant.arn, tenant.name):
            return tenant
    raise EntityNotFound()


def _backend_create_distribution_tenant(
    self: CloudFrontBackend, distribution_id: str, name: str, domains: Sequence[str]
) -> DistributionTenant:
    if distribution_id not in self.distributions:
        raise EntityNotFound("distribution")
    taken = {d["Domain"] for t in _tenants(self).values() for d in t.domains}
    if any(domain.lower() in taken for domain in domains):
        raise CloudFrontException("CNAMEAlreadyExists", "One or more of the domains is already in use.")
    tenant = DistributionTenant(self.distributions[distribution_id], name, domains, self.account_id)
    _tenants(self)[tenant.id] = tenant
    return tenant


def _backend_tenant_by_domain(self: CloudFrontBackend, domain: str) -> DistributionTenant:
    wanted = domain.lower().rstrip(".")
    for tenant in _tenants(self).values():
        if any(d["Domain"] == wanted for d in tenant.domains):
            return tenant
    raise EntityNotFound()


def _backend_create_tenant_invalidation(
    self: CloudFrontBackend, tenant_id: str, paths: list[str], caller_ref: str, enforce_limits: bool = True
) -> Invalidation:
    """The rules of a distribution's (create_checked), on the tenant's invalidations (its own limits)."""
    tenant = _tenant(self, tenant_id)

    def make() -> Invalidation:
        invalidation = TenantInvalidation(tenant, paths, caller_ref)
        tenant.invalidations.append(invalidation)
        return invalidation

    return create_checked(tenant.invalidations, tenant.distribution, paths, caller_ref, make, enforce_limits)


def _backend_get_tenant_invalidation(self: CloudFrontBackend, tenant_id: str, invalidation_id: str) -> Invalidation:
    for invalidation in _tenant(self, tenant_id).invalidations:
        if invalidation.id == invalidation_id:
            return invalidation
    raise NoSuchInvalidation


def _response_get_distribution_tenant(self: CloudFrontResponse) -> ActionResult:
    tenant = _tenant(self.backend, self._get_param("Identifier"))
    return ActionResult({"DistributionTenant": tenant, "ETag": tenant.etag})


def _response_get_distribution_tenant_by_domain(self: CloudFrontResponse) -> ActionResult:
    tenant = _backend_tenant_by_domain(self.backend, self._get_param("Domain"))
    return ActionResult({"DistributionTenant": tenant, "ETag": tenant.etag})


def _response_create_distribution_tenant(self: CloudFrontResponse) -> ActionResult:
    domains = [d["Domain"] for d in self._get_param("Domains", [])]
    tenant = _backend_create_distribution_tenant(
        self.backend, self._get_param("DistributionId"), self._get_param("Name"), domains
    )
    return ActionResult({"DistributionTenant": tenant, "ETag": tenant.etag})


def _response_create_tenant_invalidation(self: CloudFrontResponse) -> ActionResult:
    invalidation = _backend_create_tenant_invalidation(
        self.backend,
        self._get_param("Id"),
        self._get_param("InvalidationBatch.Paths.Items", []),
        self._get_param("InvalidationBatch.CallerReference"),
        enforce_limits=not is_setup_request(self),
    )
    return ActionResult({"Invalidation": invalidation, "Location": invalidation.location})


def _response_get_tenant_invalidation(self: CloudFrontResponse) -> ActionResult:
    invalidation = _backend_get_tenant_invalidation(
        self.backend, self._get_param("DistributionTenantId"), self._get_param("Id")
    )
    return ActionResult({"Invalidation": invalidation})


def _response_list_tenant_invalidations(self: CloudFrontResponse) -> ActionResult:
    newest_first = list(reversed(_tenant(self.backend, self._get_param("Id")).invalidations))
    return ActionResult({"InvalidationList": _page_from_request(self, newest_first).as_list()})


def _response_list_distribution_tenants(self: CloudFrontResponse) -> ActionResult:
    """In creation order, paged (MaxItems, default 100; Marker: a tenant's ID), filtered by the
    AssociationFilter's DistributionId (EntityNotFound if there is no such distribution: this
    endpoint's choice) and ConnectionGroupId."""
    distribution_id = self._get_param("AssociationFilter.DistributionId")
    group_id = self._get_param("AssociationFilter.ConnectionGroupId")
    if distribution_id and distribution_id not in self.backend.distributions:
        raise EntityNotFound("distribution")
    tenants = [
        tenant
        for tenant in _tenants(self.backend).values()
        if (not distribution_id or tenant.distribution_id == distribution_id)
        and (not group_id or tenant.connection_group_id == group_id)
    ]
    page = _page_from_request(self, tenants)
    return ActionResult({"DistributionTenantList": page.items, "NextMarker": page.next_marker})


_TENANT_ROUTES = {
    "{0}/2020-05-31/distribution-tenant$": CloudFrontResponse.dispatch,
    "{0}/2020-05-31/distribution-tenants$": CloudFrontResponse.dispatch,
    "{0}/2020-05-31/distribution-tenant/(?P<tenant_id>[^/]+)$": CloudFrontResponse.dispatch,
    "{0}/2020-05-31/distribution-tenant/(?P<tenant_id>[^/]+)/invalidation$": CloudFrontResponse.dispatch,
    "{0}/2020-05-31/distribution-tenant/(?P<tenant_id>[^/]+)/invalidation/(?P<invalidation_id>[^/]+)$": (
        CloudFrontResponse.dispatch
    ),
}


def set_multi_tenant(distribution_id: str) -> None:
    """Make the distribution a multi-tenant one (ConnectionMode tenant-only): its invalidations are
    its tenants'."""
    for backend in _backends():
        distribution = backend.distributions.get(distribution_id)
        if distribution is not None:
            distribution.distribution_config.connection_mode = "tenant-only"
            return
    raise NoSuchDistribution


def is_multi_tenant(distribution: Distribution) -> bool:
    return getattr(distribution.distribution_config, "connection_mode", None) == "tenant-only"


_patch_lock = threading.Lock()


# Called with each role that STS (moto's) hands out: the endpoints register its credentials.
ASSUMED_ROLE_LISTENERS: list[Callable[[str, str, str], None]] = []


def _wrap_assume_role(original: Callable[..., AssumedRole]) -> Callable[..., AssumedRole]:
    @functools.wraps(original)
    def assume_role(self: STSBackend, *args: Any, **kwargs: Any) -> AssumedRole:
        role = original(self, *args, **kwargs)
        for listener in list(ASSUMED_ROLE_LISTENERS):
            listener(role.access_key_id, role.secret_access_key, role.session_token)
        return role

    return assume_role


def patch_moto() -> None:
    """Make moto's CloudFront behave like CloudFront (idempotent)."""
    with _patch_lock:
        if _SETTINGS_ATTR in Invalidation.__dict__:
            return
        STSBackend.assume_role = _wrap_assume_role(STSBackend.assume_role)  # type: ignore[method-assign]
        Invalidation.__init__ = _wrap_invalidation_init(Invalidation.__init__)  # type: ignore[method-assign]
        Invalidation.status = property(_status_get, _status_set)  # type: ignore[assignment]
        CloudFrontBackend.list_invalidations = _backend_list_invalidations  # type: ignore[method-assign]
        CloudFrontBackend.create_invalidation = _wrap_backend_create_invalidation(  # type: ignore[method-assign]
            CloudFrontBackend.create_invalidation
        )
        CloudFrontResponse.create_invalidation = _response_create_invalidation  # type: ignore[method-assign]
        CloudFrontResponse.list_invalidations = _response_list_invalidations  # type: ignore[method-assign]
        CloudFrontResponse.list_distributions = _response_list_distributions  # type: ignore[method-assign]
        # distribution tenants: their routes (before moto's app is made), and their operations
        cloudfront_urls.url_paths.update(_TENANT_ROUTES)
        tenant_operations = {
            "get_distribution_tenant": _response_get_distribution_tenant,
            "get_distribution_tenant_by_domain": _response_get_distribution_tenant_by_domain,
            "create_distribution_tenant": _response_create_distribution_tenant,
            "create_invalidation_for_distribution_tenant": _response_create_tenant_invalidation,
            "get_invalidation_for_distribution_tenant": _response_get_tenant_invalidation,
            "list_invalidations_for_distribution_tenant": _response_list_tenant_invalidations,
            "list_distribution_tenants": _response_list_distribution_tenants,
        }
        for name, operation in tenant_operations.items():
            setattr(CloudFrontResponse, name, operation)
        Distribution.in_progress_invalidation_batches = property(  # type: ignore[assignment]
            _in_progress_get, _in_progress_set
        )
        # CloudFront's DistributionSummary carries these; moto keeps them only in the config.
        for attribute, key in _SUMMARY_FROM_CONFIG:
            setattr(Distribution, attribute, property(functools.partial(_config_value, key=key)))
        # Real CloudFront has this error; botocore's model does not, and moto warns.
        warnings.filterwarnings("ignore", message=r"Exception\(InvalidationBatchAlreadyExists\)", category=UserWarning)
        setattr(Invalidation, _SETTINGS_ATTR, EndpointSettings(DEFAULT_DELAY))


patch_moto()


def _backends() -> Iterable[CloudFrontBackend]:
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
    for backend in _backends():
        distribution = backend.distributions.get(distribution_id)
        if distribution is None:
            continue
        now = server_time()
        made = []
        for n in range(count):
            invalidation = Invalidation(distribution, ["/*"], f"local-cloudfront-history-{uuid.uuid4()}")
            invalidation.create_time = _utc_from_epoch(now - 60 * (count - n))
            set_completion_time(invalidation, 0.0 if completed else math.inf)
            made.append(invalidation)
        backend.invalidations[distribution_id] = made + backend.invalidations.get(distribution_id, [])
        return [invalidation.id for invalidation in made]
    raise NoSuchDistribution


def find_invalidation(invalidation_id: str) -> Invalidation:
    """A distribution's or a distribution tenant's."""
    for backend in _backends():
        for invalidations in [*backend.invalidations.values(), *(t.invalidations for t in _tenants(backend).values())]:
            for invalidation in invalidations:
                if invalidation.id == invalidation_id:
                    return invalidation
    raise UnknownInvalidation(invalidation_id)


# --------------------------------------------------------------------------------------
# Naming requests: CloudFront operation from method + path, access key id
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Route:
    operation: str
    method: str
    segments: tuple[str | None, ...]  # None: a {placeholder}
    query: tuple[tuple[str, str], ...]  # literal query keys (value "" = any)

    def matches(self, method: str, segments: Sequence[str], query: dict[str, list[str]]) -> bool:
        if method != self.method or len(segments) != len(self.segments):
            return False
        if any(want is not None and want != got for want, got in zip(self.segments, segments, strict=True)):
            return False
        return all(key in query and (not value or value in query[key]) for key, value in self.query)

    @property
    def specificity(self) -> tuple[int, int]:
        return len(self.query), sum(segment is not None for segment in self.segments)


def _route(operation: str, method: str, request_uri: str) -> _Route:
    path, query = (request_uri.split("?", 1) + [""])[:2]
    segments = tuple(None if re.fullmatch(r"\{[^}]+\}", part) else part for part in path.strip("/").split("/"))
    return _Route(operation, method, segments, tuple(urllib.parse.parse_qsl(query, keep_blank_values=True)))


@functools.cache
def _routes() -> tuple[_Route, ...]:
    model = botocore.session.get_session().get_service_model("cloudfront")
    http = {name: model.operation_model(name).http for name in model.operation_names}
    return tuple(_route(name, spec["method"], spec["requestUri"]) for name, spec in http.items())


def is_operation(name: str) -> bool:
    """Whether ``name`` is a CloudFront operation of botocore's model."""
    return any(route.operation == name for route in _routes())


def operation_name(method: str, path: str, query_string: str = "") -> str | None:
    """The CloudFront operation a request is for, from botocore's model of the API."""
    segments = path.strip("/").split("/")
    query = urllib.parse.parse_qs(query_string, keep_blank_values=True)
    candidates = [route for route in _routes() if route.matches(method, segments, query)]
    if not candidates:
        return None
    return max(candidates, key=lambda route: route.specificity).operation


_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/")


def access_key_id(environ: WSGIEnvironment) -> str | None:
    """The access key id of a SigV4 request: never the signature or a secret."""
    match = _CREDENTIAL.search(environ.get("HTTP_AUTHORIZATION", ""))
    if match:
        return match.group(1)
    credential = urllib.parse.parse_qs(environ.get("QUERY_STRING", "")).get("X-Amz-Credential")
    return credential[0].split("/", 1)[0] if credential else None


_SCOPE = re.compile(r"Credential=[^/,\s]+/\d{8}/[^/]+/([^/]+)/aws4_request")


def signed_service(environ: WSGIEnvironment) -> str | None:
    """The service a SigV4 request was signed for, from its credential scope (None: unsigned)."""
    match = _SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
    return match.group(1) if match else None


def has_session_token(environ: WSGIEnvironment) -> bool:
    """Whether a SigV4 request carries a session token (header, or query for presigned URLs)."""
    query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
    return bool(environ.get("HTTP_X_AMZ_SECURITY_TOKEN") or query.get("X-Amz-Security-Token"))


# --------------------------------------------------------------------------------------
# Request log
# --------------------------------------------------------------------------------------


@dataclass
class RequestRecord:
    time: float
    method: str
    path: str
    operation: str | None
    access_key_id: str | None
    status: int | None = None  # None while the request is in flight; NO_ANSWER (0): connection reset
    # the client's port: requests of one kept-alive connection share it
    connection: int | None = None
    # whether the request carried a session token (never the token itself)
    session_token: bool = False
    # the query string (paging: MaxItems, Marker)
    query: str = ""
    # the AWS service the request was signed for (its credential scope): cloudfront, sts
    service: str | None = None
    # lose_answers(): the status of the answer that was made (the request carried out) and never sent
    # (status NO_ANSWER); None otherwise
    lost_answer: int | None = None

    @classmethod
    def from_environ(cls, environ: WSGIEnvironment) -> RequestRecord:
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "")
        port = environ.get("REMOTE_PORT")
        return cls(
            time=time.time(),
            method=method,
            path=path,
            operation=operation_name(method, path, environ.get("QUERY_STRING", "")),
            access_key_id=access_key_id(environ),
            connection=int(port) if port else None,
            session_token=has_session_token(environ),
            query=environ.get("QUERY_STRING", ""),
            service=signed_service(environ),
        )


class RequestLog:
    """Thread-safe log of the AWS requests served, in order of arrival."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[RequestRecord] = []

    def add(self, record: RequestRecord) -> None:
        with self._lock:
            self._records.append(record)

    def set_status(self, record: RequestRecord, status: int) -> None:
        with self._lock:
            record.status = status

    def entries(self, operation: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [asdict(r) for r in self._records if operation is None or r.operation == operation]

    def clear(self) -> int:
        with self._lock:
            count = len(self._records)
            self._records.clear()
            return count


# --------------------------------------------------------------------------------------
# Controller: what the Python API and the HTTP control API both do
# --------------------------------------------------------------------------------------


class ControlError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _seconds(payload: dict[str, Any], key: str) -> float:
    value = payload.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        raise ControlError(400, f"{key} must be a finite number of seconds >= 0, not {value!r}")
    return float(value)


def _count(payload: dict[str, Any], key: str, default: int | None) -> int | None:
    value = payload.get(key, default)
    if value is None and default is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ControlError(400, f"{key} must be an integer >= 1, not {value!r}")
    return value


def _operation(payload: dict[str, Any]) -> str:
    value = payload.get("operation")
    if not isinstance(value, str) or not is_operation(value):
        raise ControlError(400, f"operation must name a CloudFront operation (e.g. GetInvalidation), not {value!r}")
    return value


def _error_fault(payload: dict[str, Any]) -> dict[str, Any]:
    status, code = payload.get("status"), payload.get("code")
    if isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 599:
        raise ControlError(400, f"status must be an HTTP error status (400-599), not {status!r}")
    if not isinstance(code, str) or not code:
        raise ControlError(400, f"code must be an error code (e.g. ServiceUnavailable), not {code!r}")
    message = str(payload.get("message", code))
    return {
        "operation": _operation(payload),
        "status": status,
        "code": code,
        "message": message,
        "count": _count(payload, "count", None),
    }


class Controller:
    def __init__(self, default_delay: float) -> None:
        self.initial_delay = default_delay
        self.log = RequestLog()
        self.errors = ErrorAnswers()
        self.signatures = SignatureCheck()
        self.rate_limits = RateLimits()
        self.resets = ConnectionResets()
        self.losses = LostAnswers()
        self.stalls = Stalls()
        # The listening server, while started (set by LocalCloudFront): outages stop and restart it.
        self.listener: Listener | None = None

    def reset(self) -> None:
        reset_moto_cloudfront()
        self.log.clear()
        self.clear_faults()
        settings = endpoint_settings()
        settings.default_delay = self.initial_delay
        settings.clock_offset = 0.0
        settings.limits = InvalidationLimits()

    def clear_faults(self) -> None:
        """End every fault: errors, rate limits, resets, lost answers, stalls (those in progress are answered
        now), outage."""
        self.errors.clear()
        self.rate_limits.clear()
        self.resets.clear()
        self.losses.clear()
        self.stalls.clear()
        listener = self.listener
        if listener is not None:
            listener.up()

    def outage(self, seconds: float) -> None:
        if self.listener is None:
            raise RuntimeError("LocalCloudFront is not started")
        self.listener.outage(seconds)

    def set_default_delay(self, seconds: float) -> None:
        endpoint_settings().default_delay = seconds

    def set_clock_offset(self, seconds: float) -> None:
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not math.isfinite(seconds):
            raise ValueError(f"the clock offset must be a finite number of seconds, not {seconds!r}")
        endpoint_settings().clock_offset = float(seconds)

    def set_invalidation_limits(self, paths: int, wildcards: int) -> None:
        _check_count(paths)
        _check_count(wildcards)
        endpoint_settings().limits = InvalidationLimits(paths, wildcards)

    def complete_in(self, invalidation_id: str, seconds: float) -> Invalidation:
        invalidation = find_invalidation(invalidation_id)
        set_completion_time(invalidation, time.time() + seconds)
        return invalidation

    def health(self) -> dict[str, Any]:
        return {"status": "ok", "default_delay": endpoint_settings().default_delay}

    def config(self) -> dict[str, Any]:
        """health(), with the clock offset and the invalidation limits."""
        settings = endpoint_settings()
        return {**self.health(), "clock_offset": settings.clock_offset, "invalidation_limits": asdict(settings.limits)}


# --------------------------------------------------------------------------------------
# HTTP control API under /_local_cloudfront/
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ControlRequest:
    method: str
    path: str  # below CONTROL_PREFIX, e.g. "requests" or "invalidations/I2EXAMPLE"
    query: dict[str, list[str]]
    body: dict[str, Any]


ControlHandler = Callable[[ControlRequest], dict[str, Any]]


def _read_json(environ: WSGIEnvironment) -> dict[str, Any]:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise ControlError(400, "bad Content-Length") from None
    raw = environ["wsgi.input"].read(length) if length else b""
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ControlError(400, f"body is not JSON: {error}") from None
    if not isinstance(body, dict):
        raise ControlError(400, "body must be a JSON object")
    return body


class ControlAPI:
    """JSON in, JSON out. New routes (faults, ...) go into ``routes``."""

    def __init__(self, controller: Controller) -> None:
        self.controller = controller
        self.routes: dict[tuple[str, str], ControlHandler] = {
            ("GET", "health"): lambda request: controller.health(),
            ("GET", "requests"): self._requests,
            ("DELETE", "requests"): lambda request: {"cleared": controller.log.clear()},
            ("POST", "reset"): self._reset,
            ("GET", "config"): lambda request: controller.config(),
            ("POST", "config"): self._config,
            ("POST", "faults"): self._fault,
            ("DELETE", "faults"): self._clear_faults,
        }
        self.prefix_routes: dict[tuple[str, str], ControlHandler] = {
            ("POST", "invalidations/"): self._complete_in,
        }

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        try:
            request = ControlRequest(
                method=environ.get("REQUEST_METHOD", "GET"),
                path=environ.get("PATH_INFO", "")[len(CONTROL_PREFIX) :].strip("/"),
                query=urllib.parse.parse_qs(environ.get("QUERY_STRING", "")),
                body=_read_json(environ),
            )
            status, payload = 200, self._handler(request)(request)
        except ControlError as error:
            status, payload = error.status, {"error": error.message}
        return _json_response(start_response, status, payload)

    def _handler(self, request: ControlRequest) -> ControlHandler:
        handler = self.routes.get((request.method, request.path))
        if handler is not None:
            return handler
        for (method, prefix), prefix_handler in self.prefix_routes.items():
            if request.method == method and request.path.startswith(prefix):
                return prefix_handler
        known = {route[1] for route in self.routes} | {route[1] for route in self.prefix_routes}
        if request.path in known or any(request.path.startswith(p) for p in known if p.endswith("/")):
            raise ControlError(405, f"{request.method} is not allowed on {request.path}")
        raise ControlError(404, f"no control endpoint {request.path!r}")

    def _requests(self, request: ControlRequest) -> dict[str, Any]:
        operation = request.query.get("operation", [None])[0]
        return {"requests": self.controller.log.entries(operation)}

    def _reset(self, request: ControlRequest) -> dict[str, Any]:
        self.controller.reset()
        return self.controller.health()

    def _config(self, request: ControlRequest) -> dict[str, Any]:
        """Any of ``default_delay`` (seconds >= 0), ``clock_offset`` (seconds, either way) and
        ``invalidation_limits`` (``{"paths": 3000, "wildcards": 15}``, either may be left out: its
        default); answers with the whole configuration (``GET config``)."""
        body, known = request.body, {"default_delay", "clock_offset", "invalidation_limits"}
        if not body or set(body) - known:
            raise ControlError(400, f"config takes {', '.join(sorted(known))}; not {sorted(set(body) - known)!r}")
        delay = _seconds(body, "default_delay") if "default_delay" in body else None
        offset = body.get("clock_offset", 0.0)
        if isinstance(offset, bool) or not isinstance(offset, int | float) or not math.isfinite(offset):
            raise ControlError(400, f"clock_offset must be a finite number of seconds, not {offset!r}")
        limits = body.get("invalidation_limits", {})
        if not isinstance(limits, dict) or set(limits) - {"paths", "wildcards"}:
            raise ControlError(400, f'invalidation_limits must be {{"paths": N, "wildcards": N}}, not {limits!r}')
        paths = _count(limits, "paths", DEFAULT_PATH_LIMIT) or DEFAULT_PATH_LIMIT
        wildcards = _count(limits, "wildcards", DEFAULT_WILDCARD_LIMIT) or DEFAULT_WILDCARD_LIMIT
        if delay is not None:
            self.controller.set_default_delay(delay)
        if "clock_offset" in body:
            self.controller.set_clock_offset(offset)
        if "invalidation_limits" in body:
            self.controller.set_invalidation_limits(paths, wildcards)
        return self.controller.config()

    def _fault(self, request: ControlRequest) -> dict[str, Any]:
        """``{"kind": ...}``: reset (operation, count=1), lose (operation, count=1), stall (operation,
        seconds, count=1), outage (seconds), throttle (operation, count=1), error (operation, status,
        code, message=code, count=None: until cleared), rate (rate, burst=rate, operations=the polled
        ones, shared=false: until cleared). Answers with the fault as understood."""
        body, errors = request.body, self.controller.errors
        kind = body.get("kind")
        if kind == "outage":
            fault: dict[str, Any] = {"seconds": _seconds(body, "seconds")}
            self.controller.outage(fault["seconds"])
        elif kind == "reset":
            fault = {"operation": _operation(body), "count": _count(body, "count", 1)}
            self.controller.resets.set(fault["operation"], fault["count"])
        elif kind == "lose":
            fault = {"operation": _operation(body), "count": _count(body, "count", 1)}
            self.controller.losses.set(fault["operation"], fault["count"])
        elif kind == "stall":
            fault = {
                "operation": _operation(body),
                "count": _count(body, "count", 1),
                "seconds": _seconds(body, "seconds"),
            }
            self.controller.stalls.set(fault["operation"], fault["count"], fault["seconds"])
        elif kind == "throttle":
            fault = {"operation": _operation(body), "count": _count(body, "count", 1)}
            errors.set(fault["operation"], 400, "Throttling", "Rate exceeded", fault["count"])
        elif kind == "rate":
            rate = _seconds(body, "rate")
            burst = _seconds(body, "burst") if "burst" in body else max(1.0, rate)
            operations = body.get("operations", list(POLLED))
            if not isinstance(operations, list) or not operations:
                raise ControlError(400, f"operations must be a list of CloudFront operations, not {operations!r}")
            fault = {"rate": rate, "burst": burst, "operations": [_operation({"operation": o}) for o in operations]}
            fault["shared"] = bool(body.get("shared", False))
            try:
                self.controller.rate_limits.set(rate, burst, fault["operations"], fault["shared"])
            except ValueError as error:
                raise ControlError(400, str(error)) from None
        elif kind == "error":
            fault = _error_fault(body)
            errors.set(fault["operation"], fault["status"], fault["code"], fault["message"], fault["count"])
        else:
            raise ControlError(
                400, f"kind must be one of reset, lose, stall, outage, throttle, error, rate; not {kind!r}"
            )
        return {"fault": {"kind": kind, **fault}}

    def _clear_faults(self, request: ControlRequest) -> dict[str, Any]:
        self.controller.clear_faults()
        return self.controller.health()

    def _complete_in(self, request: ControlRequest) -> dict[str, Any]:
        invalidation_id = request.path.split("/", 1)[1]
        seconds = _seconds(request.body, "complete_in")
        try:
            invalidation = self.controller.complete_in(invalidation_id, seconds)
        except UnknownInvalidation as error:
            raise ControlError(404, str(error)) from None
        return {"id": invalidation.id, "status": invalidation.status, "complete_at": completion_time(invalidation)}


def _json_response(start_response: StartResponse, status: int, payload: dict[str, Any]) -> list[bytes]:
    body = json.dumps(payload).encode()
    reason = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed"}.get(status, "")
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    start_response(f"{status} {reason}", headers)
    return [body]


# --------------------------------------------------------------------------------------
# Middleware: log AWS requests, run dispatch hooks, serve the control API
# --------------------------------------------------------------------------------------


class DispatchHook(Protocol):
    """Called before each AWS request is dispatched to moto.

    Return a WSGI application to answer the request instead of moto (e.g. a canned
    Throttling 400 or a 503), or None to let moto answer. A hook may also sleep (stall)
    or raise. This is the seam for fault injection.
    """

    def __call__(self, record: RequestRecord, environ: WSGIEnvironment) -> WSGIApplication | None: ...


def error_app(status: int, code: str, message: str) -> WSGIApplication:
    """A WSGI app answering with a CloudFront error document."""
    body = (
        '<?xml version="1.0"?>\n<ErrorResponse xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">'
        f"<Error><Type>{'Sender' if status < 500 else 'Receiver'}</Type><Code>{code}</Code>"
        f"<Message>{message}</Message></Error><RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>"
    ).encode()
    reason = {400: "Bad Request", 403: "Forbidden", 500: "Internal Server Error", 503: "Service Unavailable"}

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        headers = [("Content-Type", "text/xml"), ("Content-Length", str(len(body)))]
        start_response(f"{status} {reason.get(status, 'Error')}", headers)
        return [body]

    return app


RuleT = TypeVar("RuleT")


class CountedRules(Generic[RuleT]):
    """Thread-safe rules per operation, each good for ``count`` requests (None: until cleared)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: dict[str, tuple[RuleT, int | None]] = {}

    def set(self, operation: str, rule: RuleT, count: int | None) -> None:
        """Replace the rule of ``operation`` (and its count)."""
        with self._lock:
            self._rules[operation] = (rule, count)

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def take(self, operation: str | None) -> RuleT | None:
        """The rule for a request of ``operation``, counted as used; None if there is none."""
        key = operation or ""
        with self._lock:
            entry = self._rules.get(key)
            if entry is None:
                return None
            rule, count = entry
            if count is not None:
                if count <= 1:
                    del self._rules[key]
                else:
                    self._rules[key] = (rule, count - 1)
            return rule


def _check_count(count: int) -> None:
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValueError(f"count must be an integer >= 1, not {count!r}")


def _check_seconds(seconds: float) -> None:
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"seconds must be a finite number >= 0, not {seconds!r}")


def _check_operation(operation: str) -> None:
    if not is_operation(operation):
        raise ValueError(f"not a CloudFront operation: {operation!r}")


class ErrorAnswers:
    """Dispatch hook: answer chosen operations with an AWS error instead of moto (until reset)."""

    def __init__(self) -> None:
        self._rules: CountedRules[WSGIApplication] = CountedRules()

    def set(self, operation: str, status: int, code: str, message: str, count: int | None = None) -> None:
        """Answer ``operation`` with the error ``count`` times (None: until cleared)."""
        self._rules.set(operation, error_app(status, code, message), count)

    def clear(self) -> None:
        self._rules.clear()

    def __call__(self, record: RequestRecord, environ: WSGIEnvironment) -> WSGIApplication | None:
        return self._rules.take(record.operation)


class ResetConnection(ConnectionError):
    """Raised by a dispatch hook: no HTTP answer, the connection is reset (RST) instead.

    A ``ConnectionError``, so that werkzeug hands it to ``connection_dropped()`` of the
    request handler (``FaultRequestHandler``), which aborts the connection."""


class ConnectionResets:
    """Dispatch hook: reset the connection of the next ``count`` requests of an operation."""

    def __init__(self) -> None:
        self._rules: CountedRules[str] = CountedRules()

    def set(self, operation: str, count: int) -> None:
        _check_operation(operation)
        _check_count(count)
        self._rules.set(operation, f"injected connection reset ({operation})", count)

    def clear(self) -> None:
        self._rules.clear()

    def __call__(self, record: RequestRecord, environ: WSGIEnvironment) -> WSGIApplication | None:
        reason = self._rules.take(record.operation)
        if reason is not None:
            raise ResetConnection(reason)
        return None


class LostAnswer(ResetConnection):
    """Raised once the request is carried out: its answer is lost (the connection is reset)."""


class LostAnswers:
    """Dispatch hook (``hook(backend)``): carry out the next ``count`` requests of an operation (the
    backend answers them) and then reset the connection instead of sending the answer, as when an
    answer is lost on the way back; the record's ``lost_answer`` is the status that was not sent."""

    def __init__(self) -> None:
        self._rules: CountedRules[str] = CountedRules()

    def set(self, operation: str, count: int) -> None:
        _check_operation(operation)
        _check_count(count)
        self._rules.set(operation, f"injected lost answer ({operation})", count)

    def clear(self) -> None:
        self._rules.clear()

    def hook(self, backend: WSGIApplication) -> DispatchHook:
        """The dispatch hook, carrying out the requests on ``backend``."""

        def lose(record: RequestRecord, environ: WSGIEnvironment) -> WSGIApplication | None:
            reason = self._rules.take(record.operation)
            return None if reason is None else self._carry_out_then_reset(backend, record, reason)

        return lose

    @staticmethod
    def _carry_out_then_reset(backend: WSGIApplication, record: RequestRecord, reason: str) -> WSGIApplication:
        def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
            statuses: list[int] = []

            def keep_status(
                status: str, headers: list[tuple[str, str]], exc_info: Any = None
            ) -> Callable[[bytes], Any]:
                statuses.append(int(status.split(" ", 1)[0]))
                return lambda data: None

            body = backend(environ, keep_status)
            try:
                for _chunk in body:
                    pass
            finally:
                close = getattr(body, "close", None)
                if close is not None:
                    close()
            record.lost_answer = statuses[-1] if statuses else None
            raise LostAnswer(reason)

        return app


class Stalls:
    """Dispatch hook: hold the next ``count`` requests of an operation ``seconds`` before
    they are answered (in their own server thread: other requests are served meanwhile).

    ``release()`` ends the stalls in progress at once (stop(), reset()); later stalls wait again."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: CountedRules[float] = CountedRules()
        self._released = threading.Event()

    def set(self, operation: str, count: int, seconds: float) -> None:
        _check_operation(operation)
        _check_count(count)
        _check_seconds(seconds)
        self._rules.set(operation, float(seconds), count)

    def release(self) -> None:
        with self._lock:
            self._release_locked()

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()
            self._release_locked()

    def _release_locked(self) -> None:
        self._released.set()
        self._released = threading.Event()

    def __call__(self, record: RequestRecord, environ: WSGIEnvironment) -> WSGIApplication | None:
        with self._lock:  # the rule and the event together: a release cannot fall in between
            seconds = self._rules.take(record.operation)
            released = self._released
        if seconds is not None:
            released.wait(seconds)
        return None


def bounded_input(environ: WSGIEnvironment) -> None:
    """Give the application the request body only (Content-Length bytes), not the connection's
    stream: on a kept-alive connection the next request follows it."""
    if "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
        return  # werkzeug's DechunkedInput ends with the body
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    environ["wsgi.input"] = LimitedStream(environ["wsgi.input"], length)


def drained(environ: WSGIEnvironment, body: Iterable[bytes]) -> Iterable[bytes]:
    """The answer ``body``, once what the application left of the request body is read: on a
    kept-alive connection, unread bytes would be taken for the next request."""
    stream = environ.get("wsgi.input")
    if isinstance(stream, LimitedStream):
        with contextlib.suppress(OSError, ValueError):
            stream.exhaust()
    return body


class TokenBucket:
    """``rate`` tokens a second, ``burst`` at most; a request takes one, or finds none."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self.updated = time.monotonic()
        self.taken = 0
        self.refused = 0

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            self.taken += 1
            return True
        self.refused += 1
        return False


class RateLimits:
    """Dispatch hook: the account's rate limits, as AWS counts them (per operation, for every
    caller of the account alike): a token bucket per operation, or one shared by several; a
    request that finds its bucket empty is answered Throttling (400, "Rate exceeded")."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._buckets: dict[str, TokenBucket] = {}

    def set(self, rate: float, burst: float, operations: Sequence[str], shared: bool = False) -> None:
        _check_seconds(rate)
        if rate <= 0 or burst < 1:
            raise ValueError(f"rate must be > 0 and burst >= 1, not {rate!r}, {burst!r}")
        for operation in operations:
            _check_operation(operation)
        with self._lock:
            common = TokenBucket(rate, burst)
            for operation in operations:
                self._buckets[operation] = common if shared else TokenBucket(rate, burst)

    def clear(self) -> None:
        with self._lock:
            self._buckets.clear()

    def counts(self) -> dict[str, dict[str, int]]:
        """Per operation: the requests its bucket let through and those it refused."""
        with self._lock:
            return {op: {"taken": b.taken, "refused": b.refused} for op, b in self._buckets.items()}

    def __call__(self, record: RequestRecord, environ: WSGIEnvironment) -> WSGIApplication | None:
        with self._lock:
            bucket = self._buckets.get(record.operation or "")
            allowed = bucket is None or bucket.take()
        return None if allowed else error_app(400, "Throttling", "Rate exceeded")


_AUTHORIZATION = re.compile(
    r"AWS4-HMAC-SHA256 Credential=(?P<key>[^/]+)/(?P<date>\d{8})/(?P<region>[^/]+)/(?P<service>[^/]+)/aws4_request,"
    r"\s*SignedHeaders=(?P<headers>[^,]+),\s*Signature=(?P<signature>[0-9a-f]+)"
)


def _header(environ: WSGIEnvironment, name: str) -> str | None:
    key = name.upper().replace("-", "_")
    value = environ.get(key) if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else environ.get(f"HTTP_{key}")
    return None if value is None else str(value)


def expected_signature(environ: WSGIEnvironment, body: bytes, secret: str, token: str | None) -> str | None:
    """The SigV4 signature of the request, as botocore makes it with this secret (None: not signed
    with SigV4). The request is rebuilt from what was signed: method, path, query, the signed
    headers and the body."""
    match = _AUTHORIZATION.match(environ.get("HTTP_AUTHORIZATION", ""))
    if not match:
        return None
    signed = match["headers"].split(";")
    headers = {name: _header(environ, name) or "" for name in signed}
    raw_uri = environ.get("RAW_URI") or environ.get("REQUEST_URI") or environ.get("PATH_INFO", "")
    url = f"{environ.get('wsgi.url_scheme', 'http')}://{environ.get('HTTP_HOST', '')}{raw_uri}"
    request = AWSRequest(method=environ.get("REQUEST_METHOD", "GET"), url=url, headers=headers, data=body)
    request.context["timestamp"] = headers.get("x-amz-date", "")
    signer = SigV4Auth(Credentials(match["key"], secret, token), match["service"], match["region"])
    canonical = signer.canonical_request(request)
    return str(signer.signature(signer.string_to_sign(request, canonical), request))


class SignatureCheck:
    """Dispatch hook: every request must be signed (SigV4) with a registered access key and its
    secret key, and carry the key's session token when one was registered, as AWS checks:
    ``MissingAuthenticationToken`` (403) for an unsigned request, ``InvalidClientTokenId`` (403)
    for a key AWS does not know or a missing token, ``SignatureDoesNotMatch`` (403) for another
    secret."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._keys: dict[str, tuple[str, str | None]] = {}

    def register(self, access_key_id: str, secret: str, token: str | None = None) -> None:
        with self._lock:
            self._keys[access_key_id] = (secret, token)

    def forget(self) -> None:
        with self._lock:
            self._keys.clear()

    def __call__(self, record: RequestRecord, environ: WSGIEnvironment) -> WSGIApplication | None:
        match = _AUTHORIZATION.match(environ.get("HTTP_AUTHORIZATION", ""))
        if not match:
            return error_app(403, "MissingAuthenticationToken", "Missing Authentication Token")
        with self._lock:
            known = self._keys.get(match["key"])
        if known is None:
            return error_app(403, "InvalidClientTokenId", "The security token included in the request is invalid.")
        secret, token = known
        if token is not None and environ.get("HTTP_X_AMZ_SECURITY_TOKEN") != token:
            return error_app(403, "InvalidClientTokenId", "The security token included in the request is invalid.")
        stream = environ["wsgi.input"]
        body = stream.read()
        environ["wsgi.input"] = LimitedStream(io.BytesIO(body), len(body))
        if expected_signature(environ, body, secret, token) != match["signature"]:
            return error_app(
                403,
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided. Check your"
                " AWS Secret Access Key and signing method.",
            )
        return None


class TemporaryKeyCheck:
    """Dispatch hook: refuse a temporary access key (``ASIA...``) that comes without its session
    token, as AWS does (InvalidClientTokenId, 403)."""

    def __call__(self, record: RequestRecord, environ: WSGIEnvironment) -> WSGIApplication | None:
        if (record.access_key_id or "").startswith("ASIA") and not record.session_token:
            return error_app(403, "InvalidClientTokenId", "The security token included in the request is invalid.")
        return None


@dataclass
class LocalCloudFrontMiddleware:
    backend: WSGIApplication
    control: WSGIApplication
    log: RequestLog
    dispatch_hooks: list[DispatchHook] = field(default_factory=list)
    # Set-up traffic (the helpers' key id) goes straight to moto: it is neither logged
    # nor subject to dispatch hooks, so a test sees only the calls of the code under test.
    setup_access_key_id: str = SETUP_ACCESS_KEY_ID

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        bounded_input(environ)
        if environ.get("PATH_INFO", "").startswith(CONTROL_PREFIX):
            return drained(environ, self.control(environ, start_response))
        if access_key_id(environ) == self.setup_access_key_id:
            return drained(environ, self.backend(environ, start_response))
        record = RequestRecord.from_environ(environ)
        self.log.add(record)

        def recording_start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            self.log.set_status(record, int(status.split(" ", 1)[0]))
            return start_response(status, headers, exc_info)

        try:
            return drained(environ, self._choose_app(record, environ)(environ, recording_start_response))
        except ResetConnection:  # recorded, then re-raised: the request handler resets the connection
            self.log.set_status(record, NO_ANSWER)
            raise
        except BaseException:  # recorded, then re-raised: werkzeug answers 500 or drops the connection
            self.log.set_status(record, 500)
            raise

    def _choose_app(self, record: RequestRecord, environ: WSGIEnvironment) -> WSGIApplication:
        for hook in self.dispatch_hooks:
            replacement = hook(record, environ)
            if replacement is not None:
                return replacement
        return self.backend


# --------------------------------------------------------------------------------------
# Server and Python API
# --------------------------------------------------------------------------------------


def abort_connection(connection: socket.socket) -> None:
    """Close with SO_LINGER 0, so that the peer gets a TCP reset (RST) rather than a FIN."""
    with contextlib.suppress(OSError):
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    # The socket closes for real when the handler closes its rfile, before socketserver's
    # shutdown_request() (whose shutdown(SHUT_WR) would send a FIN) finds it closed.
    connection.close()


class _NoLeftovers:
    """Stands for the ``selectors`` module in werkzeug.serving, whose ``run_wsgi`` reads whatever
    the client sent after a request before closing the connection, which would swallow the next
    request of a kept-alive one (and hang reading it). The middleware reads the rest of each
    request body itself (``drained``), so there is never anything left to throw away."""

    EVENT_READ = selectors.EVENT_READ

    class DefaultSelector:
        def register(self, fileobj: Any, events: int, data: Any = None) -> None:
            return None

        def select(self, timeout: float | None = None) -> list[Any]:
            return []

        def close(self) -> None:
            return None


werkzeug.serving.selectors = _NoLeftovers  # type: ignore[assignment]


class FaultRequestHandler(WSGIRequestHandler):
    """Keeps connections alive (HTTP/1.1), as CloudFront does; resets the connection, without
    an HTTP answer, when the application raises ResetConnection.

    werkzeug's development server closes every connection ("Connection: close"), because
    http.server cannot skip a request body the application left unread; the middleware reads
    what is left of every body (``drained``), so the next request of a connection starts clean.
    """

    protocol_version = "HTTP/1.1"

    server: LocalServer

    def send_header(self, keyword: str, value: str) -> None:
        if keyword.lower() == "connection" and value.lower() == "close" and not self.server.closing:
            return  # kept alive, unless the client asked to close (http.server reads its header)
        super().send_header(keyword, value)

    def parse_request(self) -> bool:
        # a request line has been read: the connection is busy until its answer is sent
        self.server.request_started(self.connection)
        return super().parse_request()

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        finally:
            self.server.request_ended(self.connection)

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The ``Date`` header of every answer (errors too): the server's clock (``server_time()``)."""
        return super().date_time_string(server_time() if timestamp is None else timestamp)

    def connection_dropped(self, error: BaseException, environ: WSGIEnvironment | None = None) -> None:
        if isinstance(error, ResetConnection):
            self.close_connection = True
            abort_connection(self.connection)


class QuietRequestHandler(FaultRequestHandler):
    """No per-request access log; errors are still reported."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return


class PortUnavailable(RuntimeError):
    """The port cannot be listened on (werkzeug would sys.exit())."""


class LocalServer(ThreadedWSGIServer):
    """werkzeug's threaded server, raising PortUnavailable where werkzeug exits the process, and
    knowing its open connections (kept alive), so that closing it closes them too."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._connections_lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._busy: set[socket.socket] = set()  # reading a request or answering it
        self.closing = False  # answers from now on say "Connection: close"
        super().__init__(*args, **kwargs)

    def server_bind(self) -> None:
        try:
            super().server_bind()
        except OSError as error:
            raise PortUnavailable(f"cannot listen on {self.server_address}: {error}") from error

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        # werkzeug writes the status line, the headers and the body apart: without this, on a
        # kept-alive connection, Nagle's algorithm and delayed ACKs hold each answer 40 ms
        with contextlib.suppress(OSError):
            request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
            self._busy.discard(request)
        super().shutdown_request(request)

    def request_started(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._busy.add(connection)

    def request_ended(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._busy.discard(connection)

    def close_connections(self) -> None:
        """End the open connections: a request in progress is still answered ("Connection: close"),
        then the connection closes; an idle one (kept alive) is shut both ways before this returns,
        so that its client sees it closed (FIN) and does not send its next request on it: the
        handler thread closes it later, and a request sent in between would meet a reset."""
        with self._connections_lock:
            self.closing = True
            for connection in self._connections:
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RD if connection in self._busy else socket.SHUT_RDWR)


class Listener:
    """The listening HTTP server of a LocalCloudFront. It can go down (the listening socket
    closed: connections are refused) and come back on the same port; the state (moto's, the
    log, the faults) lives in the process and is kept. Requests already accepted are answered.
    """

    def __init__(
        self, host: str, port: int, app: WSGIApplication, handler: type[WSGIRequestHandler], tls: tuple[str, str] | None
    ) -> None:
        self.host = host
        self.port = port
        self.app = app
        self.handler = handler
        self.tls = tls
        self.address = ""  # host:port, once started
        self._lock = threading.Lock()
        self._started = False
        self._server: LocalServer | None = None
        self._thread: threading.Thread | None = None
        self._outage: threading.Event | None = None  # set when the outage is over (early)

    @property
    def serving(self) -> bool:
        with self._lock:
            return self._server is not None

    def start(self) -> None:
        with self._lock:
            if self._started:
                raise RuntimeError(f"already serving at {self.address}")
            self._serve()
            self._started = True

    def stop(self) -> None:
        with self._lock:
            self._end_outage()
            self._close()
            self._started = False

    def down(self) -> None:
        """Refuse connections until up()."""
        with self._lock:
            self._require_started()
            self._end_outage()
            self._close()

    def up(self) -> None:
        """Serve again, on the same port (ends an outage early). Nothing to do if serving or stopped."""
        with self._lock:
            self._end_outage()
            if self._started and self._server is None:
                self._serve()

    def outage(self, seconds: float) -> None:
        """Refuse connections for ``seconds`` (from now on; a running outage is replaced)."""
        _check_seconds(seconds)
        with self._lock:
            self._require_started()
            self._end_outage()
            self._close()
            over = threading.Event()
            self._outage = over
            threading.Thread(
                target=self._up_after, args=(over, seconds), name="local-cloudfront-outage", daemon=True
            ).start()

    def _up_after(self, over: threading.Event, seconds: float) -> None:
        over.wait(seconds)
        with self._lock:
            if self._outage is over:  # not ended by up(), down(), stop() or another outage
                self._outage = None
                self._serve()

    def _require_started(self) -> None:
        if not self._started:
            raise RuntimeError("LocalCloudFront is not started")

    def _end_outage(self) -> None:
        if self._outage is not None:
            self._outage.set()
            self._outage = None

    def _serve(self) -> None:
        # SO_REUSEADDR (werkzeug sets allow_reuse_address): the port is free again at once,
        # whatever the TIME_WAIT connections of the previous server.
        server = LocalServer(self.host, self.port, self.app, self.handler, ssl_context=self.tls)
        host, port = server.socket.getsockname()[:2]
        self.port = int(port)
        self.address = f"{host}:{self.port}"
        thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": POLL_INTERVAL}, name="local-cloudfront", daemon=True
        )
        thread.start()
        self._server, self._thread = server, thread

    def _close(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._server.close_connections()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server, self._thread = None, None


def distribution_config(aliases: Sequence[str], comment: str, cache_tag_header: str | None = None) -> dict[str, Any]:
    """A DistributionConfig; ``cache_tag_header``: with a CacheTagConfig (HeaderName)."""
    origin_id = "local-s3-origin"
    config: dict[str, Any] = {
        "CallerReference": f"local-cloudfront-{uuid.uuid4()}",
        "Comment": comment,
        "Enabled": True,
        "Aliases": {"Quantity": len(aliases), "Items": list(aliases)},
        "Origins": {
            "Quantity": 1,
            "Items": [
                {
                    "Id": origin_id,
                    "DomainName": "local-origin.s3.amazonaws.com",
                    "S3OriginConfig": {"OriginAccessIdentity": ""},
                }
            ],
        },
        "DefaultCacheBehavior": {
            "TargetOriginId": origin_id,
            "ViewerProtocolPolicy": "redirect-to-https",
            "MinTTL": 0,
            "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
            "TrustedSigners": {"Enabled": False, "Quantity": 0},
        },
    }
    if cache_tag_header is not None:
        config["CacheTagConfig"] = {"HeaderName": cache_tag_header}
    return config


class LocalCloudFront:
    """moto's CloudFront over real HTTP on loopback, behaving like CloudFront."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        default_delay: float = DEFAULT_DELAY,
        verbose: bool = False,
        tls: tuple[str, str] | None = None,
    ) -> None:
        """``tls``: (certificate file, key file) to serve HTTPS instead of HTTP."""
        self.tls = tls
        self.host = host
        self.port = port
        self.url = ""
        self.verbose = verbose
        self.controller = Controller(default_delay)
        backend = DomainDispatcherApplication(create_backend_app)
        self.middleware = LocalCloudFrontMiddleware(
            backend=backend,
            control=ControlAPI(self.controller),
            log=self.controller.log,
            # Stalls first (a stalled request may then be reset or answered with an error), then
            # what AWS checks of every request, then the injected error answers; last, the lost
            # answers (of requests that moto carries out).
            dispatch_hooks=[
                self.controller.stalls,
                self.controller.resets,
                TemporaryKeyCheck(),
                self.controller.signatures,
                self.controller.rate_limits,
                self.controller.errors,
                self.controller.losses.hook(backend),
            ],
        )
        self._listener: Listener | None = None
        self._setup_client: Any = None
        # the clients of client() sign with these
        self.register_credentials(DUMMY_ACCESS_KEY_ID, DUMMY_SECRET_ACCESS_KEY)

    def start(self) -> LocalCloudFront:
        if self._listener is not None:
            raise RuntimeError(f"LocalCloudFront already serving at {self.url}")
        self.controller.set_default_delay(self.controller.initial_delay)
        handler = FaultRequestHandler if self.verbose else QuietRequestHandler
        listener = Listener(self.host, self.port, self.middleware, handler, self.tls)
        listener.start()
        self.port = listener.port
        self.url = f"{'https' if self.tls else 'http'}://{listener.address}"
        self._listener = self.controller.listener = listener
        # the credentials STS hands out here are accepted here, as AWS accepts them
        ASSUMED_ROLE_LISTENERS.append(self.controller.signatures.register)
        return self

    def stop(self) -> None:
        """Stop serving (quickly: stalls in progress are released, not waited out)."""
        listener = self._listener
        if listener is None:
            return
        self.controller.stalls.release()
        listener.stop()
        self._listener = self.controller.listener = None
        self._setup_client = None
        if self.controller.signatures.register in ASSUMED_ROLE_LISTENERS:
            ASSUMED_ROLE_LISTENERS.remove(self.controller.signatures.register)

    def __enter__(self) -> LocalCloudFront:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

    # -- steering (in process; the control API does the same over HTTP) --

    def reset(self) -> None:
        self.controller.reset()

    def set_default_delay(self, seconds: float) -> None:
        self.controller.set_default_delay(seconds)

    def set_clock_offset(self, seconds: float) -> None:
        """Shift the server's clock ``seconds`` from time.time() (either way): the CreateTime of new
        invalidations (and tenants) and the ``Date`` header of every answer; not the completion
        delays. Until reset() (0)."""
        self.controller.set_clock_offset(seconds)

    def set_invalidation_limits(self, paths: int = DEFAULT_PATH_LIMIT, wildcards: int = DEFAULT_WILDCARD_LIMIT) -> None:
        """What the invalidations InProgress of a distribution (and, apart, of each distribution tenant)
        may hold: ``paths`` file paths (cache tags included) and ``wildcards`` wildcard paths; a batch
        of more than ``paths`` items is BatchTooLarge. Until reset() (CloudFront's 3000 and 15)."""
        self.controller.set_invalidation_limits(paths, wildcards)

    def complete_in(self, invalidation_id: str, seconds: float) -> float:
        """Complete the invalidation ``seconds`` from now (0: now). UnknownInvalidation if absent.
        Returns when it completes (a wall time, ``time.time()``)."""
        return completion_time(self.controller.complete_in(invalidation_id, seconds))

    def deny(self, operation: str, code: str = "AccessDenied", status: int = 403) -> None:
        """Answer every ``operation`` request with an error (default: AccessDenied) until reset."""
        self.controller.errors.set(
            operation, status, code, f"User is not authorized to perform: cloudfront:{operation}"
        )

    def register_credentials(self, access_key_id: str, secret: str, token: str | None = None) -> None:
        """Check the requests signed with ``access_key_id``: signed with ``secret`` (and carrying
        ``token``, when given), as AWS checks them. Registered for the life of the endpoint (reset()
        keeps them)."""
        self.controller.signatures.register(access_key_id, secret, token)

    def rate_limit(
        self, rate: float, burst: float | None = None, operations: Sequence[str] = POLLED, shared: bool = False
    ) -> None:
        """The account's rate limit: ``rate`` requests a second for each of ``operations`` (``shared``:
        for all of them together), ``burst`` (default: a second's worth, at least 1) at once, for
        every caller alike; beyond it, CloudFront's Throttling answer. Until reset or clear_faults."""
        self.controller.rate_limits.set(rate, burst if burst is not None else max(1.0, rate), operations, shared)

    def rate_limited(self) -> dict[str, dict[str, int]]:
        """Per rate-limited operation, the requests let through and those throttled."""
        return self.controller.rate_limits.counts()

    def throttle(self, operation: str, count: int) -> None:
        """Answer the next ``count`` ``operation`` requests as CloudFront does when throttling."""
        self.controller.errors.set(operation, 400, "Throttling", "Rate exceeded", count)

    def reset_connections(self, operation: str, count: int) -> None:
        """Reset (TCP RST) the connection of the next ``count`` ``operation`` requests, with no
        HTTP answer: the client sees a connection error. Logged with status NO_ANSWER (0)."""
        self.controller.resets.set(operation, count)

    def lose_answers(self, operation: str, count: int) -> None:
        """Carry out the next ``count`` ``operation`` requests (an invalidation is created), then reset
        (TCP RST) the connection instead of answering: the client sees a connection error. Logged
        with status NO_ANSWER (0) and ``lost_answer``: the status of the answer not sent."""
        self.controller.losses.set(operation, count)

    def stall(self, operation: str, count: int, seconds: float) -> None:
        """Hold the next ``count`` ``operation`` requests ``seconds`` before answering them
        normally (past the client's read timeout, the client gives up). Other requests are
        served meanwhile; reset(), clear_faults() and stop() end the stalls in progress."""
        self.controller.stalls.set(operation, count, seconds)

    def outage(self, seconds: float) -> None:
        """Refuse connections (listening socket closed) for ``seconds``, then serve again on
        the same port with the state kept. Returns at once; up()/reset() end it early."""
        self.controller.outage(seconds)

    def down(self) -> None:
        """Refuse connections until up() or reset()."""
        if self._listener is None:
            raise RuntimeError("LocalCloudFront is not started")
        self._listener.down()

    def up(self) -> None:
        """Serve again after down() or during an outage (same port, same state)."""
        if self._listener is not None:
            self._listener.up()

    @property
    def serving(self) -> bool:
        """Started and not in an outage."""
        return self._listener is not None and self._listener.serving

    def clear_faults(self) -> None:
        """End every fault (errors, rate limits, resets, lost answers, stalls, outage), keeping the state and
        the log."""
        self.controller.clear_faults()

    def requests(self, operation: str | None = None) -> list[dict[str, Any]]:
        return self.controller.log.entries(operation)

    def clear_requests(self) -> None:
        self.controller.log.clear()

    # -- AWS side, through the HTTP endpoint --

    def client(
        self,
        access_key_id: str = DUMMY_ACCESS_KEY_ID,
        config: botocore.config.Config | None = None,
        secret: str = DUMMY_SECRET_ACCESS_KEY,
    ) -> Any:
        """A boto3 client of this endpoint, signing with ``access_key_id`` and ``secret`` (which
        must be registered, as the default ones are)."""
        if not self.url:
            raise RuntimeError("LocalCloudFront is not started")
        session = boto3.session.Session(
            aws_access_key_id=access_key_id, aws_secret_access_key=secret, region_name=REGION
        )
        return session.client(
            "cloudfront", endpoint_url=self.url, verify=self.tls[0] if self.tls else None, config=config
        )

    def _setup(self) -> Any:
        """The client of the set-up helpers (one per start(); making clients is slow)."""
        if self._setup_client is None:
            self._setup_client = self.client(SETUP_ACCESS_KEY_ID)
        return self._setup_client

    def create_distribution(
        self,
        aliases: Sequence[str] = (),
        comment: str = "",
        multi_tenant: bool = False,
        cache_tag_header: str | None = None,
    ) -> dict[str, Any]:
        """A distribution; ``multi_tenant``: a multi-tenant one, whose invalidations are its tenants';
        ``cache_tag_header``: with a CacheTagConfig naming that header (cache tags can be invalidated)."""
        config = distribution_config(aliases, comment, cache_tag_header)
        distribution = self._setup().create_distribution(DistributionConfig=config)["Distribution"]
        if multi_tenant:
            set_multi_tenant(distribution["Id"])
        return {
            "id": distribution["Id"],
            "domain_name": distribution["DomainName"],
            "aliases": list(distribution["DistributionConfig"]["Aliases"].get("Items", [])),
        }

    def create_distribution_tenant(self, distribution_id: str, domains: Sequence[str], name: str = "") -> str:
        """A tenant of the (multi-tenant) distribution, with these domains; its ID (dt_...)."""
        tenant = self._setup().create_distribution_tenant(
            DistributionId=distribution_id,
            Name=name or f"tenant-{uuid.uuid4().hex[:12]}",
            Domains=[{"Domain": domain} for domain in domains],
        )
        tenant_id: str = tenant["DistributionTenant"]["Id"]
        return tenant_id

    def create_tenant_invalidation(
        self,
        tenant_id: str,
        paths: Sequence[str] = ("/*",),
        caller_reference: str | None = None,
        complete_in: float | None = None,
    ) -> str:
        """An invalidation of a distribution tenant (born InProgress); its ID."""
        setup = self._setup()
        return self._invalidate(
            lambda batch: setup.create_invalidation_for_distribution_tenant(Id=tenant_id, InvalidationBatch=batch),
            paths,
            caller_reference,
            complete_in,
        )

    def add_invalidations(self, distribution_id: str, count: int, completed: bool = True) -> list[str]:
        """A long history: ``count`` invalidations older than the distribution's others, made at
        once in process (not logged); oldest first. ``completed=False``: in progress for good."""
        return add_history(distribution_id, count, completed)

    def create_invalidation(
        self,
        distribution_id: str,
        paths: Sequence[str] = ("/*",),
        caller_reference: str | None = None,
        complete_in: float | None = None,
    ) -> str:
        """An invalidation of a distribution (born InProgress); its ID."""
        return self._invalidate(
            lambda batch: self._setup().create_invalidation(DistributionId=distribution_id, InvalidationBatch=batch),
            paths,
            caller_reference,
            complete_in,
        )

    def _invalidate(
        self,
        create: Callable[[dict[str, Any]], Any],
        paths: Sequence[str],
        caller_reference: str | None,
        complete_in: float | None,
    ) -> str:
        """Create an invalidation with ``create(batch)``; complete it ``complete_in`` seconds later."""
        batch = {
            "Paths": {"Quantity": len(paths), "Items": list(paths)},
            "CallerReference": caller_reference or f"local-cloudfront-{uuid.uuid4()}",
        }
        invalidation_id: str = create(batch)["Invalidation"]["Id"]
        if complete_in is not None:
            self.complete_in(invalidation_id, complete_in)
        return invalidation_id


# --------------------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------------------


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Serve a local CloudFront endpoint (moto, patched).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--delay", type=float, default=DEFAULT_DELAY, help="seconds until Completed")
    parser.add_argument("--verbose", action="store_true", help="log each request (werkzeug)")
    parser.add_argument(
        "--credentials",
        action="append",
        default=[],
        metavar="KEY=SECRET",
        help="an access key the endpoint accepts, and its secret key (repeat for more; every request must be"
        " signed with one)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse_args(argv)
    stopping = threading.Event()

    def request_stop(signum: int, frame: Any) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    server = LocalCloudFront(args.host, args.port, args.delay, verbose=args.verbose)
    for pair in args.credentials:
        key, _equals, secret = pair.partition("=")
        server.register_credentials(key, secret)
    server.start()
    try:
        print(server.url, flush=True)
        stopping.wait()
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

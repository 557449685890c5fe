# -*- coding: utf-8 -*-

# Copyright: Contributors to the edgeops.cloudfront collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Talking to CloudFront: the calls this collection makes, with paging, lookups and retries.

Every request goes through :meth:`CloudFrontApi._call`: the SDK's errors become
:class:`CloudFrontError` (or its transient subclass, see errors.py), and a transient failure
(throttling, a 5xx answer, a dropped or refused connection, a connect or read timeout, a TLS
session that dropped, credentials being refreshed) is retried with capped, jittered backoff
for up to ``RETRY_SECONDS``, by the waiting core of waiter.py. During a wait the waiter does
that itself, inside the wait's deadline, so requests are made once (``retry=False``).
amazon.aws's ``AWSRetry`` is not used: it retries error answers only, not connection errors,
and knows no deadline.

A run builds its clients once: one whose connect and read timeouts fit the run's budget, and,
for a wait with plenty of time, one with short timeouts for the last seconds before its deadline.
"""

from __future__ import annotations

import email.utils
import functools
import os
import re
from typing import TYPE_CHECKING, Any, Callable, Iterator, Mapping, Sequence, TypeVar, cast

try:
    from botocore import __version__ as BOTOCORE_VERSION
    from botocore.config import Config
except ImportError:
    BOTOCORE_VERSION = None  # type: ignore[assignment]  # handled by AnsibleAWSModule
    Config = None  # type: ignore[assignment,misc]  # handled by AnsibleAWSModule

from .errors import (
    ACCESS_DENIED_CODES,
    REJECTED_CREDENTIAL_CODES,
    CloudFrontError,
    TransientCloudFrontError,
    translated_errors,
)
from .results import Owner, is_completed
from .waiter import Clock, PollSchedule, TransientError, wait_for

if TYPE_CHECKING:
    # Types only: the stubs of the CloudFront API (mypy-boto3-cloudfront) are not installed where
    # the module runs, and nothing below is evaluated at run time (`from __future__ import annotations`).
    from typing import Generic, Protocol, TypedDict

    from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
    from botocore.client import ClientMeta
    from mypy_boto3_cloudfront.type_defs import (
        CreateInvalidationForDistributionTenantResultTypeDef,
        CreateInvalidationResultTypeDef,
        DistributionSummaryTypeDef,
        DistributionTenantAssociationFilterTypeDef,
        DistributionTenantSummaryTypeDef,
        DistributionTenantTypeDef,
        DistributionTypeDef,
        GetDistributionResultTypeDef,
        GetDistributionTenantByDomainResultTypeDef,
        GetDistributionTenantResultTypeDef,
        GetInvalidationForDistributionTenantResultTypeDef,
        GetInvalidationResultTypeDef,
        InvalidationBatchTypeDef,
        InvalidationSummaryTypeDef,
        InvalidationTypeDef,
        ListDistributionsResultTypeDef,
        ListDistributionTenantsResultTypeDef,
        ListInvalidationsForDistributionTenantResultTypeDef,
        ListInvalidationsResultTypeDef,
    )
    from typing_extensions import NotRequired

    ItemT = TypeVar("ItemT")

    class CloudFrontClient(Protocol):
        """The calls this collection makes: a boto3 CloudFront client."""

        meta: ClientMeta

        def get_distribution(self, *, Id: str) -> GetDistributionResultTypeDef: ...

        def get_invalidation(self, *, DistributionId: str, Id: str) -> GetInvalidationResultTypeDef: ...

        def list_invalidations(
            self, *, DistributionId: str, MaxItems: str = ..., Marker: str = ...
        ) -> ListInvalidationsResultTypeDef: ...

        def list_distributions(self, *, MaxItems: str = ..., Marker: str = ...) -> ListDistributionsResultTypeDef: ...

        def get_invalidation_for_distribution_tenant(
            self, *, DistributionTenantId: str, Id: str
        ) -> GetInvalidationForDistributionTenantResultTypeDef: ...

        def list_invalidations_for_distribution_tenant(
            self, *, Id: str, MaxItems: int = ..., Marker: str = ...
        ) -> ListInvalidationsForDistributionTenantResultTypeDef: ...

        def get_distribution_tenant_by_domain(self, *, Domain: str) -> GetDistributionTenantByDomainResultTypeDef: ...

        def get_distribution_tenant(self, *, Identifier: str) -> GetDistributionTenantResultTypeDef: ...

        def list_distribution_tenants(
            self,
            *,
            AssociationFilter: DistributionTenantAssociationFilterTypeDef,
            MaxItems: int = ...,
            Marker: str = ...,
        ) -> ListDistributionTenantsResultTypeDef: ...

        def create_invalidation(
            self, *, DistributionId: str, InvalidationBatch: InvalidationBatchTypeDef
        ) -> CreateInvalidationResultTypeDef: ...

        def create_invalidation_for_distribution_tenant(
            self, *, Id: str, InvalidationBatch: InvalidationBatchTypeDef
        ) -> CreateInvalidationForDistributionTenantResultTypeDef: ...

    class ClientFactory(Protocol):
        """Makes a client with these connect and read timeouts (seconds)."""

        def __call__(self, *, connect_timeout: float, read_timeout: float) -> CloudFrontClient: ...

    class Paging(TypedDict, total=False):
        """The paging parameters of a List call."""

        MaxItems: str | int
        Marker: str

    class ListPage(TypedDict, Generic[ItemT]):
        """What paging needs of a List answer (InvalidationList, DistributionList)."""

        IsTruncated: bool
        NextMarker: NotRequired[str]
        Items: NotRequired[list[ItemT]]


ResultT = TypeVar("ResultT")

# The first botocore whose CloudFront model has the distribution-tenant operations (and so every
# operation this collection calls): requirements.txt asks for it. An older one's client has no
# method for them, and a tenant request fails saying so (:func:`_knowing`).
BOTOCORE_MINIMUM = "1.38.4"
TENANT_OPERATIONS = frozenset(
    {
        "GetDistributionTenantByDomain",
        "GetDistributionTenant",
        "ListDistributionTenants",
        "GetInvalidationForDistributionTenant",
        "ListInvalidationsForDistributionTenant",
        "CreateInvalidationForDistributionTenant",
    }
)

PAGE_SIZE = 100
# CloudFront is a global service; its API is signed for us-east-1.
DEFAULT_REGION = "us-east-1"
CONNECT_TIMEOUT = 10
READ_TIMEOUT = 30
# How long a request outside a wait is retried, at most (the module's first steps, lookups, a
# run without wait): about ten attempts, the last at the end of the budget.
RETRY_SECONDS = 60
# The backoff between attempts: at once, then 2, 4, 8, then 10 s, each shortened at random by
# up to a half, so that runs that failed together do not retry together. A throttled request is
# retried as PollSchedule says (a random part of a window that doubles from half a second, as
# botocore's standard mode does; in a longer budget for throttled requests, ``throttled_until``,
# the window grows with the time the throttling has lasted), one a minute at the slowest.
RETRY_SCHEDULE = PollSchedule(
    min_interval=1.0, max_interval=1.0, growth=0.0, jitter=0.5, max_backoff=10.0, max_delay=60.0
)
# A wait that begins with more time than this gets a second client, with the timeouts of this
# budget, for its last seconds; a shorter one, one client for all of it.
LAST_STRETCH = 40


def timeouts_for(budget: float) -> tuple[float, float]:
    """Connect and read timeouts for requests within ``budget`` seconds: a twentieth and a tenth
    of it, at least 1 and 2 s, at most the defaults (10 and 30 s, from a budget of 300 s)."""
    connect = min(float(CONNECT_TIMEOUT), max(1.0, budget / 20))
    read = min(float(READ_TIMEOUT), max(2.0, budget / 10))
    return connect, read


def connect(module: AnsibleAWSModule, connect_timeout: float, read_timeout: float) -> CloudFrontClient:
    """A CloudFront client from amazon.aws's connection options.

    botocore's own retries are off (``total_max_attempts=1``): :class:`CloudFrontApi` retries,
    once, for every kind of transient failure. Connect and read timeouts are set, so a stalled
    connection cannot hold a run forever.
    """
    config = Config(
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        retries={"total_max_attempts": 1},
    )
    return cast(
        "CloudFrontClient",
        module.client("cloudfront", region=module.region or DEFAULT_REGION, config=config),
    )


def use_security_token(params: dict[str, object], environ: dict[str, str] | None = None) -> str | None:
    """The session token of AWX's AWS credential, when it is in ``AWS_SECURITY_TOKEN`` only.

    amazon.aws 10 reads ``AWS_SESSION_TOKEN`` and no longer ``AWS_SECURITY_TOKEN``, which older AWX
    controllers inject alone: the request would go out with the access key of the environment and
    without its token. When the access key in use is the environment's and no token was given,
    the environment's ``AWS_SECURITY_TOKEN`` is set as ``session_token`` (and returned).
    """
    env = os.environ if environ is None else environ
    token = env.get("AWS_SECURITY_TOKEN")
    if not token or params.get("session_token") or env.get("AWS_SESSION_TOKEN"):
        return None
    if not params.get("access_key") or params.get("access_key") != env.get("AWS_ACCESS_KEY_ID"):
        return None
    params["session_token"] = token
    return token


def credential_hint(params: dict[str, object]) -> str | None:
    """What to say when AWS rejects credentials: a temporary access key (``ASIA...``) with no token."""
    key = str(params.get("access_key") or "")
    if key.startswith("ASIA") and not params.get("session_token"):
        return (
            f"the access key {key} is a temporary one (ASIA...), and no session token was given with it:"
            " set session_token, or AWS_SESSION_TOKEN (or AWS_SECURITY_TOKEN) in the environment"
        )
    return None


def module_api(module: AnsibleAWSModule, budget: float) -> tuple[CloudFrontApi, RequestCounter]:
    """A module run's API object, and the counter of its requests: AWX's ``AWS_SECURITY_TOKEN`` used
    (and kept out of the output), clients made when first needed with timeouts that fit ``budget``
    (see :class:`Clients`), the hint for a temporary key without its token."""
    params = module.params
    token = use_security_token(params)
    if token:
        module.no_log_values.add(token)
    counter = RequestCounter()
    clients = Clients(lambda **timeouts: counter.watch(connect(module, **timeouts)), budget=budget)
    return CloudFrontApi(clients, hint=credential_hint(params)), counter


def owner_of(params: Mapping[str, Any], api: CloudFrontApi) -> Owner:
    """Whose invalidations a module's parameters name: the distribution or tenant given, or the one
    with the alias."""
    if params.get("distribution_tenant_id"):
        return Owner(params["distribution_tenant_id"], tenant=True)
    if params.get("distribution_id"):
        return Owner(params["distribution_id"])
    return api.find_owner(params["alias"])


class RequestCounter:
    """Counts the HTTP requests the clients it watches send (retries included)."""

    def __init__(self) -> None:
        self.count = 0

    def watch(self, client: CloudFrontClient) -> CloudFrontClient:
        client.meta.events.register("before-send.cloudfront", self._seen)
        return client

    def _seen(self, **kwargs: object) -> None:
        self.count += 1


class Clients:
    """The run's clients, made when first needed: one with timeouts that fit ``budget`` (the
    defaults for a long one), and, when the budget began long, one with short timeouts once
    less than ``LAST_STRETCH`` seconds are left (``remaining``), so that a request started near
    the deadline cannot outlast it by much. Two at most: each costs a credential lookup (an
    ``sts:AssumeRole`` with a role profile) and a new TLS connection."""

    def __init__(self, make: ClientFactory, budget: float) -> None:
        self._make = make
        self._budget = budget
        self._main: CloudFrontClient | None = None
        self._last: CloudFrontClient | None = None
        self.built = 0

    def _built(self, budget: float) -> CloudFrontClient:
        connect_timeout, read_timeout = timeouts_for(budget)
        self.built += 1
        return self._make(connect_timeout=connect_timeout, read_timeout=read_timeout)

    def get(self, remaining: float | None = None) -> CloudFrontClient:
        """The client for a request with ``remaining`` seconds left before a deadline (None: none)."""
        long_run = self._budget > LAST_STRETCH
        if long_run and remaining is not None and remaining < LAST_STRETCH:
            if self._last is None:
                self._last = self._built(LAST_STRETCH)
            return self._last
        if self._main is None:
            self._main = self._built(self._budget)
        return self._main


def _knowing(client: CloudFrontClient, operation: str) -> CloudFrontClient:
    """``client``, unless ``operation`` is a distribution-tenant one that its botocore does not know
    (no client method for it): then the error that names the botocore this collection needs."""
    method = re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower()
    if operation in TENANT_OPERATIONS and not hasattr(client, method):
        raise CloudFrontError(
            f"{operation} needs botocore >= {BOTOCORE_MINIMUM} (this controller has botocore"
            f" {BOTOCORE_VERSION}): upgrade boto3 and botocore (requirements.txt)"
        )
    return client


def _paged(call: Callable[..., ListPage[ItemT]], paging: Paging, client: CloudFrontClient) -> ListPage[ItemT]:
    """One page of a List call: ``call(client, MaxItems=..., Marker=...)``."""
    return call(client, **paging)


def _tenant_list(response: ListDistributionTenantsResultTypeDef) -> ListPage[DistributionTenantSummaryTypeDef]:
    """ListDistributionTenants answers a list and a marker, with no ``IsTruncated``: more when a marker came."""
    marker = response.get("NextMarker")
    page: ListPage[DistributionTenantSummaryTypeDef] = {
        "IsTruncated": bool(marker),
        "Items": list(response.get("DistributionTenantList") or []),
    }
    if marker:
        page["NextMarker"] = marker
    return page


def _summary(invalidation: InvalidationTypeDef) -> InvalidationSummaryTypeDef:
    """A GetInvalidation answer cut down to what ListInvalidations says of it."""
    summary = {key: value for key, value in invalidation.items() if key in ("Id", "CreateTime", "Status")}
    return cast("InvalidationSummaryTypeDef", summary)


def is_multi_tenant(distribution: DistributionTypeDef) -> bool:
    """Whether the distribution is a multi-tenant one (its invalidations are its tenants')."""
    config = distribution.get("DistributionConfig") or {}
    return config.get("ConnectionMode") == "tenant-only" or bool(config.get("TenantConfig"))


def multi_tenant_error(distribution_id: str) -> CloudFrontError:
    return CloudFrontError(
        f"CloudFront distribution {distribution_id} is a multi-tenant distribution: its invalidations"
        " belong to its distribution tenants. Give distribution_tenant_id (dt_...), or one of the tenant's"
        " domains as alias"
    )


def server_time(response: Mapping[str, Any]) -> float | None:
    """The server's clock when it answered (its ``Date`` header, to the second), as seconds since the
    epoch; None without one."""
    headers = (response.get("ResponseMetadata") or {}).get("HTTPHeaders") or {}
    date = headers.get("date")
    if not date:
        return None
    try:
        return email.utils.parsedate_to_datetime(date).timestamp()
    except (TypeError, ValueError):
        return None


def _names_of(distribution: DistributionSummaryTypeDef) -> list[str]:
    aliases = (distribution.get("Aliases") or {}).get("Items") or []
    return [name.lower().rstrip(".") for name in [distribution.get("DomainName") or "", *aliases] if name]


class _OutOfBudget(Exception):
    """A transient failure after the retry budget (not throttling, which has a longer one)."""

    def __init__(self, error: TransientCloudFrontError) -> None:
        super().__init__(str(error))
        self.error = error


class CloudFrontApi:
    """The CloudFront calls of this collection.

    ``clients`` gives the client for each request (see :class:`Clients`). ``retry``: whether a
    transient failure is retried here (for up to ``retry_seconds``); a wait sets it to False and
    sets ``deadline`` (a time of ``clock``), and its waiter retries the polls itself.
    ``throttled_until``: a time of ``clock`` until which a throttled request is retried, however
    long (a caller with a deadline: the account is there, only busy, and other callers share it);
    other transient failures keep to ``retry_seconds``. ``pace``: the longest pace those retries
    left (waiter.PollSchedule): how long the account took to answer, when it throttled.
    ``hint``: what to add when AWS rejects the credentials (see :func:`credential_hint`).
    """

    def __init__(
        self,
        clients: Clients,
        clock: Clock | None = None,
        retry_seconds: float = RETRY_SECONDS,
        hint: str | None = None,
    ) -> None:
        self.clients = clients
        self.clock = clock or Clock()
        self.retry = True
        self.retry_seconds = retry_seconds
        self.deadline: float | None = None
        self.throttled_until: float | None = None
        self.pace = 0.0
        self.hint = hint
        # owners whose invalidations a page showed in this run: not multi-tenant distributions
        self._listed: set[Owner] = set()

    def _client(self) -> CloudFrontClient:
        remaining = None if self.deadline is None else self.deadline - self.clock.monotonic()
        return self.clients.get(remaining)

    def _call(self, operation: str, request: Callable[[CloudFrontClient], ResultT], **context: str | None) -> ResultT:
        """One request, retried while it fails transiently and the budget lasts (``retry``)."""

        def attempt() -> ResultT:
            try:
                with translated_errors(operation, **context):
                    return request(_knowing(self._client(), operation))
            except CloudFrontError as e:
                if self.hint and e.code in REJECTED_CREDENTIAL_CODES:
                    e.msg = f"{e.msg}: {self.hint}"
                raise

        if not self.retry:
            return attempt()
        started = self.clock.monotonic()
        budget = self.retry_seconds
        if self.throttled_until is not None:
            budget = max(budget, self.throttled_until - started)
        attempts = 0

        def within_budget() -> ResultT:
            """An attempt; past ``retry_seconds``, only throttling is worth another."""
            nonlocal attempts
            attempts += 1
            try:
                return attempt()
            except TransientCloudFrontError as e:
                if not e.throttled and self.clock.monotonic() - started >= self.retry_seconds:
                    raise _OutOfBudget(e) from None
                raise

        try:
            outcome = wait_for(within_budget, lambda _: True, budget, schedule=RETRY_SCHEDULE, clock=self.clock)
        except _OutOfBudget as out:
            error: TransientError | None = out.error
        else:
            self.pace = max(self.pace, outcome.pace)
            if outcome.done and outcome.state is not None:
                return outcome.state
            error = outcome.last_error
        elapsed = self.clock.monotonic() - started
        if not isinstance(error, CloudFrontError):  # attempt() raises nothing else that wait_for retries
            raise CloudFrontError(f"cloudfront:{operation} did not succeed in {elapsed:.0f}s")
        error.msg = f"{error.msg} (gave up after {attempts} attempts in {elapsed:.0f}s)"
        raise error

    def _context(self, owner: Owner, invalidation_id: str | None = None) -> dict[str, str | None]:
        """What an error message names: the distribution or the tenant, and the invalidation."""
        return {owner.key: owner.id, "invalidation_id": invalidation_id}

    def get_distribution(self, distribution_id: str) -> DistributionTypeDef:
        """GetDistribution: the distribution, its configuration and its count of invalidations in progress."""
        response = self._call(
            "GetDistribution",
            lambda client: client.get_distribution(Id=distribution_id),
            distribution_id=distribution_id,
        )
        return response["Distribution"]

    def get_distribution_tenant(self, tenant_id: str) -> DistributionTenantTypeDef:
        """GetDistributionTenant: the tenant, with the ID of its distribution."""
        response = self._call(
            "GetDistributionTenant",
            lambda client: client.get_distribution_tenant(Identifier=tenant_id),
            distribution_tenant_id=tenant_id,
        )
        return response["DistributionTenant"]

    def distribution_tenants(self, distribution_id: str) -> Iterator[DistributionTenantSummaryTypeDef]:
        """ListDistributionTenants of one distribution, a page at a time as the caller asks."""
        for page in self._pages(
            "ListDistributionTenants",
            lambda client, **paging: _tenant_list(
                client.list_distribution_tenants(AssociationFilter={"DistributionId": distribution_id}, **paging)
            ),
            numeric_size=True,
            context={"distribution_id": distribution_id},
        ):
            yield from page

    def create_invalidation(
        self, owner: Owner, paths: Sequence[str], caller_reference: str
    ) -> tuple[InvalidationTypeDef, float | None]:
        """CreateInvalidation (CreateInvalidationForDistributionTenant): the invalidation CloudFront
        answers (a new one, or the earlier one made with ``caller_reference`` and the same paths), and
        the server's clock when it answered (see :func:`server_time`). Every retry sends the same
        caller reference, so a retried create whose first answer was lost makes nothing twice."""
        batch: InvalidationBatchTypeDef = {
            "Paths": {"Quantity": len(paths), "Items": list(paths)},
            "CallerReference": caller_reference,
        }
        response: CreateInvalidationResultTypeDef | CreateInvalidationForDistributionTenantResultTypeDef
        if owner.tenant:
            response = self._call(
                "CreateInvalidationForDistributionTenant",
                lambda client: client.create_invalidation_for_distribution_tenant(Id=owner.id, InvalidationBatch=batch),
                **self._context(owner),
            )
        else:
            response = self._call(
                "CreateInvalidation",
                lambda client: client.create_invalidation(DistributionId=owner.id, InvalidationBatch=batch),
                **self._context(owner),
            )
        return response["Invalidation"], server_time(cast("Mapping[str, Any]", response))

    def get_invalidation(self, owner: Owner, invalidation_id: str) -> InvalidationTypeDef:
        """GetInvalidation (GetInvalidationForDistributionTenant): the full invalidation, with its batch."""
        if owner.tenant:
            response = self._call(
                "GetInvalidationForDistributionTenant",
                lambda client: client.get_invalidation_for_distribution_tenant(
                    DistributionTenantId=owner.id, Id=invalidation_id
                ),
                **self._context(owner, invalidation_id),
            )
        else:
            response = self._call(
                "GetInvalidation",
                lambda client: client.get_invalidation(DistributionId=owner.id, Id=invalidation_id),
                **self._context(owner, invalidation_id),
            )
        return response["Invalidation"]

    def _pages(
        self,
        operation: str,
        call: Callable[..., ListPage[ItemT]],
        page_size: int = PAGE_SIZE,
        numeric_size: bool = False,
        context: dict[str, str | None] | None = None,
    ) -> Iterator[list[ItemT]]:
        """A List operation's pages (MaxItems/Marker/NextMarker), each fetched when the caller asks for it.

        ``call(client, MaxItems=..., Marker=...)`` makes the request and returns the list part of
        the answer (``InvalidationList``, ``DistributionList``). ``numeric_size``: the operation takes
        MaxItems as a number (the tenant operations), not as a string (the older ones).
        """
        marker: str | None = None
        while True:
            params: Paging = {"MaxItems": page_size if numeric_size else str(page_size)}
            if marker:
                params["Marker"] = marker
            page = self._call(operation, functools.partial(_paged, call, params), **(context or {}))
            yield page.get("Items") or []
            marker = page.get("NextMarker")
            if not page.get("IsTruncated") or not marker:
                return

    def invalidation_pages(
        self, owner: Owner, page_size: int = PAGE_SIZE
    ) -> Iterator[list[InvalidationSummaryTypeDef]]:
        """ListInvalidations (ListInvalidationsForDistributionTenant), a page at a time, newest first;
        stops when the caller stops."""
        return self._noting(owner, self._invalidation_pages(owner, page_size))

    def _noting(self, owner: Owner, pages: Iterator[list[ItemT]]) -> Iterator[list[ItemT]]:
        for page in pages:
            if page:
                self._listed.add(owner)
            yield page

    def _invalidation_pages(self, owner: Owner, page_size: int) -> Iterator[list[InvalidationSummaryTypeDef]]:
        if owner.tenant:
            return self._pages(
                "ListInvalidationsForDistributionTenant",
                lambda client, **paging: client.list_invalidations_for_distribution_tenant(Id=owner.id, **paging)[
                    "InvalidationList"
                ],
                page_size,
                numeric_size=True,
                context=self._context(owner),
            )
        return self._pages(
            "ListInvalidations",
            lambda client, **paging: client.list_invalidations(DistributionId=owner.id, **paging)["InvalidationList"],
            page_size,
            context=self._context(owner),
        )

    def invalidations(self, owner: Owner, limit: int) -> Iterator[InvalidationSummaryTypeDef]:
        """Invalidation summaries, newest first, at most ``limit`` (0: all)."""
        page_size = min(PAGE_SIZE, limit) if limit else PAGE_SIZE
        count = 0
        for page in self.invalidation_pages(owner, page_size):
            for summary in page:
                yield summary
                count += 1
                if limit and count >= limit:
                    return

    def in_progress(self, owner: Owner) -> list[InvalidationSummaryTypeDef]:
        """The invalidations in progress, newest first, for what they cost.

        A distribution: GetDistribution says how many there are, and ListInvalidations is paged only
        until that many were seen (no page at all when there are none), however long its history. A
        multi-tenant distribution has none of its own: that fails, saying how to name its tenants.
        A distribution tenant (which says nothing of its invalidations in progress): its pages are read
        until one holds a completed invalidation, as invalidations complete about in the order made.
        """
        found: list[InvalidationSummaryTypeDef] = []
        if owner.tenant:
            for page in self.invalidation_pages(owner):
                found.extend(s for s in page if not is_completed(s.get("Status")))
                if any(is_completed(s.get("Status")) for s in page):
                    break
            return found
        distribution = self.get_distribution(owner.id)
        if is_multi_tenant(distribution):
            raise multi_tenant_error(owner.id)
        expected = int(distribution.get("InProgressInvalidationBatches") or 0)
        if expected == 0:
            return found
        for page in self.invalidation_pages(owner):
            found.extend(s for s in page if not is_completed(s.get("Status")))
            if len(found) >= expected:
                break
        return found

    def explain_multi_tenant(self, owner: Owner) -> None:
        """Raise the error that says so when ``owner`` is a multi-tenant distribution: its invalidations
        belong to its tenants. For a failure or an empty answer about a distribution's invalidations,
        unless a page of this run showed some (a multi-tenant distribution has none); best effort
        (GetDistribution may not be allowed)."""
        if owner.tenant or owner in self._listed:
            return
        try:
            distribution = self.get_distribution(owner.id)
        except CloudFrontError:
            return
        if is_multi_tenant(distribution):
            raise multi_tenant_error(owner.id)

    def distributions(self) -> Iterator[DistributionSummaryTypeDef]:
        """ListDistributions, a page at a time as the caller asks (web distributions only)."""
        for page in self._pages(
            "ListDistributions",
            lambda client, **paging: client.list_distributions(**paging)["DistributionList"],
        ):
            yield from page

    def find_owner(self, alias: str) -> Owner:
        """The distribution whose alias or CloudFront domain name is ``alias``, or else the distribution
        tenant that has it as a domain (GetDistributionTenantByDomain).

        Stops at the first distribution that matches: CloudFront lets no two distributions have the
        same alternate domain name. Names are compared whole, without regard to case: a wildcard alias
        (``*.example.com``) matches when given as written, not by a name it covers.
        """
        wanted = alias.lower().rstrip(".")
        for distribution in self.distributions():
            if wanted in _names_of(distribution):
                return Owner(distribution["Id"])
        try:
            tenant = self._call(
                "GetDistributionTenantByDomain",
                lambda client: client.get_distribution_tenant_by_domain(Domain=wanted),
            )["DistributionTenant"]
        except CloudFrontError as e:
            if e.code == "EntityNotFound":
                raise CloudFrontError(
                    f"No CloudFront distribution has the alias {alias} (as an alternate domain name or as its"
                    " *.cloudfront.net domain name), and no distribution tenant has it as a domain",
                    e.code,
                    e.request_id,
                ) from e
            if e.code in ACCESS_DENIED_CODES:
                e.msg = (
                    f"No CloudFront distribution has the alias {alias}, and looking for a distribution tenant"
                    f" with it failed: {e.msg}"
                )
            raise
        return Owner(tenant["Id"], tenant=True)

    def find_by_caller_reference(self, owner: Owner, caller_reference: str, limit: int) -> InvalidationTypeDef:
        """The newest invalidation created with ``caller_reference``, among the ``limit`` newest.

        ListInvalidations does not carry caller references, so each candidate is read with
        GetInvalidation, newest first, stopping at the first match.
        """
        found, examined = self.with_caller_reference(owner, caller_reference, limit)
        if found is not None:
            return found
        scope = f"the {examined} newest invalidations" if limit else f"all {examined} invalidations"
        raise CloudFrontError(
            f"No invalidation of CloudFront {owner} has the caller reference"
            f" {caller_reference!r} (searched {scope}; max_items bounds the search)"
        )

    def with_caller_reference(
        self, owner: Owner, caller_reference: str, limit: int
    ) -> tuple[InvalidationTypeDef | None, int]:
        """The newest invalidation created with ``caller_reference`` among the ``limit`` newest (None), and
        how many were read."""
        examined = 0
        for summary in self.invalidations(owner, limit):
            examined += 1
            invalidation = self.get_invalidation(owner, summary["Id"])
            if (invalidation.get("InvalidationBatch") or {}).get("CallerReference") == caller_reference:
                return invalidation, examined
        return None, examined

    def summaries(self, owner: Owner, invalidation_ids: Sequence[str]) -> dict[str, InvalidationSummaryTypeDef]:
        """Each invalidation as ListInvalidations summarises it (``Id``, ``CreateTime``, ``Status``).

        One invalidation: one GetInvalidation. Several: ListInvalidations pages, newest first, while
        more than one is still to find and the last page held some of them (the invalidations a
        deployment waits for are among the newest); then a GetInvalidation for each one left, which
        finds it in an older page or fails naming it. An unknown ID costs a page and a request,
        whatever the length of the history.
        """
        wanted = set(invalidation_ids)
        if len(wanted) == 1:
            (only,) = wanted
            return {only: _summary(self.get_invalidation(owner, only))}
        found: dict[str, InvalidationSummaryTypeDef] = {}
        for page in self.invalidation_pages(owner):
            hits = {s["Id"]: s for s in page if s["Id"] in wanted}
            found.update(hits)
            missing = wanted.difference(found)
            if not missing:
                return found
            if len(missing) == 1 or not hits:
                break
        for missing_id in sorted(wanted.difference(found)):
            found[missing_id] = _summary(self.get_invalidation(owner, missing_id))
        return found

    def statuses(self, owner: Owner, invalidation_ids: Sequence[str]) -> dict[str, str | None]:
        """The current status of each invalidation, read as :meth:`summaries` reads them."""
        return {i: s.get("Status") for i, s in self.summaries(owner, invalidation_ids).items()}

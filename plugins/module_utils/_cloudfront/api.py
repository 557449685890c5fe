# -*- coding: utf-8 -*-

# Copyright: Contributors to the edgeops.cloudfront collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Talking to CloudFront: the calls this collection makes, with paging and lookups.

Every call goes through :func:`translated_errors`, so callers only ever see
:class:`CloudFrontError` (or its transient subclass).  With ``retry=True`` a call is
retried by amazon.aws's ``AWSRetry`` on throttling and 5xx answers; during a wait the
waiter does the retrying itself, inside its deadline, so calls are made with
``retry=False``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Iterator, Sequence, cast

try:
    from botocore.config import Config
except ImportError:
    Config = None  # type: ignore[assignment,misc]  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from .errors import CloudFrontError, translated_errors

if TYPE_CHECKING:
    # Types only: the stubs of the CloudFront API (mypy-boto3-cloudfront) are not installed where
    # the module runs, and nothing below is evaluated at run time (`from __future__ import annotations`).
    from typing import Generic, Protocol, TypedDict, TypeVar

    from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
    from botocore.client import ClientMeta
    from mypy_boto3_cloudfront.type_defs import (
        DistributionSummaryTypeDef,
        GetInvalidationResultTypeDef,
        InvalidationSummaryTypeDef,
        InvalidationTypeDef,
        ListDistributionsResultTypeDef,
        ListInvalidationsResultTypeDef,
    )
    from typing_extensions import NotRequired

    ClientT = TypeVar("ClientT", bound="Watchable")
    ItemT = TypeVar("ItemT")

    class Watchable(Protocol):
        """A boto3 client, or amazon.aws's wrapper of one (which passes ``meta`` on)."""

        meta: ClientMeta

    class CloudFrontClient(Watchable, Protocol):
        """The calls this collection makes: a boto3 CloudFront client as amazon.aws wraps it
        (``module.client(..., retry_decorator=...)``), where every call takes ``aws_retry``."""

        def get_invalidation(
            self, *, DistributionId: str, Id: str, aws_retry: bool = ...
        ) -> GetInvalidationResultTypeDef: ...

        def list_invalidations(
            self, *, DistributionId: str, MaxItems: str = ..., Marker: str = ..., aws_retry: bool = ...
        ) -> ListInvalidationsResultTypeDef: ...

        def list_distributions(
            self, *, MaxItems: str = ..., Marker: str = ..., aws_retry: bool = ...
        ) -> ListDistributionsResultTypeDef: ...

    class ClientFactory(Protocol):
        """Makes a client like the default one, with other connect and read timeouts (seconds)."""

        def __call__(self, *, connect_timeout: float = ..., read_timeout: float = ...) -> CloudFrontClient: ...

    class Timeouts(TypedDict):
        connect_timeout: float
        read_timeout: float

    class Paging(TypedDict, total=False):
        """The paging parameters of a List call."""

        MaxItems: str
        Marker: str

    class ListPage(TypedDict, Generic[ItemT]):
        """What paging needs of a List answer (InvalidationList, DistributionList)."""

        IsTruncated: bool
        NextMarker: NotRequired[str]
        Items: NotRequired[list[ItemT]]


PAGE_SIZE = 100
# CloudFront is a global service; its API is signed for us-east-1.
DEFAULT_REGION = "us-east-1"
CONNECT_TIMEOUT = 10
READ_TIMEOUT = 30


def connect(
    module: AnsibleAWSModule, connect_timeout: float = CONNECT_TIMEOUT, read_timeout: float = READ_TIMEOUT
) -> CloudFrontClient:
    """A CloudFront client from amazon.aws's connection options, with AWSRetry available.

    botocore's own retries are off (``total_max_attempts=1``): retrying is done either by
    ``AWSRetry`` (``aws_retry=True``) or by the waiter, never twice over.  Connect and read
    timeouts are set, so a stalled connection cannot hold a wait forever.
    """
    config = Config(
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        retries={"total_max_attempts": 1},
    )
    return cast(
        "CloudFrontClient",
        module.client(
            "cloudfront",
            retry_decorator=AWSRetry.jittered_backoff(retries=5, delay=1, max_delay=10),
            region=module.region or DEFAULT_REGION,
            config=config,
        ),
    )


class RequestCounter:
    """Counts the HTTP requests the clients it watches send (retries included)."""

    def __init__(self) -> None:
        self.count = 0

    def watch(self, client: ClientT) -> ClientT:
        raw = getattr(client, "client", client)  # amazon.aws wraps the boto3 client
        raw.meta.events.register("before-send.cloudfront", self._seen)
        return client

    def _seen(self, **kwargs: object) -> None:
        self.count += 1


def bounded_timeouts(remaining: float) -> Timeouts | None:
    """Connect and read timeouts that end a request by the deadline, or None if the defaults do."""
    if remaining >= CONNECT_TIMEOUT + READ_TIMEOUT:
        return None
    connect_timeout = max(1.0, min(float(CONNECT_TIMEOUT), remaining / 3))
    return {"connect_timeout": connect_timeout, "read_timeout": max(1.0, remaining - connect_timeout)}


def _summary(invalidation: InvalidationTypeDef) -> InvalidationSummaryTypeDef:
    """A GetInvalidation answer cut down to what ListInvalidations says of it."""
    summary = {key: value for key, value in invalidation.items() if key in ("Id", "CreateTime", "Status")}
    return cast("InvalidationSummaryTypeDef", summary)


def _names_of(distribution: DistributionSummaryTypeDef) -> list[str]:
    aliases = (distribution.get("Aliases") or {}).get("Items") or []
    return [name.lower().rstrip(".") for name in [distribution.get("DomainName") or "", *aliases] if name]


class CloudFrontApi:
    """The CloudFront calls of this collection.

    ``client`` is amazon.aws's retrying client wrapper (``module.client(...,
    retry_decorator=...)``); ``retry`` says whether calls use its ``AWSRetry``.
    ``client_with(connect_timeout=..., read_timeout=...)`` makes a client with other
    timeouts: once ``remaining`` is set (seconds left before a deadline), requests made
    close to the deadline use one whose timeouts end them by the deadline.
    """

    def __init__(self, client: CloudFrontClient, retry: bool = True, client_with: ClientFactory | None = None) -> None:
        self._default_client = client
        self._client_with = client_with
        self.retry = retry
        self.remaining: Callable[[], float] | None = None

    @property
    def _client(self) -> CloudFrontClient:
        if self.remaining is None or self._client_with is None:
            return self._default_client
        timeouts = bounded_timeouts(self.remaining())
        return self._default_client if timeouts is None else self._client_with(**timeouts)

    def get_invalidation(self, distribution_id: str, invalidation_id: str) -> InvalidationTypeDef:
        """GetInvalidation: the full invalidation, with its batch."""
        with translated_errors("GetInvalidation", distribution_id=distribution_id, invalidation_id=invalidation_id):
            response = self._client.get_invalidation(
                DistributionId=distribution_id, Id=invalidation_id, aws_retry=self.retry
            )
        return response["Invalidation"]

    def _pages(
        self, operation: str, call: Callable[..., ListPage[ItemT]], page_size: int = PAGE_SIZE, **context: str
    ) -> Iterator[list[ItemT]]:
        """A List operation's pages (MaxItems/Marker/NextMarker), each fetched when the caller asks for it.

        ``call(MaxItems=..., Marker=...)`` makes the request and returns the list part of the
        answer (``InvalidationList``, ``DistributionList``).
        """
        marker: str | None = None
        while True:
            params: Paging = {"MaxItems": str(page_size)}
            if marker:
                params["Marker"] = marker
            with translated_errors(operation, **context):
                page = call(**params)
            yield page.get("Items") or []
            marker = page.get("NextMarker")
            if not page.get("IsTruncated") or not marker:
                return

    def invalidation_pages(
        self, distribution_id: str, page_size: int = PAGE_SIZE
    ) -> Iterator[list[InvalidationSummaryTypeDef]]:
        """ListInvalidations, a page at a time, newest first; stops when the caller stops."""
        return self._pages(
            "ListInvalidations",
            lambda **paging: self._client.list_invalidations(
                DistributionId=distribution_id, aws_retry=self.retry, **paging
            )["InvalidationList"],
            page_size,
            distribution_id=distribution_id,
        )

    def invalidations(self, distribution_id: str, limit: int) -> Iterator[InvalidationSummaryTypeDef]:
        """Invalidation summaries, newest first, at most ``limit`` (0: all)."""
        page_size = min(PAGE_SIZE, limit) if limit else PAGE_SIZE
        count = 0
        for page in self.invalidation_pages(distribution_id, page_size):
            for summary in page:
                yield summary
                count += 1
                if limit and count >= limit:
                    return

    def distributions(self) -> Iterator[DistributionSummaryTypeDef]:
        """ListDistributions, every page (web distributions only, never streaming ones)."""
        for page in self._pages(
            "ListDistributions",
            lambda **paging: self._client.list_distributions(aws_retry=True, **paging)["DistributionList"],
        ):
            yield from page

    def find_distribution_id(self, alias: str) -> str:
        """The ID of the one distribution whose alias or CloudFront domain name is ``alias``."""
        wanted = alias.lower().rstrip(".")
        matches = [d["Id"] for d in self.distributions() if wanted in _names_of(d)]
        if not matches:
            raise CloudFrontError(
                f"No CloudFront distribution has the alias {alias} (as an alternate domain name"
                " or as its *.cloudfront.net domain name)"
            )
        if len(matches) > 1:
            raise CloudFrontError(
                f"The alias {alias} matches {len(matches)} CloudFront distributions"
                f" ({', '.join(matches)}): give distribution_id instead"
            )
        return matches[0]

    def find_by_caller_reference(self, distribution_id: str, caller_reference: str, limit: int) -> InvalidationTypeDef:
        """The newest invalidation created with ``caller_reference``, among the ``limit`` newest.

        ListInvalidations does not carry caller references, so each candidate is read with
        GetInvalidation, newest first, stopping at the first match.
        """
        examined = 0
        for summary in self.invalidations(distribution_id, limit):
            examined += 1
            invalidation = self.get_invalidation(distribution_id, summary["Id"])
            if (invalidation.get("InvalidationBatch") or {}).get("CallerReference") == caller_reference:
                return invalidation
        scope = f"the {examined} newest invalidations" if limit else f"all {examined} invalidations"
        raise CloudFrontError(
            f"No invalidation of CloudFront distribution {distribution_id} has the caller reference"
            f" {caller_reference!r} (searched {scope}; max_items bounds the search)"
        )

    def summaries(self, distribution_id: str, invalidation_ids: Sequence[str]) -> dict[str, InvalidationSummaryTypeDef]:
        """Each invalidation as ListInvalidations summarises it (``Id``, ``CreateTime``, ``Status``):
        pages newest first until every one was seen, then GetInvalidation for any not found there
        (one GetInvalidation when a single invalidation is asked for)."""
        wanted = set(invalidation_ids)
        if len(wanted) == 1:
            (only,) = wanted
            return {only: _summary(self.get_invalidation(distribution_id, only))}
        found: dict[str, InvalidationSummaryTypeDef] = {}
        for page in self.invalidation_pages(distribution_id):
            found.update((s["Id"], s) for s in page if s["Id"] in wanted)
            if wanted.issubset(found):
                return found
        for missing in sorted(wanted.difference(found)):
            found[missing] = _summary(self.get_invalidation(distribution_id, missing))
        return found

    def statuses(self, distribution_id: str, invalidation_ids: Sequence[str]) -> dict[str, str | None]:
        """The current status of each invalidation, read as :meth:`summaries` reads them."""
        return {i: s.get("Status") for i, s in self.summaries(distribution_id, invalidation_ids).items()}
